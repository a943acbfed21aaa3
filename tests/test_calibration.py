"""Calibration: the observations, a deterministic objective, recovery of known parameters, the commands."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import cli
from sim.calibration.fit import fit, from_unit, to_unit
from sim.calibration.objective import distance, simulate
from sim.calibration.observations import CONSISTENT_PP, Observation, known_then_and_after, observations, until
from sim.calibration.pipeline import calibrate
from sim.calibration.spec import load_calibration
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
HAZARD = "behaviour.rural_to_urban.base_hazard_per_year"
SPEC = {
    "name": "toy",
    "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
    "set": {"population.scale": 5000, "period.end": "2022-12-31", "outputs.plots": False},
    "parameters": {HAZARD: {"low": 0.01, "high": 0.3, "log": True}},
    "replications": 1,
    "seed": 4,
    "design_points": 24,
    "bootstrap": 50,
}


def write(tmp_path: Path, **changes) -> Path:
    data = {k: v for k, v in {**SPEC, **changes}.items() if v is not None}
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def synthetic(spec, truth: list[float]) -> tuple[Observation, ...]:
    """Observations made by the model itself at ``truth``: year-end urbanization rates and populations."""
    template = [Observation(f"synthetic_{y}:{ind}:qingdao", dt.date(y, 12, 31), "qingdao", ind, 0.0, 0.5,
                            "the model") for y in (2021, 2022) for ind in ("urbanization_rate", "population")]
    values = simulate(spec.load(truth), tuple(template))
    # the same scales as the real observations: half a point of urbanization, 1% of the population
    return tuple(dataclasses.replace(o, value=float(v), sd=o.sd if o.indicator == "urbanization_rate" else 0.01 * v)
                 for o, v in zip(template, values, strict=True))


def test_observations_are_the_census_and_the_consistent_estimates():
    obs = observations()
    names = {o.name for o in obs}
    assert "census_2020:population:qingdao" in names and "census_2020:urbanization_rate:qingdao" in names
    assert sum(o.name.startswith("census_2020:population:") for o in obs) == 11
    years = sorted(o.year for o in obs if o.name.startswith("estimate_"))
    assert years == [2015, 2016, 2017, 2018]                  # 2014 is 1.8 points off the census line
    assert not any("estimate" in o.name and o.indicator == "population" for o in obs)
    assert CONSISTENT_PP == 1.5
    census = next(o for o in obs if o.name == "census_2020:population:qingdao")
    assert census.value == 10071722 and census.date == dt.date(2020, 10, 31)
    assert all(o.year <= 2016 for o in until(obs, 2016)) and len(until(obs, None)) == len(obs)


def test_the_unit_cube_maps_both_ways():
    from sim.experiment.design import Parameter

    p = Parameter("x", low=0.01, high=1.0, log=True)
    assert from_unit(p, 0.5) == pytest.approx(0.1) and to_unit(p, 0.1) == pytest.approx(0.5)
    assert from_unit(p, 1.7) == pytest.approx(1.0)                # clipped into the bounds
    q = Parameter("y", low=2.0, high=4.0)
    assert from_unit(q, 0.25) == 2.5 and to_unit(q, 3.0) == 0.5


def test_the_objective_is_deterministic_for_a_fixed_seed(tmp_path):
    spec = load_calibration(write(tmp_path))
    obs = synthetic(spec, [0.05])
    first = distance(simulate(spec.load([0.08]), obs), obs)
    assert first == distance(simulate(spec.load([0.08]), obs), obs) > 0
    assert distance(simulate(spec.load([0.05]), obs), obs) == 0.0          # the truth, same seed: exact


@pytest.mark.slow
def test_calibration_recovers_a_known_parameter_from_model_data(tmp_path):
    """Truth 0.08 a year; start at the scenario's 0.05; tolerance: within 10% of the truth."""
    spec = load_calibration(write(tmp_path))
    obs = synthetic(spec, [0.08])
    result = fit(spec, obs)
    assert result.values[0] == pytest.approx(0.08, rel=0.10)
    rates = [r for r, o in zip(result.r_squared, obs, strict=True) if o.indicator == "urbanization_rate"]
    assert min(rates) > 0.9            # the emulator explains the rates (the population hardly depends on it)
    low, high = np.percentile(result.bootstrap[:, 0], [2.5, 97.5])
    assert low < result.values[0] < high


