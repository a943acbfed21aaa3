"""The page's runs, one at a time in a worker process, so the page stays responsive while it simulates.

A job is a run of a what-if or its comparison with the baseline, done by ``sim.api`` exactly as the CLI would
(the same folders; stored runs of the same scenario by the same code reused, so an identical repeat answers at
once). ``Jobs`` keeps each job's state for the page to poll; ``MAX_WORKERS`` jobs run at once (one: the runs
use the machine's cores through their own threads, two at once would only slow both).
"""

from __future__ import annotations

import multiprocessing
import secrets
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .. import api
from ..experiment.executor import default_workers
from ..output.comparison import pairing_overrides
from ..scenario import ScenarioError, load_scenario
from .forms import BASELINE

#: jobs simulating at once
MAX_WORKERS = 1


def run_what_if(path: str, out: str) -> str:
    """The run folder of the scenario file ``path`` (stored, or simulated and written), in a worker; its
    replications spread over the machine's cores (the same numbers whatever their number)."""
    scenario = load_scenario(path)
    return str(api.run_loaded(scenario, path, out, [], reuse=True, workers=replication_workers(scenario)).folder)


def replication_workers(scenario) -> int:
    """Processes for the replications of ``scenario``: every core, no more than its replications."""
    return max(1, min(default_workers(), scenario.replications))


def compare_what_if(path: str, out: str) -> str:
    """The comparison folder of ``path`` against the baseline run with its seed, replications, period and scale;
    the baseline's run is stored as a run folder too, so the next what-if at the same size reuses it."""
    mine = load_scenario(path)
    overrides = pairing_overrides(mine)
    base = load_scenario(BASELINE, overrides=overrides)
    api.run_loaded(base, BASELINE, out, overrides, reuse=True, workers=replication_workers(mine))
    return str(api.compare(path, BASELINE, out, reuse=True).folder)


@dataclass
class Job:
    id: str
    kind: str                      # "run" or "compare"
    scenario: str                  # the what-if's file
    future: Future
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def state(self) -> str:
        if not self.future.done():
            return "running"
        return "failed" if self.future.exception() is not None else "done"

    @property
    def seconds(self) -> float:
        if self.finished is None and self.future.done():
            self.finished = time.monotonic()
        return (self.finished or time.monotonic()) - self.started

    @property
    def error(self) -> str:
        err = self.future.exception() if self.future.done() else None
        if err is None:
            return ""
        return str(err) if isinstance(err, ScenarioError | ValueError | OSError) else f"{type(err).__name__}: {err}"

    @property
    def folder(self) -> Path | None:
        return Path(self.future.result()) if self.state == "done" else None


class Jobs:
    """The worker pool and the jobs it has been given (kept for the server's life)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.pool = ProcessPoolExecutor(max_workers=MAX_WORKERS, mp_context=multiprocessing.get_context("spawn"))
        self.jobs: dict[str, Job] = {}

    def submit(self, kind: str, scenario: Path) -> Job:
        function = run_what_if if kind == "run" else compare_what_if
        job = Job(secrets.token_hex(6), kind, str(scenario), self.pool.submit(function, str(scenario), str(self.out)))
        self.jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
