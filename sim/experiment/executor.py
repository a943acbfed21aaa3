"""Running many independent tasks: in this process, on a local process pool, or on a Dask cluster.

Whatever runs them, each task's result depends on the task alone (runs are
pure and draw only from their own seeded streams), so the results are the
same with any executor and number of workers; only the order they finish in
differs, and the caller sorts. A worker that dies is replaced and its
unfinished tasks run again; a task that keeps killing its workers stops the
sweep with an error rather than looping for ever. Neither pool is handed every
task at once: a window of ``IN_FLIGHT_PER_WORKER`` per worker is in flight,
the next submitted as one finishes (``run_bounded``).
"""

from __future__ import annotations

import ctypes
import ipaddress
import math
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import islice
from typing import Any

from ..core.fields import one_line, spell

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


#: tasks handed to an executor at once, per worker: enough that a worker finishing one finds the next
#: waiting, few enough that a sweep of 100,000 runs does not hold them all as futures and pickled payloads
#: (about 600 MB when every task was submitted at once)
IN_FLIGHT_PER_WORKER = 4


def run_bounded(submit: Callable[[int], Any], finished: Callable[[set], Iterable], indices: Iterable[int],
                window: Callable[[], int], on_done: Callable[[int, Any], None]) -> None:
    """``submit(i)`` for each index in turn, never more than ``window()`` unfinished at once: as some finish
    (``finished(unfinished)`` waits for at least one and returns those done), ``on_done(i, result)``, then
    the next are submitted. The one loop of both executors; a ``result()`` that raises (a dead worker, a
    task's error) leaves it with that exception, the rest unsubmitted."""
    queue = iter(indices)
    in_flight: dict[Any, int] = {}
    while True:
        for i in islice(queue, max(window() - len(in_flight), 0)):
            in_flight[submit(i)] = i
        if not in_flight:
            return
        for future in finished(set(in_flight)):
            on_done(in_flight.pop(future), future.result())


def _first_finished(futures: set) -> set:
    return wait(futures, return_when=FIRST_COMPLETED).done


def run_local(fn: Callable[[Any], Any], tasks: Sequence, workers: int, on_done: Callable[[int, Any], None],
              method: str | None = None) -> None:
    """Run ``fn(task)`` for every task; call ``on_done(index, result)`` in this process as each finishes.

    At most ``IN_FLIGHT_PER_WORKER`` tasks per worker are submitted at a time. ``method`` forces a start
    method (tests); results do not depend on it.
    """
    if workers <= 1:
        for i, task in enumerate(tasks):
            on_done(i, fn(task))
        return
    pending = set(range(len(tasks)))
    breaks = 0
    context = multiprocessing.get_context(method or start_method())

    def done(i: int, result: Any) -> None:
        pending.discard(i)
        on_done(i, result)

    while pending:
        before = len(pending)
        try:                       # a dead worker raises BrokenProcessPool from its future's result
            _run_pool(fn, tasks, sorted(pending), min(workers, len(pending)), context, done)
        except BrokenProcessPool:
            breaks = 1 if len(pending) < before else breaks + 1
            if breaks >= MAX_BREAKS_WITHOUT_PROGRESS:
                raise ExecutorError(f"worker processes died {breaks} times in a row without finishing a run; "
                                    f"{len(pending)} run(s) left (out of memory?)") from None


def _run_pool(fn: Callable[[Any], Any], tasks: Sequence, indices: list[int], size: int, context,
              on_done: Callable[[int, Any], None]) -> None:
    """The tasks at ``indices`` on one pool of ``size`` worker processes, ``IN_FLIGHT_PER_WORKER`` per worker
    submitted at a time."""
    pool = ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=die_with_parent,
                               initargs=(os.getpid(),))
    try:
        run_bounded(lambda i: pool.submit(fn, tasks[i]), _first_finished, indices,
                    lambda: IN_FLIGHT_PER_WORKER * size, on_done)
    finally:                       # on an error or Ctrl-C, do not run the queued tasks first
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


