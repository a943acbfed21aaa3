"""A sweep end to end: estimate, run what is missing with a progress bar, then write the tables and plots.

The folder (``results/sweeps/<name>/`` by default) holds ``runs/`` (the
store, one file per finished run), ``runs.csv``, ``sensitivity.csv`` (Sobol
or Morris designs), ``plots/``, ``sweep.yaml`` (the spec as given) and
``manifest.json``. The tables are rebuilt from the store at the end of every
invocation, each file replaced whole.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from ..output.atomic import inside, missing_folders, pinned, remove_empty, write_atomic
from ..output.formats import DISCOVERY, MANIFEST_JSON, RUNS, SENSITIVITY, csv_table, fmt, seconds
from ..output.provenance import package_versions
from ..output.report import Line, build_folder_report
from ..output.report.folder_page import REPORT
from . import discovery, sensitivity
from .executor import check_address, require_dask, run_dask, run_local
from .sensitivity_plots import discovery_plot, indices_plot, scatter_plot
from .spec import Sweep, runs_count
from .store import LOCK, Store, code_version, locked
from .store import RUNS as STORE
from .sweep import (
    Task,
    execute,
    missing,
    plan,
    point_means,
    points,
    probe,
    run_task,
    runs_columns,
    runs_rows,
    stored_records,
)

#: the copy of the spec, and the folder of pictures, in the sweep's folder
SPEC_COPY = "sweep.yaml"
PLOTS = "plots"
#: everything a sweep writes directly in its folder
WRITTEN = (STORE, RUNS.file, SPEC_COPY, SENSITIVITY.file, DISCOVERY.file, MANIFEST_JSON, PLOTS, REPORT)


@dataclass(frozen=True)
class Estimate:
    runs: int
    done: int
    seconds_per_run: float
    workers: int
    bytes_per_run: int
    #: the plan, when the estimate needed it (a store to count against): the sweep then reuses it
    tasks: list[Task] | None = field(default=None, repr=False, compare=False)

    @property
    def todo(self) -> int:
        return self.runs - self.done

    @property
    def minutes(self) -> float:
        """Wall minutes for the runs still to do, assuming the workers share them evenly."""
        return self.todo * self.seconds_per_run / max(self.workers, 1) / 60.0

    def describe(self) -> str:
        size = self.runs * self.bytes_per_run
        return (f"{self.runs:,} runs ({self.done:,} already done, {self.todo:,} to run); one run took "
                f"{self.seconds_per_run:.2f} s here, so about {self.minutes:.1f} min with {self.workers} worker(s); "
                f"about {size / 1e6:.1f} MB on disk")


def warn_on_stderr(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


#: the most stored records a dry run reads (evenly spread over those it finds): reading 20,000 records
#: from a cold disk took 5 s; the rest are counted by name, and the share found usable is extrapolated
CHECK_AT_MOST = 2000


def estimate(sweep: Sweep, folder: Path, workers: int, tasks: list[Task] | None = None,
             warn: Callable[[str], object] = warn_on_stderr) -> Estimate:
    """Count the runs and time one of them here (nothing is written); a stored run is timed from its record
    instead, so resuming a finished sweep costs nothing.

    The count is arithmetic (``runs_count``). Without a store to count against, nothing is planned or
    sampled: the run timed is the one at the middle of every range, so the answer takes one run whatever
    the sweep's size. With a store, the plan's keys say which runs are stored; up to ``CHECK_AT_MOST`` of
    their records are read, and damaged ones and those lacking an output are reported to ``warn`` and
    counted as to do (beyond that many, in proportion).
    """
    store = Store(folder)
    names = store.done()
    if tasks is None and names:
        tasks = plan(sweep)
    if tasks is None:
        return _estimate(sweep, workers, runs_count(sweep), 0, {}, None)
    found = list({t.key: t for t in tasks if t.key in names}.values())
    step = max(1, -(-len(found) // CHECK_AT_MOST))
    checked = found[::step]
    stored = stored_records(checked, store, set_aside=False, warn=warn)[0]
    if step == 1:
        done_runs = sum(t.key in stored for t in tasks)
    else:
        share = len(stored) / len(checked)
        done_runs = round(share * sum(t.key in names for t in tasks))
        if share < 1:
            warn(f"{len(checked) - len(stored):,} of {len(checked):,} stored records read (of {len(found):,}) "
                 "cannot be used as they are: the count of runs done is in proportion")
    return _estimate(sweep, workers, len(tasks), done_runs, stored, tasks)


def _estimate(sweep: Sweep, workers: int, runs: int, done_runs: int, stored: dict, tasks) -> Estimate:
    first = next(iter(stored.values()), None)
    if first is not None:
        record, seconds = first, first["wall_seconds"]
    else:
        record, seconds = _timed(tasks[0] if tasks else probe(sweep))
    row_bytes = len(",".join(str(v) for v in record["outputs"].values())) + 120
    return Estimate(runs, done_runs, seconds, workers, len(json.dumps(record)) + row_bytes, tasks)


#: a run timed under this is timed again: the first run in a process pays for imports deferred until a run
#: needs them (scipy.special, 0.4 s), which would double the estimate of a short run
RETIME_SECONDS = 1.0


def _timed(task: Task) -> tuple[dict, float]:
    """A run's record and its time here: the faster of two runs when the first is short."""
    times = []
    for _ in range(2):
        started = time.perf_counter()
        record = run_task(task)
        times.append(time.perf_counter() - started)
        if times[0] >= RETIME_SECONDS:
            break
    return record, min(times)


