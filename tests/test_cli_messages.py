"""What the command line tells a user in the cases they hit first: the target the run is judged by, a
mistyped command, a lever that never acts, an impossible budget."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: a small, short run without plots: about 5,000 agents over three months
TINY = ["--set", "population.scale=2000", "--set", "period.end=2021-03-31", "--set", "outputs.plots=false",
        "--quiet"]



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


def _exit(capsys, *args) -> tuple[int, str, str]:
    """``run_main`` for argparse's errors, which leave through SystemExit."""
    try:
        return run_main(capsys, *args)
    except SystemExit as stop:
        captured = capsys.readouterr()
        return int(stop.code or 0), captured.out, captured.err


def test_a_mistyped_command_is_named_with_the_closest_one(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for typo, meant in (("comapre", "compare"), ("valdate", "validate"), ("reprot", "report"), ("sweeps", "sweep")):
        code, out, err = run_main(capsys, typo, BASELINE)
        assert code == 2 and out == ""
        assert err == f"error: unknown command '{typo}'; did you mean '{meant}'? (see: python run_sim.py --help)\n"
    assert list(tmp_path.iterdir()) == []


def test_a_scenario_file_is_still_run_by_the_default_command(capsys, tmp_path, monkeypatch):
    # a file whose name is close to a command, and a missing file that looks like one, are scenarios
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sweeps").write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_main(capsys, "sweeps", *TINY, "--out", tmp_path / "out")
    assert code == 0, err
    code, out, err = run_main(capsys, "comapre.yaml")
    assert code == 2 and "scenario file not found: comapre.yaml" in err


def test_an_impossible_budget_is_refused(capsys, tmp_path):
    spec = ROOT / "scenarios" / "sweeps" / "behaviour_and_levers.yaml"
    for budget in ("nan", "-3", "0", "inf", "-inf"):
        code, out, err = _exit(capsys, "sweep", spec, "--dry-run", f"--budget={budget}", "--out", tmp_path / "s")
        assert code == 2 and out == "", budget
        assert err.startswith("error: argument --budget: expected a positive number of minutes") and \
            err.count("\n") == 1, err
    assert not (tmp_path / "s").exists()


LATE = ["--set", "policies.talent_attraction.start=2023-12-02"]       # takes effect 2024-01-01, after the end


def test_a_lever_that_never_acts_is_warned_about(capsys, tmp_path):
    code, out, err = run_main(capsys, "run", BASELINE, *TINY, *LATE, "--out", tmp_path)
    assert code == 0
    assert err == (f"warning: {BASELINE}: policies.talent_attraction.start: 2023-12-02 takes effect from "
                   "2024-01-01, after the period's end (2021-03-31): the lever never acts in this run\n")
    code, out, err = run_main(capsys, "validate", BASELINE, "--set", "policies.talent_attraction.start=2019-01-01",
                              "--set", "policies.talent_attraction.end=2021-01-01")
    assert code == 0 and out.startswith("OK:")
    assert "policies.talent_attraction.end: 2021-01-01 is not after the period's start (2021-01-01)" in err


def test_strict_refuses_a_lever_that_never_acts(capsys, tmp_path):
    for command in ("run", "validate", "compare"):
        code, out, err = run_main(capsys, command, BASELINE, *(TINY if command != "validate" else []), *LATE,
                                  "--strict", *(("--out", tmp_path) if command != "validate" else ()))
        assert code == 2 and out == "", command
        assert err.startswith(f"error: {BASELINE}: policies.talent_attraction.start: 2023-12-02 takes effect")
        assert err.endswith("(refused by --strict)\n") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_lever_acting_in_the_last_month_is_not_warned_about(capsys):
    code, out, err = run_main(capsys, "validate", BASELINE, "--set", "policies.talent_attraction.start=2023-12-01",
                              "--strict")
    assert code == 0 and err == ""
    code, out, err = run_main(capsys, "validate", ROOT / "scenarios" / "plan_2021_2023.yaml", "--strict")
    assert code == 0 and err == ""
