"""Scenario validation, loading (extends, --set) and the generated reference."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path
from types import MappingProxyType

import pytest
import yaml

from sim.core.districts import DISTRICTS
from sim.core.fields import Field, MapOf, Section
from sim.scenario import Scenario, ScenarioError, load_scenario, validate
from sim.scenario.docs import render_markdown
from sim.scenario.load import parse_override
from sim.scenario.schema import SCENARIO

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _bad(data: dict, match: str, field: str | None) -> ScenarioError:
    with pytest.raises(ScenarioError, match=match) as info:
        validate(data)
    assert info.value.field == field
    assert "\n" not in str(info.value)
    return info.value


# -- defaults -------------------------------------------------------------------------------------


def _schema_defaults(section: Section, scenario_part) -> None:
    for name, spec in section.fields.items():
        value = getattr(scenario_part, name)
        if isinstance(spec, Section) and spec.optional:
            assert value is None, name            # a lever left out is not used
        elif isinstance(spec, Section):
            _schema_defaults(spec, value)
        elif isinstance(spec, MapOf):
            assert list(value) == list(spec.keys if spec.keys is not None else spec.default)
            date = spec.value.kind == "date"
            assert dict(value) == {k: dt.date.fromisoformat(v) if date and v else v for k, v in spec.default.items()}
        elif isinstance(spec, Field) and spec.kind == "schedule":
            assert dict(value) == {dt.date.fromisoformat(k): v for k, v in spec.default.items()}, name
            assert list(value) == sorted(value), name
        elif isinstance(spec, Field) and spec.default is not None:
            expected = dt.date.fromisoformat(spec.default) if spec.kind == "date" else spec.default
            assert value == expected, name


def test_empty_scenario_takes_every_default():
    sc = validate({})
    assert isinstance(sc, Scenario)
    _schema_defaults(SCENARIO, sc)
    assert sc.name == "scenario"
    assert sc.period.start == dt.date(2021, 1, 1)
    assert isinstance(sc.population.district_urbanization_rate_pct, MappingProxyType)
    assert tuple(sc.population.district_urbanization_rate_pct) == DISTRICTS


def test_name_defaults_to_file_stem_and_values_are_typed():
    sc = validate({"population": {"scale": 10, "district_urbanization_rate_pct": {"pingdu": 50}},
                   "seed": 3.0, "period": {"start": "2022-01-01"}}, default_name="my-run")
    assert sc.name == "my-run"
    assert sc.population.scale == 10.0 and isinstance(sc.population.scale, float)
    assert sc.seed == 3 and isinstance(sc.seed, int)
    assert sc.period.start == dt.date(2022, 1, 1)
    assert sc.population.district_urbanization_rate_pct["pingdu"] == 50.0
    assert sc.population.district_urbanization_rate_pct["shinan"] == 100.0


def test_integer_keys_of_size_maps_are_accepted():
    sc = validate({"population": {"family_household_size_shares_pct": {1: 40}}})
    assert sc.population.family_household_size_shares_pct["1"] == 40.0


# -- bad input, one test per kind -----------------------------------------------------------------


def test_unknown_top_level_key_suggests_closest():
    err = _bad({"seeed": 1}, r"unknown key 'seeed'; did you mean 'seed'\?", "seeed")
    assert "allowed: name, description, period" in err.message


def test_unknown_nested_key_names_full_path():
    _bad({"behaviour": {"hukou": {"min_insurance_yeras": 3}}},
         r"did you mean 'min_insurance_years'", "behaviour.hukou.min_insurance_yeras")


def test_string_for_number():
    _bad({"population": {"scale": "abc"}}, r"expected a number, got 'abc' \(str\)", "population.scale")


def test_bool_for_int():
    _bad({"seed": True}, r"expected a whole number, got true \(bool\)", "seed")


def test_bool_for_float():
    _bad({"population": {"scale": False}}, r"expected a number, got false", "population.scale")


def test_fractional_float_for_int():
    _bad({"replications": 2.5}, r"expected a whole number, got 2.5", "replications")


def test_out_of_range():
    _bad({"population": {"nonlocal_share_pct": 120}}, r"must be between 0 and 100, got 120",
         "population.nonlocal_share_pct")


def test_negative():
    _bad({"behaviour": {"departure": {"local_hazard_per_year": -0.1}}}, r"must be between 0 and 50, got -0.1",
         "behaviour.departure.local_hazard_per_year")


def test_bad_date_string():
    _bad({"period": {"start": "January 2021"}}, r"expected a date like 2021-01-01", "period.start")


def test_impossible_date():
    _bad({"period": {"end": "2021-02-30"}}, r"no such day", "period.end")


def test_datetime_with_time_of_day():
    _bad({"period": {"start": dt.datetime(2021, 1, 1, 12, 0)}}, r"without a time of day", "period.start")


def test_date_out_of_range():
    # the starting population is a census (2010 the earliest): earlier starts are refused
    _bad({"period": {"start": dt.date(2009, 1, 1)}},
         r"must be between 2010-11-01 and 2100-12-01, got 2009-01-01", "period.start")
    # and with the default census, 2020, a start before its reference date too
    _bad({"period": {"start": dt.date(2019, 1, 1)}},
         r"must be on or after 2020-11-01, the reference date of the 2020 census \(population.census\), got "
         r"2019-01-01", "period.start")


def test_start_not_first_of_month():
    _bad({"period": {"start": "2021-01-15"}}, r"must be the first day of a month, got 2021-01-15",
         "period.start")


def test_end_not_last_of_month():
    _bad({"period": {"end": "2023-12-30"}}, r"must be the last day of a month", "period.end")


def test_end_before_start():
    _bad({"period": {"start": "2021-01-01", "end": "2020-12-31"}},
         r"must be after period.start \(2021-01-01\), got 2020-12-31", "period.end")


def test_bad_name_pattern():
    _bad({"name": "../evil"}, r"letters, digits, '_', '-' and '.', up to 64 characters", "name")


def test_bad_default_name_from_file():
    with pytest.raises(ScenarioError, match=r"taken from the file name") as info:
        validate({}, default_name="my scenario")
    assert info.value.field == "name"


def test_number_for_text():
    _bad({"name": 2024}, r"expected text, got 2024 \(int\); write it in quotes", "name")


def test_section_as_list():
    _bad({"behaviour": [1, 2]}, r"expected a mapping of settings, got a list", "behaviour")


def test_null_for_required_value():
    _bad({"seed": None}, r"a value is required", "seed")


def test_unknown_district_suggests_closest():
    _bad({"population": {"district_urbanization_rate_pct": {"pingduu": 50}}}, r"did you mean 'pingdu'\?",
         "population.district_urbanization_rate_pct.pingduu")


ZT = "zero_threshold_settlement"


def test_unknown_lever_suggests_the_closest():
    _bad({"policies": {"zero_threshold_settlment": {}}}, r"did you mean 'zero_threshold_settlement'",
         "policies.zero_threshold_settlment")


def test_lever_defaults_and_districts():
    sc = validate({"policies": {ZT: {"start": "2021-07-01", "districts": ["laixi", "pingdu"]}}})
    lever = sc.policies.zero_threshold_settlement
    assert lever.start == dt.date(2021, 7, 1) and lever.end is None and lever.intensity == 1.0
    assert lever.districts == ("pingdu", "laixi")                   # schema order
    assert validate({"policies": {ZT: {}}}).policies.zero_threshold_settlement.districts == DISTRICTS
    assert validate({"policies": {ZT: {"districts": "jimo"}}}).policies.zero_threshold_settlement.districts \
        == ("jimo",)
    assert validate(sc.to_dict()) == sc                             # round trip through plain data


@pytest.mark.parametrize(("lever", "match", "field"), [
    ({"districts": ["pingdu", "laixy"]}, r"unknown district 'laixy'; did you mean 'laixi'", f"policies.{ZT}.districts"),
    ({"districts": []}, r"'all' or a list of districts", f"policies.{ZT}.districts"),
    ({"districts": 3}, r"'all' or a list of districts", f"policies.{ZT}.districts"),
    ({"start": "2022-01-01", "end": "2021-12-31"}, r"must be after policies.zero_threshold_settlement.start",
     f"policies.{ZT}.end"),
    ({"intensity": 1.5}, r"between 0 and 1, got 1.5", f"policies.{ZT}.intensity"),
    ({"intensity": -0.1}, r"between 0 and 1", f"policies.{ZT}.intensity"),
    ({"intensity": "high"}, r"expected a number", f"policies.{ZT}.intensity"),
    ({"start": "soon"}, r"expected a date", f"policies.{ZT}.start"),
    ({"conversion_hazard_multiplier": 0.5}, r"between 1 and 20", f"policies.{ZT}.conversion_hazard_multiplier"),
    ({"strength": 1}, r"unknown key 'strength'", f"policies.{ZT}.strength"),
])
def test_bad_lever_input(lever, match, field):
    _bad({"policies": {ZT: lever}}, match, field)


def test_top_level_not_a_mapping_in_validate():
    _bad([1, 2], r"must be a mapping of settings, got a list", None)


def test_str_of_error_is_one_line_with_file():
    with pytest.raises(ScenarioError) as info:
        validate({"seed": "x"}, file="s.yaml")
    assert str(info.value) == "s.yaml: seed: expected a whole number, got 'x' (str)"
    assert str(ScenarioError("plain")) == "plain"


def test_yaml_syntax_error(tmp_path):
    path = _write(tmp_path / "s.yaml", "seed: 1\nperiod:\n  start: [2021\n")
    with pytest.raises(ScenarioError, match=r"not valid YAML at line \d+, column \d+") as info:
        load_scenario(path)
    assert info.value.field is None and info.value.file == str(path)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"scenario file not found: .*nope\.yaml") as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.field is None


def test_top_level_list_in_file(tmp_path):
    path = _write(tmp_path / "s.yaml", "- seed: 1\n")
    with pytest.raises(ScenarioError, match=r"must hold a mapping of settings.*got a list") as info:
        load_scenario(path)
    assert info.value.field is None


def test_extends_cycle(tmp_path):
    _write(tmp_path / "a.yaml", "extends: b.yaml\n")
    _write(tmp_path / "b.yaml", "extends: a.yaml\n")
    cycle = r"extends forms a cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml"
    with pytest.raises(ScenarioError, match=cycle) as info:
        load_scenario(tmp_path / "a.yaml")
    assert info.value.field == "extends"


def test_extends_missing_parent(tmp_path):
    _write(tmp_path / "a.yaml", "extends: gone.yaml\n")
    with pytest.raises(ScenarioError, match=r"file to extend was not found") as info:
        load_scenario(tmp_path / "a.yaml")
    assert info.value.field == "extends"


def test_set_without_equals(tmp_path):
    path = _write(tmp_path / "s.yaml", "seed: 1\n")
    with pytest.raises(ScenarioError, match=r"expected key.path=value") as info:
        load_scenario(path, ["seed"])
    assert info.value.field == "--set"
    with pytest.raises(ScenarioError, match=r"empty") as info:
        parse_override("=3")
    assert info.value.field == "--set"


def test_set_unknown_path(tmp_path):
    path = _write(tmp_path / "s.yaml", "seed: 1\n")
    with pytest.raises(ScenarioError, match=r"did you mean 'min_insurance_years'") as info:
        load_scenario(path, ["behaviour.hukou.min_insurance_yeras=3"])
    assert info.value.field == "behaviour.hukou.min_insurance_yeras"
    assert info.value.file == "--set"


def test_set_through_a_single_value(tmp_path):
    path = _write(tmp_path / "s.yaml", "seed: 1\n")
    with pytest.raises(ScenarioError, match=r"'seed' is a single value") as info:
        load_scenario(path, ["seed.x=3"])
    assert info.value.field == "--set"


# -- extends and overrides ------------------------------------------------------------------------


def test_extends_deep_merges(tmp_path):
    _write(tmp_path / "base.yaml", "seed: 5\nbehaviour:\n  hukou:\n    min_insurance_years: 1\n"
                                   "    homestead_multiplier: 0.5\n")
    child = _write(tmp_path / "child.yaml", "extends: base.yaml\nbehaviour:\n  hukou:\n"
                                            "    min_insurance_years: 4\n")
    sc = load_scenario(child)
    assert sc.behaviour.hukou.min_insurance_years == 4.0
    assert sc.behaviour.hukou.homestead_multiplier == 0.5
    assert sc.seed == 5
    assert sc.name == "child"
    assert "extends" not in sc.to_dict()


def test_extends_relative_to_the_file_and_chains(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "base" / "root.yaml", "replications: 3\n")
    _write(tmp_path / "base" / "mid.yaml", "extends: root.yaml\nseed: 9\n")
    child = _write(tmp_path / "sub" / "leaf.yaml", "extends: ../base/mid.yaml\n")
    sc = load_scenario(child)
    assert (sc.replications, sc.seed) == (3, 9)


def test_error_in_parent_names_parent_file(tmp_path):
    parent = _write(tmp_path / "base.yaml", "population:\n  scale: lots\n")
    child = _write(tmp_path / "child.yaml", "extends: base.yaml\nseed: 2\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert info.value.file == str(parent)
    broken = _write(tmp_path / "broken.yaml", "seed: [\n")
    _write(child, "extends: broken.yaml\n")
    with pytest.raises(ScenarioError, match="not valid YAML") as info:
        load_scenario(child)
    assert info.value.file == str(broken)


def test_overrides_are_typed_and_beat_the_file(tmp_path):
    path = _write(tmp_path / "s.yaml", "seed: 1\noutputs:\n  plots: true\n")
    sc = load_scenario(path, ["seed=3", "behaviour.hukou.min_insurance_years=0.5", "outputs.plots=false",
                              "period.start=2022-01-01", "population.district_urbanization_rate_pct.jimo=70"])
    assert sc.seed == 3
    assert sc.behaviour.hukou.min_insurance_years == 0.5
    assert sc.outputs.plots is False
    assert sc.period.start == dt.date(2022, 1, 1)
    assert sc.population.district_urbanization_rate_pct["jimo"] == 70.0
    assert parse_override(" a.b = 1e-5") == (["a", "b"], "1e-5")
    assert load_scenario(path, ["behaviour.mortality.male_gompertz_level_per_year=1e-5"]) \
        .behaviour.mortality.male_gompertz_level_per_year == 1e-5


# -- the frozen result ----------------------------------------------------------------------------


def test_to_dict_round_trips_through_yaml():
    sc = validate({"name": "x", "period": {"end": "2022-06-30"}, "population": {"scale": 20}})
    plain = sc.to_dict()
    assert list(plain) == list(SCENARIO.fields)
    assert plain["period"] == {"start": "2021-01-01", "end": "2022-06-30"}
    assert validate(plain) == sc
    assert validate(yaml.safe_load(yaml.safe_dump(plain, sort_keys=False))) == sc
    assert pickle.loads(pickle.dumps(sc)) == sc
    assert sc != validate({"name": "y"})


def test_scenario_is_immutable():
    sc = validate({})
    with pytest.raises(AttributeError):
        sc.seed = 2
    with pytest.raises(AttributeError):
        sc.behaviour.hukou.min_insurance_years = 0
    with pytest.raises(TypeError):
        sc.population.district_urbanization_rate_pct["pingdu"] = 1.0
    with pytest.raises(AttributeError, match="no setting"):
        _ = sc.behavior


def test_reference_docs_match_schema():
    text = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "regenerate: python -m sim.scenario.docs > docs/scenario-reference.md"
    assert "| key | meaning | unit | default | source |" in text
    assert "shinan: 100, shibei: 100" in text


def test_setting_origins_name_the_file_and_the_comment_on_the_line(tmp_path):
    from sim.scenario import setting_origins

    parent = tmp_path / "parent.yaml"
    parent.write_text("seed: 5   # a seed\nbehaviour:\n  in_migration:\n    rate_per_year: 0.04  # calibrated here\n"
                      "    district_attraction:   # pulls\n      shinan: 0.5\n"
                      "  hukou: {min_insurance_years: 3}  # flow\n"
                      "description: 'text # not a comment'\n", encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nbehaviour:\n  in_migration:\n    district_attraction: {平度: 0.2}\n",
                     encoding="utf-8")
    origins = setting_origins(child, ["seed=7", "behaviour.hukou.min_insurance_years=1"])
    assert origins["behaviour.in_migration.rate_per_year"] == {"from": str(parent), "comment": "calibrated here"}
    assert origins["behaviour.in_migration.district_attraction"] == {"from": f"{parent} and {child}",
                                                                     "comment": "pulls"}
    assert origins["seed"] == {"from": "--set"} and origins["behaviour.hukou.min_insurance_years"] == {"from": "--set"}
    assert origins["description"] == {"from": str(parent)}
    assert "period.start" not in origins and "extends" not in origins
    assert load_scenario(child).behaviour.in_migration.district_attraction["pingdu"] == 0.2


def test_a_run_records_where_its_settings_came_from(tmp_path, capsys):
    import json

    from sim import cli

    code = cli.main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--set", "population.scale=5000", "--set",
                     "period.end=2021-02-28", "--set", "outputs.plots=false", "--out", str(tmp_path), "--quiet"])
    assert code == 0, capsys.readouterr().err
    [manifest] = tmp_path.rglob("manifest.json")
    origins = json.loads(manifest.read_text(encoding="utf-8"))["settings_from"]
    entry = origins["behaviour.in_migration.rate_per_year"]
    assert entry["from"].endswith("baseline.yaml") and entry["comment"].startswith("calibrated")
    assert origins["population.scale"]["from"] == "--set"


def test_a_quoted_number_is_told_to_lose_its_quotes():
    with pytest.raises(ScenarioError, match=r"expected a whole number, got '2010' \(str\); write it without quotes"):
        validate({"population": {"census": "2010"}})
    with pytest.raises(ScenarioError, match=r"got 'two' \(str\)$"):
        validate({"replications": "two"})
