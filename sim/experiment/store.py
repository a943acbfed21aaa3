"""The sweep's store: one small file per finished run, written atomically, keyed by what determines it.

A run's key is a hash of the resolved scenario, the replication and the code
version (a hash of the ``sim`` package's source and data), so a rerun of the
same sweep skips what is done, and a change of code or settings runs anew.
Each run file appears whole or not at all (written beside, flushed, then
renamed), so a sweep killed at any moment leaves only whole runs behind.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from ..core.safe_load import MAX_BYTES, load_json
from ..output.atomic import inside, write_atomic

RUNS = "runs"


#: code that only reads or presents results, never what a run computes: left out of the code version so
#: that improving a plot or the sensitivity analysis does not rerun a sweep
PRESENTATION = ("output", "experiment", "cli.py", "spec_reference.py")
#: but these extract a run's stored outputs, and count
EXTRACTING = (("experiment", "sweep.py"), ("output", "yearly.py"))


def _counts(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return parts in EXTRACTING or parts[0] not in PRESENTATION


@cache
def code_version() -> str:
    """SHA-256 of the simulator's files that decide a run's numbers (``sim/**/*.py`` and its data but the
    presentation code), independent of git, so an uncommitted edit of the model counts too."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in [*root.rglob("*.py"), *root.rglob("*.yaml")] if _counts(p, root)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key_text(scenario_dict: dict, replication: Any) -> str:
    return json.dumps({"scenario": scenario_dict, "replication": replication, "code": code_version()},
                      sort_keys=True, ensure_ascii=False, default=str)


def run_key(scenario_dict: dict, replication: int) -> str:
    """The key of one run: hash of the resolved scenario, the replication and the code version."""
    return hashlib.sha256(key_text(scenario_dict, replication).encode()).hexdigest()


#: the lock file in a sweep's folder: held (``flock``) by the sweep running there, holding its pid
LOCK = ".sweep.lock"


class FolderError(Exception):
    """The sweep's folder cannot be used (another sweep runs in it; its ``runs`` is not a folder): one line,
    bad input."""


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the folder's lock for the block: an exclusive ``flock`` on ``<folder>/.sweep.lock``, which holds
    this process's pid. A second sweep on the same folder gets ``FolderError`` naming the first's pid. The
    kernel releases the lock when its holder ends however it ends (SIGKILL too), so a dead sweep's lock is
    simply taken over; the file stays, with the last holder's pid."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise FolderError(f"cannot open the sweep's lock file {path}: {err.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise FolderError(f"another sweep (process {owner}) is running in {folder}; wait for it to end, "
                              "stop it, or give this one another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)                    # releases the lock


#: the field of a stored record that holds the SHA-256 of the rest of it
CHECKSUM = "checksum"
#: a damaged record is renamed to ``<key>.json`` plus this and a number: kept for a look, never read again
SET_ASIDE = ".damaged-"


class DamagedRecord(Exception):
    """A file in ``runs/`` that is not a whole, intact record of its run: ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def checksum(record: dict) -> str:
    """SHA-256 of a record's JSON without its checksum (NaN written as JSON's NaN, floats as their repr, so
    the same after a round trip through the file)."""
    body = {k: v for k, v in record.items() if k != CHECKSUM}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _read_bounded(path: Path) -> bytes:
    """At most ``MAX_BYTES + 1`` bytes of the plain file ``path``: not through a link (``O_NOFOLLOW``), without
    waiting for a writer (``O_NONBLOCK``: a FIFO); ``DamagedRecord`` for anything but a plain file."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise DamagedRecord("is not a plain file, not a record")
        return f.read(MAX_BYTES + 1)


class Store:
    """``<folder>/runs/<key>.json`` for each finished run, each carrying its checksum."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS

    def open(self) -> None:
        """Create the folders and remove what a killed sweep may have left half-written (under the folder's
        lock: ``locked``, or another sweep's temporaries would go)."""
        if self.runs.exists() and not self.runs.is_dir():
            raise FolderError(f"{self.runs} is a file, not the sweep's folder of runs: move it away")
        self.runs.mkdir(parents=True, exist_ok=True)
        for leftover in self.runs.glob(".tmp-*"):
            leftover.unlink(missing_ok=True)

    def done(self) -> set[str]:
        """The keys with a file in ``runs/`` (intact or not: ``get`` tells)."""
        return {p.stem for p in self.runs.glob("*.json")} if self.runs.is_dir() else set()

    def path(self, key: str) -> Path:
        return self.runs / f"{key}.json"

    def get(self, key: str) -> dict:
        """The run's record, verified: ``DamagedRecord`` when the file is a link, a folder or anything but a
        plain file, larger than a record can be, empty, unreadable, not JSON (truncated, overwritten), fails its
        checksum or is another run's. Nothing is read through a link nor beyond the bound (a link planted to
        ``/dev/zero`` read without end)."""
        path = self.path(key)
        if path.is_symlink():
            raise DamagedRecord("is a symbolic link, not a record")
        if path.is_dir():
            raise DamagedRecord("is a folder, not a record")
        try:
            data = _read_bounded(path)
        except FileNotFoundError:
            raise
        except OSError as err:
            raise DamagedRecord(f"cannot be read ({err.strerror})") from None
        if len(data) > MAX_BYTES:
            raise DamagedRecord(f"is larger than {MAX_BYTES // 1024} KiB, more than a record holds")
        if not data.strip():
            raise DamagedRecord("is empty")
        try:
            record = load_json(data.decode("utf-8"))
        except ValueError:                  # UnicodeDecodeError and the bounded reader's Refused are ones
            raise DamagedRecord("is not valid JSON (cut short or overwritten)") from None
        if not isinstance(record, dict) or record.get(CHECKSUM) != checksum(record):
            raise DamagedRecord("does not match its checksum (changed since it was written)")
        if record.get("key") != key or not isinstance(record.get("outputs"), dict):
            raise DamagedRecord("holds another run's record")
        return record

    def put(self, key: str, record: dict) -> None:
        record = {**record, CHECKSUM: checksum(record)}
        write_atomic(inside(self.folder, RUNS, f"{key}.json"), json.dumps(record, sort_keys=True).encode())

    def set_aside(self, key: str) -> Path:
        """Rename a damaged record out of the way (``<key>.json.damaged-<n>``) and return its new path;
        ``FolderError`` saying what to do when it cannot be renamed."""
        path = self.path(key)
        n = 1
        while (target := path.with_name(f"{path.name}{SET_ASIDE}{n}")).exists():
            n += 1
        try:
            os.replace(path, target)
        except OSError as err:
            raise FolderError(f"{path} is damaged and cannot be moved aside ({err.strerror}): remove it, then "
                              "run the sweep again") from None
        return target
