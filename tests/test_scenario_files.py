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
