"""The starting ages within 65+: the geometric shape the build draws them from, and its fit to a census's groups.

The censuses give Qingdao's 65+ as one group; ``census_<year>.age_65_plus_groups`` of ``sim/data/census.yaml``
splits it (65-79 and 80+: the 2010 census, and for 2020 the 2015 sample survey, a proxy). Whole years of age from
65 to ``MAX_AGE_YEARS`` are drawn in proportion to ``exp(-decline * (age - 65))``; a scenario that leaves
``population.old_age_decline_per_year`` out gets the decline whose group shares fit its census's table by least
squares (``fitted_old_age_decline``; ``tests/test_old_age.py`` recomputes it from the data). Numpy only: a run
fits it, and a run does not import scipy.optimize (the CLI's start, ``tests/test_cli.py``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..core.ages import MAX_AGE_YEARS, OLD_AGE
from ..data import load_census

#: the whole years of age a starting resident of 65 or over is drawn at
OLD_AGE_YEARS = np.arange(OLD_AGE, MAX_AGE_YEARS + 1)
#: the range the decline is fitted in (the setting's bounds) and the fit's tolerance, per year of age
DECLINE_RANGE = (0.0, 1.0)
DECLINE_TOLERANCE = 1e-10


def old_age_weights(decline_per_year: float) -> np.ndarray:
    """Relative numbers of starting residents at each whole year of age in ``OLD_AGE_YEARS``:
    ``exp(-decline * (age - 65))``."""
    return np.exp(-decline_per_year * (OLD_AGE_YEARS - OLD_AGE))


def group_bounds(label: str) -> tuple[int, int]:
    """A group's ages as (lowest, highest + 1): "65-79" -> (65, 80); "80+" -> (80, 101), up to ``MAX_AGE_YEARS``."""
    if label.endswith("+"):
        return int(label[:-1]), MAX_AGE_YEARS + 1
    low, high = label.split("-")
    return int(low), int(high) + 1


def old_age_group_shares(decline_per_year: float, bounds: list[tuple[int, int]]) -> np.ndarray:
    """The shares of the 65+ that ``old_age_weights`` puts in each group of ``bounds`` ((lowest, highest + 1))."""
    weights = old_age_weights(decline_per_year)
    return np.array([weights[(OLD_AGE_YEARS >= low) & (OLD_AGE_YEARS < high)].sum() for low, high in bounds]) \
        / weights.sum()


def old_age_table(census: int) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The groups within 65+ of the census ``census`` (``census_<census>.age_65_plus_groups``): their ages as
    (lowest, highest + 1) and their persons."""
    groups = load_census()[f"census_{census}"]["age_65_plus_groups"]["groups"]
    return [group_bounds(label) for label in groups], np.array(list(groups.values()), dtype=float)


@cache
def fitted_old_age_decline(census: int) -> float:
    """Per year of age: the decline whose group shares fit the census's groups within 65+ best (least squares).

    One parameter, found by golden-section search over ``DECLINE_RANGE``. With the two groups found (65-79, 80+)
    the 80+ share falls steadily as the decline rises, so the sum of squares has a single minimum, where the
    table's 80+ share is met exactly.
    """
    bounds, persons = old_age_table(census)
    share = persons / persons.sum()

    def misfit(decline: float) -> float:
        return float(((old_age_group_shares(decline, bounds) - share) ** 2).sum())

    low, high = DECLINE_RANGE
    ratio = (np.sqrt(5.0) - 1.0) / 2.0           # the golden section: each step keeps 0.618 of the bracket
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = misfit(a), misfit(b)
    while high - low > DECLINE_TOLERANCE:
        if fa <= fb:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = misfit(a)
        else:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = misfit(b)
    return (low + high) / 2.0


def old_age_decline(population) -> float:
    """Per year of age, the decline of the starting ages above 65: ``population.old_age_decline_per_year``, or when
    it is left out the fit to the groups within 65+ of the census ``population.census``."""
    given = population.old_age_decline_per_year
    return fitted_old_age_decline(population.census) if given is None else float(given)
