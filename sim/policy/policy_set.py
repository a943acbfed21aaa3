"""The levers of one run, and the only code that asks them anything.

Every question the engine puts to its levers goes through a method here, which
asks each lever in registry order and only where and while it is in force
(``Lever.level``): the timing and scope of the base class cannot be bypassed
by a hook.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from ..core.calendar import Calendar
from ..kernel.arrivals import ArrivalBatch
from .lever import Lever, LeverContext, Places
from .registry import LEVERS


class PolicySet:
    """The scenario's levers that are switched on (present, intensity above 0) and in force at some month
    start of the period, in registry order.

    A lever at intensity 0, or one whose days hold no month start of the period, is left out entirely, so
    the run is the baseline's, byte for byte.
    """

    def __init__(self, scenario, calendar: Calendar, rng: np.random.Generator) -> None:
        self.levers: list[Lever] = []
        for name, cls in LEVERS.items():
            settings = getattr(scenario.policies, name)
            if settings is None or settings.intensity <= 0:
                continue
            lever = cls(LeverContext(settings, calendar, rng, scenario.behaviour, scenario.population))
            if lever.ever_in_force:
                self.levers.append(lever)
        self._hazard_levers = [lever for lever in self.levers if lever.changes_hazards]

    def __iter__(self):
        return iter(self.levers)

    def __len__(self) -> int:
        return len(self.levers)

    def review_days(self, review: np.ndarray, state: dict[str, np.ndarray], day: float) -> None:
        """End the constant-hazard windows ``review`` (in place) where a lever changing hazards switches
        for the residents of ``state`` (where they live, and only those whose hazards it can change)."""
        for lever in self._hazard_levers:
            switch = lever.next_switch(state["district"], day)
            if not np.isfinite(switch).any():
                continue                               # no switch left: every window stays as it is
            subjects = lever.hazard_subjects(state)
            if subjects is not None:
                switch = np.where(subjects, switch, np.inf)
            np.minimum(review, switch, out=review)

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], district: np.ndarray,
               day: float) -> None:
        """Every lever's change to the hazards of residents living in ``district`` from ``day`` (in place)."""
        for lever in self._hazard_levers:
            level = lever.level(district, day)
            if level.any():
                lever.adjust(rates, state, level)

    def act_on_places(self, places: Places, day: float) -> None:
        """The levers' changes to places at the month start ``day``."""
        for lever in self.levers:
            level = lever.level_by_district(day)
            if level.any():
                lever.act_on_places(places, level, day)

    def arrival_pull(self, day: float) -> np.ndarray | None:
        """The product of the levers' multipliers on each district's weight as a destination; None for none."""
        return self._product_by_district("arrival_pull", day)

    def job_growth_pct(self, day: float) -> np.ndarray | None:
        """The sum of the levers' additions to each district's job growth, percentage points a year; None for
        none."""
        total = None
        for lever in self.levers:
            level = lever.level_by_district(day)
            added = lever.job_growth_pct(level, day) if level.any() else None
            if added is not None:
                total = added + (0.0 if total is None else total)
        return total

    def reclassification_pace(self, day: float) -> np.ndarray | None:
        """The product of the levers' multipliers on each place's pace of reclassification (one per place of
        ``kernel.places.PLACES``); None for none."""
        return self._product_by_district("reclassification_pace", day)

    def place_pull(self, day: float) -> np.ndarray | None:
        """The product of the levers' multipliers on each place's pull on newcomers to its zone (one per place
        of ``kernel.places.PLACES``); None for none."""
        return self._product_by_district("place_pull", day)

    def _product_by_district(self, hook: str, day: float) -> np.ndarray | None:
        """The product over the levers in force of their ``hook(level, day)`` multipliers by district (or by
        place; a lever returning None does not count); None when no lever gives one."""
        product = None
        for lever in self.levers:
            level = lever.level_by_district(day)
            factors = getattr(lever, hook)(level, day) if level.any() else None
            if factors is not None:
                product = factors * (1.0 if product is None else product)
        return product

    def extra_arrivals(self, stock: np.ndarray, start_day: float, end_day: float) -> list[ArrivalBatch]:
        """The batches of households arriving in the month because of the levers."""
        batches = []
        for lever in self.levers:
            level = lever.level_by_district(start_day)
            if level.any():
                batch = lever.extra_arrivals(level, stock, start_day, end_day)
                if batch is not None:
                    batches.append(batch)
        return batches

    def processes(self, env: simpy.Environment, places: Places) -> list[Generator]:
        """The levers' own SimPy processes (postings)."""
        return [process for lever in self.levers for process in lever.processes(env, places)]

    def school_seats(self, seats: np.ndarray) -> list[tuple[Lever, np.ndarray]]:
        """Each seat-adding lever with the seats it adds by district, given the districts' ``seats``."""
        out = []
        for lever in self.levers:
            added = lever.extra_school_seats(seats)
            if added is not None:
                out.append((lever, added))
        return out

    def schools_open(self, n_districts: int, day: float) -> np.ndarray:
        """For each district, the share of non-hukou children without a permit whom a lever admits to
        public schools on ``day``: the highest intensity in force of the levers that open schooling."""
        open_ = np.zeros(n_districts)
        for lever in self.levers:
            if lever.opens_schooling:
                open_ = np.maximum(open_, lever.level_by_district(day))
        return open_

    def resident_based_share(self, n_districts: int, day: float) -> np.ndarray:
        """For each district, the share of public-service capacity allocated by residents on ``day``: the
        highest the levers in force give (0 everywhere without one: capacity follows the hukou population)."""
        share = np.zeros(n_districts)
        for lever in self.levers:
            level = lever.level_by_district(day)
            given = lever.resident_based_share(level) if level.any() else None
            if given is not None:
                share = np.maximum(share, given)
        return share

    @property
    def sizes_services_by_residents(self) -> bool:
        """Whether some lever of the run can allocate services by residents (the schools then ask each round)."""
        return any(type(lever).resident_based_share is not Lever.resident_based_share for lever in self.levers)

    def monthly_income(self, leased_by_district: np.ndarray) -> np.ndarray:
        """Rent paid in the month on leased homesteads, by district (yuan, in agents' units)."""
        income = np.zeros(len(leased_by_district))
        for lever in self.levers:
            rent = lever.monthly_income(leased_by_district)
            if rent is not None:
                income += rent
        return income
