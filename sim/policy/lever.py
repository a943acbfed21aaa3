"""What every policy lever shares: when, where and how strongly it acts.

A lever is a ``policies.<name>`` section with ``start`` (date), optional
``end``, ``districts`` (default all) and ``intensity`` (0 to 1, 0 = off), plus
fields of its own. The model asks an active lever, for each resident, the
intensity in force where that resident lives at the start of its
constant-hazard window; a lever changes hazards from the first month start on
or after its ``start`` (hazards change only at month starts) until the month
start on or after its ``end``.
"""

from __future__ import annotations

import numpy as np

from ..core.calendar import Calendar
from ..core.districts import DISTRICTS
from ..core.fields import Field, Section


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


def multiply_where(rates: dict[str, np.ndarray], event: str, where: np.ndarray, factor) -> None:
    """Multiply ``rates[event]`` by ``factor`` (a number or one per resident) where ``where`` holds, in the
    mapping: the adjustment most levers make to a hazard."""
    rates[event] = np.where(where, rates[event] * factor, rates[event])


class ActiveLever:
    """A lever of a scenario, ready for the engine: its days and district mask."""

    def __init__(self, name: str, module, settings, calendar: Calendar) -> None:
        self.name = name
        self.module = module
        self.calendar = calendar
        self.settings = settings
        self.in_scope = np.array([d in settings.districts for d in DISTRICTS])
        self.everywhere = bool(self.in_scope.all())
        self.start_day = calendar.day(settings.start)
        self.end_day = np.inf if settings.end is None else calendar.day(settings.end)
        # the month starts at which the lever switches, as seen by the monthly redraws
        self.switch_days = calendar.month_start_on_or_after(np.array([self.start_day, self.end_day]))
        #: whether any month start of the period falls in the lever's days: one that never takes effect is
        #: left out of the run (its switch days would still end residents' hazard windows and move draws)
        #: only a lever that changes hazards ends residents' constant-hazard windows when it switches
        self.changes_hazards = callable(getattr(module, "adjust", None))
        self.ever_in_force = bool(self.switch_days[0] < min(self.switch_days[1], calendar.end_day))

    def level(self, district: np.ndarray, day: float) -> np.ndarray:
        """Intensity in force on ``day`` for residents of ``district`` (0 where the lever is not)."""
        on = self.switch_days[0] <= day < self.switch_days[1]
        if not on:
            return np.zeros(len(district))
        if self.everywhere:
            return np.full(len(district), self.settings.intensity)
        return np.where(self.in_scope[district], self.settings.intensity, 0.0)

    def next_switch(self, district: np.ndarray, day: float) -> np.ndarray:
        """For each resident, the next month start after ``day`` at which this lever switches where it lives
        (never for a lever that changes no hazard: its switching leaves residents' windows alone)."""
        later = self.switch_days[self.switch_days > day] if self.changes_hazards else self.switch_days[:0]
        when = later[0] if len(later) else np.inf
        if self.everywhere or not np.isfinite(when):
            return np.full(len(district), when)
        return np.where(self.in_scope[district], when, np.inf)
