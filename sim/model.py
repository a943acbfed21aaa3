"""The engine: SimPy runs the calendar, residents who act get events at their exact time.

Time unit: ``env.now`` is in **days** since 00:00 of ``period.start``; hazards
are per year and converted with ``DAYS_PER_YEAR``.

Each month the calendar process

1. evaluates every present resident's competing hazards (``hazards.py``) as
   arrays, holds them constant for the month, and draws one exponential
   waiting time per resident against the total hazard: only those whose time
   falls inside the month act (cost grows with events, not with residents
   times events); which event happens is drawn in proportion to its hazard;
2. draws the month's arriving households (a Poisson count, uniform times);
3. yields a SimPy timeout to each event's exact time, in time order, and
   applies it to the state arrays, the stock table and the flow counters;
4. at the month's end records every indicator for every zone.

Simplifications (documented in docs/model.md): a resident acts at most once per
month (its new hazards take effect at the next month start); newborns and
arrivals are at risk from the next month; an event whose premise no longer
holds when its time comes (the household already moved, say) is dropped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from . import indicators
from .hazards import EVENT_HAZARDS, EVENT_NAMES
from .population import DAYS_PER_YEAR, build_population
from .residents import (
    DEAD, DEPARTED, IDLE, LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, OCCUPIED, PRESENT, Residents,
)
from .scenario.schema import DISTRICTS
from .streams import Streams

ARRIVING = 3          # status of a pre-drawn arriving resident before its arrival time
ARRIVAL = len(EVENT_NAMES)  # event code of a household arrival
ALL_EVENTS = (*EVENT_NAMES, "arrival")


def months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every month from ``start`` to ``end``."""
    out = []
    first = start
    while first <= end:
        nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        out.append((first, nxt - dt.timedelta(days=1)))
        first = nxt
    return out


def recount_stock(res: Residents) -> np.ndarray:
    """Present agents by (district, urban, hukou, permit), counted from the arrays."""
    present = res.view("status") == PRESENT
    key = (((res.view("district")[present].astype(np.int64) * 2 + res.view("urban")[present]) * 3
            + res.view("hukou")[present]) * 2 + res.view("permit")[present])
    return np.bincount(key, minlength=len(DISTRICTS) * 12).reshape(len(DISTRICTS), 2, 3, 2)


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


