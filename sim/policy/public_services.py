"""以居住证为载体的基本公共服务: basic public services for non-hukou residents through the residence permit.

Mechanism, where and while the lever is in force (intensity ``i``):

- permits: non-local residents may take a residence permit from arrival (no
  six-month wait): those past the wait at ``1 + i (permit_uptake_multiplier - 1)``
  times the uptake hazard, those within it at ``i * permit_uptake_multiplier``
  times it (so the effect grows from nothing at intensity 0; at 1 both are
  the multiplier);
- schooling: public schools open to non-hukou children of compulsory-school
  age without a permit (将非户籍常住人口纳入流入地义务教育保障范围) in the share
  ``i`` of households (all of them at full intensity; ``schooling.py``), and
  ``i`` times ``extra_school_seats_pct`` percent more public seats from the lever's
  start (finite: a SimPy ``Container`` per district, ``schooling.py``);
- insurance: permit holders enrol in Qingdao's basic medical insurance at
  ``i * medical_enrolment_hazard_per_year`` (the ``medical_enrolment`` event),
  and permit-holding flexible workers in the employees' pension at
  ``i * pension_enrolment_hazard_per_year``;
- family migration: families come more; arriving households of three or more
  are joined by ``(family_migration_multiplier - 1) * i`` times as many more;
- return: permit-holding non-local households leave at
  ``1 + i (departure_multiplier - 1)`` times their hazard;
- value of converting: with services closing the gap, they convert hukou at
  ``1 + i (conversion_multiplier - 1)`` times their hazard.

Intensity: no effect switches on whole at a small ``i``: the permits of the
newly eligible, the enrolment hazards and the family arrivals are ``i`` times
their full size, the multipliers are blended linearly from 1, and schools
admit children without a permit in the share ``i`` of households (keyed).
Extra seats are ``i`` times the full intensity's (``extra_school_seats_pct``
percent rounded up), rounded to the nearest seat (before 2026-12-02 the share
``i * extra_school_seats_pct`` was rounded up, so every district gained a seat
at any intensity above 0).

Evidence (docs/sources/literature.md): relaxing school access raises family migration and
restricting it raises left-behind children (J. Population Economics 2023, a
sign); services by residence permit raise family migration, lower return and
make converting hukou less valuable ("How the levers should act", signs only).
Every size is an assumption to sweep.
"""

from __future__ import annotations

import numpy as np

from ..core.ages import RETIREMENT_AGE
from ..core.codes import NONLOCAL
from ..core.fields import Field
from ..kernel.arrivals import ArrivalBatch, draw_base
from ..kernel.premises import may_enrol_in_medical, may_enrol_in_pension, may_take_permit
from .lever import Lever, lever_section, multiply_where, uncertain

