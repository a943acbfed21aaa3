"""Keep freed memory in the process, so numpy's large temporaries skip page faults.

glibc hands blocks above its mmap threshold straight back to the kernel when
freed; the next array of the same size then pays a page fault for every 4 KiB
it touches. The monthly passes at whole-city scale allocate dozens of 10-80 MB
temporaries, and on the development VMs a first touch costs 20 times a
rewrite (0.22 s against 0.01 s for 80 MB). Raising the thresholds keeps the
memory for reuse; the peak is unchanged, the process just does not shrink.

Threads would each get a malloc arena of their own, whose heaps glibc shrinks
as blocks are freed whatever the thresholds, so the redraw threads' temporaries
took fresh pages every month (450,000 page faults and 1.8 s of system time in a
whole-city run); one arena for all keeps them too (9,000 faults, 0.3 s). The
threads allocate a few dozen blocks per pass, so sharing the arena's lock costs
nothing measurable.
"""

from __future__ import annotations

import ctypes
import ctypes.util

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
