"""The engine: SimPy runs the calendar; residents who act get an event at their exact time.

Time is in days since the period start (``core.calendar``). ``Model`` wires the pieces of one replication
and runs them; it owns no rule itself:

- the residents (``residents.py``) and the city's books (``ledger.py``);
- the event handlers (``handlers.py``), over the residents, the ledger and the ``events`` draws;
- the scheduler (``scheduler.py``): redraws, the month's due events, their time order and application;
- the levers in force (``policy.PolicySet``), the school seats (``schooling.py``), the other public services
  and their yearly round (``services.py``), the reclassification of rural places (``reclassification.py``);
  the public cost of citizenization from the month's conversions and newly served (``citizenization_cost.py``);
  jobs and housing by district (``district_economy.py``), when the scenario's economy is on;
- the recorder of the month-end indicators (``recorder.py``) and the threads (``parallel.py``).

At each month start the calendar process

1. lets the levers act on places, then reclassifies the month's share of rural residents as urban where
   they live (``reclassification.py``, at the pace the levers set: new-town upgrades), then steps the jobs
   and housing (``district_economy.py``: the month's job growth, completions, the homes reclassified) and
   sets the month's pull of each district on arrivals and movers;
2. redraws the residents whose review day has come (everyone on 1 January, as ages move the hazards;
   otherwise only those whose state changed or who crossed a threshold such as six months of residence);
3. collects the residents whose next event falls inside the month, plus the month's arriving households
   (a Poisson count at uniform times);
4. applies each event at its exact time, in time order; SimPy interleaves them with the other processes
   (school rounds, levers' postings), and the calendar yields to it only when one of those is due first
   (the others can change nothing in between, so this is the order a timeout per event gives). Between two
   such steps, the permits, enrolments, deaths, departures, hukou conversions and arrivals of households with
   no other event in the month are applied together (they commute with every other event:
   ``Handlers.apply_together``), the rest one by one;
5. records every indicator for every zone at the month end.

Idle residents cost one comparison a month; the work grows with events. Simplifications (docs/model.md): a
resident whose state changes is at risk again from the next month start (so it acts at most once a month);
newborns and arrivals likewise; a threshold crossed inside a month takes effect at the next month start; an
event whose premise no longer holds when its time comes (the household already moved, say) is dropped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Generator

import numpy as np
import simpy

from . import submodels
from .core.calendar import Calendar
from .core.catalogue import FLOW_INDEX
from .core.districts import DISTRICTS
from .core.streams import Streams
from .kernel import citizenization_cost
from .kernel.district_economy import DistrictEconomy
from .kernel.handlers import ALL_EVENTS, EventDraws, Handlers
from .kernel.ledger import Ledger
from .kernel.parallel import PERSON_CHUNK, Parallel
from .kernel.places import PlaceChoice, assign_at_build, place_values, zone_shares
from .kernel.population import build_population
from .kernel.reclassification import Reclassification
from .kernel.recorder import Recorder, month_end_stocks
from .kernel.residents import Residents
from .kernel.result import RunResult
from .kernel.scheduler import Scheduler
from .kernel.schooling import Schools
from .kernel.services import SERVICES, Services
from .policy import PolicySet


class Model:
    """One replication of a scenario.

    Parameters
    ----------
    scenario : a validated Scenario.
    replication : replication index; selects the random streams.
    residents : a ready population (tests build tiny worlds); default: built from the census.
    log_events : keep a list of every applied event ``(day, event, row, district, persons)``, and of every
        household reclassified urban (event ``reclassification``, by its reference person).
    check_invariants : recount the stock from the arrays every month and fail on any mismatch.
    threads : threads for the vectorised redraws and month-end counts, and with more than one a helper
        thread for the build (default one; ``runner.run_once`` passes the CPUs the process may use); the
        numbers do not depend on it.
    """

    def __init__(self, scenario, replication: int = 0, residents: Residents | None = None,
                 log_events: bool = False, check_invariants: bool = False, threads: int | None = None) -> None:
        self.scenario = scenario
        self.calendar = Calendar(scenario.period.start, scenario.period.end)
        self.streams = Streams(scenario.seed, replication)
        self.parallel = Parallel(threads if threads is not None else 1)
        self.res = residents if residents is not None else build_population(
            scenario, self.streams["population"], helper_thread=self.parallel.threads > 1)
        if residents is None:        # the plan's places: from their own stream, so no other draw changes
            assign_at_build(self.res, zone_shares(scenario.population.places), self.streams["places"])
        self.env = simpy.Environment()
        self.ledger = Ledger(self.res)
        self.log: list | None = [] if log_events else None
        self.check_invariants = check_invariants
        self.events_processed = 0
        self.events_by_type: dict[str, int] = {}
        self.recorder = Recorder(float(scenario.population.scale))
        behaviour = scenario.behaviour
        rural_part = np.array([scenario.population.district_urbanization_rate_pct[d] < 100.0
                               for d in DISTRICTS])    # districts with a rural part to move to
        draws = EventDraws(self.res, self.streams.key("events"))
        self.handlers = Handlers(self.res, self.ledger, draws, behaviour.fertility.male_share_at_birth_pct / 100.0,
                                 behaviour.rural_to_urban.same_district_share_pct / 100.0, rural_part)
        self.policies = PolicySet(scenario, self.calendar, self.streams["levers"])
        #: where households moving into a zone or arriving settle among its places (their pull set monthly)
        self.place_choice = PlaceChoice(zone_shares(scenario.population.places))
        self.handlers.place_choice = self.place_choice
        #: each month end's indicators of every place (``kernel.places.PLACE_INDICATORS``)
        self.place_records: list[np.ndarray] = []
        self.reclassification = Reclassification(behaviour.reclassification, self.handlers, self.policies,
                                                 self.streams.key("reclassification"))
        self.scheduler = Scheduler(self.res, self.ledger, self.calendar, behaviour, scenario.population,
                                   self.policies, self.parallel, self.streams.key("residents"), draws,
                                   self.streams["arrivals"], rural_part)
        self.scheduler.place_choice, self.scheduler.places_key = self.place_choice, self.streams.key("places")
        #: urban staff serving each district's villages, persons (the rural-talent postings change it)
        self.service_staff = np.zeros(len(DISTRICTS))
        self.schools = Schools(self.env, self.res, self.calendar, behaviour.schooling, self.policies,
                               self.streams["schools"], self.streams.key("school_access"))
        self.services = Services(self.env, self.res, self.ledger.stock_table, self.calendar, scenario.services.capacity,
                                 behaviour.schooling.enrolment_month, self.policies)
        if self.policies.sizes_services_by_residents:
            self.schools.sizing = self.services.compulsory_extra_seats
        #: jobs and housing by district (None when the scenario's economy is off)
        self.economy = (DistrictEconomy(scenario.economy, self.res, self.ledger.stock_table, self.policies)
                        if scenario.economy.enabled else None)
        self.scheduler.economy = self.economy
        if self.economy is not None:
            self.handlers.destination_pull = self.economy.pull.tolist()
        #: non-hukou children holding a public compulsory seat at the last enrolment month's end, by district
        #: (the base of the net rise the schooling cost counts)
        self._seated = month_end_stocks(self.res, 0.0, self.parallel.map)["non_hukou_public_school"]

    @property
    def stock(self) -> np.ndarray:
        """Present agents by (district, urban, hukou, permit)."""
        return self.ledger.stock_table()

    # -- running ----------------------------------------------------------------
    def run(self, on_month: Callable[[], object] | None = None) -> RunResult:
        """Run the whole period; ``on_month`` is called after each simulated month."""
        t0 = time.perf_counter()
        agents_start = self.ledger.agents()
        self.env.process(self._calendar(on_month))
        self.env.process(self.schools.year_rounds())
        self.env.process(self.services.year_rounds())
        for lever, extra in self.schools.lever_seats:
            self.env.process(self.schools.open_seats(lever, extra))
        for process in self.policies.processes(self.env, self):      # levers' own calendars (postings)
            self.env.process(process)
        try:
            self.env.run(until=self.calendar.end_day + 1.0)
        finally:
            self.parallel.close()
        values = self.recorder.values()
        submodels.apply(self.scenario.submodels, self.streams["submodels"], self.recorder.dates, values)
        return RunResult(
            dates=self.recorder.dates, values=values, events_processed=self.events_processed,
            events_by_type=dict(self.events_by_type), agents_start=agents_start, agents_end=self.ledger.agents(),
            wall_seconds=time.perf_counter() - t0, state_bytes=self.res.nbytes(), log=self.log,
            places=np.array(self.place_records))

    def _calendar(self, on_month: Callable[[], object] | None) -> Generator:
        cal, env, scheduler = self.calendar, self.env, self.scheduler
        by_kind = self.handlers.by_kind if self.log is None else [self._logged(k) for k in range(len(ALL_EVENTS))]
        applied = [0] * len(ALL_EVENTS)
        self._record(cal.origin - dt.timedelta(days=1))
        for m, (_, last) in enumerate(cal.month_spans):
            start_day, end_day = float(cal.month_starts[m]), float(cal.month_starts[m + 1])
            self.policies.act_on_places(self, start_day)
            pull = self.policies.place_pull(start_day)
            if pull is not None or (self.place_choice.pull != 1.0).any():
                self.place_choice.set_pull(pull)
            reclassified = self.reclassification.at_month_start(start_day)
            if self.log is not None:
                self._log_households(start_day, "reclassification", reclassified)
            if self.economy is not None:
                self.economy.add_reclassified(self.res.district[reclassified])
                self.economy.at_month_start(start_day, cal.year_of(start_day))
                self.handlers.destination_pull = self.economy.pull.tolist()
            scheduler.redraw_due(start_day)
            times, rows, kinds = scheduler.due(start_day, end_day)
            self.events_processed += len(times) + 1          # the month's events and its end
            together = scheduler.alone(rows, kinds) if self.log is None else np.zeros(len(rows), bool)
            yield from scheduler.apply(env, times, rows, kinds, together, self.handlers, by_kind, applied)
            yield env.timeout(max(end_day - env.now, 0.0))
            self._record(last)
            if on_month is not None:
                on_month()
        self.events_by_type = dict(zip(ALL_EVENTS, applied, strict=True))

    def _logged(self, kind: int) -> Callable[[int, float], int]:
        """The handler of ``kind``, appending each applied event to the log with the district where it
        is counted (the one before the event)."""
        handler, name, log, res = self.handlers.by_kind[kind], ALL_EVENTS[kind], self.log, self.res
        assert log is not None

        def handle(i: int, t: float) -> int:
            district = DISTRICTS[res.mv.district[i]]       # the views change when the arrays grow
            persons = handler(i, t)
            if persons:
                log.append((t, name, i, district, persons))
            return persons
        return handle

    def _log_households(self, day: float, name: str, rows: np.ndarray) -> None:
        """Log a change of whole households (``rows``, their members) as one entry per household, by its
        reference person, like a household event."""
        res, log = self.res, self.log
        assert log is not None
        heads = rows[res.is_head[rows]]
        persons = np.bincount(res.hh[rows], minlength=res.n_households)[res.hh[heads]]
        for head, n in zip(heads.tolist(), persons.tolist(), strict=True):
            log.append((day, name, head, DISTRICTS[res.district[head]], n))

    def _record(self, date: dt.date) -> None:
        if self.check_invariants:
            self.ledger.check()
            self.scheduler.check()
        homesteads = self.ledger.homestead_stocks()
        stocks = {**month_end_stocks(self.res, self.env.now, self.parallel.map), **homesteads,
                  "school_seat_shortage": self.schools.shortage, **self.services.stocks(),
                  "homestead_lease_income": self.policies.monthly_income(homesteads["homesteads_leased"])}
        zones = None
        if self.economy is not None:
            self.economy.observe()
            stocks.update(self.economy.stocks())
            zones = self.economy.rates()
        flows = self.ledger.take_flows()
        self.place_records.append(place_values(self.res, self.parallel.map, self.handlers.take_place_in_situ(),
                                               float(self.scenario.population.scale), PERSON_CHUNK))
        self.recorder.record(date.isoformat(), self.ledger.stock_table(), flows, stocks,
                             {"rural_service_staff": self.service_staff, **self._costs(date, flows, stocks)}, zones)

    def _costs(self, date: dt.date, flows: np.ndarray, stocks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The month's public cost of citizenization by district, yuan: the month's hukou conversions, and the
        non-hukou children newly holding a public place (the services' round, and in the enrolment month the
        net rise of compulsory seat holders since the last one)."""
        newly = self.services.take_newly_served()
        schooled = newly[SERVICES.index("preschool")] + newly[SERVICES.index("high_school")]
        if date.month == self.scenario.behaviour.schooling.enrolment_month and self.env.now > 0:
            seated = stocks["non_hukou_public_school"]
            schooled = schooled + np.maximum(seated - self._seated, 0)
            self._seated = seated
        scale = float(self.scenario.population.scale)
        return citizenization_cost.monthly_costs(self.scenario.services.cost,
                                                 flows[FLOW_INDEX["hukou_conversions"]] * scale, schooled * scale)
