"""The parallel machinery: threads, the passes the whole-city work is cut into, the prefetch of the
handlers' attributes, the CPU count and the allocator's tuning.

Nothing here changes a number: the draws are keyed by resident, passes write disjoint rows and the counts are
integers, so one thread or several, one pass or many, give the same bytes (``test_model`` checks it). Only
the entry points switch it on (``runner.run_once`` passes the CPUs to the model and tunes the allocator);
a model built directly runs on one thread.

Allocator: glibc hands blocks above its mmap threshold straight back to the kernel when freed; the next
array of the same size then pays a page fault for every 4 KiB it touches. The monthly passes at whole-city
scale allocate dozens of 10-80 MB temporaries, and on the development VMs a first touch costs 20 times a
rewrite (0.22 s against 0.01 s for 80 MB). Raising the thresholds keeps the memory for reuse; the peak is
unchanged, the process just does not shrink. Threads would each get a malloc arena of their own, whose heaps
glibc shrinks as blocks are freed whatever the thresholds, so the redraw threads' temporaries took fresh
pages every month (450,000 page faults and 1.8 s of system time in a whole-city run); one arena for all
keeps them too (9,000 faults, 0.3 s).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .residents import Residents

REDRAW_CHUNK = 1 << 16   # residents per vectorised pass: the temporaries of 64 Ki rows stay in the CPU caches
SCAN_CHUNK = 1 << 20     # rows per pass of the month-start scans: a pass outweighs handing it to a thread
PERSON_CHUNK = 1 << 19   # residents per pass of the month-end person counts (``recorder``)
#: events per block whose rows' handler attributes are gathered before the block runs (``prefetch``)
PREFETCH_EVENTS = 1024
#: resident attributes the handlers read or write (``handlers.py``): these are worth prefetching; the
#: event's own next_day and the household arrays were measured not to be
HANDLER_FIELDS = ("status", "cell", "is_head", "urban", "hukou", "district", "pension", "employed", "medical",
                  "next_member", "review_day", "hukou_district", "permit", "new_town", "place", "hh")

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
_done = False


def retain_freed_memory() -> bool:
    """Ask glibc to serve large blocks from the heap, not to trim it, and to give every thread the same
    arena; True when applied.

    Idempotent and harmless elsewhere (returns False where glibc's ``mallopt`` is absent).
    """
    global _done
    if _done:
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    _done = (bool(mallopt(M_MMAP_THRESHOLD, 1 << 30)) and bool(mallopt(M_TRIM_THRESHOLD, 1 << 31))
             and bool(mallopt(M_ARENA_MAX, 1)))
    return _done


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                # not on Linux
        return os.cpu_count() or 1


def chunks(rows: np.ndarray, size: int) -> list[np.ndarray]:
    """``rows`` in consecutive pieces of ``size``."""
    return [rows[begin:begin + size] for begin in range(0, len(rows), size)]


class Parallel:
    """A pool of ``threads`` threads (started on first use) for the vectorised passes of one model."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, int(threads))
        self._pool: ThreadPoolExecutor | None = None

    def map(self, fn: Callable[[Any], Any], items: Iterable) -> list:
        """``fn`` over ``items``, on the threads when there are several items (results in order)."""
        items = list(items)
        if len(items) < 2 or self.threads < 2:
            return [fn(item) for item in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="sim")
        return list(self._pool.map(fn, items))

    def rows_where(self, n: int, test: Callable[[slice], np.ndarray]) -> np.ndarray:
        """The rows below ``n`` where ``test`` (a boolean array for a slice of rows) holds, in row order: the
        month's whole-city scans, in passes of ``SCAN_CHUNK`` rows."""
        parts = [slice(begin, min(begin + SCAN_CHUNK, n)) for begin in range(0, max(n, 1), SCAN_CHUNK)]
        return np.concatenate(self.map(lambda part: part.start + np.flatnonzero(test(part)), parts))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def prefetch(res: Residents, rows: np.ndarray) -> None:
    """Bring the handlers' attributes of ``rows`` (and their households' first members) into the CPU caches.

    The month's events fall on rows scattered over arrays far larger than the caches, and each scalar read
    of a handler would wait for memory on its own; numpy's gathers overlap those waits. Changes nothing but
    the time: the gathered values are discarded.
    """
    for name in HANDLER_FIELDS:
        getattr(res, name).take(rows)
    res.hh_first.take(res.hh.take(rows))
