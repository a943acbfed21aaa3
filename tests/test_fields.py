"""The field DSL's one path-resolving walk (``resolve``) and its one tree walker (``walk``)."""

from __future__ import annotations

import pytest

from sim.core.fields import Field, ListOf, MapOf, PathError, Paths, Section, child, closest, resolve, walk
from sim.scenario.schema import SCENARIO

TINY = Section({
    "seed": Field("int", 1, "Seed."),
    "shares": MapOf(("a", "b"), Field("float", None, "Share."), default={"a": 1.0, "b": 2.0}, doc="Shares."),
    "group": Section({"x": Field("float", 0.0, "X."), "empty": Section({}, doc="Nothing yet.")}, doc="Group."),
    "named": MapOf(None, Section({"y": Field("bool", False, "Y.")}), default={}, doc="By name.", key_name="<n>"),
    "swept": Paths(Section({"z": Field("float", 0.0, "Z.")}), Section({"low": Field("float", None, "Low.")}),
                   "Swept."),
    "items": ListOf(Field("str", None, "Item."), "Items."),
})


def test_resolve_follows_sections_and_maps():
    assert resolve(SCENARIO, "behaviour.hukou.min_insurance_years") is \
        SCENARIO.fields["behaviour"].fields["hukou"].fields["min_insurance_years"]
    assert resolve(SCENARIO, ["population", "district_urbanization_rate_pct", "pingdu"]).kind == "float"
    assert resolve(TINY, "named.anything.y").kind == "bool"          # free names: any key
    with pytest.raises(PathError, match="unknown key ''"):
        resolve(TINY, "")


def test_an_unknown_part_names_the_allowed_keys_and_the_closest():
    with pytest.raises(PathError) as info:
        resolve(SCENARIO, "behaviour.hukuo.min_insurance_years")
    err = info.value
    assert (err.key, err.prefix, err.close, err.through_value) == ("hukuo", "behaviour", "hukou", False)
    assert err.message.startswith("unknown key 'hukuo'; did you mean 'hukou'? (allowed: fertility, mortality")
    with pytest.raises(PathError, match=r"^unknown key 'c' \(allowed: a, b\)$"):
        resolve(TINY, "shares.c")
    with pytest.raises(PathError, match=r"'group.empty' takes no settings yet"):
        resolve(TINY, "group.empty.q")


def test_a_path_through_a_single_value_says_so():
    with pytest.raises(PathError) as info:
        resolve(SCENARIO, "seed.x")
    assert info.value.through_value and info.value.message == "'seed' is a single value, not a group of settings"
    with pytest.raises(PathError, match="'items' is a single value"):
        resolve(TINY, "items.0")


def test_child_is_one_step_and_never_raises():
    assert child(TINY, "seed").kind == "int"
    assert child(TINY, "nope") is None and child(TINY.fields["seed"], "x") is None and child(TINY, 3) is None


def test_closest_prefers_a_close_spelling_then_a_longer_key():
    assert closest("replicatons", ("seed", "replications")) == "replications"
    assert closest("nonlocal", ("nonlocal_conversion_hazard_per_year", "talent_exempt")) \
        == "nonlocal_conversion_hazard_per_year"
    assert closest("zz", ("a", "b")) is None and closest(3, ("a",)) is None


def test_walk_yields_every_node_in_schema_order_with_its_path():
    paths = [path for path, _ in walk(TINY)]
    assert paths == ["", "seed", "shares", "group", "group.x", "group.empty", "named", "named.<n>", "named.<n>.y",
                     "swept", "swept.<setting>", "swept.<setting>.low", "items"]
    for path, node in walk(SCENARIO):
        if path:
            assert resolve(SCENARIO, path) is node
    assert sum(isinstance(node, Field) for _, node in walk(SCENARIO)) > 60
