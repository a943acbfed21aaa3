"""Writes stay where they are meant: no write through a symbolic link planted in a results folder, temporaries
created exclusively under names nobody can guess, an --out that cannot be written refused before any work,
and the leftovers of a killed writer removed by the next one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim import api
from sim.output import atomic
from sim.output.atomic import OutputPathError, atomic_folder, inside, write_atomic
from tests.conftest import run_main
from tests.test_sweep import _sweep_cli, fake_runs, write_spec  # noqa: F401 (fake_runs: a fixture)

from .report_folders import make_run_folder

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: a small, short run: about 5,000 agents over one month, no plots
TINY = ["--set", "population.scale=2000", "--set", "period.end=2021-01-31", "--set", "outputs.plots=false",
        "--quiet"]



def one_line(err: str) -> bool:
    return err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err


def files_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("run"))


# -- planted links -----------------------------------------------------------------------------------


def test_report_refuses_a_plots_link_that_points_outside(capsys, run_folder, tmp_path):
    folder = shutil.copytree(run_folder, tmp_path / "run")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "flows.png").write_bytes(b"someone else's file")
    shutil.rmtree(folder / "plots", ignore_errors=True)
    (folder / "plots").symlink_to(outside, target_is_directory=True)
    code, out, err = run_main(capsys, "report", folder)
    assert code == 2 and out == "" and one_line(err), err
    assert "plots" in err and "symbolic link" in err
    assert [p.name for p in outside.iterdir()] == ["flows.png"]                  # nothing written, nothing removed
    assert (outside / "flows.png").read_bytes() == b"someone else's file"
    assert not (folder / "report.html").exists()


def test_report_refuses_a_report_file_that_is_a_link(capsys, run_folder, tmp_path):
    folder = shutil.copytree(run_folder, tmp_path / "run")
    target = tmp_path / "elsewhere.html"
    target.write_text("mine", encoding="utf-8")
    (folder / "report.html").unlink(missing_ok=True)
    (folder / "report.html").symlink_to(target)
    code, _, err = run_main(capsys, "report", folder)
    assert code == 2 and one_line(err) and "report.html" in err and "symbolic link" in err
    assert target.read_text(encoding="utf-8") == "mine" and (folder / "report.html").is_symlink()
    assert not (folder / "plots").exists()                # refused before drawing: nothing written


@pytest.mark.parametrize("name", ["scenario.yaml", "summary.csv"])
def test_report_reads_no_file_through_a_link(capsys, run_folder, tmp_path, name):
    """A folder from elsewhere whose files point at the user's own: nothing of them reaches report.html."""
    folder = shutil.copytree(run_folder, tmp_path / "run")
    secret = tmp_path / "secret"
    secret.write_text("user: alice\npassword: s3cr3t\n", encoding="utf-8")
    (folder / name).unlink()
    (folder / name).symlink_to(secret)
    (folder / "report.html").unlink(missing_ok=True)
    code, _, err = run_main(capsys, "report", folder)
    assert code == 2 and one_line(err) and f"{name} is a symbolic link" in err, err
    assert "s3cr3t" not in err and not (folder / "report.html").exists()


def test_a_broken_scenario_yaml_in_a_folder_is_not_quoted(capsys, run_folder, tmp_path):
    """PyYAML's own message quotes the offending line; the report's says where, like a scenario's."""
    folder = shutil.copytree(run_folder, tmp_path / "run")
    (folder / "scenario.yaml").write_text("user: alice\n  password: hunter2 s3cr3t\n", encoding="utf-8")
    code, _, err = run_main(capsys, "report", folder)
    assert code == 2 and one_line(err) and "scenario.yaml" in err and "line 2, column 11" in err, err
    assert "s3cr3t" not in err


