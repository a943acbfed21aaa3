"""Writing whole or not at all, and only where meant: a file is the old one or the new one, a folder exists
only when complete, and no write goes through a symbolic link planted inside a results folder.

Temporaries sit beside their destination under names nobody can guess (``.tmp-<name>-<pid>-<random>``)
and are created exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``, ``mkdir``), so a link planted at a
temporary's name cannot redirect a write. ``inside`` refuses a link below a results folder (a ``plots``
pointing at someone's home); ``check_writable`` refuses, before any work, a folder that cannot be written
in or a path the file system cannot hold. A temporary a killed process left is removed by the next writer
in the same folder (``clean_leftovers``: only this project's names, only when its writer is gone; never a
finished folder that could not be moved into place).

A folder being filled is *pinned* (``pinned``): opened once when it is made, and every file written below
it during the block (``write_atomic``) is reached from that open folder one name at a time, refusing links,
instead of by its path. A folder renamed away and replaced by a link while a run writes into it therefore
receives nothing through the link, and the folder is not moved into place (``atomic_folder`` checks it is
still the one it made).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: the prefix of every temporary file and folder this project makes
TMP = ".tmp-"
#: a leftover is removed once its writing process is gone and it has not changed for this long (a writer on
#: another machine sharing the folder, whose process id means nothing here, has that long)
LEFTOVER_AGE_SECONDS = 3600
_LEFTOVER = re.compile(rf"{re.escape(TMP)}.+-(?P<pid>\d+)-[0-9a-f]{{8}}")
#: room for what a command writes below ``--out``: comparisons/<name>-vs-<name>/ (12 + 132 bytes), a
#: temporary run folder (.tmp-<run id>-<pid>-<random>, under 80) and a temporary plot below it (under 80)
ROOM_BELOW_OUT_BYTES = 300
#: folders already looked at for leftovers by this process (``write_atomic`` looks once per folder)
_CLEANED: set[Path] = set()
#: a file in a finished folder between the end of its block and its landing: a folder holding it is never
#: removed as a leftover (a folder that could not be moved into place is kept; ``NotLanded``)
FINISHED_MARK = ".finished"
#: the folders pinned by this process (absolute path as written, not resolved) and their open descriptors
_PINNED: dict[Path, int] = {}
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))


#: the errno of an OSError that means the machine refused a write (a full disk, a quota, an input/output error, a
#: read-only file system, a file too large): not the user's input, not a bug (the command line's exit code 3)
MACHINE_ERRNOS = frozenset(e for e in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EIO, errno.EROFS,
                                       errno.EFBIG) if e is not None)


class OutputPathError(ValueError):
    """A place the tool will not or cannot write: a symbolic link inside a results folder, a folder it cannot
    write in, a path longer than the file system allows (bad input: exit code 2)."""


def temporary_name(name: str) -> str:
    """``.tmp-<name>-<pid>-<8 random hex digits>``: the process that wrote it, and no name to plant a link at."""
    return f"{TMP}{name}-{os.getpid()}-{secrets.token_hex(4)}"


def inside(root: Path, *parts: str) -> Path:
    """``root/part/...``, after refusing a part that is not one plain file name or that exists as a symbolic
    link: what is written there stays in ``root``. ``root`` itself may be a link (the user's own ``--out``)."""
    path = Path(root)
    for part in parts:
        if part in ("", ".", "..") or Path(part).name != part:
            raise OutputPathError(f"{part!r} is not a file name: refusing to write outside {root}")
        path = path / part
        if path.is_symlink():
            raise OutputPathError(f"{path} is a symbolic link (to {os.readlink(path)}): refusing to write through "
                                  "it; remove the link or choose another folder")
    return path


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
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, created exclusively,
    flushed to disk, then renamed into place, so that even a killed process leaves the old file or the new
    one. A ``path`` that is a symbolic link is refused (``OutputPathError``); below a pinned folder, so is
    any link on the way to it (``pinned``)."""
    path = Path(path)
    folder = _open_parent(path)
    try:
        if path.parent not in _CLEANED:
            clean_leftovers(path.parent)
            _CLEANED.add(path.parent)
        if _is_link(path.name, folder):
            raise OutputPathError(f"{path} is a symbolic link (to {os.readlink(path)}): refusing to write "
                                  "through it")
        tmp = temporary_name(path.name)
        fd = os.open(tmp, _FILE_FLAGS, 0o666, dir_fd=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as err:
            try:
                os.unlink(tmp, dir_fd=folder)
            except OSError:
                pass
            if isinstance(err, OSError) and err.errno in MACHINE_ERRNOS:
                raise OSError(err.errno, err.strerror, str(path)) from err    # the file meant, not the temporary
            raise
    finally:
        os.close(folder)
    return path


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def _open_parent(path: Path) -> int:
    """An open descriptor of ``path``'s folder, made if missing. Below a pinned folder it is reached from the
    pinned descriptor one name at a time, each made if missing and refused if it is a link or not a folder;
    elsewhere by its path (the user's own ``--out`` may be a link)."""
    absolute = Path(os.path.abspath(path.parent))
    base = next((p for p in (absolute, *absolute.parents) if p in _PINNED), None)
    if base is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path.parent, _DIR_FLAGS & ~getattr(os, "O_NOFOLLOW", 0))
    folder = os.dup(_PINNED[base])
    reached = base
    try:
        for part in absolute.relative_to(base).parts:
            reached = reached / part
            try:
                os.mkdir(part, 0o777, dir_fd=folder)
            except FileExistsError:
                pass
            try:
                inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            except OSError as err:
                if err.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    raise OutputPathError(f"{reached} is a symbolic link or not a folder: refusing to write "
                                          "through it; remove it or choose another folder") from None
                raise
            os.close(folder)
            folder = inner
    except BaseException:
        os.close(folder)
        raise
    return folder


@contextmanager
def pinned(folder: Path) -> Iterator[int]:
    """Open ``folder`` (not through a link) for the block: ``write_atomic`` below it reaches its files from
    this descriptor, so replacing the folder or one of its subfolders by a link redirects nothing. Yields
    the descriptor (valid during the block only)."""
    key = Path(os.path.abspath(folder))
    fd = os.open(folder, _DIR_FLAGS)
    previous = _PINNED.get(key)
    _PINNED[key] = fd
    try:
        yield fd
    finally:
        if previous is None:
            del _PINNED[key]
        else:
            _PINNED[key] = previous
        os.close(fd)


@contextmanager
def atomic_folder(parent: Path, name: str):
    """Yield a ``Landing`` (``tmp, final``): fill ``tmp``; it becomes ``final`` (``parent/name``, with ``-2``,
    ``-3``... when taken) only when the block ends without error, and nothing is left behind otherwise.
    ``tmp`` is pinned during the block (``pinned``): write its files with ``write_atomic``.

    Once the block has ended, the folder is finished and is never deleted: if another writer took ``final``
    meanwhile (two runs given one id), it goes to the next free name (``Landing.final`` says which); if it
    cannot be renamed at all, it stays where it is and ``NotLanded`` says so. A ``tmp`` that is no longer
    the folder made here (renamed away, a link in its place) is not moved anywhere (``OutputPathError``).
    """
    made = missing_folders(parent)
    parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(parent)
    final = parent / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = parent / f"{name}-{suffix}"
    tmp = parent / temporary_name(final.name)
    landing = Landing(tmp, final)
    try:
        tmp.mkdir()                     # exclusive: fails on anything already there, a planted link too
    except BaseException:
        remove_empty(made)
        raise
    with pinned(tmp) as fd:
        try:
            yield landing
        except BaseException:
            if _same_folder(tmp, fd):       # never what was put in its place
                shutil.rmtree(tmp, ignore_errors=True)
                remove_empty(made)          # the folders above it that this made, if nothing else came in them
            raise
        if not _same_folder(tmp, fd):
            raise OutputPathError(f"{tmp} was replaced while results were written into it (by another program, "
                                  "or a link); nothing was moved into place")
        os.close(os.open(FINISHED_MARK, _FILE_FLAGS, 0o644, dir_fd=fd))    # finished: never deleted now
        landing.final = _land(tmp, final, name, suffix)
        os.unlink(FINISHED_MARK, dir_fd=fd)        # the descriptor follows the folder to its new name


def _same_folder(path: Path, fd: int) -> bool:
    """Whether ``path`` (not followed) is still the folder opened as ``fd``."""
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    made = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino)


