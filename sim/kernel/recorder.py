"""The recorder: every indicator of the catalogue (``core.catalogue``) for every zone at every month end,
computed from the engine's counts.

The model keeps a stock table (agents by district, urban/rural, hukou class
and permit) and monthly flow counters (by district); every indicator is a
function of those two and of a few counts over the residents, for each
district and for the city (zone ``qingdao``). Values are persons (agents
times ``scale``) or percent.
"""

from __future__ import annotations

import numpy as np

from ..core.ages import RETIREMENT_AGE, SCHOOL_END_AGE, SCHOOL_START_AGE, WORKING_AGE
from ..core.calendar import DAYS_PER_YEAR
from ..core.catalogue import FLOW_INDEX, FLOWS, INDICATOR_NAMES
from ..core.codes import LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, PRESENT
from ..core.districts import DISTRICTS, ROLES, ZONES
from .citizenization_cost import COST_NAMES
from .district_economy import STOCKS as ECONOMY_STOCKS
from .parallel import PERSON_CHUNK
from .services import COVERAGE, SERVICES, SHORTAGE


def _pct(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, 100.0 * numerator / np.where(denominator > 0, denominator, 1), np.nan)


#: the bits of a resident's flags in the month-end person counts (``_person_counts``)
WORKING_AGE_BIT, PENSION_BIT, SCHOOL_AGE_BIT, PUBLIC_SCHOOL_BIT, MEDICAL_BIT, NEW_TOWN_BIT = range(6)
FLAG_VALUES = 1 << 6     # counts by (district, flags)


def _person_counts(res, day: float, begin: int, end: int) -> np.ndarray:
    """Person counts of ``month_end_stocks`` over rows ``begin:end``, by (district, flags): integers, so passes
    add."""
    present = res.status[begin:end] == PRESENT
    district = res.district[begin:end]
    rows = np.flatnonzero(present & (res.hukou[begin:end] == NONLOCAL))
    birth = res.birth_day[begin:end][rows]

    def born_by(years: float) -> np.ndarray:            # aged at least ``years`` on ``day``
        return birth <= day - years * DAYS_PER_YEAR

    working = born_by(WORKING_AGE) & ~born_by(RETIREMENT_AGE)
    children = born_by(SCHOOL_START_AGE) & ~born_by(SCHOOL_END_AGE)
    flags = (working.astype(np.int64) << WORKING_AGE_BIT | (working & res.pension[begin:end][rows]) << PENSION_BIT
             | children << SCHOOL_AGE_BIT
             | (children & (res.school_district[begin:end][rows] >= 0)) << PUBLIC_SCHOOL_BIT
             | res.medical[begin:end][rows].astype(np.int64) << MEDICAL_BIT)
    counts = np.bincount(district[rows].astype(np.int64) * FLAG_VALUES + flags,
                         minlength=len(DISTRICTS) * FLAG_VALUES)
    town = np.flatnonzero(res.new_town[begin:end])
    town = town[present[town]]
    counts += np.bincount(district[town].astype(np.int64) * FLAG_VALUES + (1 << NEW_TOWN_BIT),
                          minlength=len(DISTRICTS) * FLAG_VALUES)
    return counts


def month_end_stocks(res, day: float, map_) -> dict[str, np.ndarray]:
    """The stocks by district counted from the residents' own attributes at a month end: non-hukou
    insurance and schooling, new-town residents (the homesteads are counted as they change: the model's
    ``homestead_stocks``).

    The counts work on the non-hukou rows only and compare birth days with fixed thresholds instead of
    computing every resident's age (this runs at every month end over the whole city), with one bincount
    over (district, flags) per pass of ``PERSON_CHUNK`` rows. The passes are independent tasks for
    ``map_(fn, items)`` (the model's, which may spread them over threads; integer counts: the same sums
    in any order).
    """
    parts = map_(lambda begin: _person_counts(res, day, begin, min(begin + PERSON_CHUNK, res.n)),
                 range(0, res.n, PERSON_CHUNK))
    return _person_stocks(parts)


def _person_stocks(parts: list[np.ndarray]) -> dict[str, np.ndarray]:
    """The stocks from the passes' counts by (district, flags)."""
    total = np.zeros(len(DISTRICTS) * FLAG_VALUES, np.int64)
    for part in parts:
        total += part
    counts = total.reshape(len(DISTRICTS), FLAG_VALUES)
    has = np.arange(FLAG_VALUES)

    def count(bit: int) -> np.ndarray:
        return counts[:, (has >> bit) & 1 == 1].sum(axis=1)

    return {
        "new_town_residents": count(NEW_TOWN_BIT),
        "non_hukou_school_children": count(SCHOOL_AGE_BIT),
        "non_hukou_public_school": count(PUBLIC_SCHOOL_BIT),
        "non_hukou_working_age": count(WORKING_AGE_BIT),
        "non_hukou_pension": count(PENSION_BIT),
        "non_hukou_medical": count(MEDICAL_BIT),
    }