#: what a scheduler with no worker yet (they may join later: dask-jobqueue) is counted as
DASK_WORKERS_FLOOR = 2
#: how often the submission window on Dask looks again how many worker threads the cluster has
WORKERS_RECHECK_SECONDS = 10.0
#: the schemes Dask connects over that do not reach a scheduler on another process or machine
NOT_REMOTE = ("inproc",)
#: what a malformed ``--dask`` address is told
ADDRESS_FORM = "expected an address like tcp://192.168.1.10:8786"
#: a host name's labels (RFC 1123, with '_' as Dask's own tools accept) once written in ASCII (IDNA)
HOST_NAME = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*\.?")
#: the longest host name DNS allows
HOST_NAME_MAX = 253
PORT_MAX = 65535


def require_dask() -> None:
    """``ExecutorError`` (bad input) saying how to install Dask, when it is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ExecutorError("--dask: Dask is not installed: pip install 'dask[distributed]' (or: pip install "
                            "'.[dask]')", bad_input=True) from None


def dask_schemes() -> list[str]:
    """The schemes this installation of distributed can connect to another process over (``tcp``, ``tls``,
    ``ws``, ``wss``; ``ucx`` only with its library)."""
    require_dask()
    from distributed.comm import registry

    usable = []
    for scheme in registry.backends:
        try:
            registry.get_backend(scheme).get_connector()
        except Exception:  # noqa: BLE001 - a backend that cannot connect here (ucx without ucx-py)
            continue
        if scheme not in NOT_REMOTE:
            usable.append(scheme)
    return sorted(usable)


def check_address(address: str) -> tuple[str, str, int]:
    """``address``'s scheme, host and port, or ``ExecutorError`` (bad input) saying what is wrong with its
    form; nothing is connected to. Without a scheme it is ``tcp``, as for Dask."""
    def refused(problem: str) -> ExecutorError:
        return ExecutorError(f"--dask: {spell(address)}: {problem}; {ADDRESS_FORM}", bad_input=True)

    if not address:
        raise refused("the address is empty")
    scheme, sep, location = address.partition("://")
    if not sep:
        scheme, location = "tcp", address
    schemes = dask_schemes()
    if scheme not in schemes:
        raise refused(f"Dask does not connect over {spell(scheme)} (it does over {', '.join(schemes)})")
    if location.startswith("["):                       # an IPv6 address: [::1]:8786
        host, bracket, rest = location[1:].partition("]")
        if not bracket:
            raise refused("the IPv6 address has no closing ']'")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise refused(f"{spell(host)} is not an IPv6 address") from None
        if rest and not rest.startswith(":"):
            raise refused("a ':' and the port must follow the ']'")
        port = rest[1:]
    else:
        host, _, port = location.rpartition(":") if ":" in location else (location, "", "")
        if ":" in host:
            raise refused("an IPv6 address goes in brackets: tcp://[::1]:8786")
        if not host:
            raise refused("the host is missing")
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = ""
        if len(ascii_host) > HOST_NAME_MAX or not HOST_NAME.fullmatch(ascii_host):
            raise refused(f"{spell(host)} is not a host name or IP address")
    if not port:
        raise refused("the port is missing")
    if not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= PORT_MAX:
        raise refused(f"the port must be a whole number from 1 to {PORT_MAX}, got {spell(port)}")
    return scheme, host, int(port)


def _reach(address: str, timeout_seconds: float, security) -> None:
    """Make sure a Dask scheduler answers at ``address`` within ``timeout_seconds``, or raise ``ExecutorError``
    (bad input) saying why. Distributed's ``Client`` retries a refused connection, or a host name that does
    not resolve, until its timeout (20 s for nothing), and waits for ever for the handshake of a server that
    is not a scheduler (an HTTP server on that port); here the first fails at once and the second after
    ``timeout_seconds``."""
    import asyncio

    from distributed.comm import connect

    _, host, port = check_address(address)
    cannot = f"--dask: cannot reach the Dask scheduler at {spell(address)}"
    try:
        socket.create_connection((host, port), timeout=timeout_seconds).close()
    except socket.gaierror as err:
        raise ExecutorError(f"{cannot}: no host is named {spell(host)} ({err.strerror})", bad_input=True) from None
    except ConnectionRefusedError:
        raise ExecutorError(f"{cannot}: nothing listens on port {port} of {host} (is the scheduler running?)",
                            bad_input=True) from None
    except TimeoutError:
        raise ExecutorError(f"{cannot}: no answer within {timeout_seconds:g} s", bad_input=True) from None
    except OSError as err:
        raise ExecutorError(f"{cannot}: {err.strerror or err}", bad_input=True) from None

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout_seconds,
                                              **security.get_connection_args("client")), timeout_seconds)
        await comm.close()

    try:
        asyncio.run(handshake())
    except TimeoutError:
        raise ExecutorError(f"{cannot}: something listens on port {port} of {host} but no Dask scheduler "
                            f"answered within {timeout_seconds:g} s", bad_input=True) from None
    except (OSError, ValueError, TypeError) as err:
        raise ExecutorError(f"{cannot}: {one_line(err)}", bad_input=True) from None


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold a first Ctrl-C until the block ends, then raise it; a second one interrupts at once.

    For the start of a ``LocalCluster``: distributed, interrupted while it starts one, leaves the cluster and
    its worker processes running, and closing it then fails (its workers still starting) with a traceback.
    Held, the start ends (a second or two) and the cluster is closed whole. Only in the main thread, and
    only where Ctrl-C is Python's own ``KeyboardInterrupt``.
    """
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    pressed = False

    def hold(signum, frame) -> None:
        nonlocal pressed
        if pressed:
            raise KeyboardInterrupt
        pressed = True

    signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


