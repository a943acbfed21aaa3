"""A sweep from plan to table: design points x policies x replications, run where asked, stored as they finish.

``plan`` lists every run with its key; ``run_task`` (pure, picklable: the
resolved scenario as plain data and a replication index) is what a worker
executes; ``execute`` runs what the store lacks; ``runs_rows`` assembles the
finished runs into ``runs.csv`` in a fixed order, so the table's bytes do not
depend on the executor or on how often the sweep was interrupted.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import ZONES
from ..output.formats import RUNS, fmt, seconds
from ..output.yearly import yearly_values
from ..runner import run_once
from ..scenario import validate
from .design import sample
from .spec import Sweep
from .store import Store, run_key


@dataclass(frozen=True)
class Task:
    """One run: what a worker needs (``scenario``, ``replication``, ``outputs``) and where it belongs."""

    key: str
    policy: str
    point: int
    replication: int
    values: tuple[float, ...]
    scenario: dict
    outputs: tuple[tuple[str, str, str, int], ...]      # (label, zone, indicator, year)


def points(sweep: Sweep) -> np.ndarray:
    """The design points, in natural units, one row per point."""
    return sample(sweep.design, sweep.parameters, sweep.samples, sweep.seed, levels=sweep.levels,
                  grid_points=sweep.grid_points)


def plan(sweep: Sweep) -> list[Task]:
    """Every run of the sweep, policy-major, then point, then replication."""
    outputs = tuple((o.label, o.zone, o.indicator, o.year) for o in sweep.outputs)
    tasks = []
    for k, (policy, _) in enumerate(sweep.policies):
        for i, point in enumerate(points(sweep)):
            scenario = sweep.scenario(k, point).to_dict()
            for r in range(sweep.replications):
                tasks.append(Task(run_key(scenario, r), policy, i, r, tuple(float(v) for v in point), scenario,
                                  outputs))
    return tasks


def run_task(task: Task) -> dict:
    """Run one task and return its stored record (the outputs, the time it took).

    One thread per run: a sweep spreads its runs over the workers, not one run over the CPUs.
    """
    started = time.perf_counter()
    result = run_once(validate(task.scenario), task.replication, threads=1)
    by_year = yearly_values(result)
    outputs = {label: float(by_year[year][ZONES.index(zone), INDICATOR_NAMES.index(indicator)])
               for label, zone, indicator, year in task.outputs}
    return {"key": task.key, "policy": task.policy, "point": task.point, "replication": task.replication,
            "values": list(task.values), "outputs": outputs, "events": result.events_processed,
            "wall_seconds": seconds(time.perf_counter() - started)}


def execute(tasks: list[Task], store: Store, runner: Callable,
            on_stored: Callable[[dict], object] | None = None) -> int:
    """Run the tasks the store lacks with ``runner(fn, tasks, on_done)``; store each as it finishes.

    Returns how many ran. A task listed twice (the same settings reached twice) runs once.
    """
    done = store.done()
    todo = list({t.key: t for t in tasks if t.key not in done}.values())

    def stored(i: int, record: dict) -> None:
        store.put(todo[i].key, record)
        if on_stored is not None:
            on_stored(record)

    runner(run_task, todo, stored)
    return len(todo)


def records(tasks: list[Task], store: Store) -> dict[str, dict]:
    """Every task's stored record, read once."""
    return {key: store.get(key) for key in dict.fromkeys(t.key for t in tasks)}


def runs_rows(sweep: Sweep, tasks: list[Task], stored: dict[str, dict]):
    """Rows of ``runs.csv`` in plan order: run id, policy, point, replication, parameters, outputs."""
    for task in tasks:
        record = stored[task.key]
        yield (task.key[:16], task.policy, task.point, task.replication,
               *(fmt(v) for v in task.values), *(fmt(record["outputs"][o.label]) for o in sweep.outputs))


def runs_columns(sweep: Sweep) -> tuple[str, ...]:
    return (*RUNS.columns, *(p.path for p in sweep.parameters), *(o.label for o in sweep.outputs))


def point_means(sweep: Sweep, tasks: list[Task], stored: dict[str, dict], policy: str) -> dict[str, np.ndarray]:
    """Per output, the mean over replications at each design point of one policy (for the indices)."""
    n = max(t.point for t in tasks) + 1
    sums = {o.label: np.zeros(n) for o in sweep.outputs}
    for task in tasks:
        if task.policy == policy:
            outputs = stored[task.key]["outputs"]
            for o in sweep.outputs:
                sums[o.label][task.point] += outputs[o.label]
    return {label: total / sweep.replications for label, total in sums.items()}
