"""The catalogue of issue 14's cases: bad input, faults and hostile files, each run through the command line
in this process, in a fresh temporary folder, and judged by the promise it tests.

A case is the command as a user types it (the words after ``python run_sim.py``), what its setup puts in the
working folder first (a hostile YAML file, a planted link, a damaged sweep record, a lock held by another
process, an existing run folder) and the outcome promised:

- ``rejected``: exit code 2, exactly one line on stderr starting ``error: `` (printable: control characters
  escaped), no traceback, the words the case names in that line, and nothing written anywhere: the
  temporary folder (the working folder and the ``outside`` folder planted links point at) is as the setup
  left it, and so are the project's own ``results/`` and ``scenarios/``. The one exception is a sweep's lock
  file, which a sweep takes (writing its process id) before it looks at its folder: bookkeeping, not results;
- ``survived``: exit code 0, no traceback, nothing written outside the folders the case allows (by default
  ``results/`` of the working folder), and the property the case states;
- ``ended``: the exit code the case names for a machine's refusal (3: a full disk, a folder that cannot be
  moved into place), a reader gone (141: a closed pipe) or Ctrl-C (130), at most one line on stderr
  (``error: `` or ``interrupted: ``) holding the case's words, no traceback, nothing written outside the
  folders the case allows (by default nowhere), and the case's check. A case whose standard output must be a
  closed pipe or ``/dev/full`` (``stdout``) runs ``run_sim.py`` in a child process instead.

Each class of the issue (1-15) has its cases, and class 16 the must-hold of Ctrl-C; class 14 is a check of
the docs, without a command.
Cases the issue gives a time for (alias bombs, sizing a sweep) must answer within ``SECONDS``. A case that an
existing test asserts with the same inputs names that test (``covered``): tests/test_hostile_catalogue.py
leaves it out, the table keeps it. A case that fails today keeps its promise and says why (``xfail``).
Killing a sweep's process (workers dying with it) cannot be done to this process: see tests/test_sweep.py.

``python -m tests.hostile_catalogue --markdown`` prints the table of every class: the note the issue asks for.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from sim import cli
from sim.core.fields import printable
from sim.core.safe_load import MAX_BYTES, MAX_DEPTH, MAX_VALUES
from sim.experiment import pipeline
from sim.experiment.store import LOCK
from sim.model import Model
from sim.output import atomic, provenance, run_folder
from sim.scenario.load import MAX_EXTENDS
from tests.report_folders import make_comparison_folder
from tests.test_calibration import write as write_calibration
from tests.test_cli import SYSTEM_FILES, _control_key_file, _escape_file
from tests.test_hostile_inputs import ALL_ZERO, _chain, _tampered, classic_bomb, nested_bomb
from tests.test_run_ids import SECOND, whole
from tests.test_sources import CITATION, SOURCES
from tests.test_sources import test_every_cited_source_path_exists as cited_sources_exist
from tests.test_sweep import DAMAGES, HOLD_THE_LOCK, REASONS, THREE_RANGES, write_spec
from tests.test_write_safety import _age, _gone_pid

ROOT = Path(__file__).resolve().parents[1]
#: generous against the second the issue asks, so that a busy machine does not fail a case
SECONDS = 5.0
BASE = "scenarios/baseline.yaml"
#: the fastest honest run: the largest scale the reference allows (100,000 residents an agent: about a
#: hundred agents), one month, one replication, no plots, no progress bar
TINY = ("--set", "population.scale=100000", "--set", "period.end=2021-01-31", "--set", "outputs.plots=false",
        "--quiet")
#: what a sweep or a calibration fixes for its runs, as small: the sweeps' outputs are year-end values of 2021
SWEEP_SET = {"population.scale": 100000, "period.end": "2021-12-31"}
HAZARD = "behaviour.hukou.nonlocal_conversion_hazard_per_year"
#: a sweep of four real runs in well under a second (grid of two values, two policies)
SWEEP_OUTPUTS = ["urbanization_rate@2021", "hukou_urbanization_rate@2021"]
SWEEP: dict[str, Any] = {"base": BASE, "set": SWEEP_SET, "replications": 1,
                         "parameters": {HAZARD: {"values": [0.02, 0.08]}},
                         "policies": {"none": {}, "talent": {"policies.talent_attraction.intensity": 1}},
                         "outputs": SWEEP_OUTPUTS}
SWEEP_CMD = ("sweep", "tiny.yaml", "--workers", "1", "--quiet")
SWEEP_DIR = "results/sweeps/tiny"
#: a calibration of three design points at the largest scale (about 2.5 s) and a short posterior chain: the
#: pipeline end to end
CALIBRATION = {"scenario": "scenarios/backcast_2010_2020.yaml", "set": {"population.scale": 100000,
               "outputs.plots": False}, "design_points": 3, "bootstrap": 0, "replications": 1, "seed": 1,
               "parameters": {"behaviour.rural_to_urban.base_hazard_per_year": {"low": 0.015, "high": 0.15,
                                                                                 "log": True}},
               "posterior": {"walkers": 4, "steps": 40, "burn_in": 10, "thin": 1}}
BOMB = f"more than {MAX_VALUES} values"
UNIQUE = "c0ffee"
REJECTED, SURVIVED, ENDED = "rejected", "survived", "ended"

CLASSES = {
    1: "Names escape their folder",
    2: "Two runs finishing in the same second",
    3: "YAML alias bombs",
    4: "Sweep size bounded before planning",
    5: "A sweep cannot be wedged",
    6: "Impossible dates",
    7: "Empty files and empty names",
    8: "Degenerate values",
    9: "Concurrency and processes",
    10: "Writes do not follow planted links",
    11: "Environment errors",
    12: "Messages and terminals",
    13: "Smaller things users hit",
    14: "The sources the docs cite are in the project",
    15: "The default run is honest and quick",
    16: "Must hold: Ctrl-C ends with 130 and nothing written",
}


class CaseFailed(Exception):
    """What a case's check (or its setup) found instead of what it promised."""


def need(condition: object, message: str) -> None:
    if not condition:
        raise CaseFailed(message)


@dataclass
class Result:
    """What the command did: exit code, standard output and error, seconds."""

    code: int | None
    out: str
    err: str
    seconds: float


class Workspace:
    """A case's temporary folder: ``work`` (the working directory, with a copy of the project's scenarios/)
    and ``outside`` (where planted links point: nothing may be written there). ``vars`` fill the ``<name>``
    placeholders of the command; ``stack`` holds what the case keeps up while it runs (a pinned clock, a
    process holding a lock)."""

    def __init__(self, root: Path, stack: contextlib.ExitStack) -> None:
        self.root = root
        self.work = root / "work"
        self.outside = root / "outside"
        self.work.mkdir()
        self.outside.mkdir()
        shutil.copytree(ROOT / "scenarios", self.work / "scenarios")
        self.vars: dict[str, str] = {"outside": str(self.outside)}
        self.memo: dict[str, Any] = {}
        self.stack = stack

    def write(self, name: str, text: str) -> Path:
        path = self.work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def plant(self, name: str, target: Path | str) -> Path:
        """A symbolic link at ``name`` (in the working folder) pointing at ``target``."""
        link = self.work / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)
        return link

    def victim(self, name: str = "victim.txt") -> Path:
        """Someone else's file in ``outside``, for a planted link to point at."""
        path = self.outside / name
        path.write_text("someone else's file\n", encoding="utf-8")
        return path

    def patch(self, target: Any, name: str, value: Any) -> None:
        self.stack.enter_context(mock.patch.object(target, name, value))

    def run(self, *argv: str) -> Result:
        """The command line in this process, as a setup step; it must succeed."""
        result = call(argv)
        if result.code != 0:
            raise CaseFailed(f"setup `{shown(argv)}` exited {result.code}: {first_line(result.err)}")
        return result


#: a case's setup: writes files into the workspace, plants links, holds a lock... (what it returns is ignored)
Setup = Callable[[Workspace], object]
#: a case's check of what must hold after its command: raises ``CaseFailed`` saying what does not
Check = Callable[[Workspace, Result], None]


@dataclass(frozen=True)
class Case:
    """One case: class ``cls`` of the issue and ``slug`` (its id: ``c<cls>-<slug>``), ``what`` it tries, the
    command (``argv``, the words after ``python run_sim.py``, its ``<name>`` placeholders filled from the
    setup's ``vars``; None: no command, the check alone), the outcome promised (``expect``), the ``setup`` and a
    ``note`` saying in a few words what it made, the ``words`` a rejection's line must hold, the ``check`` of
    what must hold after the command, the folders a survivor may write in (``writes``, relative to the
    working folder), the ``seconds`` it must answer within, the test asserting it already (``covered``), why
    it fails today (``xfail``), why it cannot be tried here (``skip``: a reason, or None), and whether it takes
    about 2 s or more (``slow``: the test suite's marker)."""

    cls: int
    slug: str
    what: str
    argv: tuple[str, ...] | None
    expect: str
    setup: Setup | None = None
    note: str = ""
    words: tuple[str, ...] = ()
    check: Check | None = None
    writes: tuple[str, ...] = ("results",)
    seconds: float | None = None
    covered: str | None = None
    xfail: str | None = None
    skip: Callable[[], str | None] | None = None
    slow: bool = False
    code: int = 0
    stdout: str | None = None

    @property
    def id(self) -> str:
        return f"c{self.cls}-{self.slug}"


