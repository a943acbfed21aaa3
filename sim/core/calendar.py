"""The model's clock. Stated once: simulation time is in days since 00:00 of ``period.start``.

Hazards are per year and converted with ``DAYS_PER_YEAR``; ages and durations
are stored as days on the same clock (a birth 30 years before the start is
day ``-30 * DAYS_PER_YEAR``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
#: the other processes (school rounds, seat openings and closings, postings) act at noon of their day, after
#: the residents' events at midnight and the month-end record
NOON = 0.5
#: the year the origin pool of arrivals is measured against (its index is 1 there): the 2020 census, the
#: starting population's, so that ``in_migration.rate_per_year`` is arrivals per resident at the 2020 pool
ORIGIN_POOL_REFERENCE_YEAR = 2020


def months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every month from ``start`` to ``end``."""
    out = []
    first = start
    while first <= end:
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        out.append((first, nxt - dt.timedelta(days=1)))
        first = nxt
    return out


class Calendar:
    """Month and year boundaries of a period, in model days.

    ``month_starts`` holds the first day of every month and, last, the day
    after the period ends; hazards are redrawn only at these instants.
    """

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.origin = start
        self.month_spans = months(start, end)
        self.month_starts = np.array([(first - start).days for first, _ in self.month_spans]
                                     + [(end - start).days + 1], dtype=np.float64)
        self.end_day = float(self.month_starts[-1])
        year_starts = [d for (first, _), d in zip(self.month_spans, self.month_starts, strict=False)
                       if first.month == 1 and first != start]
        self.year_starts = np.array([*year_starts, self.end_day], dtype=np.float64)

    def day(self, date: dt.date) -> float:
        return float((date - self.origin).days)

    def year_of(self, day: float) -> int:
        """The calendar year of model day ``day``."""
        return (self.origin + dt.timedelta(days=int(day))).year

    def month_start_on_or_after(self, days: np.ndarray) -> np.ndarray:
        """The first month start on or after each day; inf past the period."""
        idx = np.searchsorted(self.month_starts, days, side="left")
        padded = np.append(self.month_starts, np.inf)
        return padded[np.minimum(idx, len(padded) - 1)]

    def next_year_start(self, from_day: float) -> float:
        """The first 1 January after ``from_day`` (the period's end when none is left): no hazard window
        reaches past it."""
        if from_day < self.year_starts[-1]:
            return float(self.year_starts[np.searchsorted(self.year_starts, from_day, side="right")])
        return self.end_day

    def review_boundary(self, change_day: np.ndarray, from_day: float) -> np.ndarray:
        """First month start on or after ``change_day`` and no later than the next 1 January after ``from_day``.

        Hazards that change inside a month take their new value from the next
        month start; every resident is redrawn at least once a year (ageing).
        """
        next_year = self.next_year_start(from_day)
        # next_year is a month start, so a change on or after it ends the window there: search only the others
        boundary = np.full(change_day.shape, next_year)
        sooner = np.flatnonzero(change_day < next_year)
        idx = np.searchsorted(self.month_starts, change_day[sooner], side="left")
        boundary[sooner] = self.month_starts[np.minimum(idx, len(self.month_starts) - 1)]
        return boundary


def value_in_year(path, year: int, default: float) -> float:
    """A setting that follows a path by year (``{"2022": 1.0, "2024": 0.8}``): the value of ``year`` or of the
    latest listed year before it; ``default`` before the first listed year or without a path."""
    listed = [int(y) for y in path if int(y) <= year]
    return path[str(max(listed))] if listed else default
