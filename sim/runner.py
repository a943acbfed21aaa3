"""Running replications: a pure ``run_once`` and a driver, in this process or in worker processes, with a
progress display."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .core.calendar import months
from .kernel.parallel import available_cpus, retain_freed_memory
from .kernel.population import starting_agents
from .kernel.result import RunResult
from .model import Model
from .scenario.uncertainty import for_replication


def run_once(scenario, replication: int, on_month: Callable[[], object] | None = None,
             threads: int | None = None) -> RunResult:
    """One replication of ``scenario``; its numbers depend on nothing but the scenario and replication.

    In uncertainty mode the replication first draws its behaviour and lever effects
    (``sim.scenario.uncertainty``) and runs with them; the result keeps what it drew (``draws``).
    ``threads`` (default: every CPU the process may use) only shares out the vectorised passes.
    """
    retain_freed_memory()
    scenario, draws = for_replication(scenario, replication)
    model = Model(scenario, replication, threads=threads if threads is not None else available_cpus())
    result = model.run(on_month=on_month)
    result.draws = draws
    # the model's SimPy processes and its schools refer back to it: without a collection its arrays
    # would stay until the garbage collector happens to run, and a worker's memory would grow run by run
    del model
    gc.collect()
    return result


def _replication(task: tuple) -> RunResult:
    """A worker's task: one replication on one thread (the workers already share the cores)."""
    scenario, replication = task
    return run_once(scenario, replication, threads=1)


#: runs ``fn(task)`` for every task, anywhere, calling ``on_done(index, result)`` here as each finishes
#: (``sim.experiment.executor.run_local`` with its workers bound)
Pool = Callable[[Callable[[Any], Any], Sequence, Callable[[int, Any], None]], None]


def run_replications(scenario, progress: bool = True, pool: Pool | None = None) -> list[RunResult]:
    """All ``scenario.replications`` replications in index order.

    ``pool`` (the caller's: worker processes) runs them elsewhere, one thread each; the results are the same
    bytes with or without it, each replication depending on its index alone. Without it they run here.
    The progress bar (on standard error) appears only when the run lasts more than two seconds, so quick
    runs stay quiet; with workers it moves a replication at a time.
    """
    n_months = len(months(scenario.period.start, scenario.period.end))
    total = n_months * scenario.replications
    bar = None
    if progress:
        from tqdm import tqdm

        tqdm.monitor_interval = 0           # no monitor thread: the report may then draw in a forked process
        bar = tqdm(total=total, unit="month", desc=f"{scenario.name}", delay=2.0, file=sys.stderr,
                   bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} simulated months "
                              "[{elapsed}<{remaining}]")
    # building a million agents or more takes seconds before the first month: say so
    agents = starting_agents(scenario.population)
    building = f"building {agents:,} agents from the {scenario.population.census} census..."
    try:
        if pool is not None and scenario.replications > 1:
            done: dict[int, RunResult] = {}

            def finished(i: int, result: RunResult) -> None:
                done[i] = result
                if bar is not None:
                    bar.update(n_months)

            pool(_replication, [(scenario, r) for r in range(scenario.replications)], finished)
            return [done[r] for r in range(scenario.replications)]
        results = []
        for r in range(scenario.replications):
            if bar is not None and agents >= 1_000_000:
                bar.write(f"replication {r + 1}: {building}", file=sys.stderr)
            results.append(run_once(scenario, r, on_month=bar.update if bar is not None else None))
        return results
    finally:
        if bar is not None:
            bar.close()
