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

Evidence (docs/sources/literature.md): land insecurity lowers out-migration by about 17%
(Giles and Mu); holding a homestead lowers hukou transfer by about 12% (Gu et
al. 2020); hukou reform raises the willingness to transfer rural housing land
by 37% (Zhu 2017); about 15% of homesteads stand idle (Song Wei et al.). How
much of the lock-in the reform lifts, how many urban households rent
village homes, and the rent are assumptions to sweep.
"""

from __future__ import annotations

import numpy as np

from ..core.codes import NO_HOMESTEAD, OCCUPIED
from ..core.fields import Field
from .lever import Lever, lever_section, multiply_where, uncertain

SCHEMA = lever_section(
    {
        "lockin_relief": uncertain(Field(
            "float", 1.0, "Share of the homestead lock-in on rural-to-urban moves lifted at full intensity.",
            unit="share", minimum=0.0, maximum=1.0,
            source="assumption: the reform secures use rights, so living on the homestead no longer ties a "
                   "household to it (Giles and Mu give the size of the tie, 17%)")),
        "annual_rent_yuan": uncertain(Field(
            "float", 8000.0, "Rent a leased homestead pays its owners each year.", unit="yuan per year",
            minimum=0.0, maximum=1e6,
            source="assumption: below a third of a rural household's disposable income (rural disposable income "
                   "18,164 yuan per head in 2023 H1, docs/sources/qingdao_facts.yaml income); sweep it")),
        "lease_demand_hazard_per_year": uncertain(Field(
            "float", 0.005, "Hazard that an urban household rents an idle village homestead, at full "
            "intensity.", unit="per year", minimum=0.0, maximum=1.0,
            source="assumption: no figure for Qingdao; sweep it")),
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