@pytest.mark.slow
def test_two_parameters_recovered(tmp_path):
    """Rural-to-urban hazard 0.08 (truth) and in-migration 0.04 (truth); tolerance 15% each.

    At 1,000 residents an agent: at the toy's 5,000 (2,000 agents) the design points' own noise moved the
    recovered arrival rate to 0.034 on the model with the censuses' ages within 65+ (seeds 4-6 at 1,000
    recover 0.038-0.045 and hazards of 0.073-0.075)."""
    spec = load_calibration(write(tmp_path, design_points=40, set={**SPEC["set"], "population.scale": 1000},
                                  parameters={
        HAZARD: {"low": 0.01, "high": 0.3, "log": True},
        "behaviour.in_migration.rate_per_year": {"low": 0.005, "high": 0.1}}))
    obs = synthetic(spec, [0.08, 0.04])
    result = fit(spec, obs)
    assert result.values[0] == pytest.approx(0.08, rel=0.15)
    assert result.values[1] == pytest.approx(0.04, rel=0.15)


@pytest.mark.parametrize("change, field, words", [
    ({"what": 1}, "what", "unknown key"),
    ({"parameters": {"behaviour.nope": {"low": 0, "high": 1}}}, "parameters.behaviour.nope",
     "unknown key 'nope' (allowed: fertility, mortality,"),
    ({"parameters": {HAZARD: {"values": [0.1, 0.2]}}}, f"parameters.{HAZARD}.values",
     "unknown key 'values' (allowed: low, high, log)"),
    ({"parameters": {HAZARD: {"low": 0.1}}}, f"parameters.{HAZARD}", "expected both low and high"),
    ({"replications": 0}, "replications", "must be between 1 and 100, got 0"),
    # the shared validator's forms: did you mean, the dotted path of a wrong type
    ({"design_point": 30}, "design_point", "unknown key 'design_point'; did you mean 'design_points'?"),
    ({"fit_districts": "sometimes"}, "fit_districts", "expected true or false, got 'sometimes' (str)"),
    ({"parameters": {HAZARD: {"low": 0.01, "high": "0.3x"}}}, f"parameters.{HAZARD}.high",
     "expected a number, got '0.3x' (str)"),
    ({"parameters": {"behaviour.rural_to_urban.base_hazard": {"low": 0.01, "high": 0.3}}},
     "parameters.behaviour.rural_to_urban.base_hazard", "did you mean 'base_hazard_per_year'?"),
    ({"set": {"population.scael": 1000}}, "set.population.scael", "did you mean 'scale'?"),
    ({"name": "../up"}, "name", "letters, digits, '_', '-' and '.'"),
    ({"design_points": 2}, "design_points", "at least 3 design points"),
    ({"fit_until": "soon"}, "fit_until", "whole number"),
    ({"scenario": None}, "scenario", "scenario file"),
])
def test_bad_specs_exit_2(capsys, tmp_path, change, field, words):
    path = write(tmp_path, **change)
    with pytest.raises(ScenarioError) as err:
        load_calibration(path)
    assert err.value.field == field and words in str(err.value)
    assert cli.main(["calibrate", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    message = capsys.readouterr().err
    assert words in message and "Traceback" not in message
    assert not (tmp_path / "out").exists()


ATTRACTION = "behaviour.in_migration.district_attraction"


@pytest.mark.parametrize("change, field, words", [
    # what every evaluation sets after the spec's set and parameters (Calibration.overrides): before, these
    # loaded and were overwritten without a word
    ({"set": {**SPEC["set"], "seed": 5}}, "set.seed",
     "every evaluation uses the calibration's own seed (the spec's top-level 'seed:'); a calibration cannot fix"),
    ({"set": {**SPEC["set"], "replications": 3}}, "set.replications", "the calibration's own replications"),
    ({"parameters": {**SPEC["parameters"], "seed": {"low": 1, "high": 9}}}, "parameters.seed",
     "a calibration cannot fit it here"),
    ({"parameters": {**SPEC["parameters"], "replications": {"low": 1, "high": 4}}}, "parameters.replications",
     "the calibration's own replications"),
    # the district fit replaces the attraction after the spec's set, and a fitted entry fights it
    ({"fit_districts": True, "set": {**SPEC["set"], ATTRACTION: {"pingdu": 2.0}}}, f"set.{ATTRACTION}",
     f"fit_districts: true fits {ATTRACTION} itself"),
    ({"fit_districts": True, "set": {**SPEC["set"], "behaviour.in_migration": {"district_attraction": {"laixi": 2}}}},
     "set.behaviour.in_migration", "fit_districts: true fits"),
    ({"fit_districts": True, "parameters": {**SPEC["parameters"], f"{ATTRACTION}.平度": {"low": 0.5, "high": 2}}},
     f"parameters.{ATTRACTION}.pingdu", "leave it to the district fit"),
    # a fitted setting replaces the same one fixed by set
    ({"set": {**SPEC["set"], HAZARD: 0.05}}, f"parameters.{HAZARD}",
     f"fitted here and fixed by set (set.{HAZARD}): the fitted value would replace the fixed one"),
    ({"set": {**SPEC["set"], "behaviour.rural_to_urban": {"base_hazard_per_year": 0.05}}}, f"parameters.{HAZARD}",
     "fixed by set (set.behaviour.rural_to_urban)"),
], ids=["set seed", "set replications", "fit seed", "fit replications", "set attraction", "set its section",
        "fit an attraction", "fixed and fitted", "fixed by its section"])
def test_a_setting_the_calibration_would_overwrite_is_refused(capsys, tmp_path, change, field, words):
    test_bad_specs_exit_2(capsys, tmp_path, change, field, words)


def test_the_attraction_may_be_fixed_or_fitted_when_districts_are_not_fitted(tmp_path):
    spec = load_calibration(write(tmp_path, set={**SPEC["set"], f"{ATTRACTION}.pingdu": 2.0},
                                  parameters={**SPEC["parameters"], f"{ATTRACTION}.laixi": {"low": 0.5, "high": 2}}))
    scenario = spec.load([0.05, 1.5])
    assert scenario.behaviour.in_migration.district_attraction["pingdu"] == 2.0
    assert scenario.behaviour.in_migration.district_attraction["laixi"] == 1.5


@pytest.mark.parametrize("fit_until, argv, cutoff", [
    (2017, [], 2017),                      # before: 2016, the option's default, over the spec's 2017
    (2017, ["--cutoff", "2018"], 2018),    # the option, given, overrides the spec (documented)
    (None, [], 2016),
], ids=["the spec's", "the option's", "neither"])
def test_backtest_fits_up_to_the_spec_s_year_unless_told_otherwise(capsys, monkeypatch, tmp_path, fit_until, argv,
                                                                   cutoff):
    seen = {}

    def calibrate(spec, out, cutoff=None, **kwargs):
        seen["cutoff"] = cutoff
        return out, {}

    monkeypatch.setattr(cli, "calibrate", calibrate)
    monkeypatch.setattr(cli, "describe_calibration", lambda manifest: "")
    path = write(tmp_path, fit_until=fit_until)
    assert cli.main(["backtest", str(path), *argv, "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert seen["cutoff"] == cutoff
    assert cli.main(["calibrate", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert seen["cutoff"] is None          # calibrate: the spec's fit_until, in the pipeline


def test_a_mistake_in_the_scenarios_own_file_is_blamed_on_that_file(tmp_path):
    scenario = tmp_path / "typo.yaml"
    scenario.write_text(f"extends: {SPEC['scenario']}\nreplicatons: 3\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_calibration(write(tmp_path, scenario="typo.yaml"))
    assert (err.value.file, err.value.field) == (str(scenario), "replicatons"), str(err.value)


def test_an_observation_outside_the_period_is_a_clear_error(tmp_path):
    spec = load_calibration(write(tmp_path))
    with pytest.raises(ValueError, match="no record on 2020-10-31"):
        simulate(spec.load([0.05]), (observations()[-1],))
    assert np.isfinite(spec.defaults()).all()


def test_the_shipped_specs_are_valid():
    for path in sorted((ROOT / "scenarios" / "calibration").glob("*.yaml")):
        spec = load_calibration(path)
        assert spec.scenario.exists() and spec.parameters, path


def test_backtest_command_writes_a_whole_folder(capsys, tmp_path):
    """The backcast at 20,000 persons per agent, one parameter, four design points: the pipeline end to end."""
    path = write(tmp_path, scenario=str(ROOT / "scenarios" / "backcast_2010_2020.yaml"), design_points=4,
                 bootstrap=10, set={"population.scale": 20000, "outputs.plots": False})
    code = cli.main(["backtest", str(path), "--cutoff", "2016", "--out", str(tmp_path / "out"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    [folder] = list((tmp_path / "out" / "calibration").iterdir())
    assert folder.name.startswith("toy-backtest-2016-") and folder.name.endswith("-seed4")
    assert {p.name for p in folder.iterdir()} == {"fitted.csv", "fit.csv", "calibrated.yaml", "manifest.json",
                                                 "plots", "posterior.csv", "posterior_summary.csv", "report.html"}
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "Back-test: fitted on what was known by 2016" in page and "回测" in page and 'id="fitted-csv"' in page
    import csv
    import json

    with (folder / "fit.csv").open() as f:
        rows = list(csv.DictReader(f))
    used = {r["observation"] for r in rows if r["used_in_fit"] == "true"}
    # what was published by 2016 (before: the estimates screened with the 2020 census, which leaked)
    assert used == {"estimate_2014:urbanization_rate:qingdao", "estimate_2015:urbanization_rate:qingdao",
                    "estimate_2016:urbanization_rate:qingdao", "estimate_2014:population:qingdao",
                    "estimate_2016:population:qingdao"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["fit_until"] == 2016 and "census_2020:population:qingdao" in manifest["observations_held_out"]
    assert manifest["held_out_rmse_fitted"]["urbanization_rate"] >= 0
    assert "held-out error" in out
    # calibrated.yaml is a scenario: it loads as one, with the estimate of fitted.csv
    with (folder / "fitted.csv").open() as f:
        [fitted] = list(csv.DictReader(f))
    calibrated = load_scenario(folder / "calibrated.yaml")
    # fitted.csv holds 6 decimals, calibrated.yaml 6 significant digits: the same estimate to fitted.csv's
    assert calibrated.behaviour.rural_to_urban.base_hazard_per_year == pytest.approx(float(fitted["estimate"]),
                                                                                     abs=5e-7)
    # a cut-off before any observation is a clear error, nothing written
    assert cli.main(["backtest", str(path), "--cutoff", "2012", "--out", str(tmp_path / "none"), "--quiet"]) == 2
    assert "nothing to fit" in capsys.readouterr().err and not (tmp_path / "none").exists()


def test_district_attraction_steers_arrivals():
    from sim.core.catalogue import INDICATOR_NAMES as NAMES
    from sim.core.districts import ZONES as ALL_ZONES
    from sim.model import Model
    from tests.conftest import make_scenario

    # scale 2000: at 5000 a year brings about 60 households, and Laoshan's few can be none by chance
    sc = make_scenario({"population.scale": 2000, "period.end": "2021-12-31",
                        "behaviour.in_migration.district_attraction": {"laoshan": 0.0, "chengyang": 5.0}})
    base = make_scenario({"population.scale": 2000, "period.end": "2021-12-31"})
    j = NAMES.index("in_migration")
    steered, plain = Model(sc, 0).run().values, Model(base, 0).run().values
    assert steered[:, ALL_ZONES.index("laoshan"), j].sum() == 0 < plain[:, ALL_ZONES.index("laoshan"), j].sum()
    assert steered[:, ALL_ZONES.index("chengyang"), j].sum() > 2 * plain[:, ALL_ZONES.index("chengyang"), j].sum()


def test_proportional_adjustment_closes_in_on_district_totals(tmp_path):
    """Totals made by the model with a known attraction (Chengyang 4): the rounds shrink the largest error."""
    from sim.calibration.districts import SETTING, fit_attraction
    from sim.core.districts import DISTRICTS

    spec = load_calibration(write(tmp_path, set={"population.scale": 2000, "period.end": "2022-12-31",
                                                  "behaviour.in_migration.rate_per_year": 0.08}))
    truth = {d: (4.0 if d == "chengyang" else 1.0) for d in DISTRICTS}
    template = tuple(Observation(f"synthetic:population:{d}", dt.date(2022, 12, 31), d, "population", 0.0, 1.0,
                                 "the model") for d in DISTRICTS)
    values = simulate(spec.load([0.05], extra=[(SETTING, truth)]), template)
    observed = tuple(dataclasses.replace(o, value=float(v)) for o, v in zip(template, values, strict=True))
    attraction, errors = fit_attraction(spec, [0.05], observed, rounds=4)
    assert errors[-1] < errors[0] / 2
    assert attraction["chengyang"] == max(attraction.values())
    assert np.mean(list(attraction.values())) == pytest.approx(1.0, abs=1e-3)


def test_calibrated_yaml_is_a_scenario_to_run_or_extend(tmp_path):
    """What calibrate writes loads as a scenario file, alone or extending another, with every estimate."""
    from types import SimpleNamespace

    from sim.calibration.pipeline import _calibrated_yaml

    spec = SimpleNamespace(file="spec.yaml", scenario="scenario.yaml", parameters=[
        SimpleNamespace(path="behaviour.in_migration.rate_per_year"), SimpleNamespace(path=HAZARD),
        SimpleNamespace(path="policies.zero_threshold_settlement.intensity")])
    text = _calibrated_yaml(spec, SimpleNamespace(values=[0.0358123456, 0.0386, 0.5]), "toy-1", 2016, [1, 2],
                            {"shinan": 0.0346, "pingdu": 0.0801})
    path = tmp_path / "calibrated.yaml"
    path.write_text(text, encoding="utf-8")
    alone = load_scenario(path)
    assert alone.behaviour.in_migration.rate_per_year == 0.0358123
    assert alone.behaviour.rural_to_urban.base_hazard_per_year == 0.0386
    assert alone.behaviour.in_migration.district_attraction["pingdu"] == 0.0801
    assert alone.behaviour.in_migration.district_attraction["laixi"] == 1.0            # the default
    assert alone.policies.zero_threshold_settlement.intensity == 0.5
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n{text}", encoding="utf-8")
    merged = load_scenario(child)
    assert merged.behaviour.in_migration.rate_per_year == 0.0358123
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert baseline.behaviour.in_migration.district_attraction["laixi"] != 1.0       # calibrated there
    assert (merged.behaviour.in_migration.district_attraction["laixi"]
            == baseline.behaviour.in_migration.district_attraction["laixi"])       # the baseline's
    assert text.startswith("# Calibrated by spec.yaml (run toy-1, ") and "up to 2016" in text


# -- the cut-off: nothing published after it is used --------------------------------------------------


def test_a_cut_off_before_the_census_sees_the_estimates_as_published():
    """Before the 2020 census nobody could screen the estimates against it: the 2014 rate (1.8 points off
    the census line) is used, and so are the populations the yearbooks gave; the census is not."""
    obs = observations(known_by=2016)
    assert [o.name for o in obs] == ["estimate_2014:population:qingdao", "estimate_2014:urbanization_rate:qingdao",
                                     "estimate_2015:urbanization_rate:qingdao",     # 2015's population is derived
                                     "estimate_2016:population:qingdao", "estimate_2016:urbanization_rate:qingdao"]
    assert next(o for o in obs if o.name == "estimate_2014:population:qingdao").value == 9_046_200
    assert [o.name for o in observations(known_by=2020)] == [o.name for o in observations()]


def _planted(census: dict) -> dict:
    """The census data with every figure after 2016 changed."""
    planted = copy.deepcopy(census)
    c = planted["census_2020"]
    c["total"], c["urbanization_rate_pct"] = 12_000_000, 90.0
    for d in c["districts"].values():
        d["population"] *= 2
    for row in planted["yearly_estimates"]["series"]:
        if row["year"] > 2016:
            row.update({k: v * 1.1 for k, v in row.items() if isinstance(v, float)})
    return planted


def test_a_value_planted_after_the_cut_off_changes_nothing_the_fit_sees(monkeypatch):
    from sim.calibration import observations as module

    fit_before = until(known_then_and_after(2016), 2016)
    real = module.load_census()
    monkeypatch.setattr(module, "load_census", lambda: _planted(real))
    assert until(known_then_and_after(2016), 2016) == fit_before
    after = [o for o in known_then_and_after(2016) if o.year > 2016]
    assert next(o for o in after if o.name == "census_2020:urbanization_rate:qingdao").value == 90.0   # judged on


@pytest.mark.slow
def test_a_back_test_fits_the_same_values_whatever_came_after_its_cut_off(tmp_path, monkeypatch):
    """The whole back-test, twice: the second time every figure after 2016 is planted; the fitted values, the
    posterior's draws and the observations used are the same bytes, only the held-out scores differ."""
    from sim.calibration import observations as module

    spec = write(tmp_path, scenario=str(ROOT / "scenarios" / "backcast_2010_2020.yaml"),
                 set={"population.scale": 100000, "outputs.plots": False}, design_points=4, bootstrap=0)
    real = module.load_census()
    folders = []
    for census in (real, _planted(real)):
        monkeypatch.setattr(module, "load_census", lambda c=census: c)
        folder, manifest = calibrate(load_calibration(spec), tmp_path / f"out{len(folders)}", cutoff=2016,
                                     progress=False)
        folders.append((folder, manifest))
    (a, ma), (b, mb) = folders
    assert (a / "fitted.csv").read_bytes() == (b / "fitted.csv").read_bytes()
    for name in ("posterior.csv", "posterior_summary.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes() and len((a / name).read_bytes()) > 100, name
    assert ma["observations_used"] == mb["observations_used"] and "census_2020:population:qingdao" not in \
        ma["observations_used"]
    assert ma["held_out_rmse_fitted"] != mb["held_out_rmse_fitted"]