SCHEMA = lever_section(
    {
        "permit_uptake_multiplier": uncertain(Field(
            "float", 2.0, "Multiplier on the residence-permit uptake hazard at full intensity (eligibility from "
            "arrival).", unit="multiplier", minimum=1.0, maximum=20.0,
            source="assumption: sign from Zhang, Du and Tan 2024 (Economic Analysis and Policy 84, CMDS: the "
                   "residence-permit system raises migrants' willingness to settle); size to sweep"),
            searched="permit take-up where the six-month wait was dropped, and Qingdao's permits issued"),
        "extra_school_seats_pct": uncertain(Field(
            "float", 10.0, "Extra public school seats for migrant children at full intensity, in percent of each "
            "district's seats.", unit="%", minimum=0.0, maximum=200.0, source="assumption: sweep it"),
            searched="seats added for migrant children when a city opened its schools"),
        "medical_enrolment_hazard_per_year": uncertain(Field(
            "float", 0.5, "Hazard that a permit holder without Qingdao medical insurance enrols, at full intensity.",
            unit="per year", minimum=0.0, maximum=50.0, source="assumption: sweep it"),
            searched="migrants' take-up of local medical insurance once a permit gives access"),
        "pension_enrolment_hazard_per_year": uncertain(Field(
            "float", 0.3, "Hazard that a permit-holding flexible worker enrols in the employees' pension, at full "
            "intensity.", unit="per year", minimum=0.0, maximum=50.0, source="assumption: sweep it"),
            searched="permit holders' take-up of the employees' pension"),
        "family_migration_multiplier": uncertain(Field(
            "float", 1.2, "Multiplier on arrivals of households of three or more, at full intensity.",
            unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: sign from J. Population Economics 2023 (school access and family migration)"),
            searched="the size of family migration's response to school access (沈亚芳 et al. 2020, 千村调查: "
                     "a sign)"),
        "departure_multiplier": uncertain(Field(
            "float", 0.85, "Multiplier on the departure hazard of permit-holding non-local households, at full "
            "intensity.", unit="multiplier", minimum=0.0, maximum=1.0,
            source="assumption: sign from docs/sources/literature.md (services lower return)"),
            searched="return of migrants with and without access to services, as a rate"),
        "conversion_multiplier": uncertain(Field(
            "float", 0.9, "Multiplier on the hukou-conversion hazard of permit-holding non-local households, at "
            "full intensity.", unit="multiplier", minimum=0.0, maximum=1.0,
            source="assumption: sign from docs/sources/literature.md (closing the service gap makes converting less "
                   "valuable)"),
            searched="hukou transfers of permit holders (Zhang and Hoekstra 2020: where local hukou is harder "
                     "to get migrants want it more, a sign)"),
    },
    doc="以居住证为载体的基本公共服务: permits from arrival, public schools open to migrant children with more "
        "seats, medical and pension enrolment of permit holders; more family migration, less return, less "
        "reason to convert hukou.",
)

class PublicServices(Lever):
    name = "public_services"
    schema = SCHEMA
    opens_schooling = True

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Present non-local residents: every hazard the lever changes is theirs."""
        return state["present"] & (state["hukou"] == NONLOCAL)

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Permits, enrolment, return and conversion (in place)."""
        on = (level > 0) & state["present"]
        if not on.any():
            return
        settings = self.settings
        r = self.context.behaviour.residence_permit
        wants_permit = on & may_take_permit(state["hukou"], state["permit"]) & (state["age_years"] >= r.min_age_years)
        waited = state["resident_years"] * 12.0 >= r.min_residence_months       # eligible under the 2020 rules
        m = settings.permit_uptake_multiplier
        # those who waited take permits faster; the others, newly eligible, in proportion to the intensity
        # (as zero-threshold settlement's newly eligible), so that the effect grows from nothing at 0
        rates["residence_permit"] = np.where(
            wants_permit, r.uptake_hazard_per_year * np.where(waited, 1.0 + level * (m - 1.0), level * m),
            rates["residence_permit"])
        holder = on & (state["hukou"] == NONLOCAL) & state["permit"]
        rates["medical_enrolment"] = np.where(holder & may_enrol_in_medical(state["medical"]),
                                              level * settings.medical_enrolment_hazard_per_year,
                                              rates["medical_enrolment"])
        flexible = (holder & may_enrol_in_pension(state["pension"], state["employed"]) & state["flexible"]
                    & (state["age_years"] < RETIREMENT_AGE))
        rates["pension_enrolment"] = np.where(
            flexible, np.maximum(rates["pension_enrolment"], level * settings.pension_enrolment_hazard_per_year),
            rates["pension_enrolment"])
        head = holder & state["is_head"]
        multiply_where(rates, "departure", head, 1.0 + level * (settings.departure_multiplier - 1.0))
        multiply_where(rates, "hukou_conversion", head, 1.0 + level * (settings.conversion_multiplier - 1.0))

    def extra_school_seats(self, seats: np.ndarray) -> np.ndarray:
        """Seats this lever adds in each district (opened on its start day, closed at its end): at full
        intensity ``extra_school_seats_pct`` percent of the district's seats rounded up, at intensity ``i``
        ``i`` times those rounded to the nearest seat (so no seat at all at a small intensity, where rounding
        the share up gave every district one)."""
        full = np.ceil(seats * self.settings.extra_school_seats_pct / 100.0)
        added = np.floor(full * self.settings.intensity + 0.5)
        return np.where(self.in_scope, added, 0).astype(np.int64)

    def extra_arrivals(self, level: np.ndarray, stock: np.ndarray, start_day: float,
                       end_day: float) -> ArrivalBatch:
        """More families: a second draw of the base stream, kept for households of three or more settling
        where the lever acts, thinned to ``(multiplier - 1) * level`` of them."""
        rng = self.context.rng
        batch = draw_base(rng, self.context.behaviour.in_migration, self.context.population, stock, start_day,
                          end_day, self.calendar.year_of(start_day))
        if len(batch) == 0:
            return batch
        keep_share = (self.settings.family_migration_multiplier - 1.0) * level[batch.district.astype(np.int64)]
        keep = (batch.sizes >= 3) & (rng.random(len(batch)) < keep_share)
        persons = np.repeat(keep, batch.sizes.astype(np.int64))
        return ArrivalBatch(times=batch.times[keep], sizes=batch.sizes[keep], district=batch.district[keep],
                            urban=batch.urban[keep], homestead=batch.homestead[keep], age=batch.age[persons],
                            female=batch.female[persons], talent=batch.talent[persons],
                            employed=batch.employed[persons], flexible=batch.flexible[persons])
