"""The distance between the model and the observations, for one candidate set of parameters.

Every candidate runs the same replications with the same seed (common random
numbers: a resident whose history does not change draws the same numbers), so
two candidates differ by what their parameters change, not by luck, and the
objective is a deterministic function of the parameters for a fixed seed.
The distance is the sum over observations of ``((simulated - observed) / sd)^2``
with the simulated value averaged over the replications.
"""

from __future__ import annotations

import numpy as np

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import ZONES
from ..runner import run_once
from .observations import Observation


def run_all(scenario) -> list:
    """Every replication of ``scenario``."""
    return [run_once(scenario, r) for r in range(scenario.replications)]


def simulate(scenario, observations: tuple[Observation, ...]) -> np.ndarray:
    """The simulated value of each observation, averaged over the scenario's replications."""
    return values_at(run_all(scenario), observations)


def simulate_each(scenario, observations: tuple[Observation, ...]) -> np.ndarray:
    """Each replication's simulated value of each observation, (replications, observations): their spread is
    the model's run-to-run noise, which the posterior needs (one run is to the model what history is to
    the city)."""
    return values_each(run_all(scenario), observations)


def values_at(results: list, observations: tuple[Observation, ...]) -> np.ndarray:
    """Each observation's value in runs already made, averaged over them."""
    return mean_of(values_each(results, observations))


def mean_of(each: np.ndarray) -> np.ndarray:
    """The average over the replications (first axis) of ``values_each``: summed in order, then divided."""
    return each.sum(axis=0) / len(each)


def values_each(results: list, observations: tuple[Observation, ...]) -> np.ndarray:
    """Each observation's value in each of the runs already made, (runs, observations)."""
    values = np.zeros((len(results), len(observations)))
    for r, result in enumerate(results):
        where = {date: k for k, date in enumerate(result.dates)}
        for i, o in enumerate(observations):
            k = where.get(o.date.isoformat())
            if k is None:
                raise ValueError(f"{o.name}: the run has no record on {o.date} (period {result.dates[0]} to "
                                 f"{result.dates[-1]})")
            values[r, i] = result.values[k, ZONES.index(o.zone), INDICATOR_NAMES.index(o.indicator)]
    return values


def distance(simulated: np.ndarray, observations: tuple[Observation, ...]) -> float:
    """Sum of squared standardized errors."""
    observed = np.array([o.value for o in observations])
    sd = np.array([o.sd for o in observations])
    return float((((simulated - observed) / sd) ** 2).sum())
