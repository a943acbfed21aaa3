"""What the command line tells a user in the cases they hit first: the target the run is judged by, a
mistyped command, a lever that never acts, an impossible budget."""

from __future__ import annotations

import re
from pathlib import Path

from sim import cli

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: a small, short run without plots: about 5,000 agents over three months
TINY = ["--set", "population.scale=2000", "--set", "period.end=2021-03-31", "--set", "outputs.plots=false",
        "--quiet"]


def run_main(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rate_line(out: str) -> str:
    [line] = [x for x in out.splitlines() if x.startswith("Urbanization rate of residents")]
    return line


def test_the_rate_line_names_the_plans_target(capsys, tmp_path):
    code, out, err = run_main(capsys, "run", BASELINE, *TINY, "--out", tmp_path)
    assert code == 0, err
    assert rate_line(out).endswith("(the plan's target: 77% by the end of 2023)")


def test_the_rate_line_names_the_scenarios_own_target(capsys, tmp_path):
    code, out, err = run_main(capsys, "run", BASELINE, *TINY, "--set", "targets.urbanization_rate=78.5",
                              "--out", tmp_path)
    assert code == 0, err
    line = rate_line(out)
    assert "the scenario's target: 78.5% by the end of 2023; the plan's: 77%" in line
    assert not re.search(r"plan's target: 77%", line)


def test_the_rate_line_says_when_the_scenario_removes_the_target(capsys, tmp_path):
    code, out, err = run_main(capsys, "run", BASELINE, *TINY, "--set", "targets.urbanization_rate=null",
                              "--out", tmp_path)
    assert code == 0, err
    assert rate_line(out).endswith("(no target value for 2023 in this scenario)")
