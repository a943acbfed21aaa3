"""A sweep from plan to table: design points x policies x replications, run where asked, stored as they finish.

``plan`` lists every run with its key; ``run_task`` (pure, picklable: the
resolved scenario as plain data and a replication index) is what a worker
executes; ``execute`` runs what the store lacks; ``runs_rows`` assembles the
finished runs into ``runs.csv`` in a fixed order, so the table's bytes do not
depend on the executor or on how often the sweep was interrupted.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import ZONES
from ..output.formats import RUNS, fmt, seconds
from ..output.yearly import yearly_values
from ..runner import run_once
from ..scenario import validate
from .design import bounds, sample, to_natural
from .spec import Sweep
from .store import DamagedRecord, Store, key_text, run_key


@dataclass(frozen=True)
class Task:
    """One run: what a worker needs (``scenario``, ``replication``, ``outputs``) and where it belongs.

    The resolved scenario is ``base`` (the policy's, one dict shared by all its tasks) with the point's
    ``settings`` written in, made when a worker asks for it: a plan of 100,000 runs holds one scenario per
    policy, not one per run (115 KB each).
    """

    key: str
    policy: str
    point: int
    replication: int
    values: tuple[float, ...]
    base: dict
    settings: tuple[tuple[str, Any], ...]               # (dotted path, value) of the point's parameters
    outputs: tuple[tuple[str, str, str, int], ...]      # (label, zone, indicator, year)

    @property
    def scenario(self) -> dict:
        return with_settings(self.base, self.settings)


def with_settings(base: dict, settings: Sequence[tuple[str, Any]]) -> dict:
    """``base`` with each dotted setting replaced, copying only the mappings on the way (``base`` is kept)."""
    out = dict(base)
    for path, value in settings:
        node = out
        *parents, leaf = path.split(".")
        for key in parents:
            node[key] = dict(node[key])
            node = node[key]
        node[leaf] = value
    return out


class KeyTemplate:
    """``run_key`` of many scenarios that differ from ``base`` only in the values of ``paths``, without
    dumping each: the base's key text is dumped once with a placeholder at each path (and at the
    replication), and each key hashes that text with the values' JSON in their places. Same bytes as
    ``run_key`` of the scenario with the values written in (``json.dumps`` writes a number as its repr
    wherever it stands); about 10 microseconds a key instead of 100."""

    def __init__(self, base: dict, paths: Sequence[str]) -> None:
        token = secrets.token_hex(16)
        marked = with_settings(base, [(path, f"{token}:{j}") for j, path in enumerate(paths)])
        text = key_text(marked, f"{token}:r")
        found = re.compile(f'"{token}:(r|[0-9]+)"')
        self._parts = found.split(text)             # text, slot, text, slot, ..., text
        if sorted(self._parts[1::2]) != sorted(["r", *map(str, range(len(paths)))]):
            raise ValueError("every setting must appear once in the scenario")    # a path the base lacks

    def key(self, settings: Sequence[tuple[str, Any]], replication: int) -> str:
        values = [_json_number(value) for _, value in settings]
        parts = list(self._parts)
        for j in range(1, len(parts), 2):
            parts[j] = str(replication) if parts[j] == "r" else values[int(parts[j])]
        return hashlib.sha256("".join(parts).encode()).hexdigest()


def _json_number(value: Any) -> str:
    """``json.dumps`` of a number, at a tenth of its cost: a finite float's repr, an int's digits."""
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)
    return json.dumps(value)


def points(sweep: Sweep) -> np.ndarray:
    """The design points, in natural units, one row per point."""
    return sample(sweep.design, sweep.parameters, sweep.samples, sweep.seed, levels=sweep.levels,
                  grid_points=sweep.grid_points)


def plan(sweep: Sweep) -> list[Task]:
    """Every run of the sweep, policy-major, then point, then replication.

    Each policy's scenario is loaded and validated once, at the first point; every point is that scenario
    with the swept settings written in (the spec's check loaded the ends of every range, and the worker
    validates its scenario again). The keys are those of the resolved scenarios (``run_key``), hashed
    from one JSON text per policy with the values put in. The shortcut is checked against a full load at
    the last point of each policy; should it ever differ, that policy's points are loaded one by one.
    """
    outputs = tuple((o.label, o.zone, o.indicator, o.year) for o in sweep.outputs)
    X = points(sweep)
    settings = [tuple(sweep.point_settings(point)) for point in X]
    values = [tuple(float(v) for v in point) for point in X]
    tasks = []
    for k, (policy, _) in enumerate(sweep.policies):
        base = sweep.scenario(k, X[0]).to_dict()
        keys = _shortcut(sweep, k, base, X[-1], settings[-1])
        for i in range(len(X)):
            point_base, point_settings = (base, settings[i]) if keys else (sweep.scenario(k, X[i]).to_dict(), ())
            for r in range(sweep.replications):
                key = keys.key(settings[i], r) if keys else run_key(point_base, r)
                tasks.append(Task(key, policy, i, r, values[i], point_base, point_settings, outputs))
    return tasks


def _shortcut(sweep: Sweep, policy: int, base: dict, point, settings) -> KeyTemplate | None:
    """The policy's key template when writing a point's settings into ``base`` gives what loading the
    scenario at that point gives (checked at ``point``), else None."""
    try:
        keys = KeyTemplate(base, [p.path for p in sweep.parameters])
        loaded = sweep.scenario(policy, point).to_dict()
        if with_settings(base, settings) == loaded and keys.key(settings, 0) == run_key(loaded, 0):
            return keys
    except (KeyError, TypeError, ValueError):                  # a setting the base does not hold as given
        pass
    return None


def probe(sweep: Sweep) -> Task:
    """The run at the middle of every parameter's range (snapped and rounded like a design point), under
    the first policy: a run to time without sampling or planning the design."""
    middle = [float(to_natural(p, np.array([sum(bounds(p)) / 2]))[0]) for p in sweep.parameters]
    scenario = sweep.scenario(0, middle).to_dict()
    outputs = tuple((o.label, o.zone, o.indicator, o.year) for o in sweep.outputs)
    return Task(run_key(scenario, 0), sweep.policies[0][0], 0, 0, tuple(middle), scenario, (), outputs)


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


def stored_records(tasks: list[Task], store: Store, set_aside: bool = True,
                   warn: Callable[[str], object] | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """The records in the store the tasks can use, by key, and those that lack an output the tasks ask for
    now (an output added to the spec since they ran: they run again, and their other outputs are kept).

    A damaged file (a folder, empty, not JSON, failing its checksum, another run's) is set aside
    (``Store.set_aside``) with a warning and its run is done again; without ``set_aside`` (a dry run) it is
    only reported.
    """
    names = store.done()
    usable: dict[str, dict] = {}
    partial: dict[str, dict] = {}
    lacking: set[str] = set()
    for key, task in {t.key: t for t in tasks if t.key in names}.items():
        try:
            record = store.get(key)
        except DamagedRecord as err:
            if set_aside:
                moved = store.set_aside(key)
                note = f"set aside as {moved.name}; the run is done again"
            else:
                note = "it will be set aside and its run done again"
            if warn is not None:
                warn(f"{store.path(key)} {err.reason}: {note}")
            continue
        absent = [label for label, *_ in task.outputs if label not in record["outputs"]]
        if absent:
            partial[key] = record
            lacking.update(absent)
        else:
            usable[key] = record
    if partial and warn is not None:
        labels = ", ".join(sorted(lacking))
        warn(f"{len(partial):,} stored run(s) lack the output(s) {labels}, added to the spec since they ran: "
             "they run again to measure them (their other outputs are kept)")
    return usable, partial


def missing(tasks: list[Task], stored: dict[str, dict]) -> list[Task]:
    """The tasks without a usable record, each key once (the same settings reached twice run once)."""
    return list({t.key: t for t in tasks if t.key not in stored}.values())


def execute(todo: list[Task], store: Store, runner: Callable, stored: dict[str, dict],
            partial: dict[str, dict] | None = None, on_stored: Callable[[dict], object] | None = None) -> int:
    """Run ``todo`` with ``runner(fn, tasks, on_done)``; store each record as it finishes and add it to
    ``stored``. A record in ``partial`` (the same run, measured for fewer outputs) keeps its outputs beside
    the new ones. Returns how many ran."""
    partial = partial or {}

    def done(i: int, record: dict) -> None:
        key = todo[i].key
        if key in partial:
            record = {**record, "outputs": {**partial[key]["outputs"], **record["outputs"]}}
        store.put(key, record)
        stored[key] = record
        if on_stored is not None:
            on_stored(record)

    runner(run_task, todo, done)
    return len(todo)


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
