"""新城镇 development: dated upgrades of the plan's new-market towns and growth poles, acting on their places.

The places are sub-zones of their districts (``kernel.places``, sim/data/places.yaml): a resident lives in
one or in none, and the lever acts on each place's own residents and newcomers.

Mechanism, from a place's upgrade day (the first month start on or after its date):

- a new-market town (新市镇: 泊里 李哥庄 姜山 南墅 南村 新河 明村 灵山 田横 铺集 大村 店埠; plan 七 "高起点建设
  ... 新市镇") speeds up the baseline reclassification of rural places as urban (``behaviour.reclassification``,
  ``kernel/reclassification.py``: in-situ urbanization, 就地城镇化, nobody moves) for the rural residents
  living in it: their pace is multiplied by ``1 + i (pace_multiplier - 1)`` for ``pace_years``; the rest of
  the district keeps the baseline's. The part the upgrade adds is counted in ``new_town_share``; all of it in
  ``in_situ_urbanization`` (and by place in ``places.csv``). An upgraded town also pulls newcomers
  (``migrant_pull_multiplier``, its "公共性、平台性产业配套设施").
- a growth pole (城镇化增长极 平度 莱西) is its county town (平度城区, 莱西城区); the plan's measure there is
  services and facilities ("强化城区综合服务能力,统筹规划建设教育、医疗、养老、社区服务设施"), so it
  reclassifies nothing: it raises the county town's pull on newcomers by ``1 + i (county_town_pull_multiplier
  - 1)``.

A place's pull ``w`` multiplies its weight among the households settling in its zone (arrivals, movers into
the district's urban or rural part: ``kernel.places.PlaceChoice``), and so its district's weight as a
destination of arrivals by ``1 + sum_p s_p (w_p - 1)`` over its places (``s_p`` the place's starting share of
the district's residents, ``population.places``). At ``pace_multiplier`` 1 and both pull multipliers 1 the
lever changes nothing (the baseline's bytes, whatever the intensity and dates). The lever draws nothing: the
reclassification draws on its own key, one uniform per household and month, so a faster pace reclassifies the
baseline's households and more.

Evidence: the plan gives no dates, sizes or pace in our copy: every date and multiplier is an assumption, a
scenario parameter to sweep; the pace's range reaches no effect, as a DID of the national new-type
urbanization pilots found in part of its sample (Peng et al. 2021, docs/sources/lever_effects_search.yaml).
A place is upgraded only if the lever is in force in its district on the upgrade day (between its ``start``
and ``end``), and a place's pace and pull change only while the lever is in force there.

Intensity: the pace's and the pulls' excess over 1 are ``i`` times their full size (the upgrade days do not
depend on ``i``), so all grow from none at 0.
"""

from __future__ import annotations

import numpy as np

from ..core.calendar import DAYS_PER_YEAR
from ..core.districts import DISTRICTS
from ..core.fields import Field, MapOf
from ..kernel.places import PLACE_ALIASES, PLACE_DISTRICT, PLACE_KIND, PLACES, zone_shares
from .lever import Lever, lever_section, sourced, uncertain

#: the places the lever upgrades: the new-market towns and the growth poles' county towns (sim/data/places.yaml)
UPGRADED = tuple(p for p in PLACES if PLACE_KIND[p] in ("new_market_town", "county_town"))
_PLACE_SOURCE = ("places, districts and kinds from sim/data/places.yaml (plan: docs/sources/plan_zh.txt 七); dates "
                 "and sizes absent from our copy of the plan: assumptions")

