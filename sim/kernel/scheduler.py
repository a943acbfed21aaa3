"""The scheduler: who acts when. Competing-risk redraws, the month's due events in time order, and their
application between the steps of the other SimPy processes.

Each resident holds its next event (``next_day``, ``next_kind``), drawn from its competing hazards
(``hazards.py``, adjusted by the levers in force), and a ``review_day`` up to which those hazards are
constant. A redraw is one exponential waiting time against the total hazard, the event picked in proportion
to its hazard (piecewise-constant hazards are memoryless, so a redraw is exact), vectorised in passes of
``REDRAW_CHUNK`` residents on the model's threads. Draws are keyed by resident
(``streams.keyed_uniform_pair``) and passes write disjoint rows, so neither the passes nor the threads change
a number.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..core.calendar import DAYS_PER_YEAR, Calendar
from ..core.codes import ARRIVING, LOCAL_RURAL, PRESENT
from ..core.districts import DISTRICTS
from ..core.streams import keyed_uniform_pair
from . import arrivals
from .handlers import ARRIVAL, RURAL_TO_URBAN_EVENT, TOGETHER_EVENTS, USES_EVENT_UNIFORMS, EventDraws, Handlers
from .hazards import EVENT_HAZARDS, next_change_day, state_of
from .ledger import Ledger
from .parallel import PREFETCH_EVENTS, REDRAW_CHUNK, Parallel, chunks, prefetch
from .places import PlaceChoice, assign_arrivals
from .residents import Residents

if TYPE_CHECKING:            # the levers sit above the kernel: it asks them through the policy set it is given
    from ..policy import PolicySet
    from .district_economy import DistrictEconomy


def time_order(times: np.ndarray) -> np.ndarray:
    """The stable sort order of ``times`` (ties keep their order: residents by row, then arrivals).

    Continuous times almost never tie, and without ties every sort gives the one order: the fast
    unstable sort is used and checked, the stable one (five times slower here) only when a tie is found.
    """
    order = np.argsort(times)
    if (np.diff(times[order]) == 0).any():
        order = np.argsort(times, kind="stable")
    return order


#: per event code, whether it is one of ``TOGETHER_EVENTS`` / ``USES_EVENT_UNIFORMS`` (a lookup for the month's)
_TOGETHER = np.isin(np.arange(ARRIVAL + 1), TOGETHER_EVENTS)
_USES_EVENT_UNIFORMS = np.isin(np.arange(ARRIVAL + 1), USES_EVENT_UNIFORMS)


def urban_ahead(rows: np.ndarray, kinds: np.ndarray, one_by_one: np.ndarray, together: np.ndarray,
                urban_change: np.ndarray, district: np.ndarray) -> dict[int, list[int]]:
    """For each rural-to-urban move among the ``one_by_one`` events (positions in the month's events), the
    persons that the events applied together before it (``together``, positions, with their
    ``urban_change``), but due after it, added to each district's urban part."""
    moves = one_by_one[kinds[one_by_one] == RURAL_TO_URBAN_EVENT]
    changed = np.flatnonzero(urban_change)
    if len(moves) == 0 or len(changed) == 0:
        return {}
    position, change = together[changed], urban_change[changed]
    by_district = np.zeros((len(changed) + 1, len(DISTRICTS)), np.int64)      # later changes, summed from the end
    by_district[np.arange(len(changed)), district[rows[position]]] = change
    later = np.cumsum(by_district[::-1], axis=0)[::-1]
    first_later = np.searchsorted(position, moves, side="right")
    return dict(zip(rows[moves].tolist(), later[first_later].tolist(), strict=True))


class Scheduler:
    """Redraws, the month's due events and their application, for one replication.

    Parameters
    ----------
    res, ledger : the residents and their books.
    calendar : the run's days.
    behaviour : the scenario's ``behaviour`` section (the hazards).
    population : the scenario's ``population`` section (the arrivals' attributes).
    policies : the levers in force.
    parallel : the threads.
    resident_key : the ``residents`` stream's key (the redraws' uniforms).
    draws : the ``events`` stream's uniforms, prepared for the month's events here.
    arrivals_rng : the ``arrivals`` stream.
    rural_part : per district, whether it has a rural part to move to.
    """

    def __init__(self, res: Residents, ledger: Ledger, calendar: Calendar, behaviour, population,
                 policies: PolicySet, parallel: Parallel, resident_key, draws: EventDraws,
                 arrivals_rng: np.random.Generator, rural_part: np.ndarray) -> None:
        self.res = res
        self.ledger = ledger
        self.calendar = calendar
        self.behaviour = behaviour
        self.population = population
        self.policies = policies
        self.parallel = parallel
        self.resident_key = resident_key
        self.draws = draws
        self.arrivals_rng = arrivals_rng
        self.rural_part = rural_part
        #: jobs and housing by district (the model's, when the scenario's economy is on): the arrivals' place
        #: pull and total, and the hukou conversion factor where housing is short
        self.economy: DistrictEconomy | None = None
        #: where arriving households settle among their zone's places, and the key of their uniforms (the
        #: model sets them; None: no places)
        self.place_choice: PlaceChoice | None = None
        self.places_key = 0

    # -- drawing ------------------------------------------------------------------
    def redraw_due(self, day: float) -> None:
        """Redraw the residents whose review day has come by ``day`` (a month start)."""
        res = self.res
        self.redraw(self.parallel.rows_where(res.n, lambda part: res.review_day[part] <= day), day)

    def redraw(self, rows: np.ndarray, day: float) -> None:
        """Draw the next event of ``rows`` from ``day`` with their hazards, constant until their review day."""
        self.parallel.map(lambda chunk: self._redraw_chunk(chunk, day), chunks(rows, REDRAW_CHUNK))

    def _redraw_chunk(self, rows: np.ndarray, day: float) -> None:
        res = self.res
        cal = self.calendar
        natural = cal.review_boundary(next_change_day(res, rows, day, self.behaviour, cal.next_year_start(day)), day)
        # ages for the smooth terms at the middle of the window the resident would have without levers,
        # so that a lever changes nothing before it starts
        state = state_of(res, rows, day, mid_day=(day + natural) / 2.0)
        district = state["district"]
        review = natural.copy()
        self.policies.review_days(review, state, day)    # a lever switching where one lives ends its window
        returning = state["hukou"] == LOCAL_RURAL
        destination = np.where(returning & (res.hukou_district[rows] >= 0), res.hukou_district[rows], district)
        state["rural_destination"] = self.rural_part[destination]
        state["year"] = np.array(cal.year_of(day))   # the window ends by the next 1 January: one year throughout
        rates = {name: hazard(state, self.behaviour) for name, hazard in EVENT_HAZARDS}
        self.policies.adjust(rates, state, district, day)
        factor = self.economy.conversion_factor if self.economy is not None else None
        if factor is not None:          # settlement needs a home: the share of the district's demand housed
            rates["hukou_conversion"] = rates["hukou_conversion"] * factor[district]
        total = np.zeros(len(rows))
        for rate in rates.values():          # left to right, as the cumulative sums below
            total += rate
        counters = res.draws[rows]
        res.draws[rows] = counters + 1
        u_wait, u_kind = keyed_uniform_pair(self.resident_key, rows, counters)
        waits = -np.log1p(-u_wait)                              # standard exponential
        with np.errstate(divide="ignore"):
            when = day + waits / total * DAYS_PER_YEAR
        acting = np.flatnonzero(when < review)
        cumulative = np.stack([rate[acting] for rate in rates.values()], axis=1).cumsum(axis=1)
        pick = u_kind[acting] * cumulative[:, -1]             # last column == total[acting], bit for bit
        kinds = np.minimum((cumulative <= pick[:, None]).sum(axis=1), len(EVENT_HAZARDS) - 1)
        res.next_day[rows] = np.inf
        res.next_day[rows[acting]] = when[acting]
        res.next_kind[rows[acting]] = kinds
        res.review_day[rows] = np.where(state["present"], review, np.inf)

    # -- the month's events ---------------------------------------------------------
    def due(self, start_day: float, end_day: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Times, rows and event codes of the month's events (residents' and arrivals'), in time order.

        Each resident's draw is used up when its time comes: its next draw is at the next month start (set
        here at once; a handler that reaches the resident earlier in the month sets its own review day).
        The month's ``events`` uniforms are prepared for the residents whose handlers use them.
        """
        res = self.res
        rows = self.parallel.rows_where(res.n, lambda part: res.next_day[part] < end_day)
        times, kinds = res.next_day[rows], res.next_kind[rows].astype(np.int64)
        a_times, a_rows = self._draw_arrivals(start_day, end_day)
        times = np.concatenate((times, a_times))
        rows = np.concatenate((rows, a_rows))
        kinds = np.concatenate((kinds, np.full(len(a_rows), ARRIVAL)))
        order = time_order(times)
        times, rows, kinds = times[order], rows[order], kinds[order]
        self.draws.prepare(rows[_USES_EVENT_UNIFORMS[kinds]])
        drawn = kinds != ARRIVAL
        res.next_day[rows[drawn]] = np.inf
        res.review_day[rows[drawn]] = times[drawn]
        return times, rows, kinds

    def _draw_arrivals(self, start_day: float, end_day: float) -> tuple[np.ndarray, np.ndarray]:
        """Pre-create the month's arriving households, the base stream's and the levers'; return
        (times, first rows)."""
        stock = self.ledger.stock_table()
        economy = self.economy
        batches = [arrivals.draw_base(self.arrivals_rng, self.behaviour.in_migration, self.population, stock,
                                      start_day, end_day, self.calendar.year_of(start_day),
                                      self.policies.arrival_pull(start_day),
                                      None if economy is None else economy.pull,
                                      1.0 if economy is None else economy.arrivals_multiplier)]
        batches += self.policies.extra_arrivals(stock, start_day, end_day)
        batch = arrivals.concat(batches) if len(batches) > 1 else batches[0]
        if len(batch) == 0:
            return batch.times, np.zeros(0, np.int64)
        households_before = self.res.n_households
        first_rows = arrivals.add(self.res, batch)
        if self.place_choice is not None:
            assign_arrivals(self.res, self.place_choice, first_rows, self.places_key, start_day)
        self.ledger.count_homesteads(households_before)
        return batch.times, first_rows

    def alone(self, rows: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """Which of the month's events are ``TOGETHER_EVENTS`` of a household with no other event this month."""
        households = self.res.hh[rows]            # an arrival's row is its new household's first member
        order = np.argsort(households)
        ordered = households[order]
        same = ordered[1:] == ordered[:-1]
        shared = np.zeros(len(rows), bool)        # in sorted order, then put back: households with two or more
        shared[1:] = same
        shared[:-1] |= same
        shared[order] = shared.copy()
        return _TOGETHER[kinds] & ~shared

    def apply(self, env: simpy.Environment, times: np.ndarray, rows: np.ndarray, kinds: np.ndarray,
              together: np.ndarray, handlers: Handlers, by_kind: list, applied: list[int]) -> Generator:
        """Apply the month's events (a part of the calendar process), counting those applied by kind.

        SimPy orders the residents' events against the other processes' (school rounds, levers'
        postings): the events due before the next of those form a segment, applied without waiting, as
        nothing else can happen until then; the calendar then waits for the next event's time, letting
        the others go first. In a segment the events marked ``together`` (``alone``) are applied
        in one vectorised step, the others one by one in time order (``by_kind``: the handler of each code).
        """
        horizon = env.peek()
        begin, n = 0, len(times)
        while begin < n:
            if times[begin] >= horizon:
                yield env.timeout(float(times[begin]) - env.now)
                horizon = env.peek()
            end = max(int(np.searchsorted(times, horizon, side="left")), begin + 1)
            segment = slice(begin, end)
            mask = together[segment]
            done, urban_change = handlers.apply_together(times[segment][mask], rows[segment][mask],
                                                         kinds[segment][mask])
            for kind, count in done.items():
                applied[kind] += count
            one_by_one = begin + np.flatnonzero(~mask)
            handlers.urban_ahead = urban_ahead(rows, kinds, one_by_one, begin + np.flatnonzero(mask), urban_change,
                                               self.res.district)
            for first in range(0, len(one_by_one), PREFETCH_EVENTS):
                block = one_by_one[first:first + PREFETCH_EVENTS]
                prefetch(self.res, rows[block])
                for t, i, k in zip(times[block].tolist(), rows[block].tolist(), kinds[block].tolist(), strict=True):
                    if by_kind[k](i, t):
                        applied[k] += 1
            begin = end

    def check(self) -> None:
        """What the schedule promises at a month end: no arrival left pending, nothing scheduled for the gone."""
        res = self.res
        status = res.view("status")
        if (status == ARRIVING).any():
            raise AssertionError("arrivals left pending at a month end")
        gone = status != PRESENT
        if np.isfinite(res.view("next_day")[gone]).any():
            raise AssertionError("a resident who left or died still has an event scheduled")

