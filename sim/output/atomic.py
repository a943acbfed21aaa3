"""Writing whole or not at all: a file is the old one or the new one, a folder exists only when complete."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: how many other names (``-2``, ``-3``...) a finished folder tries when its own was taken meanwhile
LANDING_TRIES = 100


class NotLanded(OSError):
    """A finished folder could not be renamed into place; it is kept where it was written (``kept``)."""

    def __init__(self, message: str, kept: Path) -> None:
        super().__init__(message)
        self.kept = kept

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Landing:
    """What ``atomic_folder`` yields: fill ``tmp``; ``final`` is where it goes, and after the block where it
    went (another name if that one was taken meanwhile). Unpacks as ``tmp, final``."""

    tmp: Path
    final: Path

    def __iter__(self) -> Iterator[Path]:
        return iter((self.tmp, self.final))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it (``.tmp-*``), flushed to
    disk, then renamed into place, so that even a killed process leaves the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


@contextmanager
def atomic_folder(parent: Path, name: str):
    """Yield a ``Landing`` (``tmp, final``): fill ``tmp``; it becomes ``final`` (``parent/name``, with ``-2``,
    ``-3``... when taken) only when the block ends without error, and nothing is left behind otherwise.

    Once the block has ended, the folder is finished and is never deleted: if another writer took ``final``
    meanwhile (two runs given one id), it goes to the next free name (``Landing.final`` says which); if it
    cannot be renamed at all, it stays where it is and ``NotLanded`` says so.
    """
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = parent / f"{name}-{suffix}"
    tmp = parent / f".tmp-{final.name}-{os.getpid()}"
    landing = Landing(tmp, final)
    try:
        tmp.mkdir()
        yield landing
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            parent.rmdir()              # only if this was the first and left it empty
        except OSError:
            pass
        raise
    landing.final = _land(tmp, final, name, suffix)


def _land(tmp: Path, final: Path, name: str, suffix: int) -> Path:
    """Rename the finished ``tmp`` to ``final``, or to the next free ``name-<n>`` when a writer took it
    meanwhile."""
    target = final
    for _ in range(LANDING_TRIES):
        try:
            os.rename(tmp, target)      # a folder onto a folder with files fails: never replaces a run
            return target
        except OSError as err:
            if err.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not target.exists():
                raise NotLanded(f"the finished results could not be moved to {final} ({err.strerror}); they are "
                                f"kept in {tmp}", tmp) from err
        suffix += 1
        target = final.with_name(f"{name}-{suffix}")
    raise NotLanded(f"the finished results could not be moved to {final} (every name up to -{suffix} is taken); "
                    f"they are kept in {tmp}", tmp)
