"""Uncertainty mode (``sim.scenario.uncertainty``): off changes nothing, on keeps each replication's dice,
draws are reproducible and differ between replications, lever draws stay in range, bad posteriors are
refused with one line."""

from __future__ import annotations

import csv
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from sim import cli
from sim.core.districts import DISTRICTS
from sim.core.fields import resolve
from sim.core.streams import STREAM_NAMES
from sim.output.comparison import pairing_overrides
from sim.output.formats import SUMMARY, TIMESERIES
from sim.output.run_folder import draws_text, summary_rows, timeseries_rows
from sim.policy.lever import range_about
from sim.runner import run_once, run_replications
from sim.scenario import ScenarioError, load_scenario
from sim.scenario import uncertainty as unc
from sim.scenario.schema import SCENARIO

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan_2021_2023.yaml"
#: about 5,000 agents, one year: a replication in a fraction of a second
COARSE = ["population.scale=2000", "period.end=2021-12-31", "outputs.plots=false"]
RATE = "behaviour.in_migration.rate_per_year"
HAZARD = "behaviour.rural_to_urban.base_hazard_per_year"


def write_posterior(folder: Path, header: list[str], rows: list[list], name: str = "posterior.csv") -> Path:
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def tables(results) -> tuple[str, str]:
    return TIMESERIES.text(timeseries_rows(results)), SUMMARY.text(summary_rows(results))


def on(posterior: Path | None = None, *more: str) -> list[str]:
    """Overrides that switch uncertainty mode on (with ``posterior``, or none drawn)."""
    chosen = [f"uncertainty.posterior={posterior}"] if posterior else ["uncertainty.parameters=false"]
    return ["uncertainty.enabled=true", *chosen, *more]


def test_the_uncertainty_stream_is_appended_after_the_older_ones():
    """Appended, not inserted: every older stream keeps its index, so its seeds and the golden bytes
    (``school_access`` came after it)."""
    assert STREAM_NAMES[:10] == ("population", "arrivals", "residents", "events", "levers", "schools", "submodels",
                                 "reclassification", "uncertainty", "school_access")


def test_off_by_default_and_a_run_draws_nothing():
    scenario = load_scenario(BASELINE, COARSE)
    assert not scenario.uncertainty.enabled
    assert unc.for_replication(scenario, 0) == (scenario, None)
    assert unc.kind(scenario) == "chance only"


@pytest.mark.parametrize(("file", "more"), [(BASELINE, []), (PLAN, ["uncertainty.levers=false"])])
def test_a_posterior_of_the_scenarios_own_values_gives_the_off_runs_bytes(tmp_path, file, more):
    """Common random numbers: with nothing actually changed by the draws, replication r is the same run."""
    off = load_scenario(file, [*COARSE, "replications=2"])
    own = write_posterior(tmp_path, [RATE, HAZARD], [[off.behaviour.in_migration.rate_per_year,
                                                      off.behaviour.rural_to_urban.base_hazard_per_year]])
    scenario = load_scenario(file, [*COARSE, "replications=2", *on(own), *more])
    runs = [run_once(scenario, r, threads=1) for r in range(2)]
    assert [r.draws.posterior_row for r in runs] == [1, 1]
    assert tables(runs) == tables([run_once(off, r, threads=1) for r in range(2)])
    assert not any(key.startswith("policies.") for key in runs[0].draws.values)


def test_drawn_behaviour_changes_the_run_but_not_the_starting_population(tmp_path):
    """A drawn arrival rate moves the results; the population stream, untouched, builds the same agents."""
    posterior = write_posterior(tmp_path, [RATE], [[0.01], [0.06]])
    off = load_scenario(BASELINE, COARSE)
    scenario = load_scenario(BASELINE, [*COARSE, *on(posterior)])
    plain, drawn = run_once(off, 0, threads=1), run_once(scenario, 0, threads=1)
    assert drawn.draws.values[RATE] in (0.01, 0.06)
    assert drawn.agents_start == plain.agents_start
    assert tables([drawn]) != tables([plain])


def test_draws_are_reproducible_by_seed_and_differ_between_replications(tmp_path):
    posterior = write_posterior(tmp_path, [RATE], [[0.01 + 0.001 * k] for k in range(40)])
    scenario = load_scenario(PLAN, [*COARSE, *on(posterior)])
    reader = unc.posterior_of(scenario)
    first = [unc.draw(scenario, r, reader) for r in range(20)]
    assert first == [unc.draw(scenario, r, reader) for r in range(20)]
    assert len({d.posterior_row for d in first}) > 5
    key = "policies.zero_threshold_settlement.conversion_hazard_multiplier"
    assert len({d.values[key] for d in first}) == 20
    other_seed = load_scenario(PLAN, [*COARSE, *on(posterior), "seed=7"])
    assert unc.draw(other_seed, 0, reader).values != first[0].values


