"""The command line: validate, run, bad input (exit 2, one line, nothing written), extends, the entry point."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim import api, cli
from sim.experiment.store import Store
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: a small, short run: about 5,000 agents over six months
SMALL = ["--set", "population.scale=2000", "--set", "period.end=2021-06-30"]
NO_PLOTS = ["--set", "outputs.plots=false"]
OUTPUTS = {"timeseries.csv", "summary.csv", "places.csv", "manifest.json", "scenario.yaml", "scorecard.csv",
           "results.xlsx", "results.npz", "plots", "report.html"}



def everything_below(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


def run_folders(out: Path) -> list[Path]:
    """Run folders (holding a manifest) anywhere below ``out``."""
    return sorted(p.parent for p in out.rglob("manifest.json"))


# -- validate and help ------------------------------------------------------------------------------


def test_validate_baseline_prints_ok(capsys, tmp_path, monkeypatch):
    code, out, err = run_main(capsys, "validate", BASELINE)
    assert code == 0
    assert out.startswith("OK: scenario 'baseline'")
    assert "2021-01-01 to 2023-12-31" in out
    assert err == ""
    # the default scenario is the baseline; options apply; nothing is written
    monkeypatch.chdir(ROOT)
    before = sorted(p.name for p in ROOT.iterdir())
    code, out, _ = run_main(capsys, "validate", "--seed", "7", "--set", "population.scale=1000")
    assert code == 0
    assert "scenario 'baseline'" in out and "seed 7" in out and "1000 residents per agent" in out
    assert sorted(p.name for p in ROOT.iterdir()) == before


def test_validate_reports_bad_input_with_exit_2(capsys):
    code, out, err = run_main(capsys, "validate", BASELINE, "--replications", "0")
    assert code == 2
    assert out == ""
    assert err.startswith("error:") and "replications" in err


@pytest.mark.parametrize("argv", [["--help"], ["-h"]])
def test_help_mentions_validate(capsys, argv):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "validate" in out
    assert "--replications" in out and "--set" in out


def test_run_help(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--out" in out and "--seed" in out and "--quiet" in out


# -- a good run ------------------------------------------------------------------------------------


def test_run_writes_one_whole_folder_and_reports_it(capsys, tmp_path):
    out_root = tmp_path / "out"
    code, out, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", out_root, "--quiet")
    assert code == 0, err
    runs = list((out_root / "baseline").iterdir())
    assert len(runs) == 1, runs
    folder = runs[0]
    assert folder.is_dir()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}-seed20210101", folder.name)
    assert {p.name for p in folder.iterdir()} == OUTPUTS
    assert all((folder / name).stat().st_size > 0 for name in OUTPUTS - {"plots", "report.html"})
    pngs = list((folder / "plots").glob("*.png"))
    assert pngs and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert not [p for p in out_root.rglob(".tmp-*")]
    # stdout names the folder and the end-of-period urbanization rate, as in timeseries.csv
    assert f"Results written to {folder}" in out
    with (folder / "timeseries.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["zone"] == "qingdao" and r["indicator"] == "urbanization_rate"]
    last = rows[-1]
    assert last["date"] == "2021-06-30"
    match = re.search(r"Urbanization rate of residents on (\S+): ([0-9.]+)%", out)
    assert match, out
    assert match.group(1) == "2021-06-30"
    assert match.group(2) == f"{float(last['value']):.2f}"
    assert "Urbanization rate of hukou holders on 2021-06-30" in out
    assert "Traceback" not in err


def test_run_is_the_default_command(capsys, tmp_path):
    code, out, _ = run_main(capsys, BASELINE, *SMALL, *NO_PLOTS, "--out", tmp_path, "--quiet")
    assert code == 0
    [folder] = run_folders(tmp_path)
    assert folder.parent == tmp_path / "baseline"
    assert str(folder) in out
    assert not (folder / "plots").exists()


def test_replications_and_seed_are_applied(capsys, tmp_path):
    code, out, _ = run_main(capsys, "run", BASELINE, *SMALL, *NO_PLOTS, "--replications", "2", "--seed", "42",
                            "--out", tmp_path, "--quiet")
    assert code == 0
    [folder] = run_folders(tmp_path)
    assert folder.name.endswith("-seed42")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 42
    assert manifest["replications"] == 2
    assert len(manifest["replication_wall_seconds"]) == 2
    resolved = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    assert (resolved["seed"], resolved["replications"]) == (42, 2)
    with (folder / "timeseries.csv").open(newline="", encoding="utf-8") as f:
        assert {r["replication"] for r in csv.DictReader(f)} == {"0", "1"}
    assert "mean of 2 replications" in out


def test_extends_runs_and_resolves_every_value(capsys, tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {BASELINE}\nbehaviour:\n  hukou:\n    min_insurance_years: 1\n", encoding="utf-8")
    out_root = tmp_path / "out"
    code, _, err = run_main(capsys, "run", child, *SMALL, *NO_PLOTS, "--out", out_root, "--quiet")
    assert code == 0, err
    [folder] = run_folders(out_root)
    resolved = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    base = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    assert "extends" not in resolved
    assert resolved["behaviour"]["hukou"]["min_insurance_years"] == 1        # the changed value
    assert resolved["seed"] == base["seed"]                                  # inherited from the baseline
    assert resolved["description"] == base["description"]
    assert resolved["period"]["start"] == "2021-01-01"
    assert resolved["period"]["end"] == "2021-06-30"                         # the --set override
    assert resolved["population"]["scale"] == 2000
    # defaults neither file gives are filled in too
    assert "homestead_multiplier" in resolved["behaviour"]["hukou"]
    assert len(resolved["population"]["district_urbanization_rate_pct"]) == 10


def test_extending_file_is_named_after_itself_and_hashes_its_parent(capsys, tmp_path):
    child = tmp_path / "what_if.yaml"
    child.write_text(f"extends: {BASELINE}\nseed: 3\n", encoding="utf-8")
    out_root = tmp_path / "out"
    code, _, err = run_main(capsys, "run", child, *SMALL, *NO_PLOTS, "--out", out_root, "--quiet")
    assert code == 0, err
    [folder] = run_folders(out_root)
    assert folder.parent.name == "what_if"            # not 'baseline': results never mix with the parent's
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["input_sha256"]) == {str(BASELINE), str(child)}


def test_unwritable_out_is_refused_before_simulating(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, out, err = run_main(capsys, "run", BASELINE, *SMALL, *NO_PLOTS, "--out", blocker / "results", "--quiet")
    assert code == 2 and out == ""
    assert err.startswith("error: --out:") and "is a file" in err and err.count("\n") == 1


# -- bad input: exit 2, one line naming the field, nothing written ------------------------------------


def _typo_file(tmp_path: Path) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text("name: typo\nreplicatons: 3\n", encoding="utf-8")
    return path


def _broken_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\nperiod:\n  start: 2021-01-01\n end: 2021-06-30\n", encoding="utf-8")
    return path


def _escape_file(tmp_path: Path) -> Path:
    path = tmp_path / "escape.yaml"
    path.write_text("name: ../escape\n", encoding="utf-8")
    return path


BAD_INPUTS = {
    "unknown key": (lambda tmp: [BASELINE, "--set", "behaviour.hukou.min_insurance_yeras=1"],
                    ["behaviour.hukou.min_insurance_yeras", "did you mean", "min_insurance_years"]),
    "zero replications": (lambda tmp: [BASELINE, "--replications", "0"],
                          ["replications", "between 1 and 1000", "got 0"]),
    "text replications": (lambda tmp: [BASELINE, "--replications", "two"], ["replications", "whole number"]),
    "negative seed": (lambda tmp: [BASELINE, "--seed", "-1"], ["seed", "got -1"]),
    "end before start": (lambda tmp: [BASELINE, "--set", "period.end=2020-12-31"], ["period.end", "2020-12-31"]),
    "missing file": (lambda tmp: [tmp / "no_such_scenario.yaml"], ["no_such_scenario.yaml", "not found"]),
    "typo in a file": (lambda tmp: [_typo_file(tmp)], ["typo.yaml", "replicatons", "did you mean 'replications'"]),
    "broken YAML": (lambda tmp: [_broken_yaml(tmp)], ["broken.yaml", "line 4"]),
    "escaping name": (lambda tmp: [_escape_file(tmp)], ["escape.yaml", "name", "../escape"]),
    "escaping name on the command line": (lambda tmp: [BASELINE, "--set", "name=../escape"], ["name", "../escape"]),
    "unknown option": (lambda tmp: [BASELINE, "--bogus"], ["unrecognized arguments", "--bogus", "--help"]),
    "lever in an unknown district": (lambda tmp: [BASELINE, "--set", "policies.homestead_reform.districts=[laixy]"],
                                     ["policies.homestead_reform.districts", "did you mean 'laixi'"]),
    "lever ending before it starts": (lambda tmp: [BASELINE, "--set", "policies.talent_attraction.start=2022-01-01",
                                                   "--set", "policies.talent_attraction.end=2021-06-01"],
                                      ["policies.talent_attraction.end", "must be after"]),
    "option without its value": (lambda tmp: [BASELINE, "--seed"], ["--seed", "expected one argument"]),
    # control characters from the command line or a file are shown escaped, never sent to the terminal
    "escape sequence in a --set key": (lambda tmp: [BASELINE, "--set", "\x1b[2J\x1b[31mred=1"],
                                       ["unknown key '\\x1b[2J\\x1b[31mred'", "\\x1b[2J\\x1b[31mred: "]),
    "escape sequence in a --set value": (lambda tmp: [BASELINE, "--set", "name=\x1b]0;pwned\x07"],
                                         ["name", "\\x1b]0;pwned\\x07"]),
    "control characters in a file's key": (lambda tmp: [_control_key_file(tmp)],
                                           ["control.yaml", "\\x1b[31mseed\\nx", "unknown key"]),
    "escape sequence in a file name": (lambda tmp: [tmp / "\x1b[2Jgone.yaml"], ["\\x1b[2Jgone.yaml", "not found"]),
    "unknown option with an escape sequence": (lambda tmp: [BASELINE, "--\x1b[2J"],
                                               ["unrecognized arguments", "--\\x1b[2J"]),
}


def _control_key_file(tmp_path: Path) -> Path:
    path = tmp_path / "control.yaml"
    path.write_text('"\\e[31mseed\\nx": 1\nreplications: 1\n', encoding="utf-8")
    return path


def _run_main_exit(capsys, *args):
    """``run_main`` for argparse errors, which leave through SystemExit."""
    try:
        return run_main(capsys, *args)
    except SystemExit as stop:
        captured = capsys.readouterr()
        return stop.code, captured.out, captured.err


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exit_2_one_line_nothing_written(capsys, tmp_path, case):
    make_args, words = BAD_INPUTS[case]
    out_root = tmp_path / "out"
    # the case's arguments come last, so that they win over the small-run overrides
    code, out, err = _run_main_exit(capsys, "run", *SMALL, *NO_PLOTS, "--out", out_root, "--quiet",
                                    *make_args(tmp_path))
    assert code == 2
    assert out == ""
    assert err.startswith("error: ")
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err[:-1].isprintable(), err                       # no control character reaches the terminal
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert not out_root.exists() or everything_below(out_root) == []
    assert not (tmp_path / "escape").exists()


#: what a system file holds, read as YAML: text (passwd), a mapping of odd keys (shadow), a config of
#: secrets, a number; its contents must not reach a message
SYSTEM_FILES = {
    "passwd": "root:x:0:0:root:/root:/bin/bash\ns3cr3t:x:1000:1000::/home/s3cr3t:/bin/sh\n",
    "shadow": "root:$6$s3cr3t$hash:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n",
    "token config": "api_token: s3cr3t\nendpoint: https://example.org\n",
    "number": "735123 # s3cr3t\n",
    "list": "- s3cr3t\n",
}


@pytest.mark.parametrize("kind", list(SYSTEM_FILES))
@pytest.mark.parametrize("how", ["extends", "directly"])
def test_a_file_that_is_not_a_scenario_is_never_quoted(capsys, tmp_path, kind, how):
    system = tmp_path / "etc" / "system_file"
    system.parent.mkdir()
    system.write_text(SYSTEM_FILES[kind], encoding="utf-8")
    scenario = tmp_path / "what_if.yaml"
    scenario.write_text(f"extends: {system}\nseed: 3\n", encoding="utf-8")
    code, out, err = run_main(capsys, "validate", scenario if how == "extends" else system)
    assert code == 2 and out == ""
    assert err.startswith(f"error: {system}: ") and err.count("\n") == 1, err
    assert not [word for word in ("s3cr3t", "bash", "19000", "api_token", "example.org", "735123") if word in err], err


def test_unknown_key_with_progress_on_writes_nothing(capsys, tmp_path):
    # without --quiet too: the error comes before the 'Running' line and anything else
    code, out, err = run_main(capsys, "run", BASELINE, "--set", "behaviour.hukou.min_insurance_yeras=1",
                              "--out", tmp_path / "out")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "did you mean" in err
    assert not (tmp_path / "out").exists()


def test_interrupt_writes_nothing_and_exits_130(capsys, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_run_report", interrupted)   # the builder main hands write_run
    out_root = tmp_path / "out"
    code, out, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", out_root, "--quiet")
    assert code == 130
    assert "nothing was written" in err
    assert "Results written" not in out
    assert run_folders(out_root) == []
    assert not out_root.exists()            # nor the folders made for it (results/, results/baseline/)


# -- the real entry point ----------------------------------------------------------------------------


def test_entry_point_end_to_end(tmp_path):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    out_root = tmp_path / "out"
    good = subprocess.run([sys.executable, "run_sim.py", "run", "scenarios/baseline.yaml", *SMALL, *NO_PLOTS,
                           "--out", str(out_root), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert good.returncode == 0, good.stderr
    [folder] = run_folders(out_root)
    assert f"Results written to {folder}" in good.stdout
    assert "Urbanization rate of residents on 2021-06-30" in good.stdout
    assert {p.name for p in folder.iterdir()} == OUTPUTS - {"plots", "report.html"}

    bad_root = tmp_path / "bad"
    bad = subprocess.run([sys.executable, "run_sim.py", "scenarios/baseline.yaml",
                          "--set", "behaviour.hukou.min_insurance_yeras=1", "--out", str(bad_root)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert bad.stderr.startswith("error: ") and bad.stderr.count("\n") == 1
    assert "did you mean 'min_insurance_years'" in bad.stderr
    assert bad.stdout == ""
    assert not bad_root.exists()


#: the third-party libraries that made the CLI take 1.4 s to start instead of 0.3 s; only a command that
#: plots, compares, sweeps or calibrates imports them, where it uses them
HEAVY = ("matplotlib", "scipy.stats", "scipy.optimize", "SALib", "pandas")


@pytest.mark.parametrize("command", [None, ["validate"], ["--help"]])
def test_the_cli_starts_without_the_heavy_libraries(command):
    """In a fresh interpreter (this one has them all): importing the CLI, validating, printing the help."""
    script = "import sys\nimport sim.cli\n"
    if command is not None:
        script += f"try:\n    sim.cli.main({command!r})\nexcept SystemExit:\n    pass\n"
    script += f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


# -- the one exit-code mapping in main ---------------------------------------------------------------


def _with_handler(monkeypatch, name: str, handler) -> None:
    """Replace the handler of subcommand ``name`` in the CLI's table."""
    monkeypatch.setitem(cli.COMMANDS, name, dataclasses.replace(cli.COMMANDS[name], handler=handler))


