"""Building a folder's plots and report.html from its saved files, each file replaced atomically.

Nothing here depends on the folder's name (the caller may build in a
temporary folder before renaming it). A plot the data no longer supports is
removed rather than left stale.

Drawing is most of a quick run's time and is CPU-bound Python, so on a machine with a second CPU half
the charts are drawn in a forked copy of this process (``render_all``); the bytes are the same.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ...kernel.parallel import available_cpus
from ..atomic import inside, write_atomic
from . import charts
from .page import Image, comparison_page, run_page
from .tables import load_comparison, load_run

PLOTS = "plots"
REPORT = "report.html"


def forking_helps(jobs: int) -> bool:
    """Whether to draw in two processes: several charts, a second CPU, and a fork that is safe (Linux, where
    fork copies a process cheaply and no library here minds it; no other thread, whose locks the copy would
    inherit held)."""
    return (jobs > 1 and sys.platform.startswith("linux") and hasattr(os, "fork") and available_cpus() > 1
            and threading.active_count() == 1)


def _die_with(parent: int) -> None:
    """In a forked child: be killed when ``parent`` dies (Linux's PR_SET_PDEATHSIG), and leave at once if it
    already has; where prctl is missing, the child still ends when it next reads or writes its pipe."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)        # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def render_all(jobs: list[tuple], processes: int | None = None) -> list[bytes | None]:
    """``charts.render(chart, *args)`` of each ``(chart, args)``, in order.

    With ``processes=2`` (the default when ``forking_helps``) a forked child draws every other chart and
    hands back its PNG bytes through a pipe while this process draws the rest. Whatever goes wrong in the
    child (a chart that raises, a kill, a short read), this process draws its charts again, so that an
    error surfaces here as it would without the child; an interrupt here ends the child first.
    """
    if processes is None:
        processes = 2 if forking_helps(len(jobs)) else 1
    if processes < 2 or len(jobs) < 2:
        return [charts.render(chart, *args) for chart, args in jobs]
    theirs = list(range(1, len(jobs), 2))       # the report's charts alternate heavy and light: halves even out
    charts.warm()                               # matplotlib and the fonts found once, before the fork, for both
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:                                # the child: draw, hand over, leave without cleaning up
        code = 1
        try:
            _die_with(parent)
            os.close(read)
            signal.signal(signal.SIGINT, signal.SIG_DFL)        # Ctrl-C ends it quietly with the parent
            data = pickle.dumps([charts.render(jobs[i][0], *jobs[i][1]) for i in theirs])
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    out: list[bytes | None] = [None] * len(jobs)
    reaped = False
    try:
        with os.fdopen(read, "rb") as pipe:
            for i in range(0, len(jobs), 2):
                out[i] = charts.render(jobs[i][0], *jobs[i][1])
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:                          # interrupted, or a chart of ours raised: the child goes too
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    drawn = _handed_over(data) if status == 0 else None
    if drawn is None or len(drawn) != len(theirs):
        drawn = [charts.render(jobs[i][0], *jobs[i][1]) for i in theirs]
    for i, png in zip(theirs, drawn, strict=True):
        out[i] = png
    return out


def _handed_over(data: bytes) -> list | None:
    """The child's list of PNG bytes (or None for a chart without data); None if the data is not that."""
    try:
        drawn = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError):
        return None
    ok = isinstance(drawn, list) and all(png is None or isinstance(png, bytes) for png in drawn)
    return drawn if ok else None


def _draw(folder: Path, plans, processes: int | None = None) -> list[Image]:
    """Render each (file, caption, chart, args); write the PNGs into ``folder/plots``."""
    images = []
    paths = [inside(folder, PLOTS, file) for file, _, _, _ in plans]   # before drawing: a planted link fails at once
    pngs = render_all([(chart, args) for _, _, chart, args in plans], processes)
    for (file, caption, _, _), path, png in zip(plans, paths, pngs, strict=True):
        if png is None:
            path.unlink(missing_ok=True)
            continue
        write_atomic(path, png)
        images.append(Image(file, caption, png))
    return images


