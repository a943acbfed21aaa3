"""Public services sized to residents: preschool places, high-school seats, base-level clinics and eldercare
beds by district, finite (SimPy ``Container``s), served once a year; the unserved are the shortage
(``preschool_place_shortage``, ``high_school_seat_shortage``, ``clinic_care_shortage``,
``eldercare_bed_shortage``).

Why: the plan asks that public services follow the resident population (探索公共服务按照常住人口规模配置机制,
docs/sources/plan_zh.txt); the baseline rule is that capacity follows the registered (hukou) population
(按户籍人口配置: an assumption, no source states it as Qingdao's rule). Each district x service starts with the
capacity of ``sim/data/services.yaml`` (a national ratio times the district's age group at the start, since no
district figure was found) and, at every yearly round, takes

    capacity(t) = capacity(0) x [(1 - b) H(t) / H(0) + b N(t) / N(0)]

with H the district's hukou residents, N all its residents and b the share of capacity allocated by residents
(``PolicySet.resident_based_share``: the intensity of ``resident_based_services`` where it is in force, 0
without it). The round, on the enrolment day (``behaviour.schooling.enrolment_month``, the school year), gives
back last year's places, resizes each container to the capacity, then serves demand up to it: hukou residents
first (the entitlement of the registered), then non-hukou residents; served + shortage = demand, served <=
capacity. Demand is counted from the agents by age: preschool 3-5, high school 16-18 (after the model's
compulsory ages 6-15), clinics every resident, eldercare beds a take-up share of the 80 and over.

Compulsory-school seats are not here: ``schooling.py`` keeps them (one container per district, by child); this
module sizes the seats the allocation rule adds to them (``compulsory_extra_seats``), from the same formula.
Counts are agents; the recorder scales them to persons. Nothing here draws a random number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from ..core.ages import (
    ELDERCARE_AGE,
    ELDERLY_AGE,
    HIGH_SCHOOL_END_AGE,
    PRESCHOOL_START_AGE,
    SCHOOL_END_AGE,
    SCHOOL_START_AGE,
)
from ..core.calendar import DAYS_PER_YEAR, NOON, Calendar
from ..core.codes import NONLOCAL, PRESENT
from ..core.districts import DISTRICTS
from ..core.fields import Field, Section
from ..data import load_services
from .residents import Residents

if TYPE_CHECKING:            # the levers sit above the kernel: it asks them through the policy set it is given
    from ..policy import PolicySet

#: the services sized here, in the order of their counts
SERVICES = ("preschool", "high_school", "clinic", "eldercare")
#: what a unit of each service's capacity is, in its indicators' names (``preschool_place_shortage``)
UNIT_OF = {"preschool": "place", "high_school": "seat", "clinic": "care", "eldercare": "bed"}
#: each service's shortage and coverage indicators
SHORTAGE = {service: f"{service}_{unit}_shortage" for service, unit in UNIT_OF.items()}
COVERAGE = {service: f"{service}_{unit}_coverage" for service, unit in UNIT_OF.items()}

_CAPACITY = load_services()["capacity"]
_PCT: dict[str, Any] = {"unit": "%", "minimum": 0.0, "maximum": 1000.0}
_SEE = "sim/data/services.yaml capacity."

SCHEMA = Section(
    {
        "preschool_places_pct": Field(
            "float", _CAPACITY["preschool"]["ratio_pct"], "Preschool places at the start, in percent of each "
            "district's children aged 3-5.", **_PCT,
            source=f"教育部 2020年全国教育事业发展统计公报: 学前教育毛入园率 85.2% (national); assumption: Qingdao's "
                   f"districts alike, no district figure found ({_SEE}preschool)"),
        "high_school_seats_pct": Field(
            "float", _CAPACITY["high_school"]["ratio_pct"], "High-school seats at the start, in percent of each "
            "district's residents aged 16-18.", **_PCT,
            source=f"教育部 2020年全国教育事业统计主要结果: 高中阶段毛入学率 91.2% (national); assumption: Qingdao's "
                   f"districts alike, no district figure found ({_SEE}high_school)"),
        "clinic_capacity_pct": Field(
            "float", _CAPACITY["clinics"]["ratio_pct"], "Residents the base-level clinics (基层医疗卫生机构) serve "
            "at the start, in percent of each district's residents.", **_PCT,
            source=f"assumption: facilities sized to the 2020 residents; no district count of base-level staff or "
                   f"beds found ({_SEE}clinics)"),
        "eldercare_beds_per_1000_aged_60": Field(
            "float", _CAPACITY["eldercare"]["beds_per_1000_aged_60"], "Eldercare beds (养老床位) at the start per "
            "1,000 residents aged 60 and over in each district.", unit="beds per 1000", minimum=0.0, maximum=1000.0,
            source=f"民政部 2016年社会服务发展统计公报: 每千名老年人拥有养老床位31.6张 (national, end-2016); "
                   f"assumption: Qingdao's districts alike, no 2020 Qingdao figure found ({_SEE}eldercare)"),
        "eldercare_take_up_pct": Field(
            "float", _CAPACITY["eldercare_take_up"]["pct"], "Share of residents aged 80 and over who seek an "
            "eldercare bed.", unit="%", minimum=0.0, maximum=100.0,
            source="assumption: no source found; about one in seven, to sweep (sim/data/services.yaml)"),
    },
    doc="Public services by district (preschool, high school, base-level clinics, eldercare beds): capacities at "
        "the start, demand from the agents by age, a yearly round serving demand up to capacity (SimPy "
        "Containers); capacity follows the hukou population unless resident_based_services allocates it by "
        "residents.",
)


#: the age bands of the services: ``np.digitize`` of an age over these edges is 1 for preschool (3-5), 2 for
#: compulsory school (6-15), 3 for high school (16-18), 5 for 60-79 and 6 for 80 and over
_AGE_EDGES = np.array([PRESCHOOL_START_AGE, SCHOOL_START_AGE, SCHOOL_END_AGE, HIGH_SCHOOL_END_AGE, ELDERLY_AGE,
                       ELDERCARE_AGE], np.float64)
_BANDS = len(_AGE_EDGES) + 1
PRESCHOOL_BAND, COMPULSORY_BAND, HIGH_SCHOOL_BAND, AGED_60_BAND, AGED_80_BAND = 1, 2, 3, 5, 6
#: the band of those who seek each service (clinics: every band)
_SEEKERS = {"preschool": PRESCHOOL_BAND, "high_school": HIGH_SCHOOL_BAND, "eldercare": AGED_80_BAND}


def age_bands(res: Residents, day: float) -> np.ndarray:
    """Every row's age band on ``day`` (``_AGE_EDGES``: the count of edges at or below its age, as
    ``np.digitize``), ``_BANDS`` (counted nowhere) for the rows not present: whole-array passes, no gathers."""
    age = (day - res.view("birth_day")) / DAYS_PER_YEAR
    band = np.zeros(len(age), np.int64)
    for edge in _AGE_EDGES:
        band += age >= edge
    band[res.view("status") != PRESENT] = _BANDS
    return band


def band_counts(res: Residents, band: np.ndarray) -> np.ndarray:
    """Present agents by (age band, district, non-hukou 0/1), from ``age_bands``: one bincount."""
    n = len(DISTRICTS)
    key = (band * n + res.view("district")) * 2 + (res.view("hukou") == NONLOCAL)
    return np.bincount(key, minlength=(_BANDS + 1) * n * 2)[:_BANDS * n * 2].reshape(_BANDS, n, 2)


def demand_from(counts: np.ndarray, take_up: float) -> tuple[np.ndarray, np.ndarray]:
    """Agents seeking each service, by (service, district), hukou and non-hukou residents apart, from
    ``band_counts``. Eldercare counts the ``take_up`` share of the 80 and over (rounded down by district: a
    count of agents)."""
    by_service = np.stack([counts.sum(axis=0) if service == "clinic" else counts[_SEEKERS[service]]
                           for service in SERVICES])
    hukou, other = by_service[:, :, 0].copy(), by_service[:, :, 1].copy()
    care = SERVICES.index("eldercare")
    hukou[care] = np.floor(hukou[care] * take_up).astype(np.int64)
    other[care] = np.floor(other[care] * take_up).astype(np.int64)
    return hukou, other


def demand_by_district(res: Residents, day: float, take_up: float) -> tuple[np.ndarray, np.ndarray]:
    """Agents seeking each service on ``day`` (``demand_from``): one pass over the present rows."""
    return demand_from(band_counts(res, age_bands(res, day)), take_up)


def growth(now: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Each district's count now over its count at the start (1 where it started with none)."""
    return np.where(start > 0, now / np.maximum(start, 1), 1.0)


