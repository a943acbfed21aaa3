"""Reading a dated schedule (``date: number``) at the run's record dates: as steps or as straight lines."""

from __future__ import annotations

import datetime as dt

import numpy as np


def _ordinals(dates) -> np.ndarray:
    return np.array([(d if isinstance(d, dt.date) else dt.date.fromisoformat(d)).toordinal() for d in dates],
                    dtype=np.float64)


def step(schedule, dates) -> np.ndarray:
    """The value of the latest schedule entry dated on or before each date; before the first entry, its value.

    For quantities that change on a day (a rail line opens): from that day on the new value holds.
    """
    when, amount = _ordinals(schedule.keys()), np.array(list(schedule.values()), dtype=np.float64)
    k = np.searchsorted(when, _ordinals(dates), side="right") - 1
    return amount[np.maximum(k, 0)]


def linear(schedule, dates) -> np.ndarray:
    """Straight lines between the schedule's entries, flat before the first and after the last.

    For quantities built up steadily (parking spaces delivered, a rollout's coverage).
    """
    when, amount = _ordinals(schedule.keys()), np.array(list(schedule.values()), dtype=np.float64)
    return np.interp(_ordinals(dates), when, amount)
