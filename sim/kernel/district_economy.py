"""Jobs and housing by district: where people go, where they live, what it costs (issue 16, items 1 and 2).

Why: planners ask first where residents will work and live; the plan acts on both (产城融合, new functional
areas, the outer new cities; 城市更新, docs/sources/plan_zh.txt sections 六-八). State, in agents' units (the
recorder scales to persons), by district d, at each month start (``at_month_start``, O(districts)):

- jobs ``J_d``: at the start the district's employed residents aged 16-59 times ``jobs_per_employed_resident``;
  each month ``J_d <- J_d (1 + g_d / 100)^(1/12)``, ``g_d`` the scenario's growth (the district's, plus the
  year's city-wide shift ``growth_shift_pct_by_year``) plus what the levers add
  (``PolicySet.job_growth_pct``, industry development), so twelve months compound to the year's growth;
- working-age residents ``L_d = N_d s_d``: the district's residents ``N_d`` (the stock table) times its share
  aged 16-59 at the start (ageing inside the period is left out of ``L``: a simplification);
- job availability ``p_d = min(1, J_d / L_d)``, the Harris-Todaro chance of a job (docs/sources/literature.md,
  "Expected-income migration"), and expected income ``E_d = w_d p_d``, ``w_d`` the wage index (one city wage
  by default, an assumption);
- urban dwellings ``H_d``: at the start the urban households over ``1 - vacancy``; each month the year's
  completions and demolitions (a twelfth of their percent of the start's dwellings), and the homes of the
  households reclassified urban where they live (``add_reclassified``: a village recoded urban keeps its
  houses); so ``H = H(0) + completions + reclassified - demolished`` exactly;
- demand ``D_d``: urban households, the district's urban residents over its urban persons per household at the
  start; occupied ``min(D, H)``, vacant ``H - occupied``, shortage ``D - occupied`` (one of the two is 0);
- housing cost index ``K_d = K_d(0) (occupancy_d / occupancy_d(0))^eta``, occupancy ``D / H`` (``eta`` from Lin
  et al. 2018, an inflow's elasticity of prices taken for occupancy's: an assumption of form).

What it changes:

- the destination weights of arrivals and of rural-to-urban movers leaving their district are multiplied by
  ``pull_d = (E_d / E_city)^a (K_d / K_city)^(-b)`` (city values weighted by residents; ``a``, ``b`` the
  elasticities), which redirects people between districts and adds none;
- the month's arrivals are multiplied by ``(p_city / p_city(0))^c`` (``total_arrivals_elasticity``, 0 by
  default): a city-wide job slowdown lowers arrivals;
- settlement needs a home: the hukou conversion hazard of a district's residents is multiplied by the share of
  its demand housed, ``min(1, H_d / D_d)`` (``settlement_needs_home``), as it stands when their hazards are drawn
  (every 1 January and when their state changes).

Nothing here draws a random number. Disabled (``economy.enabled: false``), nothing is built and the run is the
one without jobs and housing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.ages import RETIREMENT_AGE, WORKING_AGE
from ..core.calendar import DAYS_PER_YEAR, value_in_year
from ..core.codes import PRESENT
from ..core.districts import DISTRICT_ALIASES, DISTRICTS
from ..core.fields import Field, MapOf, Section
from ..data import load_economy

if TYPE_CHECKING:            # the levers sit above the kernel: it asks them through the policy set it is given
    from ..policy import PolicySet

MONTHS_PER_YEAR = 12
#: the recorded stocks' resolution, parts of an agent (a power of two)
STOCK_RESOLUTION = 1024
_DATA = load_economy()
_SEE = "sim/data/economy.yaml"


def _by_district(value: float, doc: str, unit: str, source: str, minimum: float, maximum: float) -> MapOf:
    return MapOf(DISTRICTS, Field("float", None, doc, unit=unit, minimum=minimum, maximum=maximum),
                 default=dict.fromkeys(DISTRICTS, value), aliases=DISTRICT_ALIASES, doc=doc, unit=unit,
                 source=source)


_ELASTICITY: dict[str, Any] = {"unit": "", "minimum": 0.0, "maximum": 5.0}

JOBS = Section(
    {
        "growth_pct_per_year": _by_district(
            _DATA["jobs"]["growth_pct_per_year"], "Growth of the district's jobs each year.", "% per year",
            f"山东统计年鉴 年末从业人员, Qingdao 523.9 (2010) and 589.3 (2015) 万人: 2.38% a year; assumption: every "
            f"district at the city's pace, carried on after 2015 ({_SEE} jobs)", -20.0, 50.0),
        "growth_shift_pct_by_year": MapOf(
            None, Field("float", None, "Percentage points added to every district's job growth in the year.",
                        unit="% per year", minimum=-50.0, maximum=50.0),
            default={}, unit="% per year", key_name="<year>", key_pattern=r"(19|20|21)[0-9][0-9]",
            doc="A city-wide path of job growth by year, added to each district's growth_pct_per_year: each year "
                "listed has its own shift, a year not listed the shift of the latest listed year before it, and the "
                "years before the first listed one none. E.g. {2022: -2.0} for a slowdown from 2022 on.",
            source="none by default (every year the districts' growth_pct_per_year): no yearly series of Qingdao's "
                   "employment after 2015 was found (docs/sources/economy_search.yaml); a path is a scenario's "
                   "assumption"),
        "jobs_per_employed_resident": _by_district(
            1.0, "Jobs at the start per employed resident aged 16-59 of the district.", "multiplier",
            f"assumption: jobs where the employed live, no district employment (第四次经济普查) found ({_SEE} jobs)",
            0.0, 100.0),
        "wage_index": _by_district(
            _DATA["jobs"]["wage_index"], "The district's wage relative to the city's.", "multiplier",
            f"assumption: one city wage, no district wage or disposable income found ({_SEE} jobs)", 0.0, 100.0),
        "income_elasticity": Field(
            "float", _DATA["elasticities"]["expected_income"], "Elasticity of a district's weight as a destination "
            "to its expected income (job availability times wage) over the city's.", **_ELASTICITY,
            source="form: Harris and Todaro 1970 (docs/sources/literature.md); assumption: 1, weights in "
                   f"proportion to expected income, 0.5-2 to sweep ({_SEE} elasticities)"),
        "total_arrivals_elasticity": Field(
            "float", 0.0, "Elasticity of the month's total arrivals to the city's job availability over the "
            "start's (a city-wide slowdown of jobs lowers arrivals).", **_ELASTICITY,
            source="assumption: 0, arrivals follow behaviour.in_migration alone; the elasticity is not found"),
    },
    doc="Jobs by district: the start, the growth path, wages, and how strongly arrivals and movers follow the "
        "expected income.",
)

HOUSING = Section(
    {
        "vacancy_pct_at_start": _by_district(
            _DATA["housing"]["vacancy_pct_at_start"], "Share of the district's urban dwellings vacant at the "
            "start.", "%", f"assumption: no vacancy rate found ({_SEE} housing)", 0.0, 90.0),
        "completions_pct_per_year": _by_district(
            _DATA["housing"]["completions_pct_per_year"], "New urban dwellings completed (竣工) each year, in "
            "percent of the district's dwellings at the start.", "% per year",
            f"assumption: no completions by district found ({_SEE} housing)", 0.0, 100.0),
        "demolished_pct_per_year": _by_district(
            _DATA["housing"]["demolished_pct_per_year"], "Urban dwellings taken out of use each year by urban "
            "renewal (城市更新, 老旧小区改造), in percent of the district's dwellings at the start.", "% per year",
            f"assumption: the plan gives no number; renovated homes stay homes ({_SEE} housing)", 0.0, 100.0),
        "cost_index_at_start": _by_district(
            _DATA["housing"]["cost_index_at_start"], "The district's housing cost at the start relative to the "
            "city's.", "index", f"assumption: no 新建商品住宅 均价 by district found ({_SEE} housing)", 0.01, 100.0),
        "cost_elasticity_to_occupancy": Field(
            "float", _DATA["elasticities"]["cost_to_occupancy"], "Elasticity of the housing cost index to the "
            "district's urban households per dwelling over the start's.", **_ELASTICITY,
            source="Lin et al. 2018 (Sustainability 10(9):3169): 1% more population inflow, 1.34% higher prices "
                   f"in eastern cities; assumption: occupancy stands for the inflow ({_SEE} elasticities)"),
        "cost_elasticity": Field(
            "float", _DATA["elasticities"]["housing_cost"], "Elasticity of a district's weight as a destination "
            "to its housing cost over the city's (a negative effect of this size).", **_ELASTICITY,
            source="sign: Zang, Lv and Warren 2015 (Habitat International 50); assumption: size 0.5, 0-1 to sweep "
                   f"({_SEE} elasticities)"),
        "settlement_needs_home": Field(
            "bool", True, "Hukou conversion needs a home: a district's conversion hazard is multiplied by the "
            "share of its urban households housed."),
    },
    doc="Urban housing by district: the stock, completions and renewal, demand from urban households, vacancy, "
        "shortage and a cost index rising with occupancy.",
)

SCHEMA = Section(
    {
        "enabled": Field("bool", True, "Jobs and housing by district act on where arrivals and movers go and on "
                         "hukou conversion (false: the model without them)."),
        "jobs": JOBS,
        "housing": HOUSING,
    },
    doc="Jobs and housing by district (sim/kernel/district_economy.py): job availability and housing cost steer "
        "arrivals and movers; a housing shortage lowers hukou conversion.",
)

#: the economy's stocks by district in agents (the recorder scales them to persons or dwellings)
STOCKS = ("jobs", "working_age_residents", "urban_dwellings", "vacant_urban_dwellings", "housing_shortage")
#: the economy's values already in their unit, for every zone (the city first)
RATES = ("job_availability", "housing_cost_index")


def _vector(mapping) -> np.ndarray:
    return np.array([float(mapping[d]) for d in DISTRICTS])


def residents_and_urban(stock: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """By district, from the stock table: all residents and the urban ones (floats)."""
    return stock.sum(axis=(1, 2, 3)).astype(np.float64), stock[:, 1].sum(axis=(1, 2)).astype(np.float64)


def start_counts(res, stock: np.ndarray, day: float) -> dict[str, np.ndarray]:
    """By district: residents and urban residents (the ``stock`` table), and from one pass over the residents
    those aged 16-59, the employed among them and the urban households (their reference persons): birth days
    compared with fixed thresholds (no ages computed) and one bincount over (district, flags)."""
    n = len(DISTRICTS)
    birth = res.view("birth_day")
    working = (birth <= day - WORKING_AGE * DAYS_PER_YEAR) & (birth > day - RETIREMENT_AGE * DAYS_PER_YEAR)
    flags = (working.view(np.int8) + 2 * (working & res.view("employed")).view(np.int8)
             + 4 * (res.view("urban") & res.view("is_head")).view(np.int8))
    key = res.view("district").astype(np.int64) * 8 + flags
    counts = np.bincount(key[res.view("status") == PRESENT], minlength=n * 8).reshape(n, 8).astype(np.float64)
    has = np.arange(8)

    def count(bit: int) -> np.ndarray:
        return counts[:, (has >> bit) & 1 == 1].sum(axis=1)

    residents, urban = residents_and_urban(stock)
    return {"residents": residents, "urban": urban,
            "working_age": count(0), "employed": count(1), "urban_households": count(2)}


def pull_from(expected: np.ndarray, cost: np.ndarray, weights: np.ndarray, income_elasticity: float,
              cost_elasticity: float) -> np.ndarray:
    """``(E_d / E_city)^a (K_d / K_city)^(-b)``, the city values the ``weights``-weighted means."""
    total = weights.sum()
    e_city = float((expected * weights).sum() / total) if total > 0 else 1.0
    k_city = float((cost * weights).sum() / total) if total > 0 else 1.0
    relative = np.divide(expected, e_city, out=np.ones_like(expected), where=e_city > 0)
    with np.errstate(divide="ignore"):
        pull = np.where(relative > 0, relative, 0.0) ** income_elasticity
    return pull * (cost / k_city) ** (-cost_elasticity)


class DistrictEconomy:
    """Jobs and housing of one replication, by district.

    Parameters
    ----------
    settings : the scenario's ``economy`` section.
    res : the residents (one pass at the start).
    stock_table : the ledger's stock table (agents by district, urban, hukou, permit), read at each step.
    policies : the levers in force (their ``job_growth_pct``).
    """

    def __init__(self, settings, res, stock_table, policies: PolicySet) -> None:
        self.settings = settings
        self.stock_table = stock_table
        self.policies = policies
        jobs, housing = settings.jobs, settings.housing
        counts = start_counts(res, stock_table(), 0.0)
        residents = np.maximum(counts["residents"], 1.0)
        self.working_share = counts["working_age"] / residents
        self.persons_per_household = np.divide(counts["urban"], counts["urban_households"],
                                               out=np.ones(len(DISTRICTS)), where=counts["urban_households"] > 0)
        self.jobs = counts["employed"] * _vector(jobs.jobs_per_employed_resident)
        self.wage = _vector(jobs.wage_index)
        self.growth_pct = _vector(jobs.growth_pct_per_year)
        demand = counts["urban_households"]
        self.dwellings_start = demand / (1.0 - _vector(housing.vacancy_pct_at_start) / 100.0)
        self.dwellings = self.dwellings_start.copy()
        self.completed = np.zeros(len(DISTRICTS))
        self.demolished = np.zeros(len(DISTRICTS))
        self.reclassified = np.zeros(len(DISTRICTS))
        self._completions = self.dwellings_start * _vector(housing.completions_pct_per_year) / 100.0
        self._demolitions = self.dwellings_start * _vector(housing.demolished_pct_per_year) / 100.0
        self.cost_start = _vector(housing.cost_index_at_start)
        self.occupancy_start = np.divide(demand, self.dwellings_start, out=np.ones(len(DISTRICTS)),
                                         where=self.dwellings_start > 0)
        self.observe()
        self.availability_start_city = self.availability_city

    def at_month_start(self, day: float, year: int) -> None:
        """The month's job growth (of ``year``: the districts' growth, the year's shift, the levers') and housing
        completions and demolitions, then the state from the stock."""
        added = self.policies.job_growth_pct(day)
        growth = self.growth_pct + value_in_year(self.settings.jobs.growth_shift_pct_by_year, year, 0.0)
        if added is not None:
            growth = growth + added
        self.jobs = self.jobs * (1.0 + growth / 100.0) ** (1.0 / MONTHS_PER_YEAR)
        completed, demolished = self._completions / MONTHS_PER_YEAR, self._demolitions / MONTHS_PER_YEAR
        self.completed = self.completed + completed
        self.demolished = self.demolished + demolished
        self.dwellings = self.dwellings + completed - demolished
        self.observe()

    def add_reclassified(self, district: np.ndarray) -> None:
        """The homes of residents reclassified urban where they live (rows' ``district``) become urban
        dwellings: a household's worth per the district's persons per household."""
        if len(district) == 0:
            return
        persons = np.bincount(district.astype(np.int64), minlength=len(DISTRICTS))
        homes = persons / self.persons_per_household
        self.reclassified = self.reclassified + homes
        self.dwellings = self.dwellings + homes

    def observe(self) -> None:
        """Availability, demand, vacancy, shortage, cost and the pull from the stock table as it stands."""
        residents, urban = residents_and_urban(self.stock_table())
        self.working_age = residents * self.working_share
        self.availability = np.minimum(1.0, np.divide(self.jobs, self.working_age, out=np.ones(len(DISTRICTS)),
                                                      where=self.working_age > 0))
        total_working = self.working_age.sum()
        self.availability_city = min(1.0, float(self.jobs.sum() / total_working)) if total_working > 0 else 1.0
        self.demand = urban / self.persons_per_household
        occupied = np.minimum(self.demand, np.maximum(self.dwellings, 0.0))
        self.vacant = np.maximum(self.dwellings, 0.0) - occupied
        self.shortage = self.demand - occupied
        occupancy = np.divide(self.demand, self.dwellings, out=self.occupancy_start.copy(),
                              where=self.dwellings > 0)
        ratio = np.divide(occupancy, self.occupancy_start, out=np.ones(len(DISTRICTS)),
                          where=self.occupancy_start > 0)
        # floored at a hundredth of the start's occupancy: a district emptied of urban households keeps a
        # finite cost (and pull)
        self.cost = self.cost_start * np.maximum(ratio, 0.01) ** self.settings.housing.cost_elasticity_to_occupancy
        self.pull = pull_from(self.wage * self.availability, self.cost, residents,
                              self.settings.jobs.income_elasticity, self.settings.housing.cost_elasticity)
        self.housed_share = np.divide(occupied, self.demand, out=np.ones(len(DISTRICTS)), where=self.demand > 0)

    @property
    def arrivals_multiplier(self) -> float:
        """The month's total arrivals' multiplier: ``(p_city / p_city(0))^c``, exactly 1 at ``c`` 0."""
        c = self.settings.jobs.total_arrivals_elasticity
        if c == 0.0 or self.availability_start_city <= 0:
            return 1.0
        return (self.availability_city / self.availability_start_city) ** c

    @property
    def conversion_factor(self) -> np.ndarray | None:
        """Per district, the multiplier on the hukou conversion hazard: the share of demand housed (None when
        settlement does not need a home)."""
        return self.housed_share if self.settings.housing.settlement_needs_home else None

    def stocks(self) -> dict[str, np.ndarray]:
        """The month's ``STOCKS`` by district, agents, to ``1 / STOCK_RESOLUTION`` of an agent: dyadic fractions,
        so that the city's value (the districts' sum, scaled) is exactly the sum of the districts' scaled values."""
        values = {"jobs": self.jobs, "working_age_residents": self.working_age, "urban_dwellings": self.dwellings,
                  "vacant_urban_dwellings": self.vacant, "housing_shortage": self.shortage}
        return {name: np.round(value * STOCK_RESOLUTION) / STOCK_RESOLUTION for name, value in values.items()}

    def rates(self) -> dict[str, np.ndarray]:
        """The month's ``RATES`` for every zone, the city first: job availability (%) and the housing cost
        index (the district's; the city's weighted by urban households)."""
        demand = self.demand.sum()
        city_cost = float((self.cost * self.demand).sum() / demand) if demand > 0 else float(self.cost.mean())
        return {"job_availability": 100.0 * np.concatenate(([self.availability_city], self.availability)),
                "housing_cost_index": np.concatenate(([city_cost], self.cost))}
