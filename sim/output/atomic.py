"""Writing whole or not at all: a file is the old one or the new one, a folder exists only when complete."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path


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
    """Yield ``(tmp, final)``: fill ``tmp``; it becomes ``final`` (``parent/name``, with ``-2``, ``-3``...
    when taken) only when the block ends without error, and nothing is left behind otherwise."""
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = parent / f"{name}-{suffix}"
    tmp = parent / f".tmp-{final.name}-{os.getpid()}"
    try:
        tmp.mkdir()
        yield tmp, final
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            parent.rmdir()              # only if this was the first and left it empty
        except OSError:
            pass
        raise
