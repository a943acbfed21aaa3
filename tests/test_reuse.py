"""Stored runs reused (issue 17 items 1 and 7): ``compare`` and ``run --reuse`` read a stored run of the same
resolved scenario by the same code instead of simulating again, with the same bytes as simulating; anything
else (another setting, a touched file, other code, drawn parameters) is simulated."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim import api
from sim.output import reuse
from sim.scenario import load_scenario
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan_2021_2023.yaml"
SETS = {"population.scale": 2000, "period.end": "2021-06-30", "outputs.plots": False}
SMALL = [a for k, v in SETS.items() for a in ("--set", f"{k}={str(v).lower()}")] + ["--replications", "2"]


def scenario(**more):
    return load_scenario(BASELINE, overrides=[*SETS.items(), ("replications", 2), *more.items()])


@pytest.fixture()
def stored(tmp_path) -> Path:
    return api.run(BASELINE, tmp_path, settings=SETS, replications=2).folder


def test_the_stored_arrays_are_the_replications_exactly(stored):
    again = reuse.read_results(stored)
    fresh = api.simulate(scenario())[0]
    assert len(again) == len(fresh) == 2
    for a, f in zip(again, fresh, strict=True):
        assert a.dates == f.dates
        np.testing.assert_array_equal(a.values, f.values)          # NaN where NaN, every bit otherwise


def test_the_stored_arrays_have_the_same_bytes_for_the_same_run(stored, tmp_path):
    other = api.run(BASELINE, tmp_path / "other", settings=SETS, replications=2).folder
    assert (other / reuse.RESULTS_NPZ).read_bytes() == (stored / reuse.RESULTS_NPZ).read_bytes()


def test_compare_reuses_a_stored_run_and_writes_what_simulating_writes(stored, tmp_path, capsys):
    out = stored.parents[1]
    code, _, err = run_main(capsys, "compare", PLAN, "--against", BASELINE, *SMALL, "--out", out, "--quiet")
    assert code == 0 and f"Reusing {stored} for 'baseline'" in err
    code, _, err = run_main(capsys, "compare", PLAN, "--against", BASELINE, *SMALL, "--out", out, "--quiet",
                            "--fresh")
    assert code == 0 and "Reusing" not in err
    first, second = sorted((out / "comparisons" / "plan_2021_2023-vs-baseline").iterdir())
    for name in ("comparison.csv", "scorecard.csv", "scorecard_against.csv", "settings_diff.csv", "results.xlsx"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_run_reuse_shows_the_stored_run_without_a_new_folder(stored, capsys):
    out = stored.parents[1]
    code, printed, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", out, "--quiet", "--reuse")
    assert code == 0 and f"Reusing {stored}" in err and f"Results written to {stored}" in printed
    assert [p for p in (out / "baseline").iterdir()] == [stored]
    assert api.run(BASELINE, out, settings=SETS, replications=2, reuse=True).folder == stored


def test_another_setting_is_not_the_stored_run(stored):
    out = stored.parents[1]
    assert reuse.stored_run(out, scenario()) == stored
    assert reuse.stored_run(out, scenario(seed=7)) is None
    assert reuse.stored_run(out, scenario(**{"behaviour.hukou.min_insurance_years": 1.0})) is None


def test_a_touched_file_or_other_code_is_not_reused(stored):
    out = stored.parents[1]
    summary = stored / "summary.csv"
    text = summary.read_bytes()
    summary.write_bytes(text + b"\n")
    assert reuse.stored_run(out, scenario()) is None
    summary.write_bytes(text)
    assert reuse.stored_run(out, scenario()) == stored
    manifest = json.loads((stored / "manifest.json").read_text())
    (stored / "manifest.json").write_text(json.dumps({**manifest, "code_sha256": "0" * 64}))
    assert reuse.stored_run(out, scenario()) is None


def test_a_scenario_drawing_parameters_is_always_simulated(stored):
    drawn = scenario(**{"uncertainty.enabled": True, "uncertainty.posterior": None})
    assert reuse.stored_run(stored.parents[1], drawn) is None


def test_the_code_fingerprint_covers_the_package_sources():
    assert len(reuse.code_fingerprint()) == 64
    assert reuse.code_fingerprint() == reuse.code_fingerprint()
