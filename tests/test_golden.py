"""Golden outputs: the SHA-256 of ``timeseries.csv`` and ``summary.csv`` of every shipped scenario at a coarse
scale, so that a change meant to move no number (a refactoring) is seen to move none.

When a change is meant to alter numbers, regenerate the hashes and say in the commit which scenarios moved
and why::

    python -m tests.test_golden --write

The hashes are seed-pinned golden values: they hold for this code, these scenarios and these settings only.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from sim.output.formats import SUMMARY, TIMESERIES
from sim.output.run_folder import summary_rows, timeseries_rows
from sim.runner import run_once
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
HASHES = Path(__file__).with_name("golden_hashes.json")
#: coarse and short: 2,000 residents an agent (about 5,000 agents), two replications
COARSE = ["population.scale=2000", "replications=2"]
#: scenario file -> extra settings (the backcast is cut to its first two years)
SCENARIOS = {
    "baseline.yaml": [],
    "plan_2021_2023.yaml": [],
    "backcast_2010_2020.yaml": ["period.end=2012-12-31"],
    **{f"levers/{path.name}": [] for path in sorted((ROOT / "scenarios" / "levers").glob("*.yaml"))},
}
#: variants of a shipped scenario, by label: (its file, more settings). With the origin pool off (elasticity 0) the
#: model skips the pool entirely, so this variant holds the bytes of the model without a pool (the commit that added
#: the pool shows its hashes equal to baseline.yaml's before it)
VARIANTS = {
    "baseline.yaml without the origin pool": ("baseline.yaml", ["behaviour.in_migration.origin_pool_elasticity=0"]),
}
#: every run the golden file holds, by label: (scenario file, extra settings)
RUNS = {**{name: (name, extra) for name, extra in SCENARIOS.items()}, **VARIANTS}


def output_hashes(name: str) -> dict[str, str]:
    """SHA-256 of the two tables run ``name`` (a scenario file or a variant's label) writes, at the coarse
    settings."""
    scenario_file, extra = RUNS[name]
    scenario = load_scenario(ROOT / "scenarios" / scenario_file, COARSE + extra)
    results = [run_once(scenario, r, threads=1) for r in range(scenario.replications)]
    tables = {"timeseries.csv": TIMESERIES.text(timeseries_rows(results)),
              "summary.csv": SUMMARY.text(summary_rows(results))}
    return {file: hashlib.sha256(text.encode()).hexdigest() for file, text in tables.items()}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_outputs_are_the_golden_bytes(name):
    expected = json.loads(HASHES.read_text())
    assert name in expected, f"no golden hashes for {name}: run python -m tests.test_golden --write"
    assert output_hashes(name) == expected[name], \
        f"{name}: outputs changed; if that is meant, run python -m tests.test_golden --write and say why"


def test_every_shipped_scenario_has_golden_hashes():
    assert set(json.loads(HASHES.read_text())) == set(RUNS)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_golden --write   (recompute tests/golden_hashes.json)")
    HASHES.write_text(json.dumps({name: output_hashes(name) for name in sorted(RUNS)}, indent=2) + "\n")
    print(f"wrote {HASHES}")