@dataclass
class Outcome:
    """A case run: what the command did and what went wrong (``problem``; None: the promise held)."""

    case: Case
    result: Result | None = None
    problem: str | None = None
    skipped: str | None = None
    #: the temporary folder's paths, as the table shows them: ``<outside>``, the working folder left out
    places: tuple[tuple[str, str], ...] = ()

    def tidy(self, text: str) -> str:
        for path, name in self.places:
            text = text.replace(path, name)
        return text

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def verdict(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        if self.problem is not None:
            return f"FAILED{' (known)' if self.case.xfail else ''}: {self.problem}"
        if self.case.expect == ENDED:
            return f"ended cleanly (exit {self.case.code})"
        return "rejected cleanly" if self.case.expect == REJECTED else "survived"


def rejected(cls: int, slug: str, what: str, argv: tuple[str, ...] | None, *words: str, **options: Any) -> Case:
    return Case(cls, slug, what, argv, REJECTED, words=words, **options)


def survived(cls: int, slug: str, what: str, argv: tuple[str, ...] | None, check: Check,
             **options: Any) -> Case:
    return Case(cls, slug, what, argv, SURVIVED, check=check, **options)


def ended(cls: int, slug: str, what: str, argv: tuple[str, ...], code: int, *words: str, **options: Any) -> Case:
    return Case(cls, slug, what, argv, ENDED, words=words, code=code, **{"writes": (), **options})


# -- running a case ---------------------------------------------------------------------------------


def call(argv: tuple[str, ...] | list[str]) -> Result:
    """``sim.cli.main(argv)`` with its output captured; argparse's exits and anything raised become a code."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code: int | None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
        except Exception:  # noqa: BLE001 - main lets nothing through; should it, the case says so
            traceback.print_exc()
            code = None
    return Result(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def call_process(argv: list[str], stdout: str, cwd: Path) -> Result:
    """``python run_sim.py argv`` in a child process whose standard output is ``stdout``: "closed pipe" (its
    reader gone before it writes) or a file name (``/dev/full``)."""
    command = [sys.executable, str(ROOT / "run_sim.py"), *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    if stdout == "closed pipe":
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        err = child.stderr.read().decode("utf-8", "replace")
        child.stderr.close()
        code = child.wait()
    else:
        with open(stdout, "w") as sink:
            done = subprocess.run(command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.PIPE, check=False)
        code, err = done.returncode, done.stderr.decode("utf-8", "replace")
    return Result(code, "", err, time.perf_counter() - start)


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry below ``folder`` (links not followed): a file's size and modification time, a link's
    target, a folder's existence."""
    seen: dict[str, tuple] = {}
    if not folder.exists():
        return seen
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in (*dirnames, *filenames):
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                seen[path] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                seen[path] = ("folder",)
            else:
                seen[path] = ("file", info.st_size, info.st_mtime_ns)
    return seen


def changed(before: dict[str, tuple], after: dict[str, tuple]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def _project_state() -> dict[str, tuple]:
    """What of the project a case must leave alone: its results/ and scenarios/, its top-level entries."""
    return {**snapshot(ROOT / "results"), **snapshot(ROOT / "scenarios"),
            **{str(p): ("entry",) for p in ROOT.iterdir()}}


def fill(argv: tuple[str, ...], ws: Workspace) -> list[str]:
    """The command with the ``<name>`` placeholders its setup defined filled in."""
    filled = []
    for arg in argv:
        for name, value in ws.vars.items():
            arg = arg.replace(f"<{name}>", value)
        filled.append(arg)
    return filled


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_case(case: Case, root: Path) -> Outcome:
    """Run ``case`` in the empty folder ``root`` and judge it."""
    if case.skip is not None and (reason := case.skip()) is not None:
        return Outcome(case, skipped=reason)
    project = _project_state()
    with contextlib.ExitStack() as stack, _in(root):
        ws = Workspace(root, stack)
        os.chdir(ws.work)
        try:
            if case.setup is not None:
                case.setup(ws)
        except Exception as err:  # noqa: BLE001 - a setup that cannot be made is the case's failure, told
            return Outcome(case, problem=f"the setup failed: {type(err).__name__}: {err}")
        before = snapshot(root)
        if case.argv is None:
            result = Result(0, "", "", 0.0)
        elif case.stdout is not None:
            result = call_process(fill(case.argv, ws), case.stdout, ws.work)
        else:
            result = call(fill(case.argv, ws))
        changes = changed(before, snapshot(root))
        problem = _judge(case, ws, result, changes)
    touched = changed(project, _project_state())
    if problem is None and touched:
        problem = f"changed the project's own files: {touched[:3]}"
    places = ((str(ws.outside), "<outside>"), (str(ws.work) + os.sep, ""), (str(ws.root), "<tmp>"))
    return Outcome(case, result, problem, places=places)


def _judge(case: Case, ws: Workspace, r: Result, changes: list[str]) -> str | None:
    if r.code is None or "Traceback" in r.err:
        return f"a traceback (exit {r.code}): {last_line(r.err)}"
    if case.expect == REJECTED:
        problem = _judge_rejected(case, ws, r, changes)
    elif case.expect == ENDED:
        problem = _judge_ended(case, ws, r, changes)
    else:
        problem = _judge_survived(case, ws, r, changes)
    if problem is None and case.seconds is not None and r.seconds > case.seconds:
        problem = f"took {r.seconds:.2f} s, over {case.seconds:g} s"
    return problem


def _judge_line(case: Case, r: Result, code: int, starts: tuple[str, ...], required: bool) -> str | None:
    """What is wrong with the exit code and the stderr line: ``code``, one line (at most one when not
    ``required``) starting with one of ``starts``, printable, holding the case's words."""
    lines = r.err.splitlines()
    if r.code != code:
        return f"exit {r.code}, not {code}" + (f": {first_line(r.err)}" if r.err else "")
    if len(lines) > 1 or (required and (len(lines) != 1 or not r.err.endswith("\n"))):
        return f"{len(lines)} lines on stderr, not {'one' if required else 'one at most'}: " \
               f"{' | '.join(lines[:3])[:200]}"
    line = lines[0] if lines else ""
    if lines and not line.startswith(starts):
        return f"the line does not start with {' or '.join(repr(s) for s in starts)}: {line[:100]}"
    if not line.isprintable():
        return "the line holds control characters"
    missing = [w for w in case.words if w not in line]
    if missing:
        return f"the line lacks {missing[0]!r}: {printable(line)[:160]}"
    return None


def _judge_rejected(case: Case, ws: Workspace, r: Result, changes: list[str]) -> str | None:
    problem = _judge_line(case, r, 2, ("error: ",), required=True)
    if problem is not None:
        return problem
    written = _not_the_lock(changes)
    if written:
        return f"wrote {_relative(written[0], ws)}" + (f" and {len(written) - 1} more" if len(written) > 1 else "")
    return _checked(case, ws, r)


def _judge_ended(case: Case, ws: Workspace, r: Result, changes: list[str]) -> str | None:
    problem = _judge_line(case, r, case.code, ("error: ", "interrupted: "), required=False)
    if problem is not None:
        return problem
    return _judge_writes(case, ws, r, _not_the_lock(changes))


def _not_the_lock(changes: list[str]) -> list[str]:
    """``changes`` but a sweep's lock file (and the folders made to hold it): taken, with this process's id
    written in it, before the sweep looks at its folder; it is the sweep's bookkeeping, not a result."""
    locks = [p for p in changes if os.path.basename(p) == LOCK]
    holding = {str(parent) for p in locks for parent in Path(p).parents}
    return [p for p in changes if p not in locks and p not in holding]


def _checked(case: Case, ws: Workspace, r: Result) -> str | None:
    """What the case's own check found wrong, or None."""
    try:
        if case.check is not None:
            case.check(ws, r)
    except CaseFailed as err:
        return str(err)
    except Exception as err:  # noqa: BLE001 - a file the check expected is not there, say
        return f"the check raised {type(err).__name__}: {err}"
    return None


def _judge_survived(case: Case, ws: Workspace, r: Result, changes: list[str]) -> str | None:
    if r.code != 0:
        return f"exit {r.code}: {first_line(r.err)}"
    return _judge_writes(case, ws, r, changes)


def _judge_writes(case: Case, ws: Workspace, r: Result, changes: list[str]) -> str | None:
    """Nothing written outside the case's ``writes``, then the case's check."""
    allowed = [str(ws.work / w) for w in case.writes]
    holding = {str(parent) for a in allowed for parent in Path(a).parents}      # the folders made to hold them
    stray = [p for p in changes if not any(p == a or p.startswith(a + os.sep) for a in allowed) and p not in holding]
    if stray:
        return f"wrote outside {', '.join(case.writes) or 'nowhere'}: {_relative(stray[0], ws)}"
    return _checked(case, ws, r)


def _relative(path: str, ws: Workspace) -> str:
    return os.path.relpath(path, ws.work)


def first_line(text: str) -> str:
    return text.splitlines()[0] if text.strip() else ""


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


# -- shared setups and checks -----------------------------------------------------------------------


def _with(*steps: Setup) -> Setup:
    def setup(ws: Workspace) -> None:
        for step in steps:
            step(ws)
    return setup


def _file(name: str, text: str) -> Setup:
    """A setup writing ``name``."""
    return lambda ws: ws.write(name, text)


def _appended(name: str, text: str) -> Setup:
    """A setup adding ``text`` at the end of ``name``."""
    return lambda ws: ws.write(name, _read(ws, name) + text)


def _running(*argv: str) -> Setup:
    """A setup running a command first (it must succeed)."""
    return lambda ws: ws.run(*argv)


def _extending(text: str) -> str:
    return f"extends: {BASE}\n{text}"


def _sweep_spec(**changes: Any) -> Setup:
    """tiny.yaml: the small spec of tests/test_sweep.py made tinier (``SWEEP``), with ``changes``."""
    return lambda ws: write_spec(ws.work, **{**SWEEP, **changes})


def _their_sweep_spec(**changes: Any) -> Setup:
    """tiny.yaml: the small spec of tests/test_sweep.py as it is there, with ``changes``."""
    return lambda ws: write_spec(ws.work, **changes)


def _calibration_spec(**changes: Any) -> Setup:
    """toy.yaml: the spec of tests/test_calibration.py, with ``changes``."""
    return lambda ws: write_calibration(ws.work, **changes)


def _tiny_calibration(**changes: Any) -> Setup:
    return _calibration_spec(**{**CALIBRATION, **changes})


_CACHE: dict[str, Path] = {}
_CACHE_ROOTS: list[Path] = []


def _cached(name: str, build: Callable[[Workspace], str]) -> Path:
    """What ``build`` makes once in a workspace of its own (a run folder, a finished sweep), shared by the
    cases that copy it; ``build`` returns the path it made, relative to the working folder."""
    if name not in _CACHE:
        root = Path(tempfile.mkdtemp(prefix=f"hostile-{name}-"))
        _CACHE_ROOTS.append(root)
        with contextlib.ExitStack() as stack, _in(root):
            ws = Workspace(root, stack)
            os.chdir(ws.work)
            _CACHE[name] = ws.work / build(ws)
    return _CACHE[name]


def clear_cache() -> None:
    for root in _CACHE_ROOTS:
        shutil.rmtree(root, ignore_errors=True)
    _CACHE.clear()
    _CACHE_ROOTS.clear()


def _build_run(ws: Workspace) -> str:
    ws.run("run", BASE, *TINY, "--set", "behaviour.in_migration.rate_per_year=0.05")
    [folder] = (ws.work / "results" / "baseline").iterdir()
    return str(folder.relative_to(ws.work))


def _run_folder(ws: Workspace, name: str = "run") -> Path:
    """A copy of a finished tiny run (``--set behaviour.in_migration.rate_per_year=0.05``) at ``results/<name>``
    (``<run>`` in the command)."""
    folder = shutil.copytree(_cached("run", _build_run), ws.work / "results" / name)
    ws.vars["run"] = str(folder.relative_to(ws.work))
    return folder


def _build_sweep(ws: Workspace) -> str:
    write_spec(ws.work, **SWEEP)
    ws.run(*SWEEP_CMD)
    return SWEEP_DIR


def _finished_sweep(ws: Workspace) -> Path:
    """tiny.yaml and its finished sweep (four real runs) in results/sweeps/tiny."""
    write_spec(ws.work, **SWEEP)
    folder = shutil.copytree(_cached("sweep", _build_sweep), ws.work / SWEEP_DIR, symlinks=True)
    ws.memo["runs.csv"] = (folder / "runs.csv").read_bytes()
    ws.memo["record"] = sorted((folder / "runs").glob("*.json"))[1]
    return folder


def _build_calibration(ws: Workspace) -> str:
    write_calibration(ws.work, **CALIBRATION)
    ws.run("calibrate", "toy.yaml", "--quiet")
    [folder] = (ws.work / "results" / "calibration").iterdir()
    return str(folder.relative_to(ws.work))


def _calibration_folder(ws: Workspace) -> Path:
    folder = _cached("calibration", _build_calibration)
    copy = shutil.copytree(folder, ws.work / "results" / "calibration" / folder.name)
    ws.vars["calibration"] = str(copy.relative_to(ws.work))
    return copy


def _same_second(ws: Workspace) -> None:
    """Every run id starts with the same UTC second."""
    ws.patch(provenance, "_utc_now", lambda: SECOND)


def _same_id(ws: Workspace) -> None:
    """Every run id alike: the same second and the same random part."""
    _same_second(ws)
    ws.patch(provenance, "_unique", lambda: UNIQUE)


def _folders(ws: Workspace, under: str) -> list[Path]:
    parent = ws.work / under
    return sorted(p for p in parent.iterdir() if not p.name.startswith(".")) if parent.is_dir() else []


def _read(ws: Workspace, path: str) -> str:
    return (ws.work / path).read_text(encoding="utf-8")


def _in_out(*words: str) -> Check:
    def check(ws: Workspace, r: Result) -> None:
        for word in words:
            need(word in r.out, f"stdout lacks {word!r}")
    return check


def _warned(*words: str, lines: int = 1) -> Check:
    """``lines`` warnings on stderr, holding ``words``."""
    def check(ws: Workspace, r: Result) -> None:
        got = r.err.splitlines()
        need(len(got) == lines and all(line.startswith("warning: ") for line in got),
             f"{len(got)} lines on stderr, not {lines} warning(s): {r.err[:160]!r}")
        for word in words:
            need(word in r.err, f"the warning lacks {word!r}: {printable(r.err)[:160]}")
    return check


def _not_echoed(path: Path) -> tuple[str, ...]:
    """Pieces of a system file a message must not show: the start of each of its lines."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    return tuple(line[:12] for line in lines if len(line.strip()) >= 6)


def _quiet_about(*pieces: str, of: Path | None = None) -> Check:
    """stderr shows none of ``pieces`` nor of the file ``of`` (the start of each of its lines)."""
    def check(ws: Workspace, r: Result) -> None:
        shown_bits = [bit for bit in (*pieces, *(_not_echoed(of) if of else ())) if bit in r.err]
        need(not shown_bits, f"the message shows {shown_bits[:1]}" + (f" of {of}" if of else ""))
    return check


def _missing(path: str) -> Callable[[], str | None]:
    return lambda: None if Path(path).exists() else f"no {path} here"


def _as_root() -> str | None:
    return "root may write in a read-only folder" if os.geteuid() == 0 else None


# -- 1 names escape their folder ----------------------------------------------------------------------

NAME_RULE = "letters, digits, '_', '-' and '.', up to 64 characters, starting with a letter or digit"
BAD_SPECS = "tests/test_sweep.py::test_bad_specs_exit_2_naming_the_field"


def _plots_inside(ws: Workspace, r: Result) -> None:
    plots = sorted(p.name for p in (ws.work / SWEEP_DIR / "plots").iterdir())
    need(plots == ["outputs_vs_parameters_none.png", "outputs_vs_parameters_talent.png"],
         f"the sweep's plots are {plots}")


CLASS_1 = [
    *(rejected(1, f"sweep-policy-{slug}", f"a sweep policy named {shown_name}", SWEEP_CMD, "policies", words,
               setup=_their_sweep_spec(policies={name: {}}), note=f"tiny.yaml: policies: {{{shown_name}: {{}}}}",
               covered=BAD_SPECS)
      for slug, name, shown_name, words in (
          ("dotdot", "../../x/pwned", "'../../x/pwned'", f"{NAME_RULE}; got '../../x/pwned'"),
          ("slash", "a/b", "'a/b'", "got 'a/b'"),
          ("newline", "two\nlines", "'two\\nlines'", "got 'two\\nlines'"),
          ("formula", "=HYPERLINK(1)", "'=HYPERLINK(1)'", "got '=HYPERLINK(1)'"),
          ("too-long", "x" * 65, "x×65", "up to 64 characters"))),
    rejected(1, "sweep-policy-dotfile", "a sweep policy named '.hidden'", SWEEP_CMD, "policies", "got '.hidden'",
             setup=_sweep_spec(policies={".hidden": {}}), note="tiny.yaml: policies: {.hidden: {}}"),
    rejected(1, "sweep-policy-absolute", "a sweep policy named by an absolute path", SWEEP_CMD, "policies",
             "got '/", setup=lambda ws: write_spec(ws.work, **{**SWEEP, "policies": {f"{ws.outside}/pwned": {}}}),
             note="tiny.yaml: policies: {<outside>/pwned: {}}"),
    rejected(1, "sweep-name-dotdot", "a sweep named '../../pwned'", SWEEP_CMD, "tiny.yaml: name:", "'../../pwned'",
             setup=_sweep_spec(name="../../pwned"), note="tiny.yaml: name: ../../pwned"),
    rejected(1, "sweep-name-absolute", "a sweep named by an absolute path", SWEEP_CMD, "tiny.yaml: name:",
             setup=lambda ws: write_spec(ws.work, **{**SWEEP, "name": f"{ws.outside}/pwned"}),
             note="tiny.yaml: name: <outside>/pwned"),
    rejected(1, "sweep-name-from-file", "a sweep named after a file '=cmd.yaml'",
             ("sweep", "=cmd.yaml", "--workers", "1", "--quiet"), "=cmd.yaml", "'=cmd'",
             setup=_with(_sweep_spec(name=None), lambda ws: (ws.work / "tiny.yaml").rename(ws.work / "=cmd.yaml")),
             note="=cmd.yaml: the tiny spec without a name"),
    rejected(1, "calibration-name-dotdot", "a calibration named '../up'", ("calibrate", "toy.yaml", "--quiet"),
             "toy.yaml: name:", NAME_RULE, setup=_calibration_spec(name="../up"), note="toy.yaml: name: ../up",
             covered="tests/test_calibration.py::test_bad_specs_exit_2"),
    rejected(1, "calibration-name-absolute", "a calibration named by an absolute path",
             ("calibrate", "toy.yaml", "--quiet"), "toy.yaml: name:", NAME_RULE,
             setup=lambda ws: write_calibration(ws.work, name=f"{ws.outside}/pwned"),
             note="toy.yaml: name: <outside>/pwned"),
    rejected(1, "backtest-name-dotdot", "a back-test named '../../up'",
             ("backtest", "toy.yaml", "--cutoff", "2016", "--quiet"), "toy.yaml: name:", "'../../up'",
             setup=_calibration_spec(name="../../up"), note="toy.yaml: name: ../../up"),
    rejected(1, "backtest-name-absolute", "a back-test named by an absolute path",
             ("backtest", "toy.yaml", "--cutoff", "2016", "--quiet"), "toy.yaml: name:", NAME_RULE,
             setup=lambda ws: write_calibration(ws.work, name=f"{ws.outside}/pwned"),
             note="toy.yaml: name: <outside>/pwned"),
    rejected(1, "scenario-name-dotdot", "a scenario named '../escape' in its file", ("run", "escape.yaml", *TINY),
             "escape.yaml", "name", "../escape", setup=lambda ws: _escape_file(ws.work),
             note="escape.yaml: name: ../escape",
             covered="tests/test_cli.py::test_bad_input_exit_2_one_line_nothing_written"),
    rejected(1, "scenario-name-dotdot-set", "--set name=../escape", ("run", BASE, *TINY, "--set", "name=../escape"),
             "--set: name:", "../escape",
             covered="tests/test_cli.py::test_bad_input_exit_2_one_line_nothing_written"),
    rejected(1, "scenario-name-absolute-set", "--set name=<an absolute path>",
             ("run", BASE, *TINY, "--set", "name=<outside>/pwned"), "--set: name:", NAME_RULE),
    rejected(1, "scenario-name-formula-set", "--set name==1+2 (a formula)", ("run", BASE, *TINY, "--set", "name==1+2"),
             "--set: name:", "got '=1+2'"),
    rejected(1, "scenario-name-from-file", "a scenario named after its file '=1+2.yaml'",
             ("run", "=1+2.yaml", *TINY), "=1+2.yaml", "'=1+2'", setup=_file("=1+2.yaml", _extending("seed: 3\n")),
             note="=1+2.yaml extends the baseline, no name"),
    rejected(1, "compare-against-name-dotdot", "compare --against a scenario named '../x'",
             ("compare", BASE, "--against", "other.yaml", *TINY), "other.yaml", "name", "'../x'",
             setup=_file("other.yaml", _extending("name: ../x\n")), note="other.yaml: name: ../x"),
    survived(1, "sweep-plots-inside", "a sweep with two policies: each plot in the sweep's plots/",
             SWEEP_CMD, _plots_inside, setup=_sweep_spec(), writes=(SWEEP_DIR,),
             note="tiny.yaml: 2 points x policies none, talent"),
]

# -- 2 runs in the same second ------------------------------------------------------------------------


def _two_whole_runs(ws: Workspace, r: Result) -> None:
    folders = _folders(ws, "results/baseline")
    need(len(folders) == 2, f"{len(folders)} run folders, not 2")
    need(all(whole(f) for f in folders), "a run folder is not whole")
    need(len({(f / "timeseries.csv").read_bytes() for f in folders}) == 1, "the two runs differ")


def _landed_beside(ws: Workspace, r: Result) -> None:
    _two_whole_runs(ws, r)
    names = [f.name for f in _folders(ws, "results/baseline")]
    first = f"20210101T093000Z-{UNIQUE}-seed20210101"
    need(names == [first, f"{first}-2"], f"the folders are {names}")


def _planted_untouched(ws: Workspace, r: Result) -> None:
    folders = _folders(ws, "results/baseline")
    need([f.name for f in folders] == [ws.memo["planted"].name, ws.memo["planted"].name + "-2"],
         f"the folders are {[f.name for f in folders]}")
    need((ws.memo["planted"] / "other.csv").read_text(encoding="utf-8") == "another run's\n"
         and [p.name for p in ws.memo["planted"].iterdir()] == ["other.csv"], "the existing folder was changed")
    need(whole(folders[1]), "the new run folder is not whole")


def _plant_run_folder(ws: Workspace) -> None:
    folder = ws.work / "results" / "baseline" / f"20210101T093000Z-{UNIQUE}-seed20210101"
    folder.mkdir(parents=True)
    (folder / "other.csv").write_text("another run's\n", encoding="utf-8")
    ws.memo["planted"] = folder


def _two_comparisons(ws: Workspace, r: Result) -> None:
    folders = _folders(ws, "results/comparisons/baseline-vs-baseline")
    need([f.name for f in folders] == [f"20210101T093000Z-{UNIQUE}-seed20210101",
                                       f"20210101T093000Z-{UNIQUE}-seed20210101-2"],
         f"the comparison folders are {[f.name for f in folders]}")
    need(all(len(list(f.iterdir())) >= 5 for f in folders), "a comparison folder is not complete")


def _calibration_beside(ws: Workspace, r: Result) -> None:
    folders = _folders(ws, "results/calibration")
    need(len(folders) == 2 and folders[1].name == folders[0].name + "-2", f"the folders are {folders}")
    need(all((f / "calibrated.yaml").is_file() and (f / "manifest.json").is_file() for f in folders),
         "a calibration folder is not complete")


def _calibration_at_the_pinned_id(ws: Workspace) -> None:
    """toy.yaml, and a finished calibration already in the folder its run would take, ids pinned."""
    folder = _cached("calibration", _build_calibration)
    shutil.copytree(folder, ws.work / "results" / "calibration" / f"toy-20210101T093000Z-{UNIQUE}-seed1")
    _tiny_calibration()(ws)
    _same_id(ws)


CLASS_2 = [
    survived(2, "same-second-run", "a second run in the same UTC second", ("run", BASE, *TINY), _two_whole_runs,
             setup=_with(_same_second, _running("run", BASE, *TINY)),
             note="the clock pinned; the same run made first",
             covered="tests/test_run_ids.py::test_two_runs_in_the_same_second_both_land_whole"),
    survived(2, "same-id-run", "a second run given the very same id (second and random part)",
             ("run", BASE, *TINY), _landed_beside, setup=_with(_same_id, _running("run", BASE, *TINY)),
             note="clock and random part pinned; the same run made first"),
    survived(2, "existing-run-folder", "a folder of that run id already there, holding another's file",
             ("run", BASE, *TINY), _planted_untouched, setup=_with(_same_id, _plant_run_folder),
             note="results/baseline/<the pinned id>/other.csv"),
    survived(2, "same-id-compare", "a second comparison given the same id", ("compare", BASE, *TINY),
             _two_comparisons, setup=_with(_same_id, _running("compare", BASE, *TINY)),
             note="clock and random part pinned; the same comparison made first"),
    survived(2, "same-id-calibration", "a calibration given the id of one already there",
             ("calibrate", "toy.yaml", "--quiet"), _calibration_beside, setup=_calibration_at_the_pinned_id,
             note="toy.yaml: 3 design points; a finished calibration at the pinned id", slow=True),
]

# -- 3 alias bombs ------------------------------------------------------------------------------------

HOSTILE_INPUTS = "tests/test_hostile_inputs.py::"


def _bomb_sweep(ws: Workspace) -> None:
    ws.write("sweep.yaml", f"base: {BASE}\ndesign: grid\noutputs: [urbanization_rate@2021]\n"
             "parameters:\n  behaviour.hukou.min_insurance_years: {values: [1, 2]}\n"
             f"set:\n  policies.talent_attraction.districts: {nested_bomb()}\n")


def _bomb_calibration(ws: Workspace) -> None:
    ws.write("calibration.yaml", f"scenario: {BASE}\n"
             "parameters:\n  behaviour.in_migration.rate_per_year: {low: 0.01, high: 0.09}\n"
             f"set:\n  policies.talent_attraction.districts: {nested_bomb()}\n")


def _tampered_run(name: str, text: str) -> Setup:
    """The tiny run's folder copied to ``run/``, its ``name`` replaced by ``text``."""
    def setup(ws: Workspace) -> None:
        _tampered(_cached("run", _build_run), ws.work, name, text)
    return setup


def _tampered_comparison(name: str, text: str) -> Setup:
    def setup(ws: Workspace) -> None:
        folder = make_comparison_folder(ws.work / "comparison")
        (folder / name).write_text(text, encoding="utf-8")
    return setup


CLASS_3 = [
    rejected(3, "bomb-scenario", "a billion laughs as the scenario", ("run", "bomb.yaml", *TINY), "bomb.yaml", BOMB,
             "line", setup=_file("bomb.yaml", classic_bomb()), note="bomb.yaml: 9 anchors of 10 aliases",
             seconds=SECONDS, covered=HOSTILE_INPUTS + "test_a_billion_laughs_scenario_is_refused_at_once"),
    rejected(3, "bomb-validate", "a billion laughs given to validate", ("validate", "bomb.yaml"), "bomb.yaml", BOMB,
             setup=_file("bomb.yaml", classic_bomb()), note="bomb.yaml: 9 anchors of 10 aliases", seconds=SECONDS),
    rejected(3, "bomb-lever", "a bomb as a lever's districts", ("validate", "districts.yaml"), "districts.yaml", BOMB,
             setup=_file("districts.yaml", _extending(f"policies:\n  talent_attraction:\n    districts: "
                                                      f"{nested_bomb()}\n")),
             note="districts.yaml: a bomb of 10**9 values as a value", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_bomb_in_a_lever_setting_is_refused_at_once"),
    rejected(3, "bomb-parent", "a bomb in the file extended", ("run", "child.yaml", *TINY), "parent.yaml", BOMB,
             setup=_with(_file("parent.yaml", f"policies:\n  talent_attraction:\n    districts: {nested_bomb()}\n"),
                         _file("child.yaml", "extends: parent.yaml\nseed: 3\n")),
             note="child.yaml extends parent.yaml, a bomb", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_bomb_in_the_file_extended_is_refused_naming_it"),
    rejected(3, "bomb-pair", "two bombs that extend each other", ("run", "a.yaml", *TINY), "a.yaml", BOMB,
             setup=_with(_file("a.yaml", f"extends: b.yaml\n{classic_bomb()}"),
                         _file("b.yaml", f"extends: a.yaml\n{classic_bomb()}")),
             note="a.yaml and b.yaml: bombs extending each other", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_two_bombs_that_extend_each_other_are_refused"),
    rejected(3, "bomb-sweep", "a bomb in a sweep spec", ("sweep", "sweep.yaml", "--dry-run"), "sweep.yaml", BOMB,
             setup=_bomb_sweep, note="sweep.yaml: a bomb in set", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_bomb_in_a_sweep_spec_is_refused"),
    rejected(3, "bomb-sweep-base", "a sweep whose base scenario is a bomb", ("sweep", "tiny.yaml", "--dry-run"),
             "bomb.yaml", BOMB, setup=_with(_file("bomb.yaml", classic_bomb()), _sweep_spec(base="bomb.yaml")),
             note="tiny.yaml: base: bomb.yaml", seconds=SECONDS),
    rejected(3, "bomb-calibration", "a bomb in a calibration spec", ("calibrate", "calibration.yaml", "--quiet"),
             "calibration.yaml", BOMB, setup=_bomb_calibration, note="calibration.yaml: a bomb in set",
             seconds=SECONDS, covered=HOSTILE_INPUTS + "test_a_bomb_in_a_calibration_spec_is_refused"),
    rejected(3, "bomb-backtest", "a bomb in a back-test spec",
             ("backtest", "calibration.yaml", "--cutoff", "2016", "--quiet"), "calibration.yaml", BOMB,
             setup=_bomb_calibration, note="calibration.yaml: a bomb in set", seconds=SECONDS),
    rejected(3, "bomb-calibration-scenario", "a calibration whose scenario is a bomb",
             ("calibrate", "toy.yaml", "--quiet"), "bomb.yaml", BOMB,
             setup=_with(_file("bomb.yaml", classic_bomb()), _calibration_spec(scenario="bomb.yaml")),
             note="toy.yaml: scenario: bomb.yaml", seconds=SECONDS),
    rejected(3, "bomb-against", "compare --against a bomb", ("compare", BASE, "--against", "bomb.yaml", *TINY),
             "bomb.yaml", BOMB, setup=_file("bomb.yaml", classic_bomb()), note="bomb.yaml", seconds=SECONDS),
    rejected(3, "bomb-set", "a bomb in a --set value",
             ("run", BASE, *TINY, "--set", f"policies.talent_attraction.districts={nested_bomb()}"),
             "--set", "policies.talent_attraction.districts", BOMB, seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_bomb_in_a_set_value_is_refused"),
    rejected(3, "bomb-report-scenario", "a tampered scenario.yaml given to report", ("report", "run"), "RUN_DIR",
             "scenario.yaml", BOMB, setup=_tampered_run("scenario.yaml", f"name: x\ndescription: {nested_bomb()}\n"),
             note="run/: a finished run, its scenario.yaml a bomb", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_tampered_scenario_yaml_given_to_report_is_refused"),
    rejected(3, "bomb-report-against", "a comparison folder whose against.yaml is a bomb", ("report", "comparison"),
             "RUN_DIR", "against.yaml", BOMB, setup=_tampered_comparison("against.yaml", classic_bomb()),
             note="comparison/: a comparison folder, its against.yaml a bomb", seconds=SECONDS),
    rejected(3, "alias-loop", "an alias inside its own anchor", ("validate", "loop.yaml"), "loop.yaml",
             "policies.talent_attraction.districts", "never end", seconds=SECONDS,
             setup=_file("loop.yaml", "policies:\n  talent_attraction:\n    districts: &d [pingdu, *d]\n"),
             note="loop.yaml: districts: &d [pingdu, *d]",
             covered=HOSTILE_INPUTS + "test_an_alias_inside_its_own_anchor_is_refused"),
    rejected(3, "large-file", "a scenario file over 256 KiB", ("run", "large.yaml", *TINY), "large.yaml",
             "larger than 256 KiB", setup=_file("large.yaml", "description: '" + "x" * (MAX_BYTES + 10) + "'\n"),
             note="large.yaml: a 256 KiB description", seconds=SECONDS,
             covered=HOSTILE_INPUTS + "test_a_file_larger_than_the_bound_is_refused_unread"),
    rejected(3, "dev-zero", "an endless file as the scenario", ("run", "/dev/zero", *TINY), "/dev/zero",
             seconds=SECONDS, skip=_missing("/dev/zero")),
]

# -- 4 sweep sizes ------------------------------------------------------------------------------------

MAXIMUM = "over the maximum of 100,000 runs"
SIZES = "tests/test_sweep.py::test_a_sweep_over_the_maximum_is_refused_at_once_without_planning"


def _big(**changes: Any) -> Setup:
    """tiny.yaml of tests/test_sweep.py with three ranges, one replication, one policy, and ``changes``."""
    return _their_sweep_spec(**{"replications": 1, "policies": None, "parameters": THREE_RANGES, **changes})


def _values_cube(ws: Workspace) -> None:
    values = [round(0.001 * i, 3) for i in range(1, 1001)]
    write_spec(ws.work, **{**SWEEP, "design": "grid", "policies": None, "parameters": {
        HAZARD: {"values": values}, "behaviour.in_migration.rate_per_year": {"values": values},
        "policies.zero_threshold_settlement.intensity": {"values": values}}})


CLASS_4 = [
    rejected(4, "grid-1000-cubed-dry-run", "a 1000 x 1000 x 1000 grid, --dry-run", ("sweep", "tiny.yaml", "--dry-run"),
             "grid_points: 1,000,000,000 runs", MAXIMUM, setup=_big(design="grid", grid_points=1000),
             note="tiny.yaml: 3 ranges, grid_points: 1000", seconds=SECONDS, covered=SIZES),
    rejected(4, "grid-values-1000-cubed", "a grid of three lists of 1000 values, --dry-run",
             ("sweep", "tiny.yaml", "--dry-run"), "1,000,000,000 runs", MAXIMUM, setup=_values_cube,
             note="tiny.yaml: 3 parameters of 1000 values each", seconds=SECONDS),
    rejected(4, "lhs-million-budget", "a million-point LHS with --budget", ("sweep", "tiny.yaml", "--budget", "1"),
             "samples: 1,000,000 runs", MAXIMUM, setup=_big(design="lhs", samples=1_000_000),
             note="tiny.yaml: lhs, samples: 1000000", seconds=SECONDS, covered=SIZES),
    rejected(4, "lhs-policies-dry-run", "60,000 LHS points under two policies, --dry-run",
             ("sweep", "tiny.yaml", "--dry-run"), "policies: 120,000 runs", MAXIMUM,
             setup=_big(design="lhs", samples=60_000, policies={"a": {}, "b": {}}),
             note="tiny.yaml: lhs, samples: 60000, 2 policies", seconds=SECONDS, covered=SIZES),
    rejected(4, "sobol-replications-budget", "Sobol 8192 x 3 replications, --budget",
             ("sweep", "tiny.yaml", "--budget", "1"), "replications: 122,880 runs", MAXIMUM,
             setup=_big(design="sobol", samples=8192, replications=3),
             note="tiny.yaml: sobol, samples: 8192, replications: 3", seconds=SECONDS, covered=SIZES),
    rejected(4, "morris-million-dry-run", "a million Morris trajectories, --dry-run",
             ("sweep", "tiny.yaml", "--dry-run"), "samples: 4,000,000 runs", MAXIMUM,
             setup=_big(design="morris", samples=1_000_000), note="tiny.yaml: morris, samples: 1000000",
             seconds=SECONDS),
    rejected(4, "lhs-replications-dry-run", "200 LHS points x 1000 replications, --dry-run",
             ("sweep", "tiny.yaml", "--dry-run"), "replications: 200,000 runs", MAXIMUM,
             setup=_big(design="lhs", samples=200, replications=1000),
             note="tiny.yaml: lhs, samples: 200, replications: 1000", seconds=SECONDS),
    rejected(4, "many-policies-budget", "125 grid points x 1000 policies, --budget",
             ("sweep", "tiny.yaml", "--budget", "5"), "policies: 125,000 runs", MAXIMUM,
             setup=_big(design="grid", grid_points=5, policies={f"p{i}": {} for i in range(1000)}),
             note="tiny.yaml: grid_points: 5 over 3 ranges, 1000 policies", seconds=SECONDS),
    survived(4, "lhs-maximum-dry-run", "100,000 LHS points (the maximum), --dry-run, answered at once",
             ("sweep", "tiny.yaml", "--dry-run"), _in_out("100,000 runs (0 already done, 100,000 to run)"),
             setup=_big(design="lhs", samples=100_000), note="tiny.yaml: lhs, samples: 100000", seconds=SECONDS,
             covered="tests/test_sweep.py::test_a_sweep_at_the_maximum_is_estimated_in_about_a_second"),
    rejected(4, "lhs-maximum-budget", "100,000 LHS points over a one-minute --budget",
             ("sweep", "tiny.yaml", "--budget", "1", "--quiet"), "--budget: the sweep would take about",
             setup=_big(design="lhs", samples=100_000), note="tiny.yaml: lhs, samples: 100000", seconds=SECONDS,
             covered="tests/test_sweep.py::test_a_sweep_at_the_maximum_is_estimated_in_about_a_second"),
    survived(4, "example-dry-run", "the example quick grid, --dry-run", ("sweep", "scenarios/sweeps/quick_grid.yaml",
                                                                          "--dry-run"),
             _in_out("sweep 'quick_grid': 36 runs (0 already done, 36 to run)"), seconds=SECONDS),
]

# -- 5 a sweep cannot be wedged -----------------------------------------------------------------------

SET_ASIDE = "tests/test_sweep.py::test_a_damaged_record_is_set_aside_with_a_warning_and_run_again"


def _damage(how: Callable[[Path], object]) -> Setup:
    def setup(ws: Workspace) -> None:
        _finished_sweep(ws)
        how(ws.memo["record"])
    return setup


def _set_aside(reason: str) -> Check:
    """The damaged record named in one warning, set aside as ``.damaged-1``, run again: runs.csv as before."""
    def check(ws: Workspace, r: Result) -> None:
        victim = ws.memo["record"]
        _warned(reason, f"set aside as {victim.name}.damaged-1")(ws, r)
        need((ws.work / SWEEP_DIR / "runs.csv").read_bytes() == ws.memo["runs.csv"], "runs.csv changed")
        need(victim.is_file() and not victim.is_symlink(), "the record was not written again")
        manifest = json.loads((ws.work / SWEEP_DIR / "manifest.json").read_text(encoding="utf-8"))
        need(manifest["runs_this_time"] == 1, f"{manifest['runs_this_time']} runs run again, not 1")
    return check


def _dry_run_moves_nothing(ws: Workspace, r: Result) -> None:
    need("4 runs (3 already done, 1 to run)" in r.out, f"the dry run says {first_line(r.out)!r}")
    need("it will be set aside" in r.err, "no warning that the record will be set aside")


def _output_added(ws: Workspace, r: Result) -> None:
    _warned("4 stored run(s) lack the output(s) hukou_conversions@2021, added to the spec since they ran")(ws, r)
    text = (ws.work / SWEEP_DIR / "runs.csv").read_text(encoding="utf-8")
    need(text.splitlines()[0].endswith(",hukou_conversions@2021") and len(text.splitlines()) == 5,
         "runs.csv lacks the new output")


def _parameter_changed(ws: Workspace, r: Result) -> None:
    manifest = json.loads((ws.work / SWEEP_DIR / "manifest.json").read_text(encoding="utf-8"))
    need(manifest["runs"] == 4 and manifest["runs_this_time"] == 2,
         f"{manifest['runs_this_time']} of {manifest['runs']} runs run now, not the 2 new ones")
    need(len(list((ws.work / SWEEP_DIR / "runs").glob("*.json"))) == 6, "the old records are not kept")


def _rerun_whole(ws: Workspace, r: Result) -> None:
    folder = ws.work / SWEEP_DIR
    need((folder / "runs.csv").read_bytes() == ws.memo["runs.csv"], "runs.csv differs from the sweep's")
    need(not list(folder.rglob(".tmp-*")), "a temporary is left")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    need(manifest["runs_this_time"] == 0, f"{manifest['runs_this_time']} runs run again, not 0")


def _nan_sobol(ws: Workspace, r: Result) -> None:
    need("warning: no sobol indices for output shinan:residence_permit_share@2021: it is NaN or infinite at"
         in r.out, "no warning naming the NaN output")
    text = (ws.work / SWEEP_DIR / "sensitivity.csv").read_text(encoding="utf-8")
    need("urbanization_rate@2021" in text and "shinan:residence_permit_share@2021" not in text,
         "sensitivity.csv lacks the other output's indices")


def _stale_record_temporary(ws: Workspace) -> None:
    _finished_sweep(ws)
    (ws.work / SWEEP_DIR / "runs" / f".tmp-{ws.memo['record'].name}-{_gone_pid()}-0123abcd").write_text("{\"half",
                                                                                                      "utf-8")


def _damaged_file(name: str, data: bytes) -> Setup:
    def setup(ws: Workspace) -> None:
        (_finished_sweep(ws) / name).write_bytes(data)
    return setup


CLASS_5 = [
    *(survived(5, f"record-{re.sub(r'[^a-z]+', '-', damage.lower()).strip('-')}", f"a record in runs/ {damage}",
               SWEEP_CMD, _set_aside(REASONS[damage]), setup=_damage(DAMAGES[damage]), covered=SET_ASIDE,
               note=f"a finished tiny sweep, one record {damage}")
      for damage in DAMAGES),
    survived(5, "record-deep-json", "a record nested 100,000 levels deep", SWEEP_CMD,
             _set_aside("is not valid JSON"), note="a finished tiny sweep, one record [[[...]]]",
             setup=_damage(lambda path: path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"))),
    survived(5, "record-damaged-dry-run", "a damaged record seen by --dry-run, nothing moved",
             ("sweep", "tiny.yaml", "--dry-run"), _dry_run_moves_nothing, covered=SET_ASIDE,
             setup=_damage(DAMAGES["cut short"]), note="a finished tiny sweep, one record cut short", writes=()),
    survived(5, "output-added", "an output added to a finished sweep", SWEEP_CMD, _output_added,
             setup=_with(_finished_sweep, _sweep_spec(outputs=[*SWEEP_OUTPUTS, "hukou_conversions@2021"])),
             note="a finished tiny sweep; tiny.yaml then given a third output",
             covered="tests/test_sweep.py::test_an_output_added_to_a_finished_sweep_reruns_its_runs_once_and_keeps_"
                     "the_rest"),
    survived(5, "parameter-changed", "a value of the grid changed in a finished sweep's spec", SWEEP_CMD,
             _parameter_changed, note="a finished tiny sweep; tiny.yaml's 0.08 then made 0.05",
             setup=_with(_finished_sweep, _sweep_spec(parameters={HAZARD: {"values": [0.02, 0.05]}}))),
    survived(5, "nan-outputs-sobol", "an output NaN at every point of a Sobol design", SWEEP_CMD, _nan_sobol,
             setup=_sweep_spec(design="sobol", samples=2, policies=None, outputs=[
                 "urbanization_rate@2021", "shinan:residence_permit_share@2021"], parameters={
                 HAZARD: {"low": 0.02, "high": 0.08}, "policies.zero_threshold_settlement.intensity": {"low": 0,
                                                                                                      "high": 1}}),
             note="tiny.yaml: sobol over 2 ranges; shinan has no non-local resident, its permit share is NaN",
             covered="tests/test_sweep.py::test_nan_outputs_give_a_warning_naming_the_output_and_the_other_indices"),
    survived(5, "stale-record-temporary", "a record half-written by a killed sweep", SWEEP_CMD, _rerun_whole,
             setup=_stale_record_temporary, note="a finished tiny sweep; runs/.tmp-<key>.json-<dead pid>-<hex>"),
    survived(5, "manifest-garbage", "the sweep's manifest.json overwritten with garbage", SWEEP_CMD, _rerun_whole,
             setup=_damaged_file("manifest.json", b"\x00\xff garbage"), note="a finished tiny sweep"),
    survived(5, "runs-csv-cut-short", "the sweep's runs.csv cut short", SWEEP_CMD, _rerun_whole,
             setup=_damaged_file("runs.csv", b"run_id,pol"), note="a finished tiny sweep"),
    rejected(5, "runs-is-a-file", "a file where the sweep's runs/ folder should be", SWEEP_CMD, "--out:",
             "is a file, not the sweep's folder of runs: move it away",
             setup=_with(_sweep_spec(), _file(f"{SWEEP_DIR}/runs", "not a folder")),
             note=f"{SWEEP_DIR}/runs is a file",
             covered="tests/test_sweep.py::test_a_file_where_the_runs_folder_should_be_is_refused"),
]

# -- 6 impossible dates -------------------------------------------------------------------------------

IN_FILE = "tests/test_hostile_inputs.py::test_an_impossible_date_in_a_file_names_the_setting"
IN_SET = "tests/test_hostile_inputs.py::test_an_impossible_date_in_a_set_names_the_setting"

CLASS_6 = [
    *(rejected(6, f"file-{slug}", f"{what} in a scenario file", ("run", "dates.yaml", "--quiet"),
               f"dates.yaml: {field}:", "no such day", setup=_file("dates.yaml", _extending(text)),
               note=f"dates.yaml: {' '.join(text.split())}", covered=IN_FILE)
      for slug, what, text, field in (
          ("day", "2021-02-30", "period:\n  end: 2021-02-30\n", "period.end"),
          ("month", "2021-13-01", "period:\n  start: 2021-13-01\n", "period.start"),
          ("lever", "2022-02-29 as a lever's start", "policies:\n  talent_attraction:\n    start: 2022-02-29\n",
           "policies.talent_attraction.start"),
          ("map", "2022-04-31 in a map of dates",
           "policies:\n  new_town_development:\n    upgrade_dates: {boli: 2022-04-31}\n",
           "policies.new_town_development.upgrade_dates.boli"),
          ("schedule-key", "2021-02-30 as a schedule's key",
           "submodels:\n  transport:\n    rail_operating_km: {2021-02-30: 300}\n",
           "submodels.transport.rail_operating_km"))),
    rejected(6, "file-quoted", "'2021-02-30' quoted in a scenario file", ("run", "dates.yaml", "--quiet"),
             "dates.yaml: period.end:", "no such day", setup=_file("dates.yaml", _extending("period:\n  end: "
                                                                                          "'2021-02-30'\n")),
             note="dates.yaml: period: end: '2021-02-30'"),
    *(rejected(6, f"set-{slug}", f"--set {setting}", ("run", BASE, *TINY, "--set", setting), f"--set: {field}:",
               "no such day", covered=IN_SET)
      for slug, setting, field in (
          ("day", "period.end=2021-02-30", "period.end"),
          ("month", "period.start=2021-13-01", "period.start"),
          ("schedule-key", "submodels.transport.rail_operating_km={2021-02-30: 300}",
           "submodels.transport.rail_operating_km"))),
    rejected(6, "set-month-zero", "--set period.end=2021-00-31", ("run", BASE, *TINY, "--set", "period.end=2021-00-31"),
             "--set: period.end:", "no such day"),
    rejected(6, "set-lever", "--set of a lever's start on 2022-02-29",
             ("run", BASE, *TINY, "--set", "policies.talent_attraction.start=2022-02-29"),
             "--set: policies.talent_attraction.start:", "no such day"),
    rejected(6, "set-map", "--set of a map of dates holding 2022-04-31",
             ("run", BASE, *TINY, "--set", "policies.new_town_development.upgrade_dates={boli: 2022-04-31}"),
             "--set: policies.new_town_development.upgrade_dates.boli:", "no such day"),
    rejected(6, "sweep-set", "2021-02-30 in a sweep spec's set", ("sweep", "tiny.yaml", "--dry-run"), "period.end",
             "no such day", setup=_sweep_spec(set={**SWEEP_SET, "period.end": "2021-02-30"}),
             note="tiny.yaml: set: period.end: 2021-02-30",
             covered="tests/test_hostile_inputs.py::test_an_impossible_date_in_a_sweep_spec_names_the_setting"),
    rejected(6, "sweep-policy", "2022-02-29 in a sweep policy", ("sweep", "tiny.yaml", "--dry-run"),
             "policies.talent_attraction.start", "no such day",
             setup=_sweep_spec(policies={"late": {"policies.talent_attraction.start": "2022-02-29"}}),
             note="tiny.yaml: policies: {late: {policies.talent_attraction.start: 2022-02-29}}"),
    rejected(6, "calibration-set", "2021-02-30 in a calibration spec's set", ("calibrate", "toy.yaml", "--quiet"),
             "period.end", "no such day", setup=_tiny_calibration(set={"period.end": "2021-02-30"}),
             note="toy.yaml: set: period.end: 2021-02-30"),
]

# -- 7 empty files and names --------------------------------------------------------------------------

EMPTY = "the file is empty"

CLASS_7 = [
    *(rejected(7, f"scenario-{slug}", f"a scenario file of {what}", ("run", "empty.yaml", *TINY),
               f"empty.yaml: {EMPTY}", setup=_file("empty.yaml", text), note=f"empty.yaml: {what}",
               covered="tests/test_hostile_inputs.py::test_an_empty_scenario_file_is_an_error_not_the_defaults")
      for slug, what, text in (("empty", "nothing", ""), ("blank", "blank lines", "\n\n"),
                               ("comments", "comments only", "# only a comment\n\n   # and another\n"),
                               ("bom", "a BOM and a comment", "\ufeff# with a BOM\n"))),
    rejected(7, "validate-empty", "an empty file given to validate", ("validate", "empty.yaml"),
             f"empty.yaml: {EMPTY}", setup=_file("empty.yaml", "")),
    rejected(7, "parent-empty", "an empty file extended", ("run", "child.yaml", *TINY), f"parent.yaml: {EMPTY}",
             setup=_with(_file("parent.yaml", "# to be written\n"), _file("child.yaml", "extends: parent.yaml\n"
                                                                                       "seed: 3\n")),
             note="child.yaml extends parent.yaml, a comment",
             covered="tests/test_hostile_inputs.py::test_an_empty_file_extended_is_named"),
    rejected(7, "against-empty", "compare --against an empty file", ("compare", BASE, "--against", "empty.yaml", *TINY),
             f"empty.yaml: {EMPTY}", setup=_file("empty.yaml", "# nothing\n")),
    *(rejected(7, f"{command}-spec-empty", f"an empty {command} spec", (command, "spec.yaml", "--quiet"),
               f"spec.yaml: {EMPTY}", setup=_file("spec.yaml", "# nothing yet\n"), note="spec.yaml: a comment",
               covered="tests/test_hostile_inputs.py::test_an_empty_spec_is_an_error")
      for command in ("sweep", "calibrate")),
    rejected(7, "backtest-spec-empty", "an empty back-test spec", ("backtest", "spec.yaml", "--quiet"),
             f"spec.yaml: {EMPTY}", setup=_file("spec.yaml", "# nothing yet\n"), note="spec.yaml: a comment"),
    rejected(7, "sweep-base-empty", "a sweep whose base scenario is empty", ("sweep", "tiny.yaml", "--dry-run"),
             f"empty.yaml: {EMPTY}", setup=_with(_file("empty.yaml", ""), _sweep_spec(base="empty.yaml")),
             note="tiny.yaml: base: empty.yaml"),
    rejected(7, "report-empty-scenario", "a run folder whose scenario.yaml is empty", ("report", "run"),
             "RUN_DIR", "scenario.yaml", setup=_tampered_run("scenario.yaml", ""),
             note="run/: a finished run, its scenario.yaml emptied"),
    rejected(7, "set-name-empty", "--set name=", ("run", BASE, *TINY, "--set", "name="),
             "--set: name: the name is empty",
             covered="tests/test_hostile_inputs.py::test_an_empty_name_on_the_command_line_is_refused"),
    rejected(7, "set-name-quotes", "--set name='' (quoted nothing)", ("run", BASE, *TINY, "--set", "name=''"),
             "--set: name:"),
    rejected(7, "set-name-space", "--set 'name= ' (a space)", ("run", BASE, *TINY, "--set", "name= "), "--set: name:"),
    rejected(7, "file-name-empty", "name: with no value in a file", ("run", "unnamed.yaml", *TINY),
             "unnamed.yaml: name: the name is empty", setup=_file("unnamed.yaml", _extending("name:\n")),
             covered="tests/test_hostile_inputs.py::test_an_empty_name_in_a_file_is_refused"),
    rejected(7, "set-empty-key", "--set =5 (no key)", ("run", BASE, *TINY, "--set", "=5"), "--set"),
]

# -- 8 degenerate values ------------------------------------------------------------------------------

CLASS_8 = [
    *(rejected(8, f"all-zero-{setting.rsplit('.', 1)[1].replace('_', '-')}", f"{setting} all zero",
               ("run", BASE, *TINY, "--set", f"{setting}={ALL_ZERO[setting]}"), f"--set: {setting}: ", "all zero",
               covered="tests/test_hostile_inputs.py::test_weights_that_are_all_zero_are_refused_before_the_run")
      for setting in ALL_ZERO),
    *(rejected(8, f"sweep-{slug}", what, SWEEP_CMD, *words, setup=_their_sweep_spec(**change),
               note=f"tiny.yaml: {note}", covered=BAD_SPECS)
      for slug, what, change, note, words in (
          ("varies-seed", "a sweep varying seed", {"parameters": {"seed": {"low": 1, "high": 5}}},
           "parameters: {seed: {low: 1, high: 5}}", ("parameters.seed", "the sweep's own seed")),
          ("varies-replications", "a sweep varying replications",
           {"parameters": {"replications": {"values": [1, 2]}}}, "parameters: {replications: {values: [1, 2]}}",
           ("parameters.replications", "the sweep's own replications")),
          ("sets-seed", "a sweep setting seed", {"set": {"population.scale": 5000, "seed": 5}}, "set: {seed: 5}",
           ("set.seed", "the sweep's own seed")),
          ("sobol-not-power-of-two", "Sobol samples not a power of two", {"design": "sobol", "samples": 10},
           "design: sobol, samples: 10", ("samples", "power of 2 for the sobol design, got 10; use 8 or 16")),
          ("morris-odd-levels", "odd Morris levels", {"design": "morris", "levels": 3}, "design: morris, levels: 3",
           ("levels", "levels must be an even number")),
          ("repeated-values", "repeated grid values",
           {"parameters": {"policies.rural_talent_service.posting_months": {"values": [2, 2.0, 3]}}},
           "values: [2, 2.0, 3]", ("values repeat",)),
          ("fractional-bound", "a fractional bound of a whole-number setting",
           {"parameters": {"policies.rural_talent_service.posting_months": {"low": 1.5, "high": 6}}},
           "posting_months: {low: 1.5, high: 6}", ("posting_months.low", "a whole-number setting; got 1.5")))),
    rejected(8, "sweep-low-equals-high", "a sweep range of no width", SWEEP_CMD, f"parameters.{HAZARD}", "below high",
             setup=_sweep_spec(design="lhs", parameters={HAZARD: {"low": 0.05, "high": 0.05}}),
             note=f"tiny.yaml: lhs, {HAZARD}: {{low: 0.05, high: 0.05}}"),
    rejected(8, "sweep-samples-zero", "an LHS of no samples", SWEEP_CMD, "samples",
             setup=_sweep_spec(design="lhs", samples=0, parameters={HAZARD: {"low": 0.02, "high": 0.08}}),
             note="tiny.yaml: lhs, samples: 0"),
    rejected(8, "sweep-range-nan", "a sweep range bounded by NaN", SWEEP_CMD, f"parameters.{HAZARD}.low",
             setup=_sweep_spec(design="lhs", parameters={HAZARD: {"low": float("nan"), "high": 0.08}}),
             note=f"tiny.yaml: lhs, {HAZARD}: {{low: .nan, high: 0.08}}"),
    rejected(8, "calibration-low-equals-high", "a calibration bound of no width", ("calibrate", "toy.yaml", "--quiet"),
             "behaviour.rural_to_urban.base_hazard_per_year",
             setup=_tiny_calibration(parameters={"behaviour.rural_to_urban.base_hazard_per_year": {"low": 0.05,
                                                                                                   "high": 0.05}}),
             note="toy.yaml: base_hazard_per_year: {low: 0.05, high: 0.05}"),
    rejected(8, "set-nan", "--set of a rate to .nan",
             ("run", BASE, *TINY, "--set", "behaviour.in_migration.rate_per_year=.nan"),
             "--set: behaviour.in_migration.rate_per_year:", "finite"),
    rejected(8, "set-inf-scale", "--set population.scale=.inf", ("run", BASE, *TINY, "--set", "population.scale=.inf"),
             "--set: population.scale:", "finite"),
    rejected(8, "set-zero-scale", "--set population.scale=0", ("run", BASE, *TINY, "--set", "population.scale=0"),
             "--set: population.scale:", "between 1 and 100000"),
    rejected(8, "set-intensity-nan", "a lever's intensity .nan",
             ("run", BASE, *TINY, "--set", "policies.talent_attraction.intensity=.nan"),
             "policies.talent_attraction.intensity", "finite"),
    rejected(8, "set-replications-bool", "--set replications=true", ("run", BASE, *TINY, "--set", "replications=true"),
             "--set: replications:", "whole number"),
    rejected(8, "seed-too-large", "--seed 2**63", ("run", BASE, *TINY, "--seed", str(2 ** 63)), "seed",
             str(2 ** 63)),
    rejected(8, "negative-share", "a household size share of -1",
             ("run", BASE, *TINY, "--set", "behaviour.in_migration.household_size_shares_pct={1: -1}"),
             "household_size_shares_pct.1", "between 0 and 100"),
    rejected(8, "end-before-start", "a period ending before it starts",
             ("run", BASE, *TINY, "--set", "period.end=2020-12-31"), "period.end", "2020-12-31",
             covered="tests/test_cli.py::test_bad_input_exit_2_one_line_nothing_written"),
]

# -- 9 concurrency ------------------------------------------------------------------------------------


def _hold_the_lock(ws: Workspace) -> None:
    """Another process holding the lock of results/sweeps/tiny, until the case ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(ws.work / SWEEP_DIR)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    ws.stack.callback(holder.wait)
    ws.stack.callback(holder.kill)
    need(holder.stdout is not None and holder.stdout.readline() == "locked\n", "the lock holder did not start")
    ws.vars["pid"] = str(holder.pid)


def _lock_file(text: Callable[[], str] | bytes) -> Setup:
    def setup(ws: Workspace) -> None:
        path = ws.work / SWEEP_DIR / ".sweep.lock"
        path.parent.mkdir(parents=True)
        path.write_bytes(text if isinstance(text, bytes) else text().encode())
    return setup


def _took_over(ws: Workspace, r: Result) -> None:
    need((ws.work / SWEEP_DIR / "runs.csv").is_file(), "the sweep did not finish")
    need(_read(ws, f"{SWEEP_DIR}/.sweep.lock") == f"{os.getpid()}\n", "the lock does not name this process")


CLASS_9 = [
    rejected(9, "second-sweep-locked", "a second sweep on a folder another sweep holds", SWEEP_CMD,
             "error: --out: another sweep (process ", ") is running in ", "wait for it to end, stop it, or give "
             "this one another --out", check=lambda ws, r: need(f"(process {ws.vars['pid']})" in r.err,
                                                                "the line does not name the holder"),
             setup=_with(_sweep_spec(), _hold_the_lock),
             note="another process holds results/sweeps/tiny/.sweep.lock",
             covered="tests/test_sweep.py::test_a_second_sweep_on_the_same_folder_is_refused_and_a_dead_ones_lock_"
                     "taken_over"),
    survived(9, "dead-sweeps-lock", "the lock file of a sweep that died", SWEEP_CMD, _took_over,
             setup=_with(_sweep_spec(), _lock_file(lambda: f"{_gone_pid()}\n")),
             note="results/sweeps/tiny/.sweep.lock names a dead process",
             covered="tests/test_sweep.py::test_a_second_sweep_on_the_same_folder_is_refused_and_a_dead_ones_lock_"
                     "taken_over"),
    survived(9, "garbage-lock", "a lock file holding garbage, held by nobody", SWEEP_CMD, _took_over,
             setup=_with(_sweep_spec(), _lock_file(b"\x00\xff\x1b[2J not a pid")),
             note="results/sweeps/tiny/.sweep.lock: binary garbage"),
]

# -- 10 planted links ---------------------------------------------------------------------------------

WRITE_SAFETY = "tests/test_write_safety.py::"


def _run_with_link(name: str, target: Callable[[Workspace], Path]) -> Setup:
    """The tiny run's folder (``<run>``) with ``name`` replaced by a link to ``target``."""
    def setup(ws: Workspace) -> None:
        folder = _run_folder(ws)
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target(ws))
    return setup


def _outside_folder(ws: Workspace) -> Path:
    (ws.outside / "flows.png").write_bytes(b"someone else's file")
    return ws.outside


def _report_beside_planted_temporary(ws: Workspace, r: Result) -> None:
    page = ws.work / ws.vars["run"] / "report.html"
    need(page.is_file() and not page.is_symlink() and page.read_bytes().startswith(b"<!"),
         "report.html is not a page of its own")


def _sweep_with_link(name: str) -> Setup:
    def setup(ws: Workspace) -> None:
        folder = _finished_sweep(ws)
        (folder / name).unlink()
        (folder / name).symlink_to(ws.victim())
    return setup


def _link_at(name: str) -> Setup:
    """``name`` (below the working folder) a link to the ``outside`` folder."""
    return lambda ws: ws.plant(name, ws.outside)


LINK = "is a symbolic link"
PLANTED_AT_FOLDER = WRITE_SAFETY + "test_a_run_refuses_a_link_planted_where_its_folder_goes"

CLASS_10 = [
    rejected(10, "report-plots-link", "a run folder whose plots/ is a link outside", ("report", "<run>"), "plots",
             LINK, setup=_run_with_link("plots", _outside_folder), note="<run>/plots -> <outside>",
             covered=WRITE_SAFETY + "test_report_refuses_a_plots_link_that_points_outside"),
    rejected(10, "report-html-link", "a run folder whose report.html is a link", ("report", "<run>"), "report.html",
             LINK, setup=_run_with_link("report.html", lambda ws: ws.victim("elsewhere.html")),
             note="<run>/report.html -> <outside>/elsewhere.html",
             covered=WRITE_SAFETY + "test_report_refuses_a_report_file_that_is_a_link"),
    rejected(10, "report-png-link", "a run folder's plots/flows.png a link outside", ("report", "<run>"), "flows.png",
             LINK, setup=_run_with_link("plots/flows.png", lambda ws: ws.victim("flows.png")),
             note="<run>/plots/flows.png -> <outside>/flows.png"),
    *(rejected(10, f"report-reads-{name.split('.')[0]}-link", f"a run folder whose {name} is a link to a secret",
               ("report", "<run>"), f"{name} is a symbolic link", setup=_run_with_link(name, lambda ws: ws.victim()),
               note=f"<run>/{name} -> <outside>/victim.txt",
               covered=WRITE_SAFETY + "test_report_reads_no_file_through_a_link")
      for name in ("scenario.yaml", "summary.csv")),
    survived(10, "report-old-temporary-link", "a link planted at the report's old temporary name",
             ("report", "<run>"), _report_beside_planted_temporary,
             setup=_run_with_link(f".tmp-report.html-{os.getpid()}", lambda ws: ws.victim()),
             note="<run>/.tmp-report.html-<this pid> -> <outside>/victim.txt"),
    *(rejected(10, f"sweep-{name.replace('.', '-')}-link", f"a sweep folder whose {name} is a link outside",
               SWEEP_CMD, f"{name} {LINK}", note=f"{SWEEP_DIR}/{name} -> <outside>",
               setup=_with(_sweep_spec(), _link_at(f"{SWEEP_DIR}/{name}")),
               covered=WRITE_SAFETY + "test_a_sweep_refuses_a_link_planted_in_its_folder")
      for name in ("runs", "plots")),
    rejected(10, "sweep-runs-csv-link", "a finished sweep whose runs.csv is a link outside", SWEEP_CMD,
             f"runs.csv {LINK}", setup=_sweep_with_link("runs.csv"),
             note="a finished tiny sweep, its runs.csv -> <outside>/victim.txt"),
    rejected(10, "sweep-manifest-link", "a finished sweep whose manifest.json is a link outside", SWEEP_CMD,
             f"manifest.json {LINK}", setup=_sweep_with_link("manifest.json"),
             note="a finished tiny sweep, its manifest.json -> <outside>/victim.txt"),
    rejected(10, "sweep-lock-link", "a sweep folder whose .sweep.lock is a link outside", SWEEP_CMD, ".sweep.lock",
             setup=_with(_sweep_spec(), lambda ws: ws.plant(f"{SWEEP_DIR}/.sweep.lock", ws.victim())),
             note=f"{SWEEP_DIR}/.sweep.lock -> <outside>/victim.txt"),
    rejected(10, "run-scenario-folder-link", "results/baseline a link outside", ("run", BASE, *TINY),
             f"results/baseline {LINK}", setup=_link_at("results/baseline"), note="results/baseline -> <outside>",
             covered=PLANTED_AT_FOLDER),
    rejected(10, "compare-folder-link", "results/comparisons a link outside", ("compare", BASE, *TINY),
             f"results/comparisons {LINK}", setup=_link_at("results/comparisons"),
             note="results/comparisons -> <outside>", covered=PLANTED_AT_FOLDER),
    rejected(10, "calibration-folder-link", "results/calibration a link outside", ("calibrate", "toy.yaml", "--quiet"),
             f"results/calibration {LINK}", setup=_with(_tiny_calibration(), _link_at("results/calibration")),
             note="toy.yaml: 3 design points; results/calibration -> <outside>"),
]

# -- 11 environment -----------------------------------------------------------------------------------

LONG = "a" * 300


def _tmp_leftover(ws: Workspace) -> None:
    parent = ws.work / "results" / "baseline"
    old = parent / f".tmp-20210101T000000Z-seed1-{_gone_pid()}-0123abcd"
    (old / "plots").mkdir(parents=True)
    (old / "timeseries.csv").write_text("half", encoding="utf-8")
    _age(old, atomic.LEFTOVER_AGE_SECONDS + 60)
    ws.memo["leftover"] = old


def _leftover_gone(ws: Workspace, r: Result) -> None:
    need(not ws.memo["leftover"].exists(), "the leftover of a killed run is still there")
    need(len(_folders(ws, "results/baseline")) == 1, "the run folder is missing")


CLASS_11 = [
    *(rejected(11, f"out-{slug}", f"--out {out}", ("run", BASE, *TINY, "--out", out), "error: --out: ", words,
               skip=_missing(str(Path(out).parent)),
               covered=WRITE_SAFETY + "test_an_out_in_a_system_folder_is_refused_before_simulating")
      for slug, out, words in (("proc", "/proc/qingdao-results", "cannot create a folder in /proc"),
                               ("proc-self", "/proc/self/qingdao-results", "/proc/self"),
                               ("sys", "/sys/qingdao-results", "cannot create a folder in /sys"))),
    rejected(11, "out-dev-null", "--out below /dev/null", ("run", BASE, *TINY, "--out", "/dev/null/results"),
             "error: --out: ", "/dev/null is a file, not a folder", skip=_missing("/dev/null")),
    rejected(11, "out-a-file", "--out below a file", ("run", BASE, *TINY, "--out", "a_file/results"), "error: --out:",
             "is a file", setup=_file("a_file", "not a folder"),
             covered="tests/test_cli.py::test_unwritable_out_is_refused_before_simulating"),
    rejected(11, "out-unwritable", "--out in a read-only folder", ("run", BASE, *TINY, "--out", "locked/results"),
             "--out", "locked", setup=lambda ws: (ws.work / "locked").mkdir(mode=0o555), skip=_as_root,
             covered=WRITE_SAFETY + "test_an_unwritable_out_is_refused_before_simulating"),
    rejected(11, "out-long-name", "--out a name of 300 bytes", ("run", BASE, *TINY, "--out", LONG), "error: --out: ",
             "longer than the 255 bytes", covered=WRITE_SAFETY + "test_an_over_long_out_is_refused_before_simulating"),
    rejected(11, "out-long-path", "--out a path of 4200 bytes",
             ("run", BASE, *TINY, "--out", "/".join(["b" * 200] * 21)), "error: --out: ", "bytes long",
             covered=WRITE_SAFETY + "test_an_over_long_out_is_refused_before_simulating"),
    *(rejected(11, f"out-long-{command}", f"{command} --out a name of 300 bytes",
               (command, spec, "--out", LONG, "--quiet"),
               "error: --out: ", "longer than the 255 bytes", setup=setup,
               covered=WRITE_SAFETY + "test_the_other_writing_commands_check_out_too" if command != "compare" else None)
      for command, spec, setup in (("sweep", "tiny.yaml", _sweep_spec()),
                                   ("calibrate", "scenarios/calibration/backcast_fit.yaml", None),
                                   ("compare", BASE, None))),
    *(rejected(11, f"long-file-name-{slug}", f"{what} named by 300 bytes", argv, "File name too long",
               setup=setup, note=note, covered=HOSTILE_INPUTS + "test_an_over_long_file_name_is_one_line")
      for slug, what, argv, setup, note in (
          ("scenario", "a scenario file", ("run", f"{LONG}.yaml", *TINY), None, ""),
          ("default-command", "a scenario file given without a command", (LONG, *TINY), None, ""),
          ("extends", "a file extended", ("run", "child.yaml", *TINY), _file("child.yaml", f"extends: {LONG}.yaml\n"),
           "child.yaml: extends: a×300.yaml"),
          ("against", "compare --against", ("compare", BASE, "--against", f"{LONG}.yaml", *TINY), None, ""),
          ("sweep", "a sweep spec", ("sweep", f"{LONG}.yaml", "--dry-run"), None, ""),
          ("calibration", "a calibration spec", ("calibrate", f"{LONG}.yaml", "--quiet"), None, ""),
          ("report", "a folder given to report", ("report", LONG), None, ""))),
    rejected(11, "scenario-a-folder", "a folder given as the scenario", ("run", "scenarios", *TINY),
             "not a file: scenarios"),
    rejected(11, "scenario-not-utf8", "a scenario file of binary garbage", ("run", "garbage.yaml", *TINY),
             "garbage.yaml: the file is not UTF-8 text",
             setup=lambda ws: (ws.work / "garbage.yaml").write_bytes(b"\xff\xfe\x00\x1b[2J bad")),
    rejected(11, "extends-a-folder", "extends: naming a folder", ("run", "child.yaml", *TINY), "child.yaml: extends:",
             setup=_file("child.yaml", "extends: scenarios\n")),
    *(rejected(11, f"deep-yaml-{slug}", f"YAML nested {what}", ("validate", "deep.yaml"), "deep.yaml",
               f"more than {MAX_DEPTH} levels", setup=_file("deep.yaml", text), note=f"deep.yaml: {what}",
               covered="tests/test_hostile_inputs.py::test_deep_nesting_is_one_line")
      for slug, what, text in (
          ("flow", "5000 levels in flow style", "seed: " + "[" * 5000 + "]" * 5000 + "\n"),
          ("block", "200 levels in block style", "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200
           + "x: 1\n"))),
    rejected(11, "deep-sweep-spec", "a sweep spec nested 5000 levels", ("sweep", "deep.yaml", "--dry-run"),
             "deep.yaml", f"more than {MAX_DEPTH} levels",
             setup=_file("deep.yaml", f"base: {BASE}\noutputs: " + "[" * 5000 + "]" * 5000 + "\n")),
    rejected(11, "deep-json-manifest", "a run folder whose manifest.json is nested 100,000 levels",
             ("report", "run"), "manifest.json", f"more than {MAX_DEPTH} levels",
             setup=_tampered_run("manifest.json", "[" * 100_000 + "]" * 100_000),
             note="run/: a finished run, its manifest.json [[[...]]]",
             covered="tests/test_hostile_inputs.py::test_a_deeply_nested_manifest_given_to_report_is_refused"),
    survived(11, "extends-chain-16", f"an extends chain of {MAX_EXTENDS} files", ("validate", "c0.yaml"),
             _in_out("OK: scenario 'c0'"), setup=lambda ws: _chain(ws.work, MAX_EXTENDS),
             note=f"c0.yaml extends c1.yaml ... extends the baseline: {MAX_EXTENDS} files", writes=(),
             covered="tests/test_hostile_inputs.py::test_an_extends_chain_of_sixteen_files_is_read"),
    *(rejected(11, f"extends-chain-{files}", f"an extends chain of {files} files", ("run", "c0.yaml", *TINY),
               f"extends chains more than {MAX_EXTENDS} files", "c0.yaml",
               setup=lambda ws, files=files: _chain(ws.work, files),
               note=f"c0.yaml extends c1.yaml ... : {files} files",
               covered="tests/test_hostile_inputs.py::test_a_longer_extends_chain_is_one_line")
      for files in (MAX_EXTENDS + 1, 1500)),
    rejected(11, "extends-loop", "a file that extends itself", ("run", "a.yaml", *TINY), "extends forms a cycle",
             setup=_file("a.yaml", "extends: a.yaml\nseed: 1\n"),
             covered="tests/test_hostile_inputs.py::test_an_extends_loop_is_one_line"),
    rejected(11, "extends-link-loop", "extends: a link that points at itself", ("run", "child.yaml", *TINY),
             "child.yaml: extends: the file to extend was not found",
             setup=_with(lambda ws: ws.plant("loop.yaml", ws.work / "loop.yaml"),
                         _file("child.yaml", "extends: loop.yaml\n")),
             note="loop.yaml -> loop.yaml",
             covered="tests/test_hostile_inputs.py::test_extending_a_symbolic_link_that_loops_is_one_line"),
    rejected(11, "number-too-long", "a seed of 5000 digits", ("validate", "digits.yaml"), "digits.yaml", "4300 digits",
             setup=_file("digits.yaml", "seed: " + "9" * 5000 + "\n"),
             covered="tests/test_hostile_inputs.py::test_a_number_too_long_to_convert_is_one_line"),
    survived(11, "leftover-cleaned", "the leftover of a killed run, cleaned by the next run", ("run", BASE, *TINY),
             _leftover_gone, setup=_tmp_leftover, note="results/baseline/.tmp-<id>-<dead pid>-<hex>/, an hour old",
             covered=WRITE_SAFETY + "test_leftovers_of_a_killed_run_are_removed_by_the_next_run_in_the_same_folder"),
]

# -- 12 messages and terminals ------------------------------------------------------------------------

NOT_QUOTED = "tests/test_cli.py::test_a_file_that_is_not_a_scenario_is_never_quoted"
CONTROL = "tests/test_cli.py::test_bad_input_exit_2_one_line_nothing_written"


def _system_file(kind: str) -> Setup:
    def setup(ws: Workspace) -> None:
        (ws.outside / "system_file").write_text(SYSTEM_FILES[kind], encoding="utf-8")
        ws.write("what_if.yaml", f"extends: {ws.outside / 'system_file'}\nseed: 3\n")
    return setup


def _rejected_quietly(cls: int, slug: str, what: str, argv: tuple[str, ...], path: str, *words: str,
                      **options: Any) -> Case:
    """A rejected case whose line must also not quote ``path`` (a system file)."""
    return Case(cls, slug, what, argv, REJECTED, words=words, check=_quiet_about(of=Path(path)),
                skip=_missing(path), **options)


CLASS_12 = [
    _rejected_quietly(12, "extends-etc-passwd", "extends: /etc/passwd", ("run", "what_if.yaml", *TINY), "/etc/passwd",
                      "error: /etc/passwd: ", setup=_file("what_if.yaml", "extends: /etc/passwd\nseed: 3\n"),
                      note="what_if.yaml: extends: /etc/passwd"),
    _rejected_quietly(12, "run-etc-passwd", "/etc/passwd given as the scenario", ("run", "/etc/passwd", *TINY),
                      "/etc/passwd", "error: /etc/passwd: "),
    _rejected_quietly(12, "sweep-base-etc-passwd", "a sweep whose base is /etc/passwd", ("sweep", "tiny.yaml",
                                                                                         "--dry-run"),
                      "/etc/passwd", "/etc/passwd", setup=_sweep_spec(base="/etc/passwd"),
                      note="tiny.yaml: base: /etc/passwd"),
    _rejected_quietly(12, "calibration-scenario-etc-os-release", "a calibration whose scenario is /etc/os-release",
                      ("calibrate", "toy.yaml", "--quiet"), "/etc/os-release", "/etc/os-release",
                      setup=_calibration_spec(scenario="/etc/os-release"), note="toy.yaml: scenario: /etc/os-release"),
    *(Case(12, f"extends-{kind.replace(' ', '-')}", f"extends: a system file ({kind})", ("validate", "what_if.yaml"),
           REJECTED, words=("/system_file: ",), check=_quiet_about("s3cr3t", "bash", "19000", "api_token",
                                                                   "example.org", "735123"),
           setup=_system_file(kind), note=f"what_if.yaml extends <outside>/system_file ({kind})", covered=NOT_QUOTED)
      for kind in ("passwd", "token config")),
    Case(12, "broken-yaml-secret", "a broken YAML line holding a secret", ("run", "secret.yaml", *TINY), REJECTED,
         words=("secret.yaml", "not valid YAML at line 4"), check=_quiet_about("s3cr3t", "hunter2"),
         setup=_file("secret.yaml", "name: secret\nperiod:\n  password: hunter2 s3cr3t\n   end: 2021-06-30\n"),
         note="secret.yaml: a bad indent on the line after 'password: hunter2 s3cr3t'"),
    rejected(12, "escape-in-set-key", "an escape sequence in a --set key", ("run", BASE, *TINY, "--set",
                                                                           "\x1b[2J\x1b[31mred=1"),
             "unknown key '\\x1b[2J\\x1b[31mred'", covered=CONTROL),
    rejected(12, "escape-in-set-value", "an escape sequence in a --set value",
             ("run", BASE, *TINY, "--set", "name=\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07", covered=CONTROL),
    rejected(12, "control-in-file-key", "control characters in a file's key", ("run", "control.yaml", *TINY),
             "control.yaml", "\\x1b[31mseed\\nx", setup=lambda ws: _control_key_file(ws.work),
             note='control.yaml: "\\e[31mseed\\nx": 1', covered=CONTROL),
    rejected(12, "escape-in-file-name", "an escape sequence in a file name", ("run", "\x1b[2Jgone.yaml", *TINY),
             "\\x1b[2Jgone.yaml", "not found", covered=CONTROL),
    rejected(12, "escape-in-option", "an unknown option holding an escape sequence", ("run", BASE, "--\x1b[2J"),
             "unrecognized arguments", "--\\x1b[2J", covered=CONTROL),
    rejected(12, "bidi-in-set-value", "a right-to-left override in --set name", ("run", BASE, *TINY, "--set",
                                                                                "name=abc\u202egpj.exe"),
             "\\u202e"),
    rejected(12, "escape-in-sweep-key", "an escape sequence in a sweep spec's key", SWEEP_CMD, "\\x1b[2Jdesign",
             setup=_with(_sweep_spec(), _appended("tiny.yaml", '"\\e[2Jdesign": grid\n')),
             note='tiny.yaml: "\\e[2Jdesign": grid'),
    rejected(12, "escape-in-calibration-name", "an escape sequence in a calibration's name",
             ("calibrate", "toy.yaml", "--quiet"), "toy.yaml: name:", "\\x1b[2J",
             setup=_calibration_spec(name="a\x1b[2Jb"), note='toy.yaml: name: "a\\e[2Jb"'),
    rejected(12, "escape-in-out", "an escape sequence in an --out that cannot be written",
             ("run", BASE, *TINY, "--out", "\x1b[2Ja_file/results"), "error: --out: \\x1b[2Ja_file is a file",
             setup=_file("\x1b[2Ja_file", "not a folder"), note="<ESC>[2Ja_file: a file"),
]

# -- 13 smaller things --------------------------------------------------------------------------------

MESSAGES = "tests/test_cli_messages.py::"
LATE = ("--set", "policies.talent_attraction.start=2023-12-02")


def _rate_line(ending: str) -> Check:
    def check(ws: Workspace, r: Result) -> None:
        lines = [x for x in r.out.splitlines() if x.startswith("Urbanization rate of residents")]
        need(len(lines) == 1 and ending in lines[0], f"the rate line is {lines}")
    return check


def _late_warning(ws: Workspace, r: Result) -> None:
    need(r.err == (f"warning: {BASE}: policies.talent_attraction.start: 2023-12-02 takes effect from 2024-01-01, "
                   "after the period's end (2021-01-31): the lever never acts in this run\n"),
         f"stderr is {r.err!r}")


def _late_in_file(ws: Workspace, r: Result) -> None:
    _warned("late.yaml: policies.talent_attraction.start: 2023-12-02 takes effect from 2024-01-01",
            "never acts")(ws, r)


def _fitted_value_in_effect(ws: Workspace, r: Result) -> None:
    [folder] = _folders(ws, "results/mine")
    resolved = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    fitted = yaml.safe_load((ws.work / ws.vars["calibration"] / "calibrated.yaml").read_text(encoding="utf-8"))
    value = fitted["behaviour"]["rural_to_urban"]["base_hazard_per_year"]
    need(resolved["behaviour"]["rural_to_urban"]["base_hazard_per_year"] == value,
         "the calibrated value is not in the run's scenario.yaml")
    need(resolved["seed"] == 20210101, "the baseline extended is not in effect")


def _pasted_calibration(ws: Workspace) -> None:
    folder = _calibration_folder(ws)
    ws.write("mine.yaml", f"extends: {BASE}\nname: mine\n" + (folder / "calibrated.yaml").read_text(encoding="utf-8"))


def _resolved_has(path: str, value: object) -> Check:
    def check(ws: Workspace, r: Result) -> None:
        [folder] = _folders(ws, "results/baseline")
        node: Any = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
        for key in path.split("."):
            node = node[key]
        need(node == value, f"{path} is {node!r} in scenario.yaml, not {value!r}")
    return check


def _assumption_from_set(ws: Workspace, r: Result) -> None:
    page = (ws.work / ws.vars["run"] / "report.html").read_text(encoding="utf-8")
    table = re.search(r'<table id="assumptions">.*?</table>', page, re.S)
    need(table is not None, "no assumptions table in report.html")
    assert table is not None
    row = re.search(r"<code>behaviour.in_migration.rate_per_year</code>.*?</tr>", table.group(0), re.S)
    need(row is not None and '<td class="changed">set in --set' in row.group(0) and "0.03: assumption"
         in row.group(0), "the --set value is not labelled with where it was set")


CLASS_13 = [
    survived(13, "target-note-plan", "the rate line names the plan's target", ("run", BASE, *TINY),
             _rate_line("(the plan's target: 77% by the end of 2023)"),
             covered=MESSAGES + "test_the_rate_line_names_the_plans_target"),
    survived(13, "target-note-own", "the rate line names a scenario's own target",
             ("run", BASE, *TINY, "--set", "targets.urbanization_rate=78.5"),
             _rate_line("the scenario's target: 78.5% by the end of 2023; the plan's: 77%"),
             covered=MESSAGES + "test_the_rate_line_names_the_scenarios_own_target"),
    survived(13, "target-note-own-in-file", "the rate line names a target set in the scenario file",
             ("run", "mine.yaml", *TINY), _rate_line("the scenario's target: 80% by the end of 2023; the plan's: 77%"),
             setup=_file("mine.yaml", _extending("targets:\n  urbanization_rate: 80\n")),
             note="mine.yaml: targets: {urbanization_rate: 80}"),
    survived(13, "target-note-removed", "the rate line when the scenario removes the target",
             ("run", BASE, *TINY, "--set", "targets.urbanization_rate=null"),
             _rate_line("(no target value for 2023 in this scenario)"),
             covered=MESSAGES + "test_the_rate_line_says_when_the_scenario_removes_the_target"),
    survived(13, "lever-after-end-warned", "a lever starting after the period's end", ("run", BASE, *TINY, *LATE),
             _late_warning, covered=MESSAGES + "test_a_lever_that_never_acts_is_warned_about"),
    survived(13, "lever-after-end-in-file-warned", "a lever starting after the end, in a file",
             ("validate", "late.yaml"), _late_in_file, writes=(),
             setup=_file("late.yaml", _extending("policies:\n  talent_attraction:\n    start: 2023-12-02\n")),
             note="late.yaml: talent_attraction starts 2023-12-02"),
    *(rejected(13, f"lever-after-end-strict-{command}", f"a lever starting after the end, {command} --strict",
               (command, BASE, *(TINY if command != "validate" else ()), *LATE, "--strict"),
               f"error: {BASE}: policies.talent_attraction.start: 2023-12-02 takes effect",
               "(refused by --strict)", covered=MESSAGES + "test_strict_refuses_a_lever_that_never_acts")
      for command in ("run", "validate", "compare")),
    rejected(13, "census-quoted-file", 'census: "2010" quoted in a file', ("run", "census.yaml", *TINY),
             "census.yaml: population.census:", "got '2010' (str); write it without quotes",
             setup=_file("census.yaml", _extending('population:\n  census: "2010"\n'))),
    rejected(13, "census-quoted-set", "--set population.census='2010'",
             ("run", BASE, *TINY, "--set", "population.census='2010'"), "--set: population.census:",
             "write it without quotes"),
    rejected(13, "duplicate-key-scenario", "a setting given twice in a scenario", ("run", "twice.yaml", *TINY),
             "twice.yaml: behaviour.hukou.min_insurance_years: the key 'min_insurance_years' is given twice, at "
             "lines 3 and 4", setup=_file("twice.yaml", "behaviour:\n  hukou:\n    min_insurance_years: 1\n"
                                                "    min_insurance_years: 3\n"),
             covered=HOSTILE_INPUTS + "test_a_setting_given_twice_in_a_scenario_is_refused_naming_it"),
    rejected(13, "duplicate-key-sweep", "a key given twice in a sweep spec", ("sweep", "sweep.yaml", "--dry-run"),
             "sweep.yaml: replications", "given twice",
             setup=_file("sweep.yaml", f"base: {BASE}\ndesign: grid\nreplications: 1\nreplications: 3\n"),
             covered=HOSTILE_INPUTS + "test_a_key_given_twice_in_a_sweep_spec_is_refused"),
    rejected(13, "duplicate-key-calibration", "a key given twice in a calibration spec",
             ("calibrate", "toy.yaml", "--quiet"), "toy.yaml: seed", "given twice",
             setup=_with(_tiny_calibration(), _appended("toy.yaml", "seed: 9\n")),
             note="toy.yaml: seed twice"),
    rejected(13, "duplicate-key-set", "a key given twice in a --set value",
             ("run", BASE, *TINY, "--set", "targets={urbanization_rate: 70, urbanization_rate: 80}"),
             "--set", "'urbanization_rate' is given twice",
             covered=HOSTILE_INPUTS + "test_a_key_given_twice_in_a_set_value_is_refused"),
    survived(13, "chinese-district-lever", "a lever's districts in Chinese (平度)",
             ("run", BASE, *TINY, "--set", "policies.homestead_reform.districts=[平度]"),
             _resolved_has("policies.homestead_reform.districts", ["pingdu"])),
    survived(13, "chinese-district-key", "a per-district setting keyed in Chinese (平度)",
             ("run", BASE, *TINY, "--set", "behaviour.in_migration.district_attraction.平度=2"),
             _resolved_has("behaviour.in_migration.district_attraction.pingdu", 2)),
    rejected(13, "chinese-district-wrong", "a wrong Chinese district name (平都)",
             ("run", BASE, *TINY, "--set", "policies.homestead_reform.districts=[平都]"),
             "unknown district '平都'", "did you mean 'pingdu' (平度)?"),
    rejected(13, "chinese-and-pinyin-twice", "one district given in pinyin and in Chinese", ("run", "both.yaml", *TINY),
             "'pingdu' and '平度' name the same key",
             setup=_file("both.yaml", _extending("behaviour:\n  in_migration:\n    district_attraction: "
                                                 "{pingdu: 1, 平度: 2}\n")),
             note="both.yaml: district_attraction: {pingdu: 1, 平度: 2}"),
    *(rejected(13, f"mistyped-{typo}", f"the command mistyped '{typo}'", (typo, BASE),
               f"error: unknown command '{typo}'; did you mean '{meant}'? (see: python run_sim.py --help)",
               covered=MESSAGES + "test_a_mistyped_command_is_named_with_the_closest_one")
      for typo, meant in (("comapre", "compare"), ("reprot", "report"))),
    rejected(13, "missing-file-like-a-command", "a missing file named like a command", ("comapre.yaml",),
             "scenario file not found: comapre.yaml",
             covered=MESSAGES + "test_a_scenario_file_is_still_run_by_the_default_command"),
    *(rejected(13, f"budget-{slug}", f"--budget {budget}",
               ("sweep", "scenarios/sweeps/behaviour_and_levers.yaml", "--dry-run", f"--budget={budget}"),
               "error: argument --budget: expected a positive number of minutes",
               covered=MESSAGES + "test_an_impossible_budget_is_refused")
      for slug, budget in (("nan", "nan"), ("negative", "-3"), ("zero", "0"), ("inf", "inf"))),
    *(rejected(13, f"spec-budget-{slug}", f"budget_minutes: {text} in a sweep spec", SWEEP_CMD,
               "tiny.yaml: budget_minutes:", words,
               setup=_with(_sweep_spec(), _appended("tiny.yaml", f"budget_minutes: {text}\n")),
               note=f"tiny.yaml: budget_minutes: {text}")
      for slug, text, words in (("nan", ".nan", "finite"), ("negative", "-1", "at least 0"))),
    survived(13, "calibrated-yaml-validates", "a calibration's calibrated.yaml validated as a scenario",
             ("validate", "<calibration>/calibrated.yaml"), _in_out("OK: scenario 'calibrated'"),
             setup=_calibration_folder, writes=(),
             note="<calibration>: a finished tiny calibration"),
    survived(13, "calibrated-yaml-pasted", "calibrated.yaml pasted under 'extends:' of the baseline, run",
             ("run", "mine.yaml", *TINY), _fitted_value_in_effect, setup=_pasted_calibration,
             note="mine.yaml: extends: the baseline, then calibrated.yaml's lines"),
    survived(13, "assumption-from-set", "the report says a setting came from --set", ("report", "<run>"),
             _assumption_from_set, setup=_run_folder,
             note="<run>: a tiny run with --set behaviour.in_migration.rate_per_year=0.05"),
]

# -- 14 sources ---------------------------------------------------------------------------------------


def _cited_paths_exist(ws: Workspace, r: Result) -> None:
    """Every docs/sources/... path cited in the project's docs, code, data and templates exists: the check of
    tests/test_sources.py, called as it is."""
    try:
        cited_sources_exist()
    except AssertionError as err:
        raise CaseFailed(" ".join(str(err).split())[:200]) from None


def _report_citations_exist(ws: Workspace, r: Result) -> None:
    page = (ws.work / ws.vars["run"] / "report.html").read_text(encoding="utf-8")
    cited = {m.group(0).rstrip("/") for m in CITATION.finditer(page)}
    missing = sorted(c for c in cited if not (ROOT / c).exists())
    need("docs/sources/qingdao_facts.yaml" in cited, f"the report cites {sorted(cited)}")
    need(not missing, f"the report cites missing files: {missing}")
    need(SOURCES.is_dir(), "no docs/sources/")


CLASS_14 = [
    survived(14, "docs-cite-existing-sources", "every docs/sources/ path the project cites is there", None,
             _cited_paths_exist, writes=(), note="no command: a scan of docs/, the code, the data and the report's "
                                                 "templates",
             covered="tests/test_sources.py::test_every_cited_source_path_exists"),
    survived(14, "report-cites-existing-sources", "every docs/sources/ path a report cites is in the project",
             ("report", "<run>"), _report_citations_exist, setup=_run_folder,
             note="<run>: a finished tiny run"),
]

# -- 15 the default run -------------------------------------------------------------------------------


def _no_chance_shown(ws: Workspace, r: Result) -> None:
    need("p_meet n/a (1 replication: run with --replications 10 or more for a chance of meeting each target)"
         in r.out, "the scorecard does not say why p_meet is not shown")
    need(not re.search(r"\bmet\s+1\.00\b", r.out), "p_meet 1.00 shown from one replication")


def _chance_shown(ws: Workspace, r: Result) -> None:
    need("p_meet n/a" not in r.out, "p_meet not shown for 10 replications")
    row = [line for line in r.out.splitlines() if line.startswith("urbanization_rate ")]
    need(len(row) == 1 and re.search(r"\s\d\.\d\d\s+sim\s+(met|missed|at risk|likely)", row[0]) is not None,
         f"the urbanization row is {row}")


def _quick_start(ws: Workspace, r: Result) -> None:
    [folder] = _folders(ws, "results/baseline")
    need((folder / "report.html").is_file() and len(list((folder / "plots").glob("*.png"))) == 5,
         "the quick start did not write its report and five plots (the district map the fifth)")
    _no_chance_shown(ws, r)


CLASS_15 = [
    survived(15, "one-replication-no-chance", "one replication: no p_meet, and why",
             ("run", BASE, "--set", "population.scale=100000", "--set", "period.start=2023-01-01",
              "--set", "outputs.plots=false", "--quiet"), _no_chance_shown),
    survived(15, "ten-replications-chance", "ten replications: p_meet shown",
             ("run", BASE, "--set", "population.scale=100000", "--set", "period.start=2023-01-01",
              "--set", "outputs.plots=false", "--replications", "10", "--quiet"), _chance_shown),
    survived(15, "quick-start", "the quick start: the default command, report and plots included", (),
             _quick_start),
]


# -- the cases of the fixes merged later: --dask, YAML 1.1 numbers, pipes, full disks, landing, Ctrl-C --------


def _raising(error: BaseException) -> Callable[..., Any]:
    def raise_it(*args: Any, **kwargs: Any) -> Any:
        raise error
    return raise_it


def _patched(target: Any, name: str, value: Any) -> Setup:
    return lambda ws: ws.patch(target, name, value)


def _full_disk_at_first_fsync(ws: Workspace) -> None:
    ws.patch(os, "fsync", _raising(OSError(errno.ENOSPC, "No space left on device")))


def _full_disk_at_the_probe(ws: Workspace) -> None:
    real = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name.startswith(".tmp-probe"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        real(self, *args, **kwargs)

    ws.patch(Path, "mkdir", mkdir)


def _rename_refused(ws: Workspace) -> None:
    ws.patch(os, "rename", _raising(PermissionError(errno.EACCES, "Permission denied")))


def _kept_unlanded(ws: Workspace, r: Result) -> None:
    [kept] = list((ws.work / "results" / "baseline").iterdir())
    need(kept.name.startswith(atomic.TMP) and (kept / "manifest.json").is_file(), f"kept: {kept.name}")
    need((kept / atomic.FINISHED_MARK).exists(), "the kept folder lacks the mark that keeps it from cleaning")
    need(str(kept.name) in r.err, "the line does not say where the results are kept")


def _swapped_mid_run(ws: Workspace) -> None:
    """While the run writes its manifest, its folder is renamed away and a link to <outside> put in its place."""
    real = run_folder.write_manifest

    def write_manifest(folder: Path, manifest: dict) -> None:
        os.rename(folder, ws.work / "moved-away")
        os.symlink(ws.outside, folder, target_is_directory=True)
        real(folder, manifest)

    ws.patch(run_folder, "write_manifest", write_manifest)


def _nothing_through_the_link(ws: Workspace, r: Result) -> None:
    need(list(ws.outside.iterdir()) == [], f"written through the link: {sorted(ws.outside.iterdir())}")
    need((ws.work / "moved-away" / "manifest.json").is_file(), "the manifest did not reach the folder made for it")
    need(_folders(ws, "results/baseline") == [], "a folder was moved into place")


def _run_landed(ws: Workspace, r: Result) -> None:
    [folder] = _folders(ws, "results/baseline")
    need((folder / "manifest.json").is_file() and (folder / "summary.csv").is_file(), "the run folder is not whole")


DASK_ADDRESSES = {
    "no-port": ("foo", "the port is missing"), "empty": ("", "the address is empty"),
    "no-host": ("tcp://", "the host is missing"), "port-text": ("tcp://127.0.0.1:notaport", "got 'notaport'"),
    "ipv6-open": ("tcp://[::1", "no closing ']'"), "port-range": ("tcp://127.0.0.1:99999", "got '99999'"),
    "udp": ("udp://127.0.0.1:8786", "does not connect over 'udp'"),
    "nothing-listens": ("tcp://127.0.0.1:1", "nothing listens on port 1"),
    "control": ("tcp://sched\nuler:8786", "'sched\\nuler' is not a host name"),
    "very-long": ("tcp://" + "a" * 5000 + ":8786", "is not a host name or IP address"),
}

LATER: list[Case] = [
    # 2: a finished run that cannot be moved into place is kept, named, and never cleaned as a leftover
    ended(2, "not-landed", "a finished run whose rename into place is refused", ("run", BASE, *TINY), 3,
          "the finished results could not be moved to", "they are kept in", setup=_rename_refused,
          note="os.rename refused (EACCES)", writes=("results",), check=_kept_unlanded),
    # 8: a setting given twice in a sweep: the later replaced the other without a word
    rejected(8, "sweep-set-and-swept", "a sweep fixing in set what it also sweeps", SWEEP_CMD,
             f"parameters.{HAZARD}: also set by set.{HAZARD}",
             setup=_sweep_spec(set={**SWEEP_SET, HAZARD: 0.05}), note=f"tiny.yaml: set: {{{HAZARD}: 0.05}}"),
    rejected(8, "sweep-policy-and-set", "a sweep policy setting what set fixes", SWEEP_CMD,
             "policies.talent.policies.talent_attraction.intensity: also set by set.",
             setup=_sweep_spec(set={**SWEEP_SET, "policies.talent_attraction.intensity": 0.5}),
             note="tiny.yaml: set: {policies.talent_attraction.intensity: 0.5}, policy talent sets it to 1"),
    # 10: the folder being written swapped for a link mid-run
    ended(10, "run-folder-swapped-mid-run", "the run's folder renamed away and replaced by a link while it is "
          "written", ("run", BASE, *TINY), 2, "was replaced while results were written", setup=_swapped_mid_run,
          note="at the manifest: .tmp-<id> moved to moved-away/, a link to <outside> in its place",
          writes=("results", "moved-away"), check=_nothing_through_the_link),
    # 11: malformed --dask addresses: one line, before the sweep's folder is made
    *(rejected(11, f"dask-{slug}", f"--dask {address[:40]!r}", ("sweep", "tiny.yaml", "--dask", address, "--quiet"),
               "--dask: ", words, setup=_sweep_spec(), note="tiny.yaml: the tiny sweep", seconds=SECONDS)
      for slug, (address, words) in DASK_ADDRESSES.items()),
    # 11: a full disk, a closed pipe, a full standard output
    ended(11, "full-disk-mid-run", "the disk full at the run folder's first file", ("run", BASE, *TINY), 3,
          "No space left on device (ENOSPC); nothing was written", setup=_full_disk_at_first_fsync,
          note="fsync raises ENOSPC"),
    ended(11, "full-disk-at-the-probe", "the disk full when --out is tried, before the run", ("run", BASE, *TINY), 3,
          "(ENOSPC); nothing was written", setup=_full_disk_at_the_probe, note="the --out probe raises ENOSPC"),
    ended(11, "stdout-dev-full", "standard output /dev/full", ("validate", BASE), 3,
          "could not write to standard output: No space left on device", stdout="/dev/full",
          note="a child process, stdout > /dev/full"),
    ended(11, "stdout-closed-validate", "standard output a pipe whose reader is gone", ("validate", BASE), 141,
          stdout="closed pipe", note="a child process, stdout | (closed)"),
    ended(11, "stdout-closed-help", "--help into a pipe whose reader is gone", ("--help",), 141,
          stdout="closed pipe", note="a child process, stdout | (closed)"),
    ended(11, "stdout-closed-run", "a run whose final lines go to a pipe whose reader is gone", ("run", BASE, *TINY),
          141, stdout="closed pipe", note="a child process, stdout | (closed); the results stay",
          writes=("results",), check=_run_landed),
    # 13: YAML 1.1's base-60 and octal numbers
    rejected(13, "sexagesimal-set", "--set replications=1:30 (YAML 1.1: 90)", ("validate", BASE, "--set",
             "replications=1:30"), "1:30 is a base-60 number to YAML 1.1 (90)", "write 90"),
    rejected(13, "sexagesimal-file", "replications: 1:30 in a file", ("validate", "sixty.yaml"),
             "sixty.yaml: replications: 1:30 is a base-60 number", setup=_file("sixty.yaml", _extending(
                 "replications: 1:30\n")), note="sixty.yaml: replications: 1:30"),
    rejected(13, "octal-set", "--set seed=017 (YAML 1.1: 15)", ("validate", BASE, "--set", "seed=017"),
             "017 has a leading zero"),
    # 16: Ctrl-C in start-up and in a sweep's planning
    ended(16, "run-loading", "Ctrl-C while the scenario loads", ("run", BASE, *TINY), 130,
          "interrupted: nothing was written", setup=_patched(cli, "load_scenario", _raising(KeyboardInterrupt())),
          note="load_scenario interrupted"),
    ended(16, "run-first-replication", "Ctrl-C in the first replication", ("run", BASE, *TINY), 130,
          "interrupted: nothing was written", setup=_patched(Model, "run", _raising(KeyboardInterrupt())),
          note="Model.run interrupted"),
    ended(16, "run-writing", "Ctrl-C while the run folder is written", ("run", BASE, *TINY), 130,
          "interrupted: nothing was written", setup=_patched(run_folder, "provenance", _raising(KeyboardInterrupt())),
          note="the manifest's provenance interrupted"),
    ended(16, "sweep-loading", "Ctrl-C while the sweep spec loads", SWEEP_CMD, 130, "nothing was written",
          setup=_with(_sweep_spec(), _patched(cli, "load_sweep", _raising(KeyboardInterrupt()))),
          note="load_sweep interrupted"),
    ended(16, "sweep-planning", "Ctrl-C while the sweep plans its runs", SWEEP_CMD, 130, "nothing was written",
          setup=_with(_sweep_spec(), _patched(pipeline, "plan", _raising(KeyboardInterrupt()))),
          note="plan interrupted"),
    ended(16, "sweep-dry-run-timing", "Ctrl-C while --dry-run times its one run",
          ("sweep", "tiny.yaml", "--dry-run"), 130, "nothing was written",
          setup=_with(_sweep_spec(), _patched(pipeline, "run_task", _raising(KeyboardInterrupt()))),
          note="the timed run interrupted"),
    ended(16, "calibrate-loading", "Ctrl-C while the calibration spec loads", ("calibrate", "toy.yaml", "--quiet"),
          130, "nothing was written",
          setup=_with(_tiny_calibration(), _patched(cli, "load_calibration", _raising(KeyboardInterrupt()))),
          note="load_calibration interrupted"),
]


CASES: list[Case] = [*CLASS_1, *CLASS_2, *CLASS_3, *CLASS_4, *CLASS_5, *CLASS_6, *CLASS_7, *CLASS_8, *CLASS_9,
                     *CLASS_10, *CLASS_11, *CLASS_12, *CLASS_13, *CLASS_14, *CLASS_15, *LATER]


# -- the table ----------------------------------------------------------------------------------------


def shown(argv: tuple[str, ...] | list[str] | None) -> str:
    """The command as typed in a shell: ``<tiny>`` for the tiny-run options, words over 60 characters cut
    short, control characters escaped, quotes only where the shell needs them (``<name>`` placeholders bare)."""
    if argv is None:
        return "(no command)"
    words = list(argv)
    text: list[str] = []
    i = 0
    while i < len(words):
        if tuple(words[i:i + len(TINY)]) == TINY:
            text.append("<tiny>")
            i += len(TINY)
            continue
        word = words[i]
        short = f"…({len(word)} chars)" if len(word) > 60 else ""
        text.append(_quoted(printable(word[:24] if short else word)) + short)
        i += 1
    return " ".join(text) if text else "(no arguments)"


def _quoted(word: str) -> str:
    if shlex.quote(re.sub(r"<[a-z]+>", "x", word)) == re.sub(r"<[a-z]+>", "x", word) and word:
        return word                                   # nothing the shell would read otherwise
    if "'" in word and not re.search(r'["$`\\!]', word):
        return f'"{word}"'
    return shlex.quote(word)


def _cell(text: str) -> str:
    return printable(text).replace("|", "\\|")


def markdown(outcomes: list[Outcome]) -> str:
    lines = [f"`<tiny>` stands for `{' '.join(TINY)}`; `<run>`, `<calibration>`: folders the setup made; "
             "`<outside>`: a folder beside the working one, where planted links point. Each case ran in a fresh "
             "temporary working folder holding a copy of scenarios/; (also test_x): the test that asserts the "
             "same case.", ""]
    for cls, title in CLASSES.items():
        mine = [o for o in outcomes if o.case.cls == cls]
        if not mine:
            continue
        lines += [f"### {cls}. {title}", "", "| case | command (after `python run_sim.py`) | exit | outcome | "
                  "first stderr line | s |", "|---|---|---|---|---|---|"]
        for o in mine:
            case, r = o.case, o.result
            command = "; ".join(part for part in (f"`{_cell(shown(case.argv))}`" if case.argv is not None else "",
                                                  _cell(case.note)) if part)
            err = o.tidy(first_line(r.err)) if r else ""
            err = err if len(err) <= 100 else err[:99] + "…"
            also = f" (also {case.covered.split('::')[1]})" if case.covered else ""
            lines.append(f"| {case.id}: {_cell(case.what + also)} | {command} | {r.code if r else '-'} | "
                         f"{_cell(o.tidy(o.verdict))} | {_cell(err)} | {f'{r.seconds:.2f}' if r else ''} |")
        lines.append("")
    lines.append(summary(outcomes))
    return "\n".join(lines)


def summary(outcomes: list[Outcome]) -> str:
    count = {k: sum(1 for o in outcomes if o.verdict.startswith(k)) for k in ("rejected", "survived", "ended",
                                                                              "FAILED", "skipped")}
    return (f"{len(outcomes)} cases: {count['rejected']} rejected cleanly, {count['survived']} survived, "
            + (f"{count['ended']} ended cleanly with their own exit code, " if count["ended"] else "")
            + f"{count['FAILED']} failed" + (f", {count['skipped']} skipped" if count["skipped"] else ""))


def run_all(cases: list[Case], progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    outcomes = []
    try:
        for case in cases:
            with tempfile.TemporaryDirectory(prefix=f"{case.id}-") as root:
                outcome = run_case(case, Path(root))
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome)
    finally:
        clear_cache()
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hostile_catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the table of every class (else a line a case)")
    parser.add_argument("-k", metavar="TEXT", help="only the cases whose id holds TEXT")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if args.k is None or args.k in c.id]
    start = time.perf_counter()

    def line(o: Outcome) -> None:
        if not args.markdown:
            print(f"{o.case.id:45} {o.verdict[:100]}", flush=True)

    outcomes = run_all(cases, line)
    print(markdown(outcomes) if args.markdown else summary(outcomes))
    print(f"\n(the catalogue ran in {time.perf_counter() - start:.1f} s)")
    return 0 if all(o.ok or o.case.xfail for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