def test_lever_draws_stay_in_their_ranges_and_fill_them():
    scenario = load_scenario(PLAN, [*COARSE, *on()])
    draws = [unc.draw(scenario, r, None) for r in range(300)]
    for lever, setting, spec in unc.LEVER_FIELDS:
        section = getattr(scenario.policies, lever)
        if section is None or section.intensity == 0:
            assert all(f"policies.{lever}.{setting}" not in d.values for d in draws)
            continue
        low, high = range_about(spec, getattr(section, setting))
        values = np.array([d.values[f"policies.{lever}.{setting}"] for d in draws])
        assert spec.minimum <= low <= values.min() and values.max() <= high <= spec.maximum
        # uniform: 300 draws reach the outer tenths of the range at both ends
        assert values.min() < low + 0.1 * (high - low) and values.max() > high - 0.1 * (high - low)


def test_a_lever_at_intensity_zero_is_never_drawn():
    scenario = load_scenario(PLAN, [*COARSE, *on(), "policies.public_services.intensity=0"])
    drawn = unc.draw(scenario, 0, None).values
    assert not any(key.startswith("policies.public_services.") for key in drawn)
    assert any(key.startswith("policies.talent_attraction.") for key in drawn)


def test_the_draws_of_one_lever_do_not_depend_on_the_others():
    """Every range has its own uniform whichever levers are on: paired scenarios share their draws."""
    key = "policies.talent_attraction.conversion_hazard_multiplier"
    full = load_scenario(PLAN, [*COARSE, *on()])
    fewer = load_scenario(PLAN, [*COARSE, *on(), "policies.public_services.intensity=0"])
    assert unc.draw(full, 3, None).values[key] == unc.draw(fewer, 3, None).values[key]


@pytest.mark.parametrize(("central", "expected"), [
    (2.0, (1.5, 2.5)),      # the default: half to one and a half times its effect (an assumption range)
    (3.0, (2.0, 4.0)),      # a scenario's own value: the same shares of its effect
    (1.0, (1.0, 1.0)),      # no effect: nothing to draw
])
def test_a_multipliers_range_is_taken_about_its_effect(central, expected):
    spec = resolve(SCENARIO, "policies.public_services.permit_uptake_multiplier")
    assert spec.effect_range == (1.5, 2.5)
    assert range_about(spec, central) == pytest.approx(expected)


def test_ranges_keep_to_the_fields_bounds():
    relief = resolve(SCENARIO, "policies.homestead_reform.lockin_relief")       # default 1, at most 1
    assert relief.effect_range == (0.5, 1.0)
    assert range_about(relief, 0.5) == pytest.approx((0.25, 0.5))
    retention = resolve(SCENARIO, "policies.public_services.departure_multiplier")
    assert retention.effect_range == pytest.approx((0.775, 0.925))              # below 1: a lowering effect


def test_a_sourced_range_is_taken_about_a_scenarios_value_too():
    """A range from evidence (its own ends, not the assumption shares) keeps its shares of the effect about a
    scenario's value; an end at no effect stays at no effect."""
    pace = resolve(SCENARIO, "policies.new_town_development.pace_multiplier")    # default 20, range 1 to 30
    assert pace.effect_range == (1.0, 30.0) and not pace.range_source.startswith("assumption")
    assert range_about(pace, 20.0) == pytest.approx((1.0, 30.0))
    assert range_about(pace, 10.0) == pytest.approx((1.0, 1.0 + 9.0 * 29.0 / 19.0))
    leases = resolve(SCENARIO, "policies.homestead_reform.lease_demand_hazard_per_year")
    assert range_about(leases, 0.01) == pytest.approx((0.005, 0.05))


