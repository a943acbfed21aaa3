"""Every scenario shipped in scenarios/ loads and validates (they are what users copy first)."""

from pathlib import Path

import pytest

from sim.policy import HISTORY_LEVERS, LEVERS
from sim.scenario import load_scenario

#: scenario files (sweep and calibration specs, in scenarios/sweeps/ and scenarios/calibration/, are tested in
#: test_sweep.py and test_calibration.py)
SCENARIOS = sorted(p for p in (Path(__file__).resolve().parents[1] / "scenarios").rglob("*.yaml")
                   if p.parent.name not in ("sweeps", "calibration"))


def test_there_are_scenarios():
    assert any(p.name == "baseline.yaml" for p in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_file_is_valid(path):
    sc = load_scenario(path)
    assert sc.name


def test_lever_files_switch_their_lever_on():
    for path in SCENARIOS:
        if path.parent.name == "levers":
            lever = getattr(load_scenario(path).policies, path.stem)
            assert lever is not None and lever.intensity > 0, path.name


def test_every_plan_lever_has_one_what_if_file():
    """scenarios/levers/ holds the plan's what-ifs: one per plan lever, none for the levers of history."""
    files = {path.stem for path in SCENARIOS if path.parent.name == "levers"}
    assert files == set(LEVERS) - set(HISTORY_LEVERS)


def test_the_shipped_posterior_is_the_adopted_fit_s():
    """scenarios/calibration/posterior.csv (uncertainty mode's default) holds draws of exactly the settings
    backcast_fit.yaml fits, and the values baseline.yaml adopted from that fit lie inside its 5-95% range:
    a refit adopted without its posterior (or the reverse) fails here."""
    import csv

    import numpy as np

    from sim.calibration.spec import load_calibration
    from sim.core.fields import canonical
    from sim.scenario.schema import SCENARIO

    root = Path(__file__).resolve().parent.parent
    spec = load_calibration(root / "scenarios" / "calibration" / "backcast_fit.yaml")
    with open(root / "scenarios" / "calibration" / "posterior.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, draws = rows[0], np.array(rows[1:], float)
    assert header == [p.path for p in spec.parameters] and len(draws) >= 1000
    baseline = load_scenario(root / "scenarios" / "baseline.yaml")
    for column, path in enumerate(header):
        value = baseline
        for key in canonical(SCENARIO, path).split("."):
            value = getattr(value, key)
        low, high = np.percentile(draws[:, column], [5, 95])
        assert low <= value <= high, (path, value, low, high)