SCHEMA = lever_section(
    {
        "upgrade_dates": MapOf(
            UPGRADED, Field("date", None, "Day the place is upgraded.", minimum="2000-01-01",
                            maximum="2100-12-31"),
            default=dict.fromkeys(UPGRADED, "2022-01-01"),
            doc="Upgrade day of each new-market town and growth pole (its county town).", aliases=PLACE_ALIASES,
            source="assumption: the plan's middle year for every place; " + _PLACE_SOURCE),
        "pace_multiplier": sourced(Field(
            "float", 20.0, "Multiplier on the reclassification pace of an upgraded new-market town's rural "
            "residents, at full intensity.", unit="multiplier", minimum=1.0, maximum=1000.0,
            source="assumption: upgrading a town recodes its villages over a few years, not at once "
                   "(docs/sources/reclassification_search.yaml, caution_on_reclassification_semantics: 胶莱街道 "
                   "kept 101 villages); at 20 times the default pace of behaviour.reclassification (1.24% a "
                   "year) a place's rural residents are recoded at about 25% a year, 19 x 1.24% x 5 = 118% of "
                   "them beyond the baseline over the default five years; sweep it"),
            low=1.0, high=30.0,
            source="low: no effect: Peng et al. 2021 (Land 10(2):178, a DID of the national new-type "
                   "urbanization pilots on in-situ urbanization) find no significant effect in central-region "
                   "cities outside the Yangtze River Economic Belt and a significant one inside it, so the range "
                   "reaches no effect; high: 150% of the default's distance from 1 (assumption) "
                   "(docs/sources/lever_effects_search.yaml new_town_pilots)"),
        "pace_years": Field(
            "float", 5.0, "Years the faster pace lasts from a town's upgrade.", unit="years", minimum=0.0,
            maximum=100.0,
            source="assumption: about the years the default multiplier needs to recode the place's rural "
                   "residents (see pace_multiplier); 100 for as long as the lever is in force"),
        "migrant_pull_multiplier": uncertain(Field(
            "float", 1.2, "Multiplier on an upgraded new-market town's weight among the households settling in "
            "its zone (arrivals and movers), at full intensity.", unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: gravity models give the sign (jobs and services attract migrants, Fan et al. "
                   "2018); size to sweep"),
            searched="migrant inflows to upgraded towns (特色小镇, 新型城镇化试点)"),
        "county_town_pull_multiplier": uncertain(Field(
            "float", 1.2, "Multiplier on a growth pole's county town's weight among the households settling in "
            "its zone (arrivals and movers) once its services and facilities are built (教育、医疗、养老、社区服务"
            "设施), at full intensity.", unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: public services attract migrants (the sign: Fan et al. 2018 gravity models); "
                   "the plan (七) names the facilities but no size; size to sweep"),
            searched="migrant inflows to county towns after public-service investment (县城城镇化, 县城补短板)"),
    },
    doc="新市镇 (new-market towns) and growth poles (平度 莱西 county towns) as places (population.places): dated "
        "upgrades; a town's speed up the reclassification of its rural residents as urban "
        "(behaviour.reclassification) and pull newcomers, a county town's services and facilities pull newcomers.",
)


class NewTownDevelopment(Lever):
    name = "new_town_development"
    schema = SCHEMA

    def __init__(self, context) -> None:
        super().__init__(context)
        cal, settings = self.calendar, self.settings
        days = cal.month_start_on_or_after(np.array([cal.day(settings.upgrade_dates[p]) for p in UPGRADED]))
        #: each upgraded place's index in PLACES, its upgrade day as the month starts see it (the first month
        #: start on or after its date), the day its faster pace ends (never for a county town: no pace), and
        #: its pace's and pull's excess over 1 at full intensity
        self.upgrades = []
        for place, day in zip(UPGRADED, days.tolist(), strict=True):
            town = PLACE_KIND[place] == "new_market_town"
            pull = settings.migrant_pull_multiplier if town else settings.county_town_pull_multiplier
            self.upgrades.append((PLACES.index(place), day, day + settings.pace_years * DAYS_PER_YEAR if town else day,
                                  settings.pace_multiplier - 1.0 if town else 0.0, pull - 1.0))
        # each place's starting share of its district's residents (the rural and urban shares weighted by the
        # district's urban share): what its pull adds to the district's weight as a destination
        urban = np.array([context.population.district_urbanization_rate_pct[d] / 100.0 for d in DISTRICTS])
        shares = zone_shares(context.population.places)
        u = urban[PLACE_DISTRICT]
        self.district_share = shares[:, 0] * (1.0 - u) + shares[:, 1] * u

    def _made(self, when: float, day: float) -> bool:
        """Whether an upgrade of day ``when`` has been made by ``day``: only one dated inside the lever's days
        is made."""
        return when <= day and self.switch_days[0] <= when < self.switch_days[1]

    def reclassification_pace(self, level: np.ndarray, day: float) -> np.ndarray:
        """An upgraded town's pace is raised for ``pace_years`` from its upgrade, where the lever is in force."""
        pace = np.ones(len(PLACES))
        for p, when, until, extra, _ in self.upgrades:
            if self._made(when, day) and day < until:
                pace[p] += level[PLACE_DISTRICT[p]] * extra
        return pace

    def place_pull(self, level: np.ndarray, day: float) -> np.ndarray:
        """An upgraded place pulls newcomers to its zone from its upgrade on, while the lever is in force there."""
        pull = np.ones(len(PLACES))
        for p, when, _, _, extra in self.upgrades:
            if self._made(when, day):
                pull[p] += level[PLACE_DISTRICT[p]] * extra
        return pull

    def arrival_pull(self, level: np.ndarray, day: float) -> np.ndarray:
        """A district's weight as a destination of arrivals carries its places' pull, each by its share of the
        district's residents."""
        added = np.zeros(len(DISTRICTS))
        np.add.at(added, PLACE_DISTRICT, self.district_share * (self.place_pull(level, day) - 1.0))
        return 1.0 + added
