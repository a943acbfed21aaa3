"""Districts named in Chinese (平度) wherever a scenario, a --set or a spec names one: in a lever's scope,
as the key of a per-district setting, in a dotted path, in a sweep's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core.districts import DISTRICT_ALIASES, DISTRICT_ZH, DISTRICTS
from sim.core.fields import MapOf, canonical, walk
from sim.data import load_census
from sim.experiment.spec import load_sweep
from sim.scenario import ScenarioError, load_scenario, validate
from sim.scenario.schema import SCENARIO

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_the_chinese_names_are_the_censuss():
    census = load_census()["census_2020"]["districts"]
    assert set(DISTRICT_ZH) == set(DISTRICTS)
    for district, zh in DISTRICT_ZH.items():
        assert census[district]["zh"].startswith(zh), district          # 西海岸新区(黄岛区)


def test_every_district_has_its_full_and_short_chinese_name():
    assert set(DISTRICT_ALIASES.values()) == set(DISTRICTS)
    assert DISTRICT_ALIASES["平度"] == DISTRICT_ALIASES["平度市"] == "pingdu"
    assert DISTRICT_ALIASES["市南"] == DISTRICT_ALIASES["市南区"] == "shinan"
    assert DISTRICT_ALIASES["黄岛"] == DISTRICT_ALIASES["西海岸新区"] == DISTRICT_ALIASES["西海岸"] == "xihaian"
    assert not set(DISTRICT_ALIASES) & set(DISTRICTS)


def test_every_per_district_setting_takes_the_chinese_names():
    """Guards the schema: a MapOf over the districts without the aliases would refuse 平度 again."""
    maps = [path for path, node in walk(SCENARIO) if isinstance(node, MapOf) and node.keys == DISTRICTS]
    assert len(maps) >= 4
    for path, node in walk(SCENARIO):
        if isinstance(node, MapOf) and node.keys == DISTRICTS:
            assert node.aliases == DISTRICT_ALIASES, path


def test_a_levers_districts_in_chinese():
    sc = validate({"policies": {"homestead_reform": {"districts": ["平度", "莱西市", "黄岛"]}}})
    assert sc.policies.homestead_reform.districts == ("xihaian", "pingdu", "laixi")     # the model's order
    assert validate({"policies": {"homestead_reform": {"districts": "平度"}}}).policies.homestead_reform.districts \
        == ("pingdu",)
    mixed = validate({"policies": {"homestead_reform": {"districts": ["pingdu", "平度", "laixi"]}}})
    assert mixed.policies.homestead_reform.districts == ("pingdu", "laixi")


def test_per_district_settings_in_chinese():
    sc = validate({"behaviour": {"in_migration": {"district_attraction": {"平度": 0.5, "崂山区": 2}}},
                   "population": {"district_urbanization_rate_pct": {"莱西": 55}}})
    attraction = sc.behaviour.in_migration.district_attraction
    assert list(attraction) == list(DISTRICTS) and attraction["pingdu"] == 0.5 and attraction["laoshan"] == 2.0
    assert "平度" not in attraction
    assert sc.population.district_urbanization_rate_pct["laixi"] == 55.0
    staff = validate({"policies": {"rural_talent_service": {"staff_per_posting": {"平度": 5}}}})
    assert staff.policies.rural_talent_service.staff_per_posting["pingdu"] == 5.0
    health = validate({"submodels": {"health": {"critical_care_in_place_from": {"平度": "2022-06-30"}}}})
    assert str(health.submodels.health.critical_care_in_place_from["pingdu"]) == "2022-06-30"


def test_a_chinese_key_overrides_its_parents_pinyin(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {BASELINE}\nbehaviour:\n  in_migration:\n    district_attraction:\n"
                     "      平度: 0.5\n", encoding="utf-8")
    sc = load_scenario(child)
    assert sc.behaviour.in_migration.district_attraction["pingdu"] == 0.5
    parent = load_scenario(BASELINE).behaviour.in_migration.district_attraction
    assert parent["laixi"] != 1.0 and parent["pingdu"] != 0.5
    assert sc.behaviour.in_migration.district_attraction["laixi"] == parent["laixi"]    # the parent's, kept
    by_set = load_scenario(BASELINE, ["behaviour.in_migration.district_attraction.平度=0.25"])
    assert by_set.behaviour.in_migration.district_attraction["pingdu"] == 0.25


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"behaviour": {"in_migration": {"district_attraction": {"pingdu": 1, "平度": 2}}}},
     "behaviour.in_migration.district_attraction.pingdu", ["'pingdu' and '平度' name the same key", "give it once"]),
    ({"behaviour": {"in_migration": {"district_attraction": {"平都": 1}}}},
     "behaviour.in_migration.district_attraction.平都", ["did you mean 'pingdu' (平度)?", "or their Chinese names"]),
    ({"policies": {"homestead_reform": {"districts": ["平都"]}}},
     "policies.homestead_reform.districts", ["unknown district '平都'", "did you mean 'pingdu' (平度)?",
                                             "or their Chinese names such as 平度"]),
    ({"policies": {"homestead_reform": {"districts": ["laixy"]}}},
     "policies.homestead_reform.districts", ["did you mean 'laixi'?"]),
])
def test_a_wrong_name_is_refused_with_a_hint(data, field, words):
    with pytest.raises(ScenarioError) as info:
        validate(data)
    assert info.value.field == field
    for word in words:
        assert word in info.value.message, (word, info.value.message)


def test_dotted_paths_with_chinese_names():
    path = "behaviour.in_migration.district_attraction.平度"
    assert canonical(SCENARIO, path) == "behaviour.in_migration.district_attraction.pingdu"
    assert canonical(SCENARIO, "behaviour.hukou.min_insurance_years") == "behaviour.hukou.min_insurance_years"


def test_a_sweep_names_districts_in_chinese(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(f"base: {BASELINE}\ndesign: grid\ngrid_points: 2\n"
                    "parameters:\n  behaviour.in_migration.district_attraction.平度: {low: 0.5, high: 1.5}\n"
                    "outputs: [平度:urbanization_rate@2023, urbanization_rate@2023]\n", encoding="utf-8")
    sweep = load_sweep(spec)
    assert [p.path for p in sweep.parameters] == ["behaviour.in_migration.district_attraction.pingdu"]
    assert sweep.outputs[0].zone == "pingdu" and sweep.outputs[1].zone == "qingdao"
