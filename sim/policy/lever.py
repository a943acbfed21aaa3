"""What every policy lever shares: when, where and how strongly it acts, and the hooks it may fill.

A lever is a ``policies.<name>`` section with ``start`` (date), optional
``end``, ``districts`` (default all) and ``intensity`` (0 to 1, 0 = off), plus
fields of its own. A lever changes hazards from the first month start on or
after its ``start`` (hazards change only at month starts) until the month
start on or after its ``end``.

Timing and scope live here, not in the levers: the policy set (``policy_set.py``)
calls a hook only where and while the lever is in force, and hands it the
intensity in force (``level``), so no hook can act before its start, after its
end or outside its districts. A subclass fills the hooks its mechanism needs;
the others stay the no-ops below.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import numpy as np
import simpy

from ..core.calendar import Calendar
from ..core.districts import DISTRICTS
from ..core.fields import Field, Section
from ..kernel.arrivals import ArrivalBatch


def lever_section(own: dict, doc: str) -> Section:
    """The schema of a lever: the common fields, then ``own``."""
    common = {
        "start": Field("date", "2021-01-01", "Day the lever takes effect (from the first month start on or after "
                       "it).", minimum="2000-01-01", maximum="2100-12-31"),
        "end": Field("date", None, "Day the lever stops (from the first month start on or after it); leave out "
                     "for no end.", minimum="2000-01-01", maximum="2100-12-31"),
        "districts": Field("districts", "all", "Districts where the lever acts.", choices=DISTRICTS),
        "intensity": Field("float", 1.0, "Strength of the lever: 0 is off (the baseline exactly), 1 its full "
                           "effect; effects scale linearly in between.", unit="share of full effect",
                           minimum=0.0, maximum=1.0),
    }
    return Section({**common, **own}, doc=doc, optional=True)


#: the share of a lever's effect at the ends of its range in uncertainty mode (``uncertain``)
EFFECT_RANGE_SHARES = (0.5, 1.5)
#: the value of a field's unit at which a lever has no effect (a multiplier of 1; otherwise 0)
NO_EFFECT = {"multiplier": 1.0}


def range_about(spec: Field, central: float) -> tuple[float, float]:
    """The range an effect size is drawn from in uncertainty mode when its value is ``central``: the field's
    range, stated for its default, as shares of the effect (the distance from no effect, ``NO_EFFECT``), taken
    about ``central`` and kept within the field's bounds. So a scenario that sets its own value keeps the same
    relative uncertainty, and a value of no effect is not drawn at all."""
    if spec.effect_range is None:
        raise ValueError("the field has no effect range")
    neutral = NO_EFFECT.get(spec.unit, 0.0)
    effect = float(spec.default) - neutral
    shares = sorted((value - neutral) / effect for value in spec.effect_range)
    low, high = sorted(neutral + share * (central - neutral) for share in shares)
    return max(low, spec.minimum), min(high, spec.maximum)


def _effect_of(spec: Field) -> tuple[float, float]:
    """The value of no effect for ``spec``'s unit and its default's distance from it (never 0)."""
    neutral = NO_EFFECT.get(spec.unit, 0.0)
    effect = float(spec.default) - neutral
    if effect == 0:
        raise ValueError("an effect range needs a default with an effect")
    return neutral, effect


def uncertain(spec: Field, searched: str = "") -> Field:
    """``spec`` with an effect range for uncertainty mode: ``EFFECT_RANGE_SHARES`` of its default's effect
    (half to one and a half times the distance from no effect), within its bounds. For effects no source
    sizes: the range is an assumption too, stated as one, with what was searched (``searched``, recorded in
    docs/sources/lever_effects_search.yaml) and not found."""
    neutral, effect = _effect_of(spec)
    ends = sorted(round(neutral + share * effect, 12) for share in EFFECT_RANGE_SHARES)   # no 0.5499999999999999
    low, high = max(ends[0], spec.minimum), min(ends[1], spec.maximum)
    low_pct, high_pct = (round(100 * share) for share in EFFECT_RANGE_SHARES)
    what = "the distance from 1 (no effect)" if neutral else "the default"
    found = f"; searched: {searched}" if searched else ""
    return replace(spec, effect_range=(low, high),
                   range_source=f"assumption: {low_pct}% to {high_pct}% of {what}, within the field's bounds; "
                                f"no source sizes this effect or its spread{found} "
                                "(docs/sources/lever_effects_search.yaml)")


def sourced(spec: Field, low: float, high: float, source: str) -> Field:
    """``spec`` with its own effect range ``(low, high)`` for uncertainty mode and where the range comes from
    (``source``: a study or a named analogous reform, how its figure gives the ends, and which end, if any,
    is an assumption, said so). The default stays the central value, inside the range; an end at no effect
    (``NO_EFFECT``) is allowed: evidence that the effect may be absent."""
    _effect_of(spec)
    if not spec.minimum <= low <= float(spec.default) <= high <= spec.maximum:
        raise ValueError(f"the range {low} to {high} must hold the default {spec.default} within the field's "
                         f"bounds {spec.minimum} to {spec.maximum}")
    if not source.strip():
        raise ValueError("a sourced range needs its source")
    return replace(spec, effect_range=(float(low), float(high)), range_source=source)


def multiply_where(rates: dict[str, np.ndarray], event: str, where: np.ndarray, factor) -> None:
    """Multiply ``rates[event]`` by ``factor`` (a number or one per resident) where ``where`` holds, in the
    mapping: the adjustment most levers make to a hazard."""
    rates[event] = np.where(where, rates[event] * factor, rates[event])


class Places(Protocol):
    """What a lever acting on places may change (the model provides it)."""

    #: urban staff serving each district's villages, persons (changed in place by postings)
    service_staff: np.ndarray


@dataclass(frozen=True)
class LeverContext:
    """What a lever may read: its own settings and the sections of the scenario its mechanism needs."""

    settings: Any                    # the lever's validated ``policies.<name>`` section
    calendar: Calendar
    rng: np.random.Generator         # the ``levers`` stream, shared by all levers in registry order
    behaviour: Any                   # the scenario's ``behaviour`` section
    population: Any                  # the scenario's ``population`` section


class Lever:
    """A policy lever of a scenario: its days and districts, and typed no-op hooks for its mechanism."""

    #: the YAML key under ``policies:``
    name: ClassVar[str] = ""
    #: the lever's section of the scenario schema (``lever_section``)
    schema: ClassVar[Section]
    #: public schools open to every non-hukou child where and while the lever is in force (``schooling``)
    opens_schooling: ClassVar[bool] = False

    def __init__(self, context: LeverContext) -> None:
        self.context = context
        self.settings = context.settings
        self.calendar = calendar = context.calendar
        self.in_scope = np.array([d in self.settings.districts for d in DISTRICTS])
        self.everywhere = bool(self.in_scope.all())
        start_day = calendar.day(self.settings.start)
        end_day = np.inf if self.settings.end is None else calendar.day(self.settings.end)
        #: the month starts at which the lever switches on and off, as seen by the monthly redraws
        self.switch_days = calendar.month_start_on_or_after(np.array([start_day, end_day]))
        #: whether any month start of the period falls in the lever's days: one that never takes effect is
        #: left out of the run (its switch days would still end residents' hazard windows and move draws)
        self.ever_in_force = bool(self.switch_days[0] < min(self.switch_days[1], calendar.end_day))

    @property
    def changes_hazards(self) -> bool:
        """Whether the lever adjusts hazards: only then does its switching end residents' windows."""
        return type(self).adjust is not Lever.adjust

    # -- timing and scope ------------------------------------------------------------------
    def in_force(self, day: float) -> bool:
        """Whether ``day`` falls between the lever's switch days."""
        return bool(self.switch_days[0] <= day < self.switch_days[1])

    def level(self, district: np.ndarray, day: float) -> np.ndarray:
        """Intensity in force on ``day`` for residents of ``district`` (0 where the lever is not)."""
        if not self.in_force(day):
            return np.zeros(len(district))
        if self.everywhere:
            return np.full(len(district), self.settings.intensity)
        return np.where(self.in_scope[district], self.settings.intensity, 0.0)

    def level_by_district(self, day: float) -> np.ndarray:
        """Intensity in force on ``day`` in each district."""
        return self.level(np.arange(len(DISTRICTS)), day)

    def next_switch(self, district: np.ndarray, day: float) -> np.ndarray:
        """For each resident, the next month start after ``day`` at which this lever switches where it lives
        (never for a lever that changes no hazard: its switching leaves residents' windows alone)."""
        later = self.switch_days[self.switch_days > day] if self.changes_hazards else self.switch_days[:0]
        when = later[0] if len(later) else np.inf
        if self.everywhere or not np.isfinite(when):
            return np.full(len(district), when)
        return np.where(self.in_scope[district], when, np.inf)

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray | None:
        """Which residents in ``state`` this lever's ``adjust`` can change (None: any). A lever's switching
        ends the constant-hazard windows of these alone (a resident whose state changes is redrawn
        anyway), so that a lever starting in mid-year does not redraw the whole city."""
        return None

    # -- hooks: called by the policy set only where and while the lever is in force -----------
    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Change the residents' hazards ``rates`` in place, given their ``state`` and the intensity in force
        where each lives (``level``, above 0 for some)."""

    def extra_arrivals(self, level: np.ndarray, stock: np.ndarray, start_day: float,
                       end_day: float) -> ArrivalBatch | None:
        """Households arriving in the month because of the lever (``level`` by district, above 0 somewhere),
        drawn from ``context.rng``; None for none."""
        return None

    def arrival_pull(self, level: np.ndarray, day: float) -> np.ndarray | None:
        """Multipliers on each district's weight as a destination of arrivals; None for none."""
        return None

    def job_growth_pct(self, level: np.ndarray, day: float) -> np.ndarray | None:
        """Percentage points a year the lever adds to each district's job growth (``kernel.district_economy``)
        at the month start ``day``; None for none."""
        return None

    def reclassification_pace(self, level: np.ndarray, day: float) -> np.ndarray | None:
        """Multipliers on the pace of reclassifying rural residents as urban (``behaviour.reclassification``)
        in each of the plan's places (``kernel.places.PLACES``) at the month start ``day``, at least 1; None
        for none."""
        return None

    def place_pull(self, level: np.ndarray, day: float) -> np.ndarray | None:
        """Multipliers on each of the plan's places' pull on households settling in its zone (arrivals and
        movers, ``kernel.places.PlaceChoice``), one per place of ``kernel.places.PLACES``; None for none."""
        return None

    def act_on_places(self, places: Places, level: np.ndarray, day: float) -> None:
        """Change places at this month start, before the redraw (``level`` by district)."""

    def processes(self, env: simpy.Environment, places: Places) -> list[Generator]:
        """SimPy processes started with the run, for the lever's own calendar (postings); they must keep
        within the lever's ``switch_days`` and ``in_scope``."""
        return []

    def extra_school_seats(self, seats: np.ndarray) -> np.ndarray | None:
        """Seats the lever adds in each district while in force (opened and closed by ``schooling``)."""
        return None

    def resident_based_share(self, level: np.ndarray) -> np.ndarray | None:
        """The share of each district's public-service capacity allocated by residents rather than by hukou
        population (``kernel.services``), given the intensity in force by district; None for none."""
        return None

    def monthly_income(self, leased_by_district: np.ndarray) -> np.ndarray | None:
        """Rent paid in the month on the homesteads leased under the lever, by district; None for none."""
        return None
