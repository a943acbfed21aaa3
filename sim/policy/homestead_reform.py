"""宅基地三权分置: homestead reform (separating ownership, qualification and use rights).

Mechanism, where and while the lever is in force (intensity ``i``):

- less land lock-in: households living on their own homestead move to towns
  more readily; the lock-in multiplier ``L`` of
  ``behaviour.rural_to_urban.homestead_lockin_multiplier`` becomes
  ``L + i * lockin_relief * (1 - L)``;
- rights kept on conversion: the homestead penalty ``M`` on hukou conversion
  (``behaviour.hukou.homestead_multiplier``) becomes ``M + i (1 - M)``;
- a market for idle homesteads: urban households rent an idle homestead in
  their district's countryside at ``i * lease_demand_hazard_per_year`` (the
  ``homestead_lease`` event); the idle stock is finite (each homestead is let
  once; with none left the demand goes unmet), the renting household moves to
  the rural part (a reverse, urban-to-rural flow) and the homestead becomes
  ``leased``; its owners then no longer return to it;
- lease income: every leased homestead pays its owners ``annual_rent_yuan``
  a year, reported as ``homestead_lease_income`` (yuan a month, by the
  homestead's district): income reaching rural-hukou households, an outcome
  for planners (it changes no hazard in this version).

Intensity: every effect is linear in ``i`` (the lock-in and the conversion
penalty are blended between their 2020 values and none; the lease hazard is
``i`` times its size), so leases, their rent and the extra moves grow from
none at 0.

Evidence (docs/sources/literature.md): land insecurity lowers out-migration by about 17%
(Giles and Mu); holding a homestead lowers hukou transfer by about 12% (Gu et
al. 2020); hukou reform raises the willingness to transfer rural housing land
by 37% (Zhu 2017); about 15% of homesteads stand idle (Song Wei et al.). How
much of the lock-in the reform lifts is an assumption to sweep; the rent (a
few thousand yuan a year for a let village house, 长沙 2021) and the lease
hazard's high end (a pilot village of 浏阳 let 14% of its idle houses in a
year) have ranges from named cases (docs/sources/lever_effects_search.yaml).
"""

from __future__ import annotations

import numpy as np

from ..core.codes import NO_HOMESTEAD, OCCUPIED
from ..core.fields import Field
from .lever import Lever, lever_section, multiply_where, sourced, uncertain

SCHEMA = lever_section(
    {
        "lockin_relief": uncertain(Field(
            "float", 1.0, "Share of the homestead lock-in on rural-to-urban moves lifted at full intensity.",
            unit="share", minimum=0.0, maximum=1.0,
            source="assumption: the reform secures use rights, so living on the homestead no longer ties a "
                   "household to it (Giles and Mu give the size of the tie, 17%)"),
            searched="how much of the lock-in the pilots (义乌, 德清, 泸县) lifted"),
        "annual_rent_yuan": sourced(Field(
            "float", 8000.0, "Rent a leased homestead pays its owners each year.", unit="yuan per year",
            minimum=0.0, maximum=1e6,
            source="assumption: below a third of a rural household's disposable income (rural disposable income "
                   "18,164 yuan per head in 2023 H1, docs/sources/qingdao_facts.yaml income); sweep it"),
            low=3000.0, high=10000.0,
            source="a few thousand yuan a year for an idle rural house let for 20 years (长沙 岳麓区 九丰村, "
                   "中新网 2021-08-10: '每年可以拿到数千元租金'); 5,000 yuan a house a year in a 2018 estimate of "
                   "the idle houses' value (共享农房, victorzhang.cn 2018-12-05): 3,000 the low end of 数千元, "
                   "10,000 its high end (assumption); the default sits in the upper part "
                   "(docs/sources/lever_effects_search.yaml homestead_rent)"),
        "lease_demand_hazard_per_year": sourced(Field(
            "float", 0.005, "Hazard that an urban household rents an idle village homestead, at full "
            "intensity.", unit="per year", minimum=0.0, maximum=1.0,
            source="assumption: no figure for Qingdao; sweep it"),
            low=0.0025, high=0.025,
            source="high: 浏阳 浏河源村 (a homestead-reform pilot county) let 26 of its 180 idle houses in the "
                   "first year of its 农房盘活 (中新网 2021-08-10), 14.4% of the idle stock a year, against 2.9% "
                   "at the default (22,000 of 759,000 idle homesteads let in 2021; population.scale 1000, "
                   "seed 3): 0.005 x 14.4 / 2.9 = 0.025, a pilot village with an operator, so the high end; "
                   "low: half the default (assumption) (docs/sources/lever_effects_search.yaml homestead_leases)"),
    },
    doc="宅基地三权分置 homestead reform: less land lock-in, homestead rights kept on hukou conversion, and idle "
        "homesteads let to urban households (a finite stock).",
)


class HomesteadReform(Lever):
    name = "homestead_reform"
    schema = SCHEMA

    def monthly_income(self, leased_by_district: np.ndarray) -> np.ndarray:
        """Rent paid in a month to the owners of the leased homesteads of each district (yuan, in agents'
        units): leases made while the lever was in force keep paying after it ends."""
        return leased_by_district * self.settings.annual_rent_yuan / 12.0

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Homestead holders (lock-in and conversion) and present urban reference persons (the lease demand;
        whether their district has a rural part is not yet in ``state`` when this is asked)."""
        return (state["homestead"] != NO_HOMESTEAD) | (state["present"] & state["is_head"] & state["urban"])

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Lock-in relief, no homestead penalty on conversion, and the lease demand (in place)."""
        on = level > 0
        settings, behaviour = self.settings, self.context.behaviour
        lockin = behaviour.rural_to_urban.homestead_lockin_multiplier
        occupied = on & (state["homestead"] == OCCUPIED)
        if lockin > 0:
            relief = (lockin + level * settings.lockin_relief * (1.0 - lockin)) / lockin
            multiply_where(rates, "rural_to_urban", occupied, relief)
        penalty = behaviour.hukou.homestead_multiplier
        holders = on & (state["homestead"] != NO_HOMESTEAD)
        if penalty > 0:
            kept = (penalty + level * (1.0 - penalty)) / penalty
            multiply_where(rates, "hukou_conversion", holders, kept)
        renters = on & state["present"] & state["is_head"] & state["urban"] & state["rural_destination"]
        rates["homestead_lease"] = np.where(renters, level * settings.lease_demand_hazard_per_year,
                                            rates["homestead_lease"])
