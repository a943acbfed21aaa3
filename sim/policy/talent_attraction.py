"""青岛菁英工程, 青年英才聚青, 大学生最友好城市: talent attraction.

Mechanism, where and while the lever is in force (intensity ``i``):

- graduate arrivals: on top of the base in-migration, young graduates arrive
  alone, at ``i * graduate_arrivals_per_year`` persons a year for the whole
  city, shared among the lever's districts in proportion to their urban
  residents; they settle in towns, hold talent status (so the 2020 rules
  already let them convert hukou) and are employed like other arrivals;
- retention: non-local households headed by a talent leave less, their
  departure hazard multiplied by ``1 + i (retention_departure_multiplier - 1)``;
- settling: such households convert hukou more readily, the hazard multiplied
  by ``1 + i (conversion_hazard_multiplier - 1)``.

Intensity: the graduates are a Poisson number with mean ``i`` times the
yearly figure, and both multipliers are blended linearly from 1, so every
effect grows from none at 0.

Evidence: talent policies raise migrants' hukou-transfer intention, most of
all housing and start-up subsidies (Chen and Li 2022, 江汉论坛: a sign). No
source gives Qingdao's graduate numbers or the size of either effect, so all
three are assumptions, exposed for sweeps. Their ranges come from named cases
(docs/sources/lever_effects_search.yaml): the graduates' high end from Wuhan's
first year of 百万大学生留汉 and Qingdao's 2024-26 target (about 50,000 a year),
retention's weak end from Qingdao graduates' stay intention in 2019, and the
settling multiplier's high end from Xi'an's settlements in 2017 (4.36 times).
"""

from __future__ import annotations

import numpy as np

from ..core.ages import ADULT_AGE
from ..core.calendar import DAYS_PER_YEAR
from ..core.codes import NO_HOMESTEAD, NONLOCAL
from ..core.fields import Field
from ..kernel.arrivals import ArrivalBatch, type_weights
from .lever import Lever, lever_section, multiply_where, sourced

SCHEMA = lever_section(
    {
        "graduate_arrivals_per_year": sourced(Field(
            "float", 20000.0, "Extra graduates arriving a year at full intensity, for the whole city (shared "
            "among the lever's districts by their urban residents).", unit="persons per year",
            minimum=0.0, maximum=1e6,
            source="assumption: about a quarter more than the talent among the base arrivals (3% a year of "
                   "10 million residents, 30% of arriving adults), a size no source gives for Qingdao"),
            low=10000.0, high=50000.0,
            source="high: 50,000 a year, both Qingdao's own target for its 2024-26 youth talent plan (150,000 of "
                   "the young talents new residents in three years: a target, not an achievement) and Wuhan's "
                   "first year of 百万大学生留汉 (80,000 graduates settled in 2017 H1, 28,000 more than a year "
                   "before: about 56,000 a year more for 10.9 million residents); both count graduates who stay "
                   "as well as arrivals, so the high end; low: half the default (assumption) "
                   "(docs/sources/lever_effects_search.yaml talent_inflows)"),
        "graduate_age_mean_years": Field("float", 24.0, "Mean age of arriving graduates.", unit="years",
                                         minimum=18.0, maximum=40.0,
                                         source="assumption: new bachelor's and master's graduates"),
        "graduate_age_sd_years": Field("float", 2.0, "Spread of arriving graduates' age.", unit="years",
                                       minimum=0.0, maximum=10.0, source="assumption"),
        "retention_departure_multiplier": sourced(Field(
            "float", 0.7, "Multiplier on the departure hazard of talent-headed non-local households at full "
            "intensity.", unit="multiplier", minimum=0.0, maximum=1.0,
            source="assumption: sign from Chen and Li 2022 (talent policies raise the intention to stay and "
                   "settle); size to sweep"),
            low=0.55, high=0.93,
            source="high: Qingdao 2019, 48.6% of graduates who studied in Qingdao willing to stay, 'up 8.6 "
                   "percent year on year' (zhaopin.com and Peking University, China Best Employer Award, "
                   "2019-12-03): those not staying fell from 55.3% (a relative rise) or 60.0% (points) to "
                   "51.4%, a multiplier of 0.93 or 0.86 on leaving, read as a hazard; a year's change under "
                   "policies already running, so the weak end; low: 150% of the default's distance from 1 "
                   "(assumption) (docs/sources/lever_effects_search.yaml qingdao_talent_2019)"),
        "conversion_hazard_multiplier": sourced(Field(
            "float", 1.3, "Multiplier on the hukou-conversion hazard of talent-headed non-local households at "
            "full intensity.", unit="multiplier", minimum=1.0, maximum=20.0,
            source="assumption: sign from Chen and Li 2022 (housing and start-up subsidies raise hukou-transfer "
                   "intention most); size to sweep"),
            low=1.15, high=4.36,
            source="high: Xi'an's settlements were 4.36 times the year before in 2017, the first year of its "
                   "eased rules for graduates (245,000, +335.9%: Worker's Daily via Global Times, 2018), newly "
                   "eligible people and arrivals from outside included, so an upper end for a multiplier on "
                   "those already eligible; low: half the default's effect (assumption) "
                   "(docs/sources/lever_effects_search.yaml xian_settlements)"),
    },
    doc="青岛菁英工程, 青年英才聚青行动, 大学生最友好城市 talent attraction: graduate arrivals, and talent "
        "households that stay and settle more.",
)


class TalentAttraction(Lever):
    name = "talent_attraction"
    schema = SCHEMA

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Reference persons of non-local households who hold talent status."""
        return state["talent"] & state["is_head"] & (state["hukou"] == NONLOCAL)

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Retention and settling of talent-headed non-local households (in place)."""
        talent = (level > 0) & self.hazard_subjects(state)
        if not talent.any():
            return
        stay = 1.0 + level * (self.settings.retention_departure_multiplier - 1.0)
        settle = 1.0 + level * (self.settings.conversion_hazard_multiplier - 1.0)
        multiply_where(rates, "departure", talent, stay)
        multiply_where(rates, "hukou_conversion", talent, settle)

    def extra_arrivals(self, level: np.ndarray, stock: np.ndarray, start_day: float,
                       end_day: float) -> ArrivalBatch:
        """The month's graduates: one-person urban households, a Poisson number per district."""
        rng, settings, p = self.context.rng, self.settings, self.context.population
        urban = type_weights(stock, 1.0)[:, 1]
        share = urban / urban.sum() if urban.sum() > 0 else np.zeros_like(urban)
        per_agent = settings.graduate_arrivals_per_year / p.scale
        expected = level * share * per_agent * (end_day - start_day) / DAYS_PER_YEAR
        counts = rng.poisson(expected)
        count = int(counts.sum())
        district = np.repeat(np.arange(len(counts)), counts)
        times = start_day + rng.random(count) * (end_day - start_day)
        age = np.clip(rng.normal(settings.graduate_age_mean_years, settings.graduate_age_sd_years, count),
                      ADULT_AGE, 45)
        return ArrivalBatch(
            times=times, sizes=np.ones(count, np.int64), district=district, urban=np.ones(count, bool),
            homestead=np.full(count, NO_HOMESTEAD), age=age,
            female=rng.random(count) < self.context.behaviour.in_migration.female_share_pct / 100.0,
            talent=np.ones(count, bool), employed=rng.random(count) < p.employed_share_pct / 100.0,
            flexible=np.zeros(count, bool))