#: stocks by district, in agents, that the model counts beside its stock table (the ledger's homesteads,
#: ``month_end_stocks``, the schools' shortage, the homestead rent, the services' last round); each defaults to
#: zero
EXTRA_STOCKS = ("homesteads_idle", "homesteads_leased", "non_hukou_working_age", "non_hukou_pension",
                "non_hukou_medical", "non_hukou_school_children", "non_hukou_public_school",
                "school_seat_shortage", "new_town_residents", "homestead_lease_income",
                *(f"{service}_{count}" for service in SERVICES for count in ("demand", "served")),
                *SHORTAGE.values(), *ECONOMY_STOCKS)


def compute(stock: np.ndarray, flows: np.ndarray, scale: float,
            stocks: dict[str, np.ndarray] | None = None,
            persons: dict[str, np.ndarray] | None = None,
            zones: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Indicator values for every zone.

    Parameters
    ----------
    stock : agents by (district, urban 0/1, hukou class, permit 0/1), end of month.
    flows : agents by (flow, district) during the month.
    scale : persons per agent.
    stocks : the ``EXTRA_STOCKS`` by district, in agents; zeros for those not given.
    persons : values by district already in their unit, not agents (``rural_service_staff``, persons; the
        citizenization costs, yuan); zeros for those not given.
    zones : values for every zone (the city first) already in their unit (the economy's job availability and
        housing cost index); missing (NaN) for those not given.

    Returns
    -------
    array (len(ZONES), len(INDICATORS)); row 0 is the city.
    """
    by_district = {
        "population": stock.sum(axis=(1, 2, 3)),
        "urban_population": stock[:, 1].sum(axis=(1, 2)),
        "rural_population": stock[:, 0].sum(axis=(1, 2)),
        "hukou_population": stock[:, :, [LOCAL_URBAN, LOCAL_RURAL]].sum(axis=(1, 2, 3)),
        "local_urban_hukou": stock[:, :, LOCAL_URBAN].sum(axis=(1, 2)),
        "non_hukou_population": stock[:, :, NONLOCAL].sum(axis=(1, 2)),
        "residence_permit_holders": stock[:, :, NONLOCAL, 1].sum(axis=1),
    }
    for name in FLOWS:
        by_district[name] = flows[FLOW_INDEX[name]]
    for name in EXTRA_STOCKS:
        by_district[name] = (stocks or {}).get(name, np.zeros(len(DISTRICTS), np.int64))
    values = {k: np.concatenate(([v.sum()], v)).astype(np.float64) * scale for k, v in by_district.items()}
    zeros = np.zeros(len(DISTRICTS))
    for name, by in {"rural_service_staff": zeros, **dict.fromkeys(COST_NAMES, zeros), **(persons or {})}.items():
        values[name] = np.concatenate(([by.sum()], by)).astype(np.float64)
    for service in SERVICES:      # nobody seeking a service leaves nobody unserved: 100, not undefined
        demand = values[f"{service}_demand"]
        values[COVERAGE[service]] = np.where(demand > 0, _pct(values[f"{service}_served"], demand), 100.0)
    values["urbanization_rate"] = _pct(values["urban_population"], values["population"])
    values["hukou_urbanization_rate"] = _pct(values["local_urban_hukou"], values["hukou_population"])
    values["residence_permit_share"] = _pct(values["residence_permit_holders"], values["non_hukou_population"])
    values["migrant_children_public_school_share"] = _pct(values["non_hukou_public_school"],
                                                          values["non_hukou_school_children"])
    values["pension_coverage_non_hukou"] = _pct(values["non_hukou_pension"], values["non_hukou_working_age"])
    values["medical_insurance_coverage_non_hukou"] = _pct(values["non_hukou_medical"],
                                                          values["non_hukou_population"])
    city = values["population"][0]
    values["new_town_share"] = _pct(values["new_town_residents"], np.full(len(ZONES), values["population"][0]))
    for role, members in ROLES.items():
        in_role = np.array([0.0] + [1.0 if d in members else 0.0 for d in DISTRICTS])
        share = _pct(values["population"] * in_role, np.full(len(ZONES), city))
        share[0] = share[1:].sum() if city > 0 else np.nan
        values[role] = share
    values.update(zones or {})
    missing = np.full(len(ZONES), np.nan)          # the sub-models' columns, filled after the run
    return np.stack([values.get(name, missing) for name in INDICATOR_NAMES], axis=1)


class Recorder:
    """The month-end records of one replication: their dates and values (zones x indicators each)."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.dates: list[str] = []
        self.records: list[np.ndarray] = []

    def record(self, date: str, stock: np.ndarray, flows: np.ndarray, stocks: dict[str, np.ndarray],
               persons: dict[str, np.ndarray], zones: dict[str, np.ndarray] | None = None) -> None:
        """Add the record of ``date`` (see ``compute`` for the arguments)."""
        self.dates.append(date)
        self.records.append(compute(stock, flows, self.scale, stocks, persons, zones))

    def values(self) -> np.ndarray:
        """Every record: (dates, zones, indicators)."""
        return np.stack(self.records)
