"""城市医生、教师、科技文化人员定期服务乡村: urban doctors, teachers and technical staff serving villages.

Mechanism: where and while the lever is in force, each district with a rural
part receives postings of urban staff: every ``12 / postings_per_year``
months from the lever's start a new posting of ``i * staff_per_posting``
persons begins and lasts ``posting_months`` months (a SimPy process per
posting; postings begin at noon on the first day of a month, so a month's
record shows the staff serving at its end). The staff stay urban residents
of their own district (only their work moves), so no resident changes zone;
``rural_service_staff`` counts them. Better village services lower the push to
leave: rural households in the lever's districts move to towns at
``1 + i (rural_move_multiplier - 1)`` times their hazard.

Intensity: a posting carries ``i`` times the staff (its calendar does not
depend on ``i``) and the move multiplier is blended linearly from 1, so both
effects grow from none at 0.

Evidence: service access enters the random-utility location choice with a
positive sign (docs/sources/literature.md, ``b_s services_j``); the plan gives no numbers
in our copy, so the staff counts, durations and the size of the effect are
assumptions to sweep.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from ..core.calendar import NOON
from ..core.districts import DISTRICT_ALIASES, DISTRICTS
from ..core.fields import Field, MapOf
from .lever import Lever, Places, lever_section, multiply_where, uncertain

SCHEMA = lever_section(
    {
        "staff_per_posting": MapOf(
            DISTRICTS, Field("float", None, "Staff posted to the district's villages.", unit="persons",
                             minimum=0.0, maximum=1e6),
            default={**dict.fromkeys(DISTRICTS, 300.0), "shinan": 0.0, "shibei": 0.0, "licang": 0.0},
            aliases=DISTRICT_ALIASES,
            doc="Urban staff (doctors, teachers, technical and cultural workers) in each posting, by district "
                "served, at full intensity; 0 for the fully urban districts.", unit="persons",
            source="assumption: no figure in our copy of the plan; sweep it"),
        "posting_months": Field("int", 6, "Length of a posting.", unit="months", minimum=1, maximum=60,
                                source="assumption: rotations of half a year (定期服务)"),
        "postings_per_year": Field("int", 2, "Postings begun each year.", unit="per year", minimum=1,
                                   maximum=12, source="assumption"),
        "rural_move_multiplier": uncertain(Field(
            "float", 0.95, "Multiplier on rural households' rural-to-urban hazard at full intensity.",
            unit="multiplier", minimum=0.0, maximum=1.0,
            source="assumption: sign from the services term of random-utility location choice "
                   "(docs/sources/literature.md); size to sweep"),
            searched="the effect of 科技特派员, 第一书记 or urban doctors and teachers in villages on out-moves"),
    },
    doc="城市医生、教师、科技文化人员定期服务乡村: dated postings of urban staff to villages.",
)



class RuralTalentService(Lever):
    name = "rural_talent_service"
    schema = SCHEMA

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Rural residents: only their move to towns changes."""
        return ~state["urban"]

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Rural households in served districts leave a little less (in place)."""
        rural = (level > 0) & self.hazard_subjects(state)
        if rural.any():
            factor = 1.0 + level * (self.settings.rural_move_multiplier - 1.0)
            multiply_where(rates, "rural_to_urban", rural, factor)

    def processes(self, env: simpy.Environment, places: Places) -> list[Generator]:
        """The SimPy process that starts every posting while the lever is in force, in its districts."""
        settings = self.settings
        staff = np.array([settings.staff_per_posting[d] for d in DISTRICTS]) * settings.intensity * self.in_scope
        months = self.calendar.month_starts
        first = np.searchsorted(months, self.switch_days[0], side="left")
        step = max(12 // settings.postings_per_year, 1)

        def posting(k: int):
            """The posting begun at month start ``k``, ending ``posting_months`` month starts later."""
            yield env.timeout(months[k] + NOON - env.now)
            places.service_staff += staff
            end = k + settings.posting_months
            if end < len(months) - 1:
                yield env.timeout(months[end] + NOON - env.now)
                places.service_staff -= staff

        def schedule():
            for k in range(first, len(months) - 1, step):
                if months[k] >= self.switch_days[1]:
                    break
                yield env.timeout(max(months[k] + NOON - env.now, 0.0))
                env.process(posting(k))

        return [schedule()]