def _raise(error: BaseException):
    def handler(args):
        raise error
    return handler


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_keyboard_interrupt_in_any_handler_exits_130_with_one_line(capsys, monkeypatch, name):
    _with_handler(monkeypatch, name, _raise(KeyboardInterrupt()))
    argv = {"report": [name, "somewhere"], "sweep": [name, "spec.yaml"], "calibrate": [name, "spec.yaml"],
            "backtest": [name, "spec.yaml"]}.get(name, [name])
    code, out, err = run_main(capsys, *argv)
    assert code == 130 and out == ""
    assert err.startswith("interrupted: ") and err.count("\n") == 1 and "Traceback" not in err


def test_an_interrupted_sweep_says_its_finished_runs_are_kept(capsys, monkeypatch, tmp_path):
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump({
        "base": str(BASELINE), "set": {"population.scale": 5000, "period.end": "2021-12-31"}, "design": "grid",
        "parameters": {"policies.zero_threshold_settlement.intensity": {"values": [0, 1]}},
        "outputs": ["urbanization_rate@2021"]}), encoding="utf-8")

    def interrupted_after_one(sweep, folder, *args, **kwargs):
        store = Store(folder)
        store.open()
        store.put("one", {"key": "one", "outputs": {}})
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_sweep", interrupted_after_one)
    code, _, err = run_main(capsys, "sweep", spec, "--workers", "1", "--out", tmp_path / "out", "--quiet")
    assert code == 130 and err.count("\n") == 1
    assert f"the runs finished so far are kept in {tmp_path / 'out' / 'runs'}" in err