def executor(workers: int, dask_address: str | None, dask_local: int | None):
    """``runner(fn, tasks, on_done)`` for the chosen executor, and its description for the manifest.

    Dask missing, or a malformed ``dask_address``, is refused here (``ExecutorError``, bad input), before
    anything is written; the scheduler is reached when the runner first has runs to give it.
    """
    if dask_address is not None or dask_local is not None:
        require_dask()
    if dask_address is not None:
        check_address(dask_address)
        return partial(_dask, address=dask_address), {"executor": "dask", "scheduler": dask_address}
    if dask_local is not None:
        return partial(_dask, local_workers=dask_local), {"executor": "dask-local", "workers": dask_local}
    return partial(_local, workers=workers), {"executor": "local", "workers": workers}


def _local(fn, tasks, on_done, workers):
    run_local(fn, tasks, workers, on_done)


def _dask(fn, tasks, on_done, address=None, local_workers=None):
    run_dask(fn, tasks, on_done, address=address, local_workers=local_workers)


def run_sweep(sweep: Sweep, folder: Path, runner, executor_info: dict, progress: bool = True,
              command: list[str] | None = None, tasks=None,
              warn: Callable[[str], object] = warn_on_stderr) -> dict:
    """Run the missing runs, then write ``runs.csv``, ``sensitivity.csv``, plots and the manifest.

    The folder is locked for the whole (``store.locked``): a second sweep on it is refused. It is pinned too
    (``atomic.pinned``): a ``runs/`` or ``plots/`` swapped for a link meanwhile is refused, not followed.
    Damaged records are set aside and their runs done again, with a warning (``warn``, and the manifest's
    ``store_warnings``). Returns the manifest.

    A sweep that stops (Ctrl-C, an executor that cannot be reached, an error) before storing any run leaves
    the folder as it found it: the lock, ``runs/`` and the folder itself are removed if it made them.
    """
    made = missing_folders(folder)
    store_made, lock_made = not (folder / STORE).exists(), not (folder / LOCK).exists()
    with locked(folder), pinned(folder):     # its files reached from the folder locked, never through a link
        try:
            return _run_sweep(sweep, folder, runner, executor_info, progress, command, tasks, warn)
        except BaseException:            # under the lock: no other sweep can have begun writing there
            if store_made:
                remove_empty([folder / STORE])
            if lock_made and not (folder / STORE).exists():
                (folder / LOCK).unlink(missing_ok=True)
            remove_empty(made)
            raise