def test_a_link_planted_at_the_old_temporary_name_is_not_followed(tmp_path, monkeypatch):
    """The temporary was .tmp-<name>-<pid>: a link planted there had the report written through it."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / f".tmp-report.html-{os.getpid()}").symlink_to(victim)
    write_atomic(folder / "report.html", b"<html>")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (folder / "report.html").read_bytes() == b"<html>"
    assert not (folder / "report.html").is_symlink()


def test_temporaries_are_created_exclusively_under_unguessable_names(tmp_path, monkeypatch):
    names = []
    real_open = os.open

    def spying_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:                                     # not the folders opened on the way
            names.append(Path(path).name)
            assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "open", spying_open)
    write_atomic(tmp_path / "a.csv", b"1")
    write_atomic(tmp_path / "a.csv", b"2")
    assert len(names) == 2 and names[0] != names[1]
    assert all(n.startswith(f".tmp-a.csv-{os.getpid()}-") for n in names)
    assert (tmp_path / "a.csv").read_bytes() == b"2" and sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    with atomic_folder(tmp_path / "out", "run") as (tmp, final):
        assert tmp.name.startswith(f".tmp-run-{os.getpid()}-") and tmp.name != f".tmp-run-{os.getpid()}"
    assert final.is_dir()


def test_a_file_written_atomically_keeps_the_usual_permissions(tmp_path):
    """Exclusive creation must not make results private: the mode follows the umask, like open()."""
    umask = os.umask(0o022)
    os.umask(umask)
    write_atomic(tmp_path / "a.csv", b"1")
    assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o666 & ~umask


def test_inside_refuses_links_below_the_folder_not_the_folder_itself(tmp_path):
    real = tmp_path / "real"
    (real / "plots").mkdir(parents=True)
    linked_out = tmp_path / "linked_out"
    linked_out.symlink_to(real, target_is_directory=True)         # the user's own --out may be a link
    assert inside(linked_out, "plots", "a.png") == linked_out / "plots" / "a.png"
    (real / "runs").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(OutputPathError, match="runs is a symbolic link"):
        inside(linked_out, "runs", "x.json")
    for bad in ("../x", "a/b", "..", ""):
        with pytest.raises(OutputPathError, match="not a file name"):
            inside(real, bad)


def _spec(tmp_path: Path) -> Path:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(yaml.safe_dump({
        "name": "tiny", "base": str(BASELINE), "design": "grid",
        "set": {"population.scale": 20000, "period.end": "2021-01-31", "outputs.plots": False},
        "parameters": {"behaviour.hukou.nonlocal_conversion_hazard_per_year": {"values": [0.02, 0.04]}},
        "outputs": ["urbanization_rate@2021"]}), encoding="utf-8")
    return spec


@pytest.mark.parametrize("link", ["runs", "plots", "runs.csv"])
def test_a_sweep_refuses_a_link_planted_in_its_folder(capsys, tmp_path, link):
    folder = tmp_path / "sweep"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".tmp-keep").write_text("not the sweep's", encoding="utf-8")
    (folder / link).symlink_to(outside / "target" if link == "runs.csv" else outside)
    code, out, err = run_main(capsys, "sweep", _spec(tmp_path), "--out", folder, "--workers", "1", "--quiet")
    assert code == 2 and one_line(err), err
    assert f"{link} is a symbolic link" in err
    assert sorted(p.name for p in outside.iterdir()) == [".tmp-keep"]        # nothing written or removed there


@pytest.mark.parametrize("command, link", [("run", "baseline"), ("compare", "comparisons"),
                                           ("compare", "comparisons/baseline-vs-baseline")])
def test_a_run_refuses_a_link_planted_where_its_folder_goes(capsys, tmp_path, command, link):
    """``<out>/<scenario>`` (or ``comparisons/...``) a link: before, the run was written where it pointed."""
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(outside, target_is_directory=True)
    code, stdout, err = run_main(capsys, command, BASELINE, *TINY, "--out", out)
    assert code == 2 and one_line(err) and f"{out / link} is a symbolic link" in err, err
    assert list(outside.iterdir()) == []


# -- an --out that cannot be written ----------------------------------------------------------------


@pytest.mark.parametrize("out, words", [
    ("/proc/qingdao-results", "cannot create a folder in /proc"),
    ("/proc/self/qingdao-results", "/proc/self"),
    ("/sys/qingdao-results", "cannot create a folder in /sys"),
])
def test_an_out_in_a_system_folder_is_refused_before_simulating(capsys, monkeypatch, out, words):
    if not Path(out).parent.is_dir():
        pytest.skip(f"no {Path(out).parent} here")
    monkeypatch.setattr(api, "run_replications", lambda *a, **k: pytest.fail("nothing should run"))
    code, stdout, err = run_main(capsys, "run", BASELINE, *TINY, "--out", out)
    assert code == 2 and stdout == "" and one_line(err), err
    assert err.startswith("error: --out: ") and words in err
    assert not Path(out).exists()


@pytest.mark.parametrize("make_out, words", [
    (lambda tmp: tmp / ("a" * 300), "longer than the 255 bytes"),
    (lambda tmp: tmp.joinpath(*["b" * 200] * 21), "bytes long"),
])
def test_an_over_long_out_is_refused_before_simulating(capsys, monkeypatch, tmp_path, make_out, words):
    monkeypatch.setattr(api, "run_replications", lambda *a, **k: pytest.fail("nothing should run"))
    code, stdout, err = run_main(capsys, "run", BASELINE, *TINY, "--out", make_out(tmp_path))
    assert code == 2 and stdout == "" and one_line(err), err
    assert err.startswith("error: --out: ") and words in err
    assert files_below(tmp_path) == []


@pytest.mark.parametrize("command", ["sweep", "calibrate"])
def test_the_other_writing_commands_check_out_too(capsys, monkeypatch, tmp_path, command):
    spec = _spec(tmp_path) if command == "sweep" else ROOT / "scenarios" / "calibration" / "backcast_fit.yaml"
    before = files_below(tmp_path)
    code, _, err = run_main(capsys, command, spec, "--out", tmp_path / ("c" * 300), "--quiet")
    assert code == 2 and one_line(err) and "longer than the 255 bytes" in err, err
    assert files_below(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write in a read-only folder")
def test_an_unwritable_out_is_refused_before_simulating(capsys, monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    monkeypatch.setattr(api, "run_replications", lambda *a, **k: pytest.fail("nothing should run"))
    code, _, err = run_main(capsys, "run", BASELINE, *TINY, "--out", locked / "results")
    assert code == 2 and one_line(err) and "--out" in err and str(locked) in err
    assert list(locked.iterdir()) == []


# -- leftovers of a killed writer -------------------------------------------------------------------


def _gone_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def _age(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)
    return path


def test_leftovers_of_a_killed_run_are_removed_by_the_next_run_in_the_same_folder(capsys, tmp_path):
    parent = tmp_path / "out" / "baseline"
    parent.mkdir(parents=True)
    gone, alive = _gone_pid(), os.getppid()
    hour = atomic.LEFTOVER_AGE_SECONDS
    old_folder = parent / f".tmp-20210101T000000Z-seed1-{gone}-0123abcd"
    (old_folder / "plots").mkdir(parents=True)
    (old_folder / "timeseries.csv").write_text("half", encoding="utf-8")
    _age(old_folder, hour + 60)
    old_file = parent / f".tmp-report.html-{gone}-89abcdef"
    old_file.touch()
    _age(old_file, hour + 60)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("x", encoding="utf-8")
    old_link = parent / f".tmp-link-{gone}-00000000"
    old_link.symlink_to(outside, target_is_directory=True)
    _age(old_link, hour + 60)
    kept = [parent / f".tmp-young-{gone}-11111111",               # its writer may be on another machine
            parent / f".tmp-running-{alive}-22222222",            # its writer is still running
            parent / ".tmp-not-ours",                              # not a name this project makes
            parent / "notes.txt"]
    for path in kept:
        path.write_text("x", encoding="utf-8")
    for path in kept[1:]:
        _age(path, hour + 60)
    code, _, err = run_main(capsys, "run", BASELINE, *TINY, "--out", tmp_path / "out")
    assert code == 0, err
    names = {p.name for p in parent.iterdir()}
    assert {p.name for p in kept} <= names
    assert not ({old_folder.name, old_file.name, old_link.name} & names)
    assert (outside / "keep").exists()                             # a link is removed, never followed
    assert len(names - {p.name for p in kept}) == 1                # and the new run folder


def test_a_writer_removes_leftovers_in_its_folder_once(tmp_path, monkeypatch):
    gone = _gone_pid()
    leftover = tmp_path / f".tmp-runs.csv-{gone}-abcdef01"
    leftover.touch()
    _age(leftover, atomic.LEFTOVER_AGE_SECONDS + 1)
    write_atomic(tmp_path / "runs.csv", b"1")
    assert not leftover.exists()
    late = tmp_path / f".tmp-runs.csv-{gone}-abcdef02"
    late.touch()
    _age(late, atomic.LEFTOVER_AGE_SECONDS + 1)
    write_atomic(tmp_path / "runs.csv", b"2")                      # the folder was looked at already
    assert late.exists()


# -- a folder swapped while it is written ------------------------------------------------------------


def test_a_run_folder_swapped_for_a_link_mid_run_sends_nothing_through_it(tmp_path):
    """Someone renames the folder being filled and puts a link to their target in its place: the files
    still written go into the folder made for them (wherever it now is), and nothing is moved into place."""
    victim = tmp_path / "victim"
    victim.mkdir()
    moved = tmp_path / "moved-away"
    with pytest.raises(OutputPathError, match="was replaced while results were written"):
        with atomic_folder(tmp_path / "out", "run") as (tmp, final):
            write_atomic(tmp / "summary.csv", b"first\n")
            tmp.rename(moved)
            tmp.symlink_to(victim, target_is_directory=True)
            write_atomic(tmp / "report.html", b"<html>")
            write_atomic(tmp / "plots" / "fan.png", b"png")
    assert list(victim.iterdir()) == []
    assert sorted(p.relative_to(moved).as_posix() for p in moved.rglob("*")) == [
        "plots", "plots/fan.png", "report.html", "summary.csv"]
    assert not final.exists() and tmp.is_symlink()         # the link is neither followed nor moved nor removed


def test_a_subfolder_swapped_for_a_link_mid_run_is_refused(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    with pytest.raises(OutputPathError, match="symbolic link or not a folder"):
        with atomic_folder(tmp_path / "out", "run") as (tmp, final):
            write_atomic(tmp / "plots" / "a.png", b"png")
            shutil.rmtree(tmp / "plots")
            (tmp / "plots").symlink_to(victim, target_is_directory=True)
            write_atomic(tmp / "plots" / "b.png", b"png")
    assert list(victim.iterdir()) == [] and not final.exists()
    assert not list((tmp_path / "out").glob(".tmp-*"))     # the unfinished folder (ours) is removed


def test_a_finished_folder_that_could_not_land_is_never_removed_as_a_leftover(tmp_path, monkeypatch):
    """A NotLanded folder keeps the user's results: the next writer in the folder must not delete it, however
    old it is and though its writer is gone."""
    def refuse(src, dst, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(atomic.os, "rename", refuse)
        with pytest.raises(atomic.NotLanded) as info:
            with atomic_folder(tmp_path, "run") as (tmp, _):
                write_atomic(tmp / "table.csv", b"finished\n")
    kept = info.value.kept
    gone = _gone_pid()
    renamed = kept.with_name(kept.name.replace(f"-{os.getpid()}-", f"-{gone}-"))
    kept.rename(renamed)                                    # as if its process had ended long ago
    _age(renamed, atomic.LEFTOVER_AGE_SECONDS + 60)
    assert atomic.clean_leftovers(tmp_path) == []
    assert (renamed / "table.csv").read_bytes() == b"finished\n"


def test_a_landed_folder_carries_no_finished_mark(tmp_path):
    with atomic_folder(tmp_path, "run") as landing:
        write_atomic(landing.tmp / "a.csv", b"1")
    assert sorted(p.name for p in landing.final.iterdir()) == ["a.csv"]


@pytest.mark.usefixtures("fake_runs")
def test_a_sweep_s_runs_folder_swapped_for_a_link_mid_sweep_sends_nothing_through_it(capsys, tmp_path, monkeypatch):
    """The sweep's folder is pinned while it runs: after the first record, runs/ is renamed away and a link to
    someone's folder put in its place, after the record's path was checked and before it is written (the
    path check's blind instant); the record is refused, not written through the link."""
    from sim.experiment import store as store_module

    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    real = store_module.write_atomic
    calls = []

    def write_atomic(path, data):
        calls.append(path)
        if len(calls) == 2:
            (out / "runs").rename(tmp_path / "moved-away")
            (out / "runs").symlink_to(victim, target_is_directory=True)
        return real(path, data)

    monkeypatch.setattr(store_module, "write_atomic", write_atomic)
    code, _, err = run_main(capsys, *_sweep_cli(spec, out))
    assert code == 2 and one_line(err) and "symbolic link or not a folder" in err, err
    assert list(victim.iterdir()) == []
    assert len(list((tmp_path / "moved-away").glob("*.json"))) == 1          # the first record, where it was put
