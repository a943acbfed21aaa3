"""Running many independent tasks: in this process, on a local process pool, or on a Dask cluster.

Whatever runs them, each task's result depends on the task alone (runs are
pure and draw only from their own seeded streams), so the results are the
same with any executor and number of workers; only the order they finish in
differs, and the caller sorts. A worker that dies is replaced and its
unfinished tasks run again; a task that keeps killing its workers stops the
sweep with an error rather than looping for ever.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

#: pool breaks in a row without a finished task before giving up
MAX_BREAKS_WITHOUT_PROGRESS = 3


class ExecutorError(RuntimeError):
    """The executor could not be used (Dask missing or unreachable: ``bad_input``) or a task kept killing
    its workers."""

    def __init__(self, message: str, bad_input: bool = False) -> None:
        super().__init__(message)
        self.bad_input = bad_input


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """How worker processes start: ``fork`` where it is safe (a POSIX process with no other thread), which
    costs milliseconds, else ``spawn``, which imports the simulator afresh in each worker (about a second:
    on a short sweep that alone cut the speedup of two workers from 1.87 to 1.29)."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


#: how often a worker's watchdog looks whether its sweep is still alive (the portable fallback of
#: PR_SET_PDEATHSIG)
WATCH_SECONDS = 0.5
#: prctl(2) option: the signal the kernel sends this process when its parent dies
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Worker initializer: end this process when ``parent`` (the sweep) ends, however it ends.

    On Linux the kernel is asked to SIGKILL it when its parent dies (``prctl(PR_SET_PDEATHSIG)``); a
    daemon thread also checks every ``WATCH_SECONDS`` that the parent is still its parent (elsewhere, and
    should the signal not come). A worker holds nothing the sweep needs (the sweep writes the store), so
    it may end at any moment; without this, a worker orphaned by a SIGKILL or SIGTERM of the sweep
    finished its run, minutes at full scale, before noticing.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):      # pragma: no cover - no prctl: the watchdog still watches
            pass
    if os.getppid() != parent:                 # the parent died before the prctl
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def run_local(fn: Callable[[Any], Any], tasks: Sequence, workers: int, on_done: Callable[[int, Any], None],
              method: str | None = None) -> None:
    """Run ``fn(task)`` for every task; call ``on_done(index, result)`` in this process as each finishes.

    ``method`` forces a start method (tests); results do not depend on it.
    """
    if workers <= 1:
        for i, task in enumerate(tasks):
            on_done(i, fn(task))
        return
    pending = set(range(len(tasks)))
    breaks = 0
    context = multiprocessing.get_context(method or start_method())
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context,
                                   initializer=die_with_parent, initargs=(os.getpid(),))
        try:
            futures = {pool.submit(fn, tasks[i]): i for i in sorted(pending)}
            waiting = set(futures)
            while waiting:
                finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()           # a dead worker raises BrokenProcessPool here
                    i = futures[future]
                    pending.discard(i)
                    breaks = 0
                    on_done(i, result)
        except BrokenProcessPool:
            breaks += 1
            if breaks >= MAX_BREAKS_WITHOUT_PROGRESS:
                raise ExecutorError(f"worker processes died {breaks} times in a row without finishing a run; "
                                    f"{len(pending)} run(s) left (out of memory?)") from None
        finally:                   # on an error or Ctrl-C, do not run the queued tasks first
            pool.shutdown(wait=True, cancel_futures=True)


def private_security():
    """Dask security for a ``LocalCluster`` only this process may use: mutual TLS with a key and a
    self-signed certificate made in memory for this cluster (``Security.temporary``).

    A plain LocalCluster listens on a TCP port of 127.0.0.1 that any local user may connect to and, Dask's
    protocol being pickles, run code in as the sweep's user. Here every connection (client, scheduler,
    nanny, worker) must present the cluster's certificate, which never leaves this process and its
    workers. (Dask has no token for the scheduler, nor a Unix-socket transport; ``inproc://`` would mean
    threads in one process, which a run's pure Python cannot use in parallel.)
    """
    try:
        from distributed.security import Security

        return Security.temporary()
    except ImportError:
        raise ExecutorError("--dask-local: a private cluster needs the cryptography package for its TLS "
                            "certificate: pip install cryptography (or: pip install '.[dask]')",
                            bad_input=True) from None


def run_dask(fn: Callable[[Any], Any], tasks: Sequence, on_done: Callable[[int, Any], None],
             address: str | None = None, local_workers: int | None = None, timeout: str = "20s") -> None:
    """The same on Dask: a scheduler at ``address``, or a ``LocalCluster`` of ``local_workers`` processes
    that only this process can reach (``private_security``: TLS on 127.0.0.1).

    Dask's scheduler reruns the tasks of a worker that dies (up to its ``allowed-failures``).
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ExecutorError("--dask: Dask is not installed: pip install 'dask[distributed]' (or: pip install "
                            "'.[dask]')", bad_input=True) from None
    cluster = None
    try:
        if address is None:
            cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1", protocol="tls://",
                                   security=private_security())
            client = Client(cluster)            # with the cluster's security
        else:
            client = Client(address, timeout=timeout)
    except OSError as err:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(f"--dask: cannot reach the Dask scheduler at {address}: {err}", bad_input=True) from None
    try:
        futures = [client.submit(fn, task, pure=False, retries=2) for task in tasks]
        index = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            on_done(index[future.key], future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