def _run_sweep(sweep: Sweep, folder: Path, runner, executor_info: dict, progress: bool, command, tasks,
               warn: Callable[[str], object]) -> dict:
    started = time.perf_counter()
    for name in WRITTEN:                   # a link planted where the sweep writes: refused before any run
        inside(folder, name)
    store = Store(folder)
    store.open()
    tasks = plan(sweep) if tasks is None else tasks
    notes: list[str] = []

    def note(message: str) -> None:
        notes.append(message)
        warn(message)

    stored, partial = stored_records(tasks, store, warn=note)
    todo = missing(tasks, stored)
    bar = None
    if progress and todo:
        from tqdm import tqdm

        tqdm.monitor_interval = 0           # no monitor thread: workers can then start by fork (executor.py)
        bar = tqdm(total=len(todo), unit="run", desc=sweep.name, file=sys.stderr, smoothing=0.1)
    try:
        ran = execute(todo, store, runner, stored, partial,
                      on_stored=(lambda record: bar.update(1)) if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    return write_tables(sweep, folder, tasks, stored, {
        **executor_info, "runs_this_time": ran, "wall_seconds_this_time": seconds(time.perf_counter() - started),
        "command": command or sys.argv, "store_warnings": notes})


def write_tables(sweep: Sweep, folder: Path, tasks, stored: dict[str, dict], extra: dict) -> dict:
    """``runs.csv``, ``sensitivity.csv`` and plots from the stored records, then the manifest; each file whole.

    An output whose indices cannot be computed (NaN or infinite at some design point, say) gets a warning
    naming it instead of indices; the other outputs' indices are computed.
    """
    write_atomic(inside(folder, RUNS.file), csv_table(runs_columns(sweep), runs_rows(sweep, tasks, stored)).encode())
    write_atomic(inside(folder, SPEC_COPY), sweep.file.read_bytes())
    rows, warnings = [], []
    X = points(sweep)
    explained_by: list[tuple[str, list[discovery.Box], discovery.Box]] = []      # per policy: trajectory, box
    for policy, _ in sweep.policies:
        means = point_means(sweep, tasks, stored, policy)
        if sweep.discovery is not None:
            explained = _discover(sweep, folder, policy, X, means)
            if isinstance(explained, str):
                warnings.append(explained)
            else:
                explained_by.append((policy, *explained))
        policy_rows: list[sensitivity.IndexRow] = []
        unusable: list[str] = []
        for o in sweep.outputs:
            Y = means[o.label]
            bad = int((~np.isfinite(Y)).sum())
            if bad and sweep.design in sensitivity.INDICES:
                unusable.append(f"no {sweep.design} indices for output {o.label}: it is NaN or infinite at {bad:,} "
                                f"of {len(Y):,} design points (see runs.csv); the other outputs' indices are computed")
                continue
            try:
                policy_rows += sensitivity.analyze(sweep.design, sweep.parameters, X, Y, o.label, sweep.seed,
                                                   levels=sweep.levels)
            except ValueError as err:           # whatever else SALib cannot use: said, not a crash at the end
                unusable.append(f"no {sweep.design} indices for output {o.label}: {err}")
        found = [*unusable, *sensitivity.ranking_warnings(policy_rows)]
        warnings += [f"{policy}: {w}" if len(sweep.policies) > 1 else w for w in found]
        rows += [(policy, row) for row in policy_rows]
        _plots(sweep, folder, policy, X, means, policy_rows)
    if rows:
        text = sensitivity.csv_text([r for _, r in rows], policies=[p for p, _ in rows])
        write_atomic(inside(folder, SENSITIVITY.file), text.encode())
    if explained_by:
        table = csv_table(discovery_columns(sweep), discovery_rows(sweep, explained_by))
        write_atomic(inside(folder, DISCOVERY.file), table.encode())
    manifest = {
        "sweep": sweep.name, "spec": str(sweep.file), "base": str(sweep.base), "design": sweep.design,
        "samples": sweep.samples, "points": int(len(X)), "policies": [p for p, _ in sweep.policies],
        "replications": sweep.replications, "seed": sweep.seed, "runs": len(stored),
        "code_version": code_version(), "packages": package_versions(), **extra,
        "sensitivity_warnings": warnings,
        **({"discovery": {policy: _box_summary(sweep, boxes[0], pick) for policy, boxes, pick in explained_by}}
           if sweep.discovery is not None else {}),
        "run_seconds_total": seconds(sum(r["wall_seconds"] for r in stored.values())),
    }
    write_atomic(inside(folder, MANIFEST_JSON), (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    _report(sweep, folder, manifest)
    return manifest


def _report(sweep: Sweep, folder: Path, manifest: dict) -> None:
    """``report.html``: the sweep's tables and plots on one page, with a bilingual summary."""
    summary = [Line(f"设计: {sweep.design}, {manifest['points']} 个设计点, 每点 {sweep.replications} 次重复, 共 "
                    f"{manifest['runs']} 次运行; 政策: {', '.join(manifest['policies'])}",
                    f"Design: {sweep.design}, {manifest['points']} points, {sweep.replications} replication(s) "
                    f"each, {manifest['runs']} runs; policies: {', '.join(manifest['policies'])}")]
    if manifest["sensitivity_warnings"]:
        summary.append(Line(f"敏感性分析警告 {len(manifest['sensitivity_warnings'])} 条 (见 manifest.json)",
                            f"{len(manifest['sensitivity_warnings'])} sensitivity warning(s) (manifest.json)"))
    build_folder_report(folder, f"Qingdao urbanization simulation: sweep {sweep.name}",
                        [(SENSITIVITY.file, "Sensitivity indices"), (DISCOVERY.file, "Scenario discovery (PRIM)"),
                         (RUNS.file, "Runs")], summary)


def _discover(sweep: Sweep, folder: Path, policy: str, X, means: dict):
    """PRIM's trajectory and the box reported for one policy, its plot written; or a warning saying why
    there is nothing to explain."""
    d = sweep.discovery
    assert d is not None
    values = means[d.output]
    cases = d.cases(values)
    where = f"{policy}: " if len(sweep.policies) > 1 else ""
    if not cases.any() or cases.all():
        share = "no" if not cases.any() else "every"
        return (f"{where}discovery: {share} design point has {d.describe}: no range of the settings to single out "
                "(widen the ranges, or move the threshold)")
    boxes = discovery.peel(X, cases)
    pick = discovery.chosen(boxes, d.min_density)
    suffix = "" if len(sweep.policies) == 1 else f"_{policy}"
    title = f"{where}where {d.describe} ({int(cases.sum())} of {len(cases)} design points)"
    discovery_plot(boxes, pick, [p.path for p in sweep.parameters], title,
                   inside(folder, PLOTS, f"discovery{suffix}.png"))
    return boxes, pick


def discovery_columns(sweep: Sweep) -> tuple[str, ...]:
    return (*DISCOVERY.columns, *(f"{p.path}{end}" for p in sweep.parameters for end in (":low", ":high")))


def discovery_rows(sweep: Sweep, found):
    """A row per peeled box of each policy: its size, density, coverage, whether it is the one reported, and
    its range of every parameter."""
    assert sweep.discovery is not None
    for policy, boxes, pick in found:
        for b in boxes:
            yield (policy, sweep.discovery.describe, b.step, b.points, fmt(b.support), fmt(b.density),
                   fmt(b.coverage), str(b is pick).lower(), *(fmt(v) for pair in zip(b.low, b.high, strict=True)
                                                                for v in pair))


def _box_summary(sweep: Sweep, whole: discovery.Box, pick: discovery.Box) -> dict:
    """The box reported, for the manifest: density, coverage and the ranges it restricts."""
    return {"density": round(pick.density, 4), "coverage": round(pick.coverage, 4), "step": pick.step,
            "restricted": {p.path: [pick.low[j], pick.high[j]] for j, p in enumerate(sweep.parameters)
                           if (pick.low[j], pick.high[j]) != (whole.low[j], whole.high[j])}}


def _plots(sweep: Sweep, folder: Path, policy: str, X, means: dict, rows) -> None:
    suffix = "" if len(sweep.policies) == 1 else f"_{policy}"
    names = [p.path for p in sweep.parameters]
    scatter_plot(X, means, names, inside(folder, PLOTS, f"outputs_vs_parameters{suffix}.png"),
                 log_axes=[p.log for p in sweep.parameters])
    if rows:
        indices_plot(rows, inside(folder, PLOTS, f"sensitivity{suffix}.png"))
