"""Health services: the rural 30-minute critical-care circle and cross-region medical settlement.

- ``rural_critical_care_30min_coverage``: the share of rural residents whose
  district has its 30-minute critical-care circle in place (a treatment
  centre within 30 minutes), by a dated schedule per district; weighted by
  the agents' rural population, so moves change it. A district's own value
  is 100 or 0 (none where it has no rural residents).
- ``cross_region_medical_settlement_coverage``: the share of level-2-and-above
  designated hospitals connected to cross-region direct settlement, from a
  rollout schedule (straight lines between dated shares).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..core.districts import DISTRICT_ALIASES, DISTRICTS
from ..core.fields import Field, MapOf, Section
from .schedule import linear

_IN_PLACE_2020 = ("shinan", "shibei", "licang", "laoshan", "chengyang", "xihaian", "jimo", "jiaozhou")

SCHEMA = Section(
    {
        "critical_care_in_place_from": MapOf(
            DISTRICTS,
            Field("date", None, "Date the circle is in place (null: not in the period).",
                  minimum="1990-01-01", maximum="2100-12-31"),
            default={d: ("2020-12-31" if d in _IN_PLACE_2020 else None) for d in DISTRICTS},
            doc="Date from which each district's rural residents are within 30 minutes of a critical-care "
                "treatment centre.",
            source="assumption: no dates found; the core and near-core districts (with their central "
                   "hospitals) are taken as covered in 2020 and Pingdu and Laixi, the most rural, as not yet: "
                   "the plan scenario dates them",
            nullable=True, aliases=DISTRICT_ALIASES),
        "cross_region_settlement_coverage_pct": Field(
            "schedule", {"2020-12-31": 70.0},
            "Share of level-2-and-above designated hospitals with cross-region direct settlement, by date "
            "(straight lines in between).", unit="%", minimum=0.0, maximum=100.0,
            source="assumption: no Qingdao count found; 70% at the start and no further rollout without the "
                   "plan"),
    },
    doc="Health-service sub-model (sim/submodels/health.py): the plan's rural critical-care circle and "
        "cross-region medical settlement.",
)

INDICATORS = ("rural_critical_care_30min_coverage", "cross_region_medical_settlement_coverage")


def critical_care_coverage_pct(in_place_from, dates, rural_by_district: np.ndarray) -> np.ndarray:
    """Coverage for the city (column 0) and each district at every date; NaN where nobody is rural."""
    days = [dt.date.fromisoformat(d) for d in dates]
    covered = np.array([[in_place_from[d] is not None and day >= in_place_from[d] for d in DISTRICTS]
                        for day in days], dtype=np.float64)
    rural_city = rural_by_district.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        city = np.where(rural_city > 0, 100.0 * (covered * rural_by_district).sum(axis=1) / rural_city, np.nan)
    districts = np.where(rural_by_district > 0, 100.0 * covered, np.nan)
    return np.column_stack((city, districts))


def fill(settings, dates, years, city: dict[str, np.ndarray], rng) -> dict[str, np.ndarray]:
    """The health indicators: critical care for every zone, settlement for the city."""
    return {
        "rural_critical_care_30min_coverage": critical_care_coverage_pct(
            settings.critical_care_in_place_from, dates, city["rural_population_by_district"]),
        "cross_region_medical_settlement_coverage": linear(settings.cross_region_settlement_coverage_pct, dates),
    }