def test_the_posterior_path_is_relative_to_the_file_that_names_it(tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    write_posterior(folder, [RATE], [[0.02]], name="draws_here.csv")
    child = folder / "what_if.yaml"
    child.write_text(f"extends: {BASELINE}\nuncertainty:\n  enabled: true\n  posterior: draws_here.csv\n",
                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(child)
    assert scenario.uncertainty.posterior == str(folder / "draws_here.csv")
    assert unc.kind(scenario).startswith("chance + parameters (posterior draws_here.csv)")


def test_without_a_named_posterior_the_shipped_default_is_used_or_asked_for(tmp_path, monkeypatch):
    monkeypatch.setattr(unc, "default_posterior", lambda: tmp_path / "posterior.csv")
    with pytest.raises(ScenarioError, match=r"uncertainty\.posterior: .*none is named; the default "
                                            r"scenarios/calibration/posterior\.csv is not there yet"):
        load_scenario(BASELINE, ["uncertainty.enabled=true"])
    write_posterior(tmp_path, [RATE], [[0.02]])
    scenario = load_scenario(BASELINE, [*COARSE, "uncertainty.enabled=true"])
    assert unc.posterior_of(scenario).rows == ((0.02,),)


@pytest.mark.parametrize(("header", "rows", "message"), [
    ([RATE, "behaviour.in_migration.speed"], [[0.02, 1]], "column 'behaviour.in_migration.speed': unknown key"),
    (["seed"], [[3]], "column 'seed' is not a setting a posterior may give"),
    (["population.scale"], [[100]], "column 'population.scale' is not a number setting"),
    (["behaviour.in_migration.district_attraction"], [[1]], "column .* is not a number setting"),
    ([RATE, RATE], [[0.02, 0.03]], f"column {RATE} is given twice"),
    ([RATE], [], "has a header but no rows"),
    ([RATE], [[-0.1]], r"row 1, behaviour.in_migration.rate_per_year: -0.1 is outside the setting's range 0 to 1"),
    ([RATE], [[0.02], ["fast"]], "row 2, .*expected a number, got 'fast'"),
    ([RATE], [["nan"]], f"row 1, {RATE}: expected a finite number, got 'nan'"),
    ([RATE, HAZARD], [[0.02]], "row 1 has 1 values, the header 2"),
    (["behaviour.schooling.enrolment_month"], [[8.5]], "row 1, behaviour.schooling.enrolment_month: expected a whole "
                                                      "number, got '8.5'"),
])
def test_a_bad_posterior_is_refused_naming_the_setting(tmp_path, header, rows, message):
    posterior = write_posterior(tmp_path, header, rows)
    with pytest.raises(ScenarioError, match=rf"uncertainty\.posterior: {tmp_path}/posterior\.csv: {message}"):
        load_scenario(BASELINE, on(posterior))


def test_a_bad_posterior_exits_2_with_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere.csv"
    code = cli.main(["validate", str(BASELINE), "--uncertainty", "--set", f"uncertainty.posterior={missing}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"error: --set: uncertainty.posterior: {missing}: no such file\n"


def test_a_run_says_what_it_carries(tmp_path, capsys):
    """manifest.json, draws.csv, the scorecard's column and the terminal say which uncertainty the run has."""
    posterior = write_posterior(tmp_path, [RATE], [[0.02], [0.03]])
    code = cli.main(["run", str(PLAN), *(a for s in COARSE for a in ("--set", s)), "--replications", "2",
                     "--set", "period.end=2023-12-31", "--uncertainty", "--set", f"uncertainty.posterior={posterior}",
                     "--out", str(tmp_path / "out"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    kind = "chance + parameters (posterior posterior.csv) + lever effects (uniform in their ranges)"
    assert f"Uncertainty: {kind}; what each replication drew: draws.csv" in out
    assert f"bands and p_meet count: {kind}" in out
    [folder] = [p.parent for p in (tmp_path / "out").rglob("manifest.json")]
    record = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["uncertainty"]
    assert record["kind"] == kind and record["posterior"]["rows"] == 2 and record["draws_file"] == "draws.csv"
    with (folder / "draws.csv").open(newline="", encoding="utf-8") as f:
        draws = list(csv.DictReader(f))
    assert [d["replication"] for d in draws] == ["0", "1"]
    assert {d[RATE] for d in draws} <= {"0.02", "0.03"}
    assert "policies.zero_threshold_settlement.conversion_hazard_multiplier" in draws[0]
    with (folder / "scorecard.csv").open(newline="", encoding="utf-8") as f:
        assert {row["uncertainty"] for row in csv.DictReader(f)} == {kind}


def test_a_run_without_uncertainty_says_chance_only(tmp_path, capsys):
    code = cli.main(["run", str(BASELINE), *(a for s in COARSE for a in ("--set", s)), "--out", str(tmp_path),
                     "--quiet"])
    assert code == 0 and "Uncertainty: chance only\n" in capsys.readouterr().out
    [folder] = [p.parent for p in tmp_path.rglob("manifest.json")]
    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["uncertainty"] == {"kind": "chance only"}
    assert not (folder / "draws.csv").exists()


def test_draws_csv_reads_back_exactly(tmp_path):
    scenario = load_scenario(PLAN, [*COARSE, *on()])
    runs = [run_once(scenario, r, threads=1) for r in range(2)]
    text = draws_text(runs)
    assert text is not None
    rows = list(csv.DictReader(text.splitlines()))
    for row, run in zip(rows, runs, strict=True):
        assert row["posterior_row"] == ""
        assert {k: float(v) for k, v in row.items() if k.startswith("policies.")} == run.draws.values


def test_compare_pairs_the_uncertainty_settings(tmp_path):
    posterior = write_posterior(tmp_path, [RATE], [[0.02]])
    scenario = load_scenario(PLAN, [*COARSE, *on(posterior)])
    pairing = pairing_overrides(scenario)
    assert "uncertainty.enabled=true" in pairing and f"uncertainty.posterior={posterior}" in pairing
    against = load_scenario(BASELINE, pairing)
    assert unc.draw(against, 4, unc.posterior_of(against)).posterior_row == \
        unc.draw(scenario, 4, unc.posterior_of(scenario)).posterior_row
    assert not any(o.startswith("uncertainty") for o in pairing_overrides(load_scenario(PLAN, COARSE)))


def _local_pool(workers: int):
    from sim.experiment.executor import run_local

    return lambda fn, tasks, on_done: run_local(fn, tasks, workers, on_done)


@pytest.mark.slow
def test_one_or_two_workers_give_the_same_bytes(tmp_path):
    posterior = write_posterior(tmp_path, [RATE, HAZARD], [[0.02, 0.03], [0.04, 0.05]])
    scenario = load_scenario(PLAN, [*COARSE, *on(posterior), "replications=3"])
    here = run_replications(scenario, progress=False)
    pooled = run_replications(scenario, progress=False, pool=_local_pool(2))
    assert tables(here) == tables(pooled)
    assert draws_text(here) == draws_text(pooled)


def test_a_scorecard_and_manifest_from_before_the_mode_read_as_chance_only(tmp_path):
    from sim.output.report.page import uncertainty_kind
    from sim.output.report.tables import read_scorecard

    (tmp_path / "scorecard.csv").write_text("target,indicator,year,comparator,target_value,mean,p05,p95,p_meet,status\n"
                                            "urbanization_rate,urbanization_rate,2023,>=,77,78,77,79,,met\n",
                                            encoding="utf-8")
    [row] = read_scorecard(tmp_path)
    assert row.status == "met" and row.uncertainty == ""
    assert uncertainty_kind({}) == "chance only"
    assert uncertainty_kind({"uncertainty": {"kind": "chance + lever effects (uniform in their ranges)"}}) == \
        "chance + lever effects (uniform in their ranges)"


def test_drawn_values_that_break_a_rule_across_settings_are_refused_naming_the_row(tmp_path):
    """Each value is within its bounds, but together they leave no district to arrive in."""
    districts = [f"behaviour.in_migration.district_attraction.{d}" for d in DISTRICTS]
    posterior = write_posterior(tmp_path, districts, [[0] * len(DISTRICTS)])
    scenario = load_scenario(BASELINE, [*COARSE, *on(posterior)])
    with pytest.raises(ScenarioError, match=r"uncertainty\.posterior: the values replication 0 drew \(posterior "
                                            r"row 1\) are refused: behaviour\.in_migration\.district_attraction"):
        unc.for_replication(scenario, 0)


def test_every_drawn_setting_has_its_own_key():
    """The CRC-32 of the paths key the uniforms: two paths with one CRC would draw alike."""
    paths = [unc.POSTERIOR_FIELD, *(f"policies.{lever}.{setting}" for lever, setting, _ in unc.LEVER_FIELDS)]
    assert len({zlib.crc32(p.encode()) for p in paths}) == len(paths)


def test_validate_says_the_scenario_runs_in_uncertainty_mode(capsys):
    assert cli.main(["validate", str(PLAN), "--uncertainty", "--set", "uncertainty.parameters=false"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("; uncertainty: chance + lever effects (uniform in their ranges)")


def test_a_posterior_is_read_once_and_again_when_its_file_changes(tmp_path, monkeypatch):
    """The same file version is parsed once (every replication asks for it); a rewritten file is read anew,
    so a recalibration in the same process is never served stale rows."""
    path = write_posterior(tmp_path, [RATE], [[0.02]])
    parsed = []
    real = unc.csv.reader
    monkeypatch.setattr(unc.csv, "reader", lambda *a, **k: parsed.append(1) or real(*a, **k))
    first = unc.read_posterior(str(path))
    assert unc.read_posterior(str(path)) is first and len(parsed) == 1
    write_posterior(tmp_path, [RATE], [[0.03], [0.04]])
    assert unc.read_posterior(str(path)).rows == ((0.03,), (0.04,)) and len(parsed) == 2