@contextmanager
def dask_client(address: str | None = None, local_workers: int | None = None,
                timeout_seconds: float = 20.0) -> Iterator[Any]:
    """A Dask ``Client`` of the scheduler at ``address``, or of a private ``LocalCluster`` of
    ``local_workers`` processes, closed (with the cluster) when the block ends however it ends.

    A scheduler that cannot be reached or used is ``ExecutorError`` (bad input).
    """
    require_dask()
    from distributed import Client, LocalCluster
    from distributed.security import Security

    cluster = client = None
    if address is None:
        security = private_security()
        try:
            with ctrl_c_held():
                cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1", protocol="tls://",
                                       security=security)
                client = Client(cluster)        # with the cluster's security
        except BaseException:
            _close(client, cluster)
            raise
    else:
        security = Security()                   # Dask's configuration (its TLS settings), as Client's own
        _reach(address, timeout_seconds, security)
        try:
            client = Client(address, timeout=timeout_seconds, security=security)
        except (OSError, ValueError, TypeError) as err:
            raise ExecutorError(f"--dask: cannot reach the Dask scheduler at {spell(address)}: {one_line(err)}",
                                bad_input=True) from None
    try:
        yield client
    finally:
        _close(client, cluster)


def _close(client, cluster) -> None:
    """Close the client, then the cluster, whole: a Ctrl-C meanwhile is held until they are (``ctrl_c_held``)."""
    with ctrl_c_held():
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def run_on_client(client, fn: Callable[[Any], Any], tasks: Sequence, on_done: Callable[[int, Any], None]) -> None:
    """Run the tasks on a Dask ``client``: at most ``IN_FLIGHT_PER_WORKER`` per worker thread of the cluster
    (counted again every ``WORKERS_RECHECK_SECONDS``, at least ``DASK_WORKERS_FLOOR``) submitted at a time,
    each with two retries.

    Dask's scheduler reruns the tasks of a worker that dies (up to its ``allowed-failures``).
    """
    from distributed import as_completed

    completions = as_completed()
    counted_at, threads = -math.inf, 0

    def window() -> int:
        nonlocal counted_at, threads
        if time.monotonic() - counted_at >= WORKERS_RECHECK_SECONDS:
            counted_at, threads = time.monotonic(), sum(client.nthreads().values())
        return IN_FLIGHT_PER_WORKER * max(threads, DASK_WORKERS_FLOOR)

    def submit(i: int):
        future = client.submit(fn, tasks[i], pure=False, retries=2)
        completions.add(future)
        return future

    run_bounded(submit, lambda unfinished: completions.next_batch(block=True), range(len(tasks)), window, on_done)


def run_dask(fn: Callable[[Any], Any], tasks: Sequence, on_done: Callable[[int, Any], None],
             address: str | None = None, local_workers: int | None = None, timeout_seconds: float = 20.0) -> None:
    """The same on Dask: a scheduler at ``address``, or a ``LocalCluster`` of ``local_workers`` processes
    that only this process can reach (``private_security``: TLS on 127.0.0.1); nothing started for no task.
    """
    if not tasks:
        return
    with dask_client(address, local_workers, timeout_seconds) as client:
        run_on_client(client, fn, tasks, on_done)
