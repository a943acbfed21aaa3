"""Running replications: a pure ``run_once`` and a sequential driver with a progress display."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from .core.calendar import months
from .kernel.parallel import available_cpus, retain_freed_memory
from .kernel.population import starting_agents
from .kernel.result import RunResult
from .model import Model


def run_once(scenario, replication: int, on_month: Callable[[], object] | None = None,
             threads: int | None = None) -> RunResult:
    """One replication of ``scenario``; its numbers depend on nothing but the scenario and replication.

    ``threads`` (default: every CPU the process may use) only shares out the vectorised passes.
    """
    retain_freed_memory()
    model = Model(scenario, replication, threads=threads if threads is not None else available_cpus())
    result = model.run(on_month=on_month)
    # the model's SimPy processes and its schools refer back to it: without a collection its arrays
    # would stay until the garbage collector happens to run, and a worker's memory would grow run by run
    del model
    gc.collect()
    return result


def run_replications(scenario, progress: bool = True) -> list[RunResult]:
    """All ``scenario.replications`` replications in index order.

    The progress bar (on standard error) appears only when the run lasts more
    than two seconds, so quick runs stay quiet.
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
        results = []
        for r in range(scenario.replications):
            if bar is not None and agents >= 1_000_000:
                bar.write(f"replication {r + 1}: {building}", file=sys.stderr)
            results.append(run_once(scenario, r, on_month=bar.update if bar is not None else None))
        return results
    finally:
        if bar is not None:
            bar.close()