def test_an_unexpected_error_exits_1_with_the_traceback_and_a_line_to_report_it(capsys, monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise RuntimeError("the engine broke\nin two lines")

    monkeypatch.setattr(api, "run_replications", broken)
    code, out, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", tmp_path / "out", "--quiet")
    assert code == 1
    assert "Traceback" in err and "RuntimeError: the engine broke" in err
    last = err.rstrip("\n").splitlines()[-1]
    assert last == ("error: unexpected RuntimeError in 'run': the engine broke in two lines (a bug: please report "
                    "it with the output above)")
    assert not (tmp_path / "out").exists()


def _bad_sweep(tmp: Path) -> Path:
    path = tmp / "sweep.yaml"
    path.write_text(f"base: {BASELINE}\ndesing: grid\n", encoding="utf-8")
    return path


def _bad_calibration(tmp: Path) -> Path:
    path = tmp / "calibration.yaml"
    path.write_text(f"scenario: {BASELINE}\nparameters: {{behaviour.hukou.min_insurance_years: {{low: 1, hihg: 2}}}}\n",
                    encoding="utf-8")
    return path


#: one bad input of each subcommand kind: the arguments and words the one line must hold
BAD_INPUT_BY_COMMAND = {
    "run": (lambda tmp: ["run", BASELINE, "--set", "seeed=1"], ["seeed", "did you mean 'seed'"]),
    "validate": (lambda tmp: ["validate", tmp / "nope.yaml"], ["scenario file not found", "nope.yaml"]),
    "compare": (lambda tmp: ["compare", BASELINE, "--against", tmp / "nope.yaml"], ["nope.yaml", "not found"]),
    "report": (lambda tmp: ["report", tmp / "nope"], ["RUN_DIR: no such folder"]),
    "sweep": (lambda tmp: ["sweep", _bad_sweep(tmp)], ["sweep.yaml: desing", "did you mean 'design'?"]),
    "sweep, missing spec": (lambda tmp: ["sweep", tmp / "nope.yaml"], ["sweep spec not found", "nope.yaml"]),
    "calibrate": (lambda tmp: ["calibrate", _bad_calibration(tmp)],
                  ["calibration.yaml: parameters.behaviour.hukou.min_insurance_years.hihg", "did you mean 'high'?"]),
    "backtest, missing spec": (lambda tmp: ["backtest", tmp / "nope.yaml"], ["calibration spec not found"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUT_BY_COMMAND))
def test_bad_input_of_each_subcommand_exits_2_with_one_line(capsys, tmp_path, case):
    make_args, words = BAD_INPUT_BY_COMMAND[case]
    args = make_args(tmp_path)
    if args[0] in ("run", "compare", "sweep", "calibrate", "backtest"):
        args += ["--out", tmp_path / "out", "--quiet"]
    code, out, err = run_main(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("error, code, words", [
    (FileNotFoundError(2, "No such file or directory", "gone.csv"), 2, "error: file not found: gone.csv"),
    (cli.InputError("not like that", "--flag"), 2, "error: --flag: not like that"),
    (cli.ExecutorError("no scheduler at tcp://x:1", bad_input=True), 2, "error: no scheduler at tcp://x:1"),
    (cli.ExecutorError("a run killed its worker 3 times"), 1, "error: a run killed its worker 3 times"),
    (cli.CalibrationError("nothing to fit", "--cutoff"), 2, "error: --cutoff: nothing to fit"),
])
def test_main_maps_each_kind_of_error_to_its_exit_code(capsys, monkeypatch, error, code, words):
    _with_handler(monkeypatch, "validate", _raise(error))
    got, out, err = run_main(capsys, "validate")
    assert got == code and out == "" and err == words + "\n"
