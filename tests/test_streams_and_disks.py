"""When the machine, not the input or the code, stops a command (issue 14): standard output or error gone (a
closed pipe: exit 141, quietly), a write the machine refuses (a full disk, /dev/full: exit 3, one line), a
finished folder that cannot be renamed into place (exit 3, the line saying where it is kept). No traceback,
and what was written whole stays; what was not is removed."""

from __future__ import annotations

import errno
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.output import run_folder
from sim.output.atomic import TMP
from tests.conftest import run_main
from tests.test_sweep import _sweep_cli, fake_runs, write_spec  # noqa: F401 (fake_runs: a fixture)

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL = ["--set", "population.scale=5000", "--set", "period.end=2021-03-31", "--set", "outputs.plots=false",
         "--replications", "1"]
#: standard output buffered (as a user's pipe is) and unbuffered (PYTHONUNBUFFERED, as some CI set it): a
#: failed write surfaces at exit in the first, at the print in the second
BUFFERING = {"buffered": {"PYTHONUNBUFFERED": None}, "unbuffered": {"PYTHONUNBUFFERED": "1"}}


def _env(buffering: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if BUFFERING[buffering]["PYTHONUNBUFFERED"]:
        env["PYTHONUNBUFFERED"] = "1"
    return env


def _closed_pipe(args: list[str], buffering: str, which: str = "stdout") -> tuple[int, bytes]:
    """Run the CLI with ``which`` (stdout or stderr) a pipe whose reader has gone before anything is written;
    its exit code and what the other stream received."""
    proc = subprocess.Popen([sys.executable, "run_sim.py", *args], cwd=ROOT, env=_env(buffering),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    closed, other = (proc.stdout, proc.stderr) if which == "stdout" else (proc.stderr, proc.stdout)
    assert closed is not None and other is not None
    closed.close()
    received = other.read()
    other.close()
    return proc.wait(timeout=120), received


# -- a closed pipe: exit 141, nothing on stderr ---------------------------------------------------------


def _tiny_sweep(tmp_path: Path) -> Path:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(f"base: {BASELINE}\ndesign: grid\nset: {{population.scale: 5000, period.end: 2021-03-31}}\n"
                    "parameters:\n  behaviour.hukou.min_insurance_years: {values: [1, 2]}\n"
                    "outputs: [urbanization_rate@2021]\n", encoding="utf-8")
    return spec


#: the commands the issue names: before, each ended with a BrokenPipeError traceback and exit 1 (a print in
#: a handler), or with "Exception ignored ... BrokenPipeError" and exit 120 (a buffered line at exit), or
#: with 0 and nothing said (--help: argparse swallowed the error)
CLOSED_STDOUT = {
    "validate": lambda tmp: ["validate", BASELINE],
    "--help": lambda tmp: ["--help"],
    "run --help": lambda tmp: ["run", "--help"],
    "sweep --dry-run": lambda tmp: ["sweep", _tiny_sweep(tmp), "--dry-run", "--out", tmp / "sweep"],
}


@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize("command", CLOSED_STDOUT)
def test_a_closed_standard_output_ends_quietly_with_141(tmp_path, command, buffering):
    code, err = _closed_pipe([str(a) for a in CLOSED_STDOUT[command](tmp_path)], buffering)
    assert (code, err) == (141, b"")


@pytest.mark.parametrize("buffering", BUFFERING)
def test_a_run_into_a_closed_pipe_keeps_its_results(tmp_path, buffering):
    out = tmp_path / "out"
    code, err = _closed_pipe(["run", str(BASELINE), *SMALL, "--out", str(out), "--quiet"], buffering)
    assert (code, err) == (141, b"")
    [folder] = (out / "baseline").iterdir()                 # the final lines failed; the results stay
    assert (folder / "summary.csv").exists() and (folder / "manifest.json").exists()
    assert not list(out.rglob(f"{TMP}*"))


@pytest.mark.parametrize("buffering", BUFFERING)
def test_a_closed_standard_error_ends_quietly_with_141(tmp_path, buffering):
    code, out = _closed_pipe(["validate", str(BASELINE), "--set", "replications=0"], buffering, which="stderr")
    assert (code, out) == (141, b"")
    code, out = _closed_pipe(["validate", str(BASELINE), "--bogus"], buffering, which="stderr")   # argparse's
    assert (code, out) == (141, b"")


def test_a_broken_pipe_that_is_not_the_terminal_s_is_a_bug(capsys, monkeypatch):
    """A BrokenPipeError while standard output and error are there (a worker's pipe, say) is not hidden."""
    def handler(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setitem(cli.COMMANDS, "validate", cli.COMMANDS["validate"].__class__(
        **{**cli.COMMANDS["validate"].__dict__, "handler": handler}))
    code, _, err = run_main(capsys, "validate")
    assert code == 1 and "Traceback" in err and "a bug: please report" in err


# -- standard output that refuses writes: /dev/full -------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize("args", [["validate", str(BASELINE)], ["--help"]], ids=["validate", "--help"])
def test_standard_output_on_a_full_device_is_one_line_and_exit_3(args, buffering):
    """Before: exit 1 with a traceback and "a bug" (unbuffered), or 120 and "Exception ignored" (buffered)."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "run_sim.py", *args], cwd=ROOT, env=_env(buffering), stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stderr == ("error: could not write to standard output: No space left on device (ENOSPC); nothing "
                           "was written\n")


class _Full(io.StringIO):
    """A standard output on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_run_whose_final_lines_cannot_be_written_says_where_its_results_are(capsys, monkeypatch, tmp_path):
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "stdout", _Full())
    code = cli.main(["run", str(BASELINE), *SMALL, "--out", str(out), "--quiet"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    [folder] = (out / "baseline").iterdir()
    assert code == 3
    assert err == (f"error: could not write to standard output: No space left on device (ENOSPC); the results were "
                   f"written to {folder}\n")


# -- a full disk while writing results: exit 3, one line, nothing left ---------------------------------------


def _leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.startswith(TMP)]


def test_a_full_disk_in_the_middle_of_a_run_folder_is_exit_3_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    """Before: exit 1, the traceback and "a bug: please report it"."""
    written = []

    def write_texts(folder, texts):
        name, text = next(iter(texts.items()))
        (folder / name).write_text(text, encoding="utf-8")          # one file written, then the disk is full
        written.append(folder / name)
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "timeseries.csv"))

    monkeypatch.setattr(run_folder, "write_texts", write_texts)
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", out, "--quiet")
    assert code == 3 and stdout == ""
    assert err == (f"error: could not write {written[0].parent / 'timeseries.csv'}: No space left on device "
                   "(ENOSPC); nothing was written\n")
    assert written and not written[0].exists()
    assert not (out / "baseline").exists() and not _leftovers(out)


@pytest.mark.usefixtures("fake_runs")
def test_a_full_disk_at_fsync_inside_write_atomic_is_exit_3(capsys, monkeypatch, tmp_path):
    """A sweep's store writes each record with write_atomic; the disk fills at the third: the two finished
    records stay, the third's temporary is removed, the line says what is kept."""
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, _, err = run_main(capsys, *_sweep_cli(spec, out))
    monkeypatch.undo()
    assert code == 3
    [record] = re.fullmatch(r"error: could not write (\S+): .*", err.strip()).groups()
    assert Path(record).parent == out / "runs" and record.endswith(".json")      # the record meant, not its temporary
    assert err.endswith(": No space left on device (ENOSPC); the runs finished so far "
                        f"are kept in {out / 'runs'}; run the same command again to continue\n")
    assert len(list((out / "runs").glob("*.json"))) == 2 and not _leftovers(out)


@pytest.mark.parametrize("name", ["ENOSPC", "EDQUOT", "EIO", "EROFS", "EFBIG"])
@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_a_machine_error_in_any_handler_is_exit_3_with_one_line(capsys, monkeypatch, command, name):
    number = getattr(errno, name, None)
    if number is None:
        pytest.skip(f"no {name} here")

    def handler(args):
        raise OSError(number, os.strerror(number), "results/x/summary.csv")

    monkeypatch.setitem(cli.COMMANDS, command, cli.COMMANDS[command].__class__(
        **{**cli.COMMANDS[command].__dict__, "handler": handler}))
    argv = {"report": [command, "somewhere"], "sweep": [command, "spec.yaml"], "calibrate": [command, "spec.yaml"],
            "backtest": [command, "spec.yaml"]}.get(command, [command])
    code, out, err = run_main(capsys, *argv)
    assert code == 3 and out == ""
    assert err == (f"error: could not write results/x/summary.csv: {os.strerror(number)} ({name}); "
                   f"{cli.COMMANDS[command].interrupted}\n")


def test_another_os_error_is_still_a_bug(capsys, monkeypatch):
    def handler(args):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setitem(cli.COMMANDS, "validate", cli.COMMANDS["validate"].__class__(
        **{**cli.COMMANDS["validate"].__dict__, "handler": handler}))
    code, _, err = run_main(capsys, "validate")
    assert code == 1 and "Traceback" in err


# -- a finished folder that cannot be renamed into place ------------------------------------------------


def test_a_finished_run_that_cannot_land_is_exit_3_naming_where_it_is_kept(capsys, monkeypatch, tmp_path):
    """Before: exit 1, the traceback and "a bug"; the message was there, after the traceback."""
    def rename(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(src), None, str(dst))

    monkeypatch.setattr(os, "rename", rename)
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", out, "--quiet")
    monkeypatch.undo()
    [kept] = (out / "baseline").iterdir()
    assert kept.name.startswith(TMP) and (kept / "summary.csv").exists() and (kept / "manifest.json").exists()
    assert code == 3 and stdout == ""
    assert err.startswith("error: the finished results could not be moved to ") and err.count("\n") == 1
    assert err.endswith(f"(Permission denied); they are kept in {kept}\n") and "Traceback" not in err


def test_a_full_disk_found_before_the_run_is_exit_3_not_a_wrong_out(capsys, monkeypatch, tmp_path):
    """check_writable's probe folder cannot be made because the disk is full: the machine's state (3), not a
    folder the user should change (2)."""
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if self.name.startswith(".tmp-probe"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    code, _, err = run_main(capsys, "run", BASELINE, *SMALL, "--out", tmp_path / "out", "--quiet")
    assert code == 3 and err.count("\n") == 1 and "(ENOSPC); nothing was written" in err
