"""Every scenario shipped in scenarios/ loads and validates (they are what users copy first)."""

from pathlib import Path

import pytest

from sim.scenario import load_scenario

#: scenario files (sweep specs in scenarios/sweeps/ are tested in test_sweep.py)
SCENARIOS = sorted(p for p in (Path(__file__).resolve().parents[1] / "scenarios").rglob("*.yaml")
                   if p.parent.name != "sweeps")


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
