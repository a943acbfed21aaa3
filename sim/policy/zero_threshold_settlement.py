"""城镇落户零门槛: zero-threshold urban settlement.

Mechanism: where the lever is in force, every urban household without a
Qingdao urban hukou may convert, whatever its years of social insurance or
housing (the 2020 rules ask for ``behaviour.hukou.min_insurance_years`` or
talent status), and converting costs less, which raises the conversion hazard
of those already eligible by ``conversion_hazard_multiplier``. At intensity
``i`` already-eligible households convert at ``h * (1 + i (m - 1))`` and newly
eligible ones at ``i * h * m``, with ``h`` the 2020 hazard of their hukou
origin (homestead penalty included) and ``m`` the multiplier.

Intensity: both hazards are linear in ``i``. Opening eligibility is no switch:
at a small intensity the newly eligible may convert, but at a hazard close to
0, so conversions grow from the baseline's in proportion to ``i``.

Evidence: the new round of hukou reform raised urban-hukou shares (DID on CFPS
2012-18, "新一轮户籍制度改革对城乡人口迁移的影响", 2024): a sign, not a size for
Qingdao, so ``m`` is an assumption to sweep; its range reaches the multiplier at
which the model's first-year conversions grow as much as Xi'an's settlements
did in the first year of its eased rules (4.36 times, 2017), an upper end
(docs/sources/lever_effects_search.yaml). The lever converts people already
in towns, so it moves the hukou urbanization rate far more than the residents'
rate (docs/sources/literature.md, "How the levers should act").
"""

from __future__ import annotations

import numpy as np

from ..core.codes import LOCAL_URBAN
from ..core.fields import Field
from ..kernel.hazards import conversion_base_hazard_per_year, hukou_eligible
from .lever import Lever, lever_section, sourced

SCHEMA = lever_section(
    {
        "conversion_hazard_multiplier": sourced(Field(
            "float", 1.5, "Multiplier on the hukou-conversion hazard at full intensity (a lower cost of "
            "converting).", unit="multiplier", minimum=1.0, maximum=20.0,
            source="assumption: the 2024 DID study of the hukou reform gives the sign (more urban-hukou "
                   "holders), not a size for Qingdao; sweep it"),
            low=1.25, high=2.6,
            source="high: Xi'an, whose settlement rules were eased from 2017-03-01, gave hukou to 245,000 in "
                   "2017, 335.9% more than in 2016 (Worker's Daily via Global Times, 2018), 4.36 times; the "
                   "model's 2021 conversions are 4.4 times the baseline's at a multiplier of 2.6 (2.53 at 1.5, "
                   "3.36 at 2, 5.06 at 3: scenarios/baseline.yaml, population.scale 200, seed 21, two "
                   "replications), an upper end, as Xi'an counts hukou moves from outside the city too; low: "
                   "half the default's effect (assumption) (docs/sources/lever_effects_search.yaml "
                   "xian_settlements)"),
    },
    doc="城镇落户零门槛 zero-threshold urban settlement: every urban resident may convert hukou, regardless of "
        "insurance years or housing, and converting costs less.",
)


class ZeroThresholdSettlement(Lever):
    name = "zero_threshold_settlement"
    schema = SCHEMA

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Urban households' reference persons without a Qingdao urban hukou."""
        return state["present"] & state["is_head"] & state["urban"] & (state["hukou"] != LOCAL_URBAN)

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Raise ``rates['hukou_conversion']`` where ``level`` > 0 (in place)."""
        candidates = (level > 0) & self.hazard_subjects(state)
        if not candidates.any():
            return
        behaviour = self.context.behaviour
        m = self.settings.conversion_hazard_multiplier
        base = conversion_base_hazard_per_year(state, behaviour)
        eligible = hukou_eligible(state, behaviour)
        raised = np.where(eligible, rates["hukou_conversion"] * (1.0 + level * (m - 1.0)), level * base * m)
        rates["hukou_conversion"] = np.where(candidates, raised, rates["hukou_conversion"])