def rule_factor(hukou_now: np.ndarray, hukou_start: np.ndarray, residents_now: np.ndarray,
                residents_start: np.ndarray, by_residents: np.ndarray) -> np.ndarray:
    """Each district's capacity over its starting capacity under the allocation rule: the growth of its hukou
    residents, blended with the growth of all its residents in the share ``by_residents``."""
    return (1.0 - by_residents) * growth(hukou_now, hukou_start) + by_residents * growth(residents_now,
                                                                                          residents_start)


def population_counts(stock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Present hukou residents and all present residents by district (agents), from the ledger's stock table
    (district, urban, hukou class, permit)."""
    by_hukou = stock.sum(axis=(1, 3))
    return by_hukou.sum(axis=1) - by_hukou[:, NONLOCAL], by_hukou.sum(axis=1)


class Services:
    """The districts' service containers, the yearly round and the served and unserved it leaves."""

    def __init__(self, env: simpy.Environment, res: Residents, stock: Callable[[], np.ndarray], calendar: Calendar,
                 settings, enrolment_month: int, policies: PolicySet) -> None:
        self.env = env
        self.res = res
        self.stock = stock                          # the ledger's stock table, present agents by cell
        self.calendar = calendar
        self.settings = s = settings
        self.enrolment_month = enrolment_month
        self.policies = policies
        n = len(DISTRICTS)
        self.hukou_start, self.residents_start = population_counts(stock())
        band = age_bands(res, 0.0)
        counts = band_counts(res, band)
        aged = counts.sum(axis=2)                                   # agents by (age band, district)
        #: capacity at the start by (service, district), agents
        self.capacity_start = np.stack([
            np.floor(aged[PRESCHOOL_BAND] * s.preschool_places_pct / 100.0),
            np.floor(aged[HIGH_SCHOOL_BAND] * s.high_school_seats_pct / 100.0),
            np.floor(self.residents_start * s.clinic_capacity_pct / 100.0),
            np.floor((aged[AGED_60_BAND] + aged[AGED_80_BAND]) * s.eldercare_beds_per_1000_aged_60 / 1000.0),
        ]).astype(np.int64)
        #: public compulsory seats at the start (hukou children 6-15, who all hold one, and the non-hukou
        #: children's held seats): the base of the seats the allocation rule adds in ``schooling.py``
        children = np.flatnonzero(band == COMPULSORY_BAND)
        seated = children[(res.view("hukou")[children] != NONLOCAL) | (res.view("school_district")[children] >= 0)]
        self.compulsory_start = np.bincount(res.view("district")[seated].astype(np.int64), minlength=n)
        self.capacity = self.capacity_start.copy()
        # the places held at the start: the same order of service as every round's, without a cost
        hukou, other = demand_from(counts, s.eldercare_take_up_pct / 100.0)
        self.demand, self.demand_nonlocal = hukou + other, other
        self.served_nonlocal = np.minimum(other, np.maximum(self.capacity - hukou, 0))
        self.served = np.minimum(hukou, self.capacity) + self.served_nonlocal
        self.containers = [[simpy.Container(env, capacity=float("inf"), init=int(free)) for free in row]
                           for row in self.capacity - self.served]
        #: non-hukou residents newly served in the month's round, beyond those served the year before (the
        #: net rise by district and service; zero in months without a round): the cost counts it
        self.newly_served_nonlocal = np.zeros((len(SERVICES), n), np.int64)

    # -- the allocation rule --------------------------------------------------------------------
    def _counts_and_share(self, day: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Present hukou residents and all residents by district now, and the share allocated by residents on
        ``day``: what both the services' capacities and the compulsory seats the rule adds follow."""
        hukou, residents = population_counts(self.stock())
        return hukou, residents, self.policies.resident_based_share(len(DISTRICTS), day)

    def factor(self, day: float) -> np.ndarray:
        """Each district's capacity over its starting capacity on ``day`` under the rule in force."""
        hukou, residents, share = self._counts_and_share(day)
        return rule_factor(hukou, self.hukou_start, residents, self.residents_start, share)

    def compulsory_extra_seats(self, day: float) -> np.ndarray:
        """Public compulsory seats the allocation by residents adds for non-hukou children on ``day``, by
        district: the starting seats times the rule's growth beyond the hukou rule's (never negative; the hukou
        rule adds none, its seats being the hukou children's)."""
        hukou, residents, share = self._counts_and_share(day)
        beyond = share * (growth(residents, self.residents_start) - growth(hukou, self.hukou_start))
        return np.ceil(np.maximum(self.compulsory_start * beyond, 0.0)).astype(np.int64)

    # -- the rounds -------------------------------------------------------------------------
    def year_rounds(self):
        """A SimPy process: the round of every service year within the period (on the enrolment day)."""
        env, cal = self.env, self.calendar
        for (first, _), day in zip(cal.month_spans, cal.month_starts[:-1], strict=False):
            if first.month != self.enrolment_month:
                continue
            yield env.timeout(max(day + NOON - env.now, 0.0))
            yield from self._round(day + NOON)

    def _round(self, day: float):
        """Give back last year's places, resize every container to the rule's capacity, then serve: hukou
        residents first, then non-hukou residents, up to the free places."""
        hukou, other = demand_by_district(self.res, day, self.settings.eldercare_take_up_pct / 100.0)
        target = np.floor(self.capacity_start * self.factor(day)[None, :]).astype(np.int64)
        served_before = self.served_nonlocal.copy()
        for s, row in enumerate(self.containers):
            for d, container in enumerate(row):
                if self.served[s, d] > 0:
                    yield container.put(int(self.served[s, d]))          # last year's places come back
                change = int(target[s, d] - self.capacity[s, d])
                if change > 0:
                    yield container.put(change)
                elif change < 0:
                    yield container.get(-change)
                free = int(container.level)
                first = min(int(hukou[s, d]), free)
                second = min(int(other[s, d]), free - first)
                if first + second > 0:
                    yield container.get(first + second)
                self.served[s, d] = first + second
                self.served_nonlocal[s, d] = second
        self.capacity = target
        self.demand, self.demand_nonlocal = hukou + other, other
        self.newly_served_nonlocal = np.maximum(self.served_nonlocal - served_before, 0)

    def take_newly_served(self) -> np.ndarray:
        """The non-hukou residents newly served since the last call, by (service, district); reset to zero."""
        newly, self.newly_served_nonlocal = self.newly_served_nonlocal, np.zeros_like(self.newly_served_nonlocal)
        return newly

    def stocks(self) -> dict[str, np.ndarray]:
        """The last round's demand, served and shortage by district, agents, named for the recorder."""
        out = {}
        for s, name in enumerate(SERVICES):
            out[f"{name}_demand"] = self.demand[s]
            out[f"{name}_served"] = self.served[s]
            out[SHORTAGE[name]] = self.demand[s] - self.served[s]
        return out