def _finished(folder: Path) -> bool:
    return os.path.lexists(folder / FINISHED_MARK)


def missing_folders(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first: what ``mkdir(parents=True)``
    would make (``remove_empty`` takes them away again)."""
    return [p for p in (folder, *folder.parents) if not p.exists() and not p.is_symlink()]


def remove_empty(folders: list[Path]) -> None:
    """Remove the folders in turn, deepest first, as long as each is empty: a writer that stopped before
    writing anything leaves no folder it made behind, and never removes anything it did not make."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


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


def clean_leftovers(folder: Path) -> list[Path]:
    """Remove the temporaries a killed writer left in ``folder`` (not below it); return what was removed.

    Only this project's names (``temporary_name``), and only when the process that wrote one is no longer
    running on this machine and it has not changed for ``LEFTOVER_AGE_SECONDS``; a link is removed, never
    followed; a finished folder that could not be moved into place (it holds ``FINISHED_MARK``) is kept.
    Anything else is left alone.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None or _running(int(match["pid"])):
            continue
        try:
            if time.time() - entry.stat(follow_symlinks=False).st_mtime < LEFTOVER_AGE_SECONDS:
                continue
            if entry.is_dir(follow_symlinks=False):
                if _finished(Path(entry.path)):
                    continue            # finished results that were never moved into place: the user's
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue                    # gone already, or not ours to remove
        removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (another user's counts)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def check_writable(folder: Path, room_bytes: int = ROOM_BELOW_OUT_BYTES) -> None:
    """Refuse (``OutputPathError``) a folder that cannot receive results, before any work is done: a name or
    a path longer than the file system allows (with ``room_bytes`` for what is written below it), a file
    where a folder must be, or a nearest existing folder this process cannot create a folder in (no
    permission, read-only, ``/proc``). The probe it creates there is removed at once."""
    folder = Path(folder)
    name_max, path_max = _limits(folder)
    for part in folder.parts:
        if len(os.fsencode(part)) > name_max:
            raise OutputPathError(f"the name {part[:40]!r}... is {len(os.fsencode(part))} bytes, longer than the "
                                  f"{name_max} bytes the file system allows for one name")
    length = len(os.fsencode(os.path.abspath(folder)))
    if length + room_bytes > path_max:
        raise OutputPathError(f"the folder's path is {length} bytes long; with the {room_bytes} bytes of folders and "
                              f"files written below it, it would pass the file system's limit of {path_max}")
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputPathError(f"{existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputPathError(f"no permission to write in {existing}")
    probe = existing / temporary_name("probe")
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as err:
        if err.errno in MACHINE_ERRNOS and err.errno != errno.EROFS:
            raise                       # a full disk is the machine's state, not a wrong --out (exit code 3)
        raise OutputPathError(f"cannot create a folder in {existing} ({err.strerror}); choose a folder you can "
                              "write in") from None


def _limits(folder: Path) -> tuple[int, int]:
    """The longest name and path (bytes) the file system of ``folder``'s nearest existing folder takes."""
    probe = Path(os.path.abspath(folder))
    while True:
        try:
            return os.pathconf(probe, "PC_NAME_MAX"), os.pathconf(probe, "PC_PATH_MAX")
        except (OSError, ValueError, AttributeError):
            if probe.parent == probe:
                return 255, 4096
            probe = probe.parent
