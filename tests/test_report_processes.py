"""The report drawn in forked processes: the same bytes as drawn here, errors and kills handled here, no
child left behind."""

from __future__ import annotations

import os
import shutil
import signal
import threading
from pathlib import Path

import pytest

from sim.output.report import EarlyReport, build, build_run_report, charts
from sim.output.report.tables import load_run

from .report_folders import make_run_folder

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is POSIX")
PARENT = os.getpid()


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("run"))


def jobs(run_folder: Path) -> list[tuple]:
    run = load_run(run_folder)
    return [(charts.fan_urbanization, (run,)), (charts.scorecard, (run.scorecard, None, "x")),
            (charts.districts, (run,)), (charts.flows, (run,))]


def children() -> set[str]:
    """This process's children (Linux), live or not yet reaped; empty where /proc does not tell. Not
    multiprocessing's resource tracker: a helper that lives as long as this process once anything started
    it (a Dask cluster in an earlier test), never the report's."""
    try:
        pids = set(Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split())
    except OSError:
        return set()
    return {pid for pid in pids if not _resource_tracker(pid)}


def _resource_tracker(pid: str) -> bool:
    try:
        return b"multiprocessing.resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


BEFORE = children()


def no_children() -> bool:
    """No child of the report's left: the children now are those the session had before this module."""
    return children() <= BEFORE


def test_two_processes_draw_the_same_bytes(run_folder):
    here = build.render_all(jobs(run_folder), processes=1)
    both = build.render_all(jobs(run_folder), processes=2)
    assert both == here and all(png.startswith(b"\x89PNG") for png in both)
    assert no_children()


def _fails_in_the_child(*args):
    if os.getpid() != PARENT:
        raise RuntimeError("a chart broke in the child")
    return charts.flows(*args)


def test_a_chart_failing_in_the_child_is_drawn_here(run_folder):
    work = jobs(run_folder)
    work[3] = (_fails_in_the_child, work[3][1])
    assert build.render_all(work, processes=2) == build.render_all(jobs(run_folder), processes=1)
    assert no_children()


def _always_fails(*args):
    raise RuntimeError("a chart broke")


def test_a_chart_that_fails_here_raises_here_and_ends_the_child(run_folder):
    work = jobs(run_folder)
    work[0] = (_always_fails, ())                  # drawn by this process
    with pytest.raises(RuntimeError, match="a chart broke"):
        build.render_all(work, processes=2)
    assert no_children()
    work = jobs(run_folder)
    work[1] = (_always_fails, ())                  # the child's: it fails there, then here, with the traceback
    with pytest.raises(RuntimeError, match="a chart broke"):
        build.render_all(work, processes=2)
    assert no_children()


def test_forking_needs_a_second_cpu_and_no_other_thread(monkeypatch):
    monkeypatch.setattr(build, "available_cpus", lambda: 2)
    assert build.forking_helps(4) is (threading.active_count() == 1 and os.uname().sysname == "Linux")
    assert not build.forking_helps(1)
    monkeypatch.setattr(build, "available_cpus", lambda: 1)
    assert not build.forking_helps(4)
    monkeypatch.setattr(build, "available_cpus", lambda: 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not build.forking_helps(4)
    finally:
        stop.set()
        other.join()


@pytest.fixture
def forking(monkeypatch):
    """Fork whatever the test process's threads (the tests' children only draw)."""
    monkeypatch.setattr(build, "forking_helps", lambda jobs: True)


def test_the_early_report_is_the_report(run_folder, tmp_path, forking):
    here, there = tmp_path / "here", tmp_path / "there"
    shutil.copytree(run_folder, here)
    shutil.copytree(run_folder, there)
    build_run_report(here)
    early = EarlyReport()
    assert early.pid is not None
    try:
        assert early(there) == there / "report.html"
    finally:
        early.close()
    for name in ("report.html", *(f"plots/{p.name}" for p in (here / "plots").iterdir())):
        assert (there / name).read_bytes() == (here / name).read_bytes(), name
    assert not list(there.rglob(".tmp-*")) and no_children()


def test_a_killed_early_report_is_built_here(run_folder, tmp_path, forking):
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    (folder / "report.html").unlink(missing_ok=True)
    early = EarlyReport()
    assert early.pid is not None
    os.kill(early.pid, signal.SIGKILL)
    try:
        assert early(folder) == folder / "report.html"
    finally:
        early.close()
    assert (folder / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert no_children()


def test_an_unused_early_report_is_ended(forking):
    early = EarlyReport()
    assert early.pid is not None
    early.close()
    early.close()                                  # twice is harmless
    assert early.pid is None and no_children()


def test_without_forking_the_early_report_builds_here(run_folder, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "forking_helps", lambda jobs: False)
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    early = EarlyReport()
    assert early.pid is None
    assert early(folder) == folder / "report.html"
    early.close()


def _gone(pid: int, seconds: float = 5.0) -> bool:
    """Whether process ``pid`` has ended (or is a zombie left to whoever adopted it) within ``seconds``."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_early_report_dies_with_its_parent(tmp_path):
    """SIGKILL the parent while its early report waits: the child does not linger (item 9's rule)."""
    import subprocess
    import sys

    script = ("import os, signal, sys\n"
              "from sim.output.report import build\n"
              "build.forking_helps = lambda jobs: True\n"
              "early = build.EarlyReport()\n"
              "print(early.pid, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _gone(int(done.stdout.split()[0]))


def _slow_builder(folder: Path) -> Path:
    import time

    time.sleep(1.5)
    (folder / "written_late").write_text("the child wrote on", encoding="utf-8")
    return folder / "report.html"


def test_an_interrupt_while_waiting_ends_the_child_before_the_folder_goes(tmp_path, forking):
    """Ctrl-C in the parent while the child builds: the child is gone before the caller deletes the folder."""
    import time

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    early = EarlyReport(_slow_builder)
    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(KeyboardInterrupt):
            early(tmp_path)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        early.close()
    assert early.pid is None and no_children()
    time.sleep(1.6)
    assert not (tmp_path / "written_late").exists()