def build_run_report(folder: str | Path) -> Path:
    """Rewrite ``folder/plots/*.png`` and ``folder/report.html`` of a run folder; return the report's path."""
    run = load_run(folder)
    page = inside(run.folder, REPORT)              # before drawing: a planted link fails with nothing written
    images = _draw(run.folder, [
        ("fan_urbanization.png", "Urbanization rates of Qingdao: median and 5-95% band over replications, "
         "with the plan's targets", charts.fan_urbanization, (run,)),
        ("scorecard.png", "The plan's targets: simulated mean and 5-95% as percent of the target, by status",
         charts.scorecard, (run.scorecard, None, run.scenario.get("name", ""))),
        ("districts.png", "Districts: population and urban share at the start and the end",
         charts.districts, (run,)),
        ("flows.png", "Flows of residents by type and year, Qingdao", charts.flows, (run,)),
        ("district_map.png", "Map of the districts at the end: urbanization rate and population change",
         charts.run_maps, (run,)),
    ])
    return write_atomic(page, run_page(run, images).encode("utf-8"))


def build_comparison_report(folder: str | Path) -> Path:
    """Rewrite ``folder/plots/*.png`` and ``folder/report.html`` of a comparison folder; return the report's path."""
    comp = load_comparison(folder)
    name, base = comp.scenario.get("name", ""), comp.against.get("name", "")
    page = inside(comp.folder, REPORT)
    images = _draw(comp.folder, [
        ("comparison.png", "Scenario minus against for Qingdao in the last year, with 90% intervals",
         charts.comparison, (comp,)),
        ("scorecard.png", "The plan's targets in both scenarios (hollow markers: the base)",
         charts.scorecard, (comp.scorecard, comp.scorecard_against, name, base)),
        ("district_map.png", "Map of the districts: scenario minus against in the last year",
         charts.comparison_maps, (comp,)),
    ])
    return write_atomic(page, comparison_page(comp, images).encode("utf-8"))


class EarlyReport:
    """``builder`` (``build_run_report``) in a process forked before the run is simulated, so that importing matplotlib
    and finding the fonts (a fifth of a quick run) overlap the simulation on a second CPU.

    Make one before simulating, call it with the folder once its tables are written (as ``write_run``
    calls its ``report``), ``close`` it in any case. The child waits for the folder's path on a pipe,
    builds the report there (drawing in two processes, ``render_all``) and answers ``ok``. Where forking
    does not help (``forking_helps``), or the child fails, is killed or answers anything else, the call
    builds the report here instead, so that an error surfaces in this process with its traceback. Ctrl-C
    ends the child with the parent; so does the parent's death (the child reads the end of its pipe).
    """

    def __init__(self, builder: Callable[[Path], Path] | None = None) -> None:
        self.builder = builder or build_run_report    # the builder the caller means (tests hand in others)
        self.pid: int | None = None
        if not forking_helps(2):
            return
        sys.stdout.flush()
        sys.stderr.flush()
        inbox, to_child = os.pipe()             # the folder's path, parent to child
        answer, from_child = os.pipe()          # 'ok', child to parent
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _die_with(parent)
                os.close(to_child)
                os.close(answer)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                charts.warm()
                with os.fdopen(inbox, "rb") as pipe:
                    folder = pipe.read()        # the whole path, once the parent closes its end
                if folder:
                    self.builder(Path(os.fsdecode(folder)))
                    os.write(from_child, b"ok")
                    code = 0
            finally:
                os._exit(code)
        os.close(inbox)
        os.close(from_child)
        self.pid, self._to_child, self._answer = pid, to_child, answer

    def __call__(self, folder: str | Path) -> Path:
        folder = Path(folder)
        if self.pid is None:
            return self.builder(folder)
        path = os.fsencode(str(folder))
        try:
            while path:
                path = path[os.write(self._to_child, path):]
        except OSError:                         # the child is gone (killed): build here
            pass
        os.close(self._to_child)
        self._to_child = -1
        try:
            with os.fdopen(self._answer, "rb") as pipe:
                self._answer = -1               # the file object closes it
                said = pipe.read()
            _, status = os.waitpid(self.pid, 0)
        except BaseException:                   # Ctrl-C: the child must not write on while the folder goes
            self.close()
            raise
        self.pid = None
        if status == 0 and said == b"ok":
            return folder / REPORT
        for leftover in (*folder.glob(".tmp-*"), *(folder / PLOTS).glob(".tmp-*")):
            leftover.unlink(missing_ok=True)    # a child killed while writing a file
        return self.builder(folder)

    def close(self) -> None:
        """End the child if it is still there (the run failed or was interrupted) and reap it; idempotent."""
        for name in ("_to_child", "_answer"):
            fd = getattr(self, name, -1)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
