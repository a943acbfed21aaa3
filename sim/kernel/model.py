"""The engine: SimPy runs the calendar; residents who act get an event at their exact time.

Time is in days since the period start (``calendar.py``). Each resident holds
its next event (``next_day``, ``next_kind``), drawn from its competing hazards
(``hazards.py``), and a ``review_day`` up to which those hazards are constant.
At each month start the calendar process

1. redraws the residents whose review day has come (everyone on 1 January,
   as ages move the hazards; otherwise only those whose state changed or who
   crossed a threshold such as six months of residence): one exponential
   waiting time against the total hazard, the event picked in proportion to
   its hazard (piecewise-constant hazards are memoryless, so a redraw is exact),
   vectorised in passes of ``REDRAW_CHUNK`` residents on one thread per CPU;
2. collects the residents whose next event falls inside the month, plus the
   month's arriving households (a Poisson count at uniform times);
3. applies each event at its exact time, in time order, to the state arrays,
   the stock table and the flow counters (``transitions.py``); SimPy interleaves
   them with the other processes (school rounds, levers' postings), and the
   calendar yields to it only when one of those is due first (the others can
   change nothing in between, so this is the order a timeout per event gives).
   Between two such steps, permits and insurance enrolments of households with
   no other event in the month are applied together (they commute with every
   other event: ``Transitions.apply_own_events``), the rest one by one;
4. records every indicator for every zone at the month end.

Idle residents cost one comparison a month; the work grows with events.
Simplifications (docs/model.md): a resident whose state changes is at risk
again from the next month start (so it acts at most once a month); newborns
and arrivals likewise; a threshold crossed inside a month takes effect at the
next month start; an event whose premise no longer holds when its time comes
(the household already moved, say) is dropped.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import simpy

from .. import submodels
from ..core.calendar import DAYS_PER_YEAR, Calendar, months
from ..core.catalogue import FLOWS
from ..core.codes import ARRIVING, DEAD, DEPARTED, LOCAL_RURAL, PRESENT, cell_of
from ..core.districts import DISTRICTS
from ..core.streams import Streams, keyed_uniform_pair
from ..policy import active_levers
from . import arrivals
from . import recorder as indicators
from .handlers import OWN_EVENTS, Transitions
from .hazards import EVENT_HAZARDS, EVENT_NAMES, next_change_day, state_of
from .population import build_population
from .residents import Residents
from .schooling import Schools

#: events per block whose rows' handler attributes are gathered before the block runs (``Model._prefetch``)
PREFETCH_EVENTS = 1024
#: resident attributes the handlers read or write (see transitions.py): these are worth prefetching; the
#: event's own next_day and the household arrays were measured not to be
HANDLER_FIELDS = ("status", "cell", "is_head", "urban", "hukou", "district", "pension", "employed", "medical",
                  "next_member", "review_day", "hukou_district", "permit", "new_town", "hh")
REDRAW_CHUNK = 1 << 16   # residents per vectorised pass: the temporaries of 64 Ki rows stay in the CPU caches
SCAN_CHUNK = 1 << 20     # rows per pass of the month-start scans: a pass outweighs handing it to a thread
ARRIVAL = len(EVENT_NAMES)  # event code of a household arrival
ALL_EVENTS = (*EVENT_NAMES, "arrival")
BIRTH = ALL_EVENTS.index("birth")
#: events whose handler draws from the ``events`` stream (the child's sex, the destination district)
USES_EVENT_UNIFORMS = [BIRTH, ALL_EVENTS.index("rural_to_urban")]


def recount_stock(res: Residents) -> np.ndarray:
    """Present agents by (district, urban, hukou, permit), counted from the arrays."""
    present = res.view("status") == PRESENT
    key = cell_of(res.view("district")[present].astype(np.int64), res.view("urban")[present],
                  res.view("hukou")[present], res.view("permit")[present])
    return np.bincount(key, minlength=len(DISTRICTS) * 12).reshape(len(DISTRICTS), 2, 3, 2)


def time_order(times: np.ndarray) -> np.ndarray:
    """The stable sort order of ``times`` (ties keep their order: residents by row, then arrivals).

    Continuous times almost never tie, and without ties every sort gives the one order: the fast
    unstable sort is used and checked, the stable one (five times slower here) only when a tie is found.
    """
    order = np.argsort(times)
    if (np.diff(times[order]) == 0).any():
        order = np.argsort(times, kind="stable")
    return order


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                # not on Linux
        return os.cpu_count() or 1


@dataclass
class RunResult:
    """What one replication produced."""

    dates: list[str]
    values: np.ndarray              # (dates, zones, indicators)
    events_processed: int
    events_by_type: dict[str, int]
    agents_start: int
    agents_end: int
    wall_seconds: float
    state_bytes: int
    log: list | None = field(default=None, repr=False)


class Model(Transitions):
    """One replication of a scenario.

    Parameters
    ----------
    scenario : a validated Scenario.
    replication : replication index; selects the random streams.
    residents : a ready population (tests build tiny worlds); default: built from the census.
    log_events : keep a list of every applied event ``(day, event, row, district, persons)``.
    check_invariants : recount the stock from the arrays every month and fail on any mismatch.
    threads : threads for the vectorised redraws and month-end counts, and with more than one a helper
        thread for the build (default: the CPUs this process may use); the numbers do not depend on it.
    """

    def __init__(self, scenario, replication: int = 0, residents: Residents | None = None,
                 log_events: bool = False, check_invariants: bool = False, threads: int | None = None) -> None:
        self.scenario = scenario
        self.behaviour = scenario.behaviour
        self.scale = float(scenario.population.scale)
        self.calendar = Calendar(scenario.period.start, scenario.period.end)
        self.streams = Streams(scenario.seed, replication)
        self.threads = max(1, int(threads if threads is not None else available_cpus()))
        self.res = residents if residents is not None else build_population(
            scenario, self.streams["population"], helper_thread=self.threads > 1)
        self.env = simpy.Environment()
        self._pool: ThreadPoolExecutor | None = None     # started by the first redraw with several chunks
        # stock table as a flat Python list: handlers update one cell in ~30 ns
        self._stock = recount_stock(self.res).ravel().tolist()
        self._flows = [[0] * len(DISTRICTS) for _ in FLOWS]
        self.log = [] if log_events else None
        self.check_invariants = check_invariants
        self.events_processed = 0
        self.events_by_type: dict[str, int] = {}
        self.dates: list[str] = []
        self.records: list[np.ndarray] = []
        self._handlers = [getattr(self, f"_on_{name}") for name in ALL_EVENTS]
        self._resident_key = self.streams.key("residents")
        self._event_key = self.streams.key("events")
        self._event_uniforms: dict[int, tuple[float, float]] = {}     # this month's, by row (see _calendar)
        self._arrivals = self.streams["arrivals"]
        self._lever_stream = self.streams["levers"]
        self._male_share = self.behaviour.fertility.male_share_at_birth_pct / 100.0
        self._same_district_share = self.behaviour.rural_to_urban.same_district_share_pct / 100.0
        self.levers = active_levers(scenario, self.calendar)
        self._idle_homesteads: list[list[int]] | None = None     # built when a lease first needs one
        # idle and leased Qingdao homesteads by district, kept in step by the handlers (as the stock table)
        self._homesteads_idle = [0] * len(DISTRICTS)
        self._homesteads_leased = [0] * len(DISTRICTS)
        self._count_homesteads(0)
        self.service_staff = np.zeros(len(DISTRICTS))              # urban staff serving villages, persons
        self.schools = Schools(self, self.streams["schools"])
        self._rural_part = np.array([scenario.population.district_urbanization_rate_pct[d] < 100.0
                                     for d in DISTRICTS])    # districts with a rural part to move to

    @property
    def stock(self) -> np.ndarray:
        """Present agents by (district, urban, hukou, permit)."""
        return np.array(self._stock, dtype=np.int64).reshape(len(DISTRICTS), 2, 3, 2)

    # -- running ----------------------------------------------------------------
    def run(self, on_month: Callable[[], None] | None = None) -> RunResult:
        """Run the whole period; ``on_month`` is called after each simulated month."""
        t0 = time.perf_counter()
        agents_start = sum(self._stock)
        self.env.process(self._calendar(on_month))
        self.env.process(self.schools.year_rounds())
        for lever, extra in self.schools.lever_seats:
            self.env.process(self.schools.open_seats(lever, extra))
        for lever in self.levers:                 # levers' own calendars (postings, ...)
            for process in getattr(lever.module, "processes", lambda model, lever: [])(self, lever):
                self.env.process(process)
        try:
            self.env.run(until=self.calendar.end_day + 1.0)
        finally:
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
        values = np.stack(self.records)
        submodels.apply(self.scenario, self.streams["submodels"], self.dates, values)
        return RunResult(
            dates=self.dates, values=values, events_processed=self.events_processed,
            events_by_type=dict(self.events_by_type), agents_start=agents_start, agents_end=sum(self._stock),
            wall_seconds=time.perf_counter() - t0, state_bytes=self.res.nbytes(), log=self.log)

    def _calendar(self, on_month):
        cal = self.calendar
        res = self.res
        handlers = self._handlers if self.log is None else [self._logged(k) for k in range(len(ALL_EVENTS))]
        applied = [0] * len(ALL_EVENTS)
        self._record(cal.origin - dt.timedelta(days=1))
        env = self.env
        for m, (_, last) in enumerate(cal.month_spans):
            start_day, end_day = float(cal.month_starts[m]), float(cal.month_starts[m + 1])
            for lever in self.levers:          # levers acting on places at this month start
                hook = getattr(lever.module, "month_start", None)
                if hook is not None:
                    hook(self, lever, start_day)
            self.redraw(self._rows_where(lambda part, day=start_day: res.review_day[part] <= day), start_day)
            times, rows, kinds = self._due(start_day, end_day)
            self.events_processed += len(times) + 1          # the month's events and its end
            self._event_uniforms = self._event_uniform_pairs(rows[np.isin(kinds, USES_EVENT_UNIFORMS)])
            # each resident's draw is used up when its time comes: redraw at the next month start (set here
            # at once; a handler that reaches the resident earlier in the month sets its own review day)
            drawn = kinds != ARRIVAL
            res.next_day[rows[drawn]] = np.inf
            res.review_day[rows[drawn]] = times[drawn]
            together = self._own_and_alone(rows, kinds) if self.log is None else np.zeros(len(rows), bool)
            yield from self._apply(times, rows, kinds, together, handlers, applied)
            yield env.timeout(max(end_day - env.now, 0.0))
            self._record(last)
            if on_month is not None:
                on_month()
        self.events_by_type = dict(zip(ALL_EVENTS, applied, strict=True))

    def _apply(self, times, rows, kinds, together, handlers, applied):
        """Apply the month's events (a part of the calendar process), counting those applied by kind.

        SimPy orders the residents' events against the other processes' (school rounds, levers'
        postings): the events due before the next of those form a segment, applied without waiting, as
        nothing else can happen until then; the calendar then waits for the next event's time, letting
        the others go first. In a segment the events marked ``together`` (``_own_and_alone``) are applied
        in one vectorised step, the others one by one in time order.
        """
        env = self.env
        horizon = env.peek()
        begin, n = 0, len(times)
        while begin < n:
            if times[begin] >= horizon:
                yield env.timeout(float(times[begin]) - env.now)
                horizon = env.peek()
            end = max(int(np.searchsorted(times, horizon, side="left")), begin + 1)
            segment = slice(begin, end)
            mask = together[segment]
            for kind, count in self.apply_own_events(rows[segment][mask], kinds[segment][mask]).items():
                applied[kind] += count
            one_by_one = begin + np.flatnonzero(~mask)
            for first in range(0, len(one_by_one), PREFETCH_EVENTS):
                block = one_by_one[first:first + PREFETCH_EVENTS]
                self._prefetch(rows[block])
                for t, i, k in zip(times[block].tolist(), rows[block].tolist(), kinds[block].tolist(), strict=True):
                    if handlers[k](i, t):
                        applied[k] += 1
            begin = end

    def _own_and_alone(self, rows: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        """Which of the month's events are ``OWN_EVENTS`` of a household with no other event this month."""
        households = self.res.hh[rows]            # an arrival's row is its new household's first member
        ordered = np.sort(households)
        shared = ordered[1:][ordered[1:] == ordered[:-1]]          # households with two events or more
        return np.isin(kinds, OWN_EVENTS) & ~np.isin(households, shared)

    def _prefetch(self, rows: np.ndarray) -> None:
        """Bring the handlers' attributes of ``rows`` (and their households' first members) into the CPU
        caches.

        The month's events fall on rows scattered over arrays far larger than the caches, and each
        scalar read of a handler would wait for memory on its own; numpy's gathers overlap those waits.
        Changes nothing but the time: the gathered values are discarded.
        """
        res = self.res
        for name in HANDLER_FIELDS:
            getattr(res, name).take(rows)
        res.hh_first.take(res.hh.take(rows))

    def _event_uniform_pairs(self, rows: np.ndarray) -> dict[int, tuple[float, float]]:
        """The ``events`` stream's pair of uniforms for each of ``rows``, drawn at once for the month.

        A resident acts at most once a month and its draw counter moves only at month starts, so these
        are exactly the numbers its handler would draw by itself (``event_uniforms``).
        """
        first, second = keyed_uniform_pair(self._event_key, rows, self.res.draws[rows])
        return dict(zip(rows.tolist(), zip(first.tolist(), second.tolist(), strict=True), strict=True))

    def _logged(self, kind: int) -> Callable[[int, float], int]:
        """The handler of ``kind``, appending each applied event to the log with the district where it
        is counted (the one before the event)."""
        handler, name, log = self._handlers[kind], ALL_EVENTS[kind], self.log

        def handle(i: int, t: float) -> int:
            district = DISTRICTS[self.res.mv.district[i]]
            persons = handler(i, t)
            if persons:
                log.append((t, name, i, district, persons))
            return persons
        return handle

    def _record(self, date: dt.date) -> None:
        if self.check_invariants:
            self._assert_invariants()
        self.dates.append(date.isoformat())
        stocks = {**indicators.month_end_stocks(self.res, self.env.now, self._map),
                  **self.homestead_stocks, "school_seat_shortage": self.schools.shortage}
        stocks["homestead_lease_income"] = np.zeros(len(DISTRICTS))
        for lever in self.levers:
            rent = getattr(lever.module, "monthly_lease_income", None)
            if rent is not None:
                stocks["homestead_lease_income"] += rent(lever, stocks["homesteads_leased"])
        self.records.append(indicators.compute(self.stock, np.array(self._flows, np.int64), self.scale, stocks,
                                               {"rural_service_staff": self.service_staff}))
        self._flows = [[0] * len(DISTRICTS) for _ in FLOWS]

    @property
    def homestead_stocks(self) -> dict[str, np.ndarray]:
        """Idle and leased Qingdao homesteads by district, as ``indicators.household_stocks`` counts them."""
        return {"homesteads_idle": np.array(self._homesteads_idle, np.int64),
                "homesteads_leased": np.array(self._homesteads_leased, np.int64)}

    def _count_homesteads(self, begin: int) -> None:
        """Add the homesteads of the households from ``begin`` on (new ones) to the running counts."""
        counted = indicators.household_stocks(self.res, begin)
        for running, new in ((self._homesteads_idle, counted["homesteads_idle"]),
                             (self._homesteads_leased, counted["homesteads_leased"])):
            for d, count in enumerate(new.tolist()):
                running[d] += count

    def _assert_invariants(self) -> None:
        if not np.array_equal(self.stock, recount_stock(self.res)):
            raise AssertionError("stock table differs from a recount of the resident arrays")
        counted, recount = self.homestead_stocks, indicators.household_stocks(self.res)
        if any(not np.array_equal(counted[k], recount[k]) for k in recount):
            raise AssertionError("homestead counts differ from a recount of the households")
        if min(self._stock) < 0:
            raise AssertionError("negative stock")
        status = self.res.view("status")
        res = self.res
        cells = res.view("cell")
        if not np.array_equal(cells, cell_of(res.view("district").astype(np.int16), res.view("urban"),
                                             res.view("hukou"), res.view("permit"))):
            raise AssertionError("cached stock cells out of step with the resident attributes")
        if (status == ARRIVING).any():
            raise AssertionError("arrivals left pending at a month end")
        gone = status != PRESENT
        if np.isfinite(self.res.view("next_day")[gone]).any():
            raise AssertionError("a resident who left or died still has an event scheduled")

    # -- drawing ------------------------------------------------------------------
    def redraw(self, rows: np.ndarray, day: float) -> None:
        """Draw the next event of ``rows`` from ``day`` with their hazards, constant until their review day.

        Works through ``REDRAW_CHUNK`` rows at a time, on ``threads`` threads when there are several
        chunks (numpy releases the GIL inside its loops). Draws are keyed by resident
        (``streams.keyed_uniform_pair``) and chunks write disjoint rows, so neither the chunking nor the
        threads change a number.
        """
        chunks = [rows[begin:begin + REDRAW_CHUNK] for begin in range(0, len(rows), REDRAW_CHUNK)]
        self._map(lambda chunk: self._redraw_chunk(chunk, day), chunks)

    def _rows_where(self, test: Callable[[slice], np.ndarray]) -> np.ndarray:
        """The live rows where ``test`` (a boolean array for a slice of rows) holds, in row order: the
        month's whole-city scans, in passes of ``SCAN_CHUNK`` rows on the threads."""
        n = self.res.n
        parts = [slice(begin, min(begin + SCAN_CHUNK, n)) for begin in range(0, max(n, 1), SCAN_CHUNK)]
        return np.concatenate(self._map(lambda part: part.start + np.flatnonzero(test(part)), parts))

    def _map(self, fn: Callable, items) -> list:
        """``fn`` over ``items``, on ``threads`` threads when there are several items (results in order)."""
        items = list(items)
        if len(items) < 2 or self.threads < 2:
            return [fn(item) for item in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="sim")
        return list(self._pool.map(fn, items))

    def _redraw_chunk(self, rows: np.ndarray, day: float) -> None:
        res = self.res
        cal = self.calendar
        natural = cal.review_boundary(next_change_day(res, rows, day, self.behaviour, cal.next_year_start(day)), day)
        # ages for the smooth terms at the middle of the window the resident would have without levers,
        # so that a lever changes nothing before it starts
        state = state_of(res, rows, day, mid_day=(day + natural) / 2.0)
        district = state["district"]
        review = natural.copy()
        for lever in self.levers:           # a lever switching where a resident lives ends its window
            np.minimum(review, lever.next_switch(district, day), out=review)
        returning = state["hukou"] == LOCAL_RURAL
        destination = np.where(returning & (res.hukou_district[rows] >= 0), res.hukou_district[rows], district)
        state["rural_destination"] = self._rural_part[destination]
        rates = {name: hazard(state, self.behaviour) for name, hazard in EVENT_HAZARDS}
        for lever in self.levers:
            adjust = getattr(lever.module, "adjust", None)       # levers acting on places have none
            if adjust is not None:
                adjust(rates, state, lever.level(district, day), lever.settings, self.behaviour)
        total = np.zeros(len(rows))
        for rate in rates.values():          # left to right, as the cumulative sums below
            total += rate
        counters = res.draws[rows]
        res.draws[rows] = counters + 1
        u_wait, u_kind = keyed_uniform_pair(self._resident_key, rows, counters)
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

    def _due(self, start_day: float, end_day: float):
        """Times, rows and event codes of the month's events (residents' and arrivals'), in time order."""
        res = self.res
        rows = self._rows_where(lambda part: res.next_day[part] < end_day)
        times, kinds = res.next_day[rows], res.next_kind[rows].astype(np.int64)
        a_times, a_rows = self._draw_arrivals(start_day, end_day)
        times = np.concatenate((times, a_times))
        rows = np.concatenate((rows, a_rows))
        kinds = np.concatenate((kinds, np.full(len(a_rows), ARRIVAL)))
        order = time_order(times)
        return times[order], rows[order], kinds[order]

    def _draw_arrivals(self, start_day: float, end_day: float):
        """Pre-create the month's arriving households, the base stream's and the levers'; return
        (times, first rows)."""
        pull = None
        for lever in self.levers:
            weights = getattr(lever.module, "arrival_weights", None)
            if weights is not None:
                pull = weights(lever, start_day) * (1.0 if pull is None else pull)
        batches = [arrivals.draw_base(self._arrivals, self.scenario, self.stock, start_day, end_day, pull)]
        for lever in self.levers:
            extra = getattr(lever.module, "extra_arrivals", None)
            if extra is not None:
                level = lever.level(np.arange(len(DISTRICTS)), start_day)
                if level.any():
                    batches.append(extra(self._lever_stream, level, self.stock, lever.settings, self.scenario,
                                         start_day, end_day))
        batch = arrivals.concat(batches) if len(batches) > 1 else batches[0]
        if len(batch) == 0:
            return batch.times, np.zeros(0, np.int64)
        households_before = self.res.n_households
        first_rows = arrivals.add(self.res, batch)
        self._count_homesteads(households_before)
        return batch.times, first_rows

    def school_open_by_district(self, day: float) -> np.ndarray:
        """Districts where a lever opens public schools to every non-hukou child on ``day``."""
        open_ = np.zeros(len(DISTRICTS), bool)
        for lever in self.levers:
            if getattr(lever.module, "opens_schooling", False):
                open_ |= lever.level(np.arange(len(DISTRICTS)), day) > 0
        return open_


__all__ = ["ARRIVING", "DEAD", "DEPARTED", "Model", "RunResult", "months", "recount_stock"]