class Model:
    """One replication of a scenario.

    Parameters
    ----------
    scenario : a validated Scenario.
    replication : replication index; selects the random streams.
    residents : a ready population (tests build tiny worlds); default: built from the census.
    log_events : keep a list of every applied event (day, event, row, district, persons).
    check_invariants : recount the stock from the arrays every month and fail on any mismatch.
    """

    def __init__(self, scenario, replication: int = 0, residents: Residents | None = None,
                 log_events: bool = False, check_invariants: bool = False) -> None:
        self.scenario = scenario
        self.behaviour = scenario.behaviour
        self.scale = float(scenario.population.scale)
        self.streams = Streams(scenario.seed, replication)
        self.res = residents if residents is not None else build_population(scenario, self.streams["population"])
        self.env = simpy.Environment()
        self.stock = recount_stock(self.res).astype(np.int64)
        self.flows = np.zeros((len(indicators.FLOWS), len(DISTRICTS)), np.int64)
        self.log = [] if log_events else None
        self.check_invariants = check_invariants
        self.events_processed = 0
        self.events_by_type = dict.fromkeys(ALL_EVENTS, 0)
        self.dates: list[str] = []
        self.records: list[np.ndarray] = []
        self._handlers = {k: getattr(self, f"_on_{name}") for k, name in enumerate(ALL_EVENTS)}
        self._timing = self.streams["timing"]
        self._choice = self.streams["choice"]
        self._arrivals = self.streams["arrivals"]
        self._births = self.streams["births"]

    # -- running ----------------------------------------------------------------
    def run(self, on_month: Callable[[], None] | None = None) -> RunResult:
        """Run the whole period; ``on_month`` is called after each simulated month."""
        t0 = time.perf_counter()
        agents_start = int((self.res.view("status") == PRESENT).sum())
        self.env.process(self._calendar(on_month))
        self.env.run()
        return RunResult(
            dates=self.dates, values=np.stack(self.records), events_processed=self.events_processed,
            events_by_type=dict(self.events_by_type), agents_start=agents_start,
            agents_end=int((self.res.view("status") == PRESENT).sum()),
            wall_seconds=time.perf_counter() - t0, state_bytes=self.res.nbytes(), log=self.log)

    def _calendar(self, on_month):
        period = self.scenario.period
        origin = period.start
        self._record(origin - dt.timedelta(days=1))
        for first, last in months(period.start, period.end):
            start_day = float((first - origin).days)
            end_day = float((last - origin).days + 1)
            times, rows, kinds = self._draw_month(start_day, end_day)
            handlers = self._handlers
            for t, i, k in zip(times.tolist(), rows.tolist(), kinds.tolist(), strict=True):
                yield self.env.timeout(t - self.env.now)
                self.events_processed += 1
                handlers[k](i, t)
            yield self.env.timeout(end_day - self.env.now)
            self.events_processed += 1
            self._month_end()
            self._record(last)
            if on_month is not None:
                on_month()

    def _record(self, date: dt.date) -> None:
        if self.check_invariants:
            self._assert_invariants()
        self.dates.append(date.isoformat())
        self.records.append(indicators.compute(self.stock, self.flows, self.scale))
        self.flows[:] = 0

    def _month_end(self) -> None:
        """Employed residents accrue a month of social insurance; residents turning 60 retire."""
        res = self.res
        present = res.view("status") == PRESENT
        age = (self.env.now - res.view("birth_day")) / DAYS_PER_YEAR
        employed = res.view("employed")
        employed &= ~(present & (age >= 60.0))
        res.view("insurance_years")[present & employed] += np.float32(1.0 / 12.0)

    def _assert_invariants(self) -> None:
        if not np.array_equal(self.stock, recount_stock(self.res)):
            raise AssertionError("stock table differs from a recount of the resident arrays")
        if (self.stock < 0).any():
            raise AssertionError("negative stock")
        if (self.res.view("status") == ARRIVING).any():
            raise AssertionError("arrivals left pending at a month end")

    # -- drawing a month --------------------------------------------------------
    def state(self, day: float) -> dict[str, np.ndarray]:
        """The arrays the hazard functions read, for every row, at ``day``."""
        res = self.res
        return {
            "present": res.view("status") == PRESENT,
            "age_years": (day - res.view("birth_day")) / DAYS_PER_YEAR,
            "female": res.view("female"),
            "is_head": res.view("is_head"),
            "urban": res.view("urban"),
            "hukou": res.view("hukou"),
            "homestead": res.hh_homestead[res.view("hh")],
            "insurance_years": res.view("insurance_years"),
            "talent": res.view("talent"),
            "permit": res.view("permit"),
            "resident_years": (day - res.view("arrival_day")) / DAYS_PER_YEAR,
        }

    def _draw_month(self, start_day: float, end_day: float):
        """Times, rows and event codes of the month's events, in time order."""
        month_years = (end_day - start_day) / DAYS_PER_YEAR
        state = self.state(start_day)
        total = np.zeros(self.res.n)
        for _, hazard in EVENT_HAZARDS:
            total += hazard(state, self.behaviour)
        waits = self._timing.standard_exponential(self.res.n)
        acting = np.flatnonzero(waits < total * month_years)
        times = start_day + waits[acting] / total[acting] * DAYS_PER_YEAR
        subset = {k: v[acting] for k, v in state.items()}
        rates = np.stack([hazard(subset, self.behaviour) for _, hazard in EVENT_HAZARDS], axis=1)
        cumulative = rates.cumsum(axis=1)
        pick = self._choice.random(len(acting)) * cumulative[:, -1]
        kinds = np.minimum((cumulative <= pick[:, None]).sum(axis=1), len(EVENT_HAZARDS) - 1)

        a_times, a_rows = self._draw_arrivals(start_day, end_day)
        times = np.concatenate((times, a_times))
        rows = np.concatenate((acting, a_rows))
        kinds = np.concatenate((kinds, np.full(len(a_rows), ARRIVAL)))
        order = np.argsort(times, kind="stable")
        return times[order], rows[order], kinds[order]

    def _draw_arrivals(self, start_day: float, end_day: float):
        """Pre-create the month's arriving households (status ARRIVING); return (times, first rows)."""
        m = self.behaviour.in_migration
        rng = self._arrivals
        present_agents = int(self.stock.sum())
        size_values = np.array([int(k) for k in m.household_size_shares_pct], np.int64)
        size_p = np.array(list(m.household_size_shares_pct.values()), np.float64)
        size_p = size_p / size_p.sum()
        mean_size = float((size_values * size_p).sum())
        expected = m.rate_per_year * present_agents / mean_size * (end_day - start_day) / DAYS_PER_YEAR
        count = int(rng.poisson(expected))
        times = start_day + rng.random(count) * (end_day - start_day)
        if count == 0:
            return times, np.zeros(0, np.int64)
        sizes = rng.choice(size_values, size=count, p=size_p)
        urban = rng.random(count) < m.urban_share_pct / 100.0
        # gravity: a district draws arrivals of each type in proportion to its residents of that type
        by_type = self.stock.sum(axis=(2, 3)).astype(np.float64) ** m.destination_population_exponent
        by_type[self.stock.sum(axis=(2, 3)) == 0] = 0.0
        district = np.empty(count, np.int64)
        for u in (0, 1):
            w = by_type[:, u]
            sel = np.flatnonzero(urban == bool(u))
            if w.sum() == 0:       # no zone of this type: fall back to the other type
                urban[sel] = not u
                w = by_type[:, 1 - u]
            district[sel] = rng.choice(len(DISTRICTS), size=len(sel), p=w / w.sum())
        n = int(sizes.sum())
        member = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # position within household
        adult = member < 2
        age = np.where(adult, np.clip(rng.normal(m.adult_age_mean_years, m.adult_age_sd_years, n), 16, 80),
                       rng.random(n) * 15.0)
        hh_district = np.repeat(district, sizes)
        arrival = np.repeat(times, sizes)
        p = self.scenario.population
        homestead = np.where(rng.random(count) < p.nonlocal_homestead_share_pct / 100.0, IDLE, 0)
        _, rows = self.res.add_households(
            sizes, homestead=homestead, district=hh_district, urban=np.repeat(urban, sizes), hukou=NONLOCAL,
            hukou_district=-1, female=rng.random(n) < 0.5, birth_day=arrival - age * DAYS_PER_YEAR,
            arrival_day=arrival, talent=adult & (age < 60) & (rng.random(n) < m.talent_share_pct / 100.0),
            employed=adult & (age < 60) & (rng.random(n) < p.employed_share_pct / 100.0),
        )
        self.res.status[rows] = ARRIVING
        firsts = rows[np.concatenate(([0], np.cumsum(sizes)[:-1]))]
        return times, firsts

    # -- event handlers (scalar: one resident or household at its exact time) ----
    def _move_stock(self, i: int, sign: int) -> tuple[int, int, int, int]:
        res = self.res
        key = (int(res.district[i]), int(res.urban[i]), int(res.hukou[i]), int(res.permit[i]))
        self.stock[key] += sign
        return key

    def _note(self, t: float, event: str, row: int, district: int, persons: int) -> None:
        self.events_by_type[event] += 1
        if self.log is not None:
            self.log.append((t, event, row, DISTRICTS[district], persons))

    def _on_death(self, i: int, t: float) -> None:
        res = self.res
        if res.status[i] != PRESENT:
            return
        d = self._move_stock(i, -1)[0]
        res.status[i] = DEAD
        self.flows[indicators.FLOW_INDEX["deaths"], d] += 1
        if res.is_head[i]:
            res.reassign_head(int(res.hh[i]))
        self._note(t, "death", i, d, 1)

    def _on_birth(self, mother: int, t: float) -> None:
        res = self.res
        if res.status[mother] != PRESENT:
            return
        f = self.behaviour.fertility
        child = res.add_child(
            int(res.hh[mother]), district=res.district[mother], urban=res.urban[mother],
            hukou=res.hukou[mother], hukou_district=res.hukou_district[mother],
            female=self._births.random() >= f.male_share_at_birth_pct / 100.0, birth_day=t)
        d = self._move_stock(child, +1)[0]
        self.flows[indicators.FLOW_INDEX["births"], d] += 1
        self._note(t, "birth", child, d, 1)

    def _on_departure(self, head: int, t: float) -> None:
        res = self.res
        if res.status[head] != PRESENT or not res.is_head[head]:
            return
        members = res.members(int(res.hh[head]))
        out = indicators.FLOW_INDEX["out_migration"]
        for i in members:
            d = self._move_stock(i, -1)[0]
            res.status[i] = DEPARTED
            self.flows[out, d] += 1
        self._note(t, "departure", head, int(res.district[head]), len(members))

    def _relocate(self, head: int, to_district: int, to_urban: bool, flow: str, t: float) -> None:
        """Move a whole household to (district, urban); count the flow in the district left."""
        res = self.res
        members = self.res.members(int(res.hh[head]))
        origin = int(res.district[head])
        for i in members:
            self._move_stock(i, -1)
            res.district[i] = to_district
            res.urban[i] = to_urban
            self._move_stock(i, +1)
        k = len(members)
        self.flows[indicators.FLOW_INDEX[flow], origin] += k
        if to_district != origin:
            self.flows[indicators.FLOW_INDEX["internal_moves_out"], origin] += k
            self.flows[indicators.FLOW_INDEX["internal_moves_in"], to_district] += k
        self._note(t, flow.removesuffix("_moves"), head, origin, k)

    def _on_rural_to_urban(self, head: int, t: float) -> None:
        res = self.res
        if res.status[head] != PRESENT or not res.is_head[head] or res.urban[head]:
            return
        r = self.behaviour.rural_to_urban
        origin = int(res.district[head])
        urban_agents = self.stock[:, 1].sum(axis=(1, 2)).astype(np.float64)
        if self._choice.random() < r.same_district_share_pct / 100.0 or urban_agents.sum() == urban_agents[origin]:
            destination = origin
        else:
            urban_agents[origin] = 0.0
            destination = int(self._choice.choice(len(DISTRICTS), p=urban_agents / urban_agents.sum()))
        h = int(res.hh[head])
        if res.hh_homestead[h] == OCCUPIED:
            res.hh_homestead[h] = IDLE
        self._relocate(head, destination, True, "rural_to_urban_moves", t)

    def _on_urban_to_rural(self, head: int, t: float) -> None:
        res = self.res
        if res.status[head] != PRESENT or not res.is_head[head] or not res.urban[head]:
            return
        returning = res.hukou[head] == LOCAL_RURAL and res.hukou_district[head] >= 0
        destination = int(res.hukou_district[head]) if returning else int(res.district[head])
        if self.scenario.population.district_urbanization_rate_pct[DISTRICTS[destination]] >= 100.0:
            return                  # a fully urban district has no rural part to move to
        h = int(res.hh[head])
        if returning and res.hh_homestead[h] == IDLE:
            res.hh_homestead[h] = OCCUPIED
        self._relocate(head, destination, False, "urban_to_rural_moves", t)

    def _on_hukou_conversion(self, head: int, t: float) -> None:
        res = self.res
        if res.status[head] != PRESENT or not res.is_head[head] or not res.urban[head] \
                or res.hukou[head] == LOCAL_URBAN:
            return
        converted = 0
        conv = indicators.FLOW_INDEX["hukou_conversions"]
        for i in res.members(int(res.hh[head])):
            if res.hukou[i] == LOCAL_URBAN:
                continue
            self._move_stock(i, -1)
            res.hukou[i] = LOCAL_URBAN
            res.hukou_district[i] = res.district[i]
            res.permit[i] = False
            d = self._move_stock(i, +1)[0]
            self.flows[conv, d] += 1
            converted += 1
        self._note(t, "hukou_conversion", head, int(res.district[head]), converted)

    def _on_residence_permit(self, i: int, t: float) -> None:
        res = self.res
        if res.status[i] != PRESENT or res.hukou[i] != NONLOCAL or res.permit[i]:
            return
        self._move_stock(i, -1)
        res.permit[i] = True
        d = self._move_stock(i, +1)[0]
        self._note(t, "residence_permit", i, d, 1)

    def _on_arrival(self, first: int, t: float) -> None:
        res = self.res
        members = []
        i = first
        while i >= 0:
            members.append(i)
            i = int(res.next_member[i])
        inflow = indicators.FLOW_INDEX["in_migration"]
        for i in members:
            res.status[i] = PRESENT
            d = self._move_stock(i, +1)[0]
            self.flows[inflow, d] += 1
        self._note(t, "arrival", first, int(res.district[first]), len(members))


__all__ = ["Model", "RunResult", "months", "recount_stock", "ARRIVING", "DEAD", "DEPARTED"]
