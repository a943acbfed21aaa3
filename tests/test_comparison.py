"""Paired comparison: differences by hand, a scenario against itself, settings that differ, the command."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim import cli
from sim.core.catalogue import INDICATOR_NAMES
from sim.core.districts import ZONES
from sim.kernel.result import RunResult
from sim.output.comparison import paired_rows, pairing_overrides, settings_diff
from sim.output.formats import COMPARISON
from sim.scenario import load_scenario
from tests.conftest import make_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--set", "population.scale=2000", "--set", "period.end=2021-06-30"]


def fake_run(urbanization: float, births: float) -> RunResult:
    """Two records (start, end of January 2021) with two indicators set, everything else zero."""
    values = np.zeros((2, len(ZONES), len(INDICATOR_NAMES)))
    values[:, 0, INDICATOR_NAMES.index("urbanization_rate")] = [76.0, urbanization]
    values[1, 0, INDICATOR_NAMES.index("births")] = births
    return RunResult(dates=["2020-12-31", "2021-01-31"], values=values, events_processed=1, events_by_type={},
                     agents_start=1, agents_end=1, wall_seconds=0.0, state_bytes=0)


def rows_by_key(rows):
    return {(int(r[0]), r[1], r[2]): dict(zip(COMPARISON.columns, r, strict=True)) for r in rows}


def test_paired_differences_by_hand():
    scenario = [fake_run(78.0, 10.0), fake_run(79.0, 14.0), fake_run(80.5, 9.0)]
    against = [fake_run(77.0, 10.0), fake_run(77.5, 11.0), fake_run(78.0, 9.0)]
    rows = rows_by_key(paired_rows(scenario, against))
    row = rows[(2021, "qingdao", "urbanization_rate")]
    d = np.array([1.0, 1.5, 2.5])
    half = stats.t.ppf(0.95, 2) * d.std(ddof=1) / np.sqrt(3)
    assert float(row["mean_difference"]) == pytest.approx(d.mean(), abs=1e-6)
    assert float(row["ci90_low"]) == pytest.approx(d.mean() - half, abs=1e-6)
    assert float(row["ci90_high"]) == pytest.approx(d.mean() + half, abs=1e-6)
    assert float(row["against_mean"]) == pytest.approx(77.5) and float(row["scenario_mean"]) == pytest.approx(79.166667)
    births = rows[(2021, "qingdao", "births")]                  # flows summed over the year
    assert births["mean_difference"] == "1" and births["replications"] == 3
    assert (2020, "qingdao", "births") not in rows                 # the starting state has no flows


def test_one_replication_has_no_interval():
    row = rows_by_key(paired_rows([fake_run(78.0, 1.0)], [fake_run(77.0, 1.0)]))[(2021, "qingdao",
                                                                               "urbanization_rate")]
    assert row["mean_difference"] == "1" and row["ci90_low"] == row["ci90_high"] == ""


def test_unpaired_replications_are_refused():
    with pytest.raises(ValueError, match="same number of replications"):
        list(paired_rows([fake_run(78.0, 1.0)], [fake_run(77.0, 1.0)] * 2))


def test_settings_that_differ():
    base = make_scenario(name="base", description="one")
    other = make_scenario({"behaviour.hukou.min_insurance_years": 1,
                           "policies.public_services": {"start": "2021-01-01"},
                           "submodels.transport.rail_operating_km": {"2020-12-31": 246, "2021-06-30": 300}},
                          name="other", description="two")
    rows = {key: (a, b) for key, a, b in settings_diff(other, base)}
    assert set(rows) == {"behaviour.hukou.min_insurance_years", "policies.public_services",
                         "submodels.transport.rail_operating_km"}                 # name, description left out
    assert rows["policies.public_services"][0] == "null"                         # a lever is one row
    assert rows["policies.public_services"][1].startswith("{start: 2021-01-01")
    assert rows["submodels.transport.rail_operating_km"][1] == "{2020-12-31: 246.0, 2021-06-30: 300.0}"
    assert settings_diff(base, base) == []


def test_the_other_scenario_takes_what_pairs_replications(tmp_path):
    mine = make_scenario({"population.scale": 500, "seed": 7, "replications": 3, "period.end": "2021-06-30"})
    (tmp_path / "other.yaml").write_text("population: {scale: 50}\nseed: 1\n", encoding="utf-8")
    other = load_scenario(tmp_path / "other.yaml", pairing_overrides(mine))
    assert (other.population.scale, other.seed, other.replications, other.period.end) == \
        (500.0, 7, 3, mine.period.end)


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(capsys, tmp_path):
    code = cli.main(["compare", str(ROOT / "scenarios" / "baseline.yaml"), *SMALL, "--replications", "2",
                     "--against", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(tmp_path), "--quiet",
                     "--set", "outputs.plots=false"])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = next((tmp_path / "comparisons" / "baseline-vs-baseline").iterdir())
    rows = read(folder / "comparison.csv")
    assert rows and list(rows[0]) == list(COMPARISON.columns)
    assert {r["mean_difference"] for r in rows} == {"0"}
    assert {r["ci90_low"] for r in rows} == {r["ci90_high"] for r in rows} == {"0"}
    assert all(r["against_mean"] == r["scenario_mean"] for r in rows)
    # every zone, and the sub-models' indicators, are compared
    assert {r["zone"] for r in rows} == set(ZONES)
    assert "urban_air_good_days_rate" in {r["indicator"] for r in rows}
    assert read(folder / "settings_diff.csv") == []
    assert (folder / "scorecard.csv").read_text() == (folder / "scorecard_against.csv").read_text()
    assert "Settings that differ (0" in out


def test_compare_the_plan_writes_differences_settings_and_report(capsys, tmp_path):
    code = cli.main(["compare", str(ROOT / "scenarios" / "plan_2021_2023.yaml"), *SMALL, "--replications", "2",
                     "--out", str(tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = next((tmp_path / "comparisons" / "plan_2021_2023-vs-baseline").iterdir())
    names = {p.name for p in folder.iterdir()}
    assert {"comparison.csv", "settings_diff.csv", "scorecard.csv", "scorecard_against.csv", "scenario.yaml",
            "against.yaml", "manifest.json", "report.html", "plots"} <= names
    rows = {(r["year"], r["zone"], r["indicator"]): r for r in read(folder / "comparison.csv")}
    # the plan's public-services lever (from 2021-01-01) makes permits easier to hold: a difference far above
    # the dice at this scale (hukou conversions, which it also moves, differ by less than their noise in
    # half a year since the zero threshold starts only in 2022)
    assert float(rows[("2021", "qingdao", "residence_permit_holders")]["ci90_low"]) > 0
    changed = {r["setting"] for r in read(folder / "settings_diff.csv")}
    assert "policies.zero_threshold_settlement" in changed and "seed" not in changed


@pytest.mark.parametrize("args, message", [
    (["compare", "scenarios/baseline.yaml", "--against", "nowhere.yaml"], "nowhere.yaml"),
    (["compare", "scenarios/baseline.yaml", "--set", "population.scale=0.5"], "population.scale"),
    (["compare", "scenarios/baseline.yaml", "--set", "behaviour.nope=1"], "behaviour.nope"),
])
def test_compare_bad_input_exit_2_nothing_written(capsys, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    code = cli.main([*args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_report_command_errors(capsys, tmp_path):
    assert cli.main(["report", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert cli.main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: RUN_DIR:") and "Traceback" not in err


def test_report_command_rebuilds_a_run_and_a_comparison_from_saved_files(capsys, tmp_path):
    assert cli.main(["run", str(ROOT / "scenarios" / "baseline.yaml"), *SMALL, "--out", str(tmp_path), "--quiet",
                     "--set", "outputs.plots=false"]) == 0
    run = next((tmp_path / "baseline").iterdir())
    assert not (run / "report.html").exists() and not (run / "plots").exists()
    tables = {p.name: p.read_bytes() for p in run.iterdir()}
    capsys.readouterr()
    assert cli.main(["report", str(run)]) == 0
    assert f"Report written to {run / 'report.html'}" in capsys.readouterr().out
    assert (run / "report.html").stat().st_size > 0
    # (a six-month run reaches no target's year: no scorecard plot)
    assert {p.name for p in (run / "plots").glob("*.png")} == {"fan_urbanization.png", "districts.png", "flows.png",
                                                             "district_map.png"}
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.name in tables} == tables   # tables untouched

    assert cli.main(["compare", str(ROOT / "scenarios" / "baseline.yaml"), *SMALL, "--out", str(tmp_path),
                     "--quiet", "--set", "outputs.plots=false"]) == 0
    comparison = next((tmp_path / "comparisons" / "baseline-vs-baseline").iterdir())
    assert not (comparison / "report.html").exists()
    assert cli.main(["report", str(comparison)]) == 0
    assert (comparison / "plots" / "comparison.png").stat().st_size > 0
    assert (comparison / "report.html").read_text(encoding="utf-8").count("data:image/png;base64,") >= 1
