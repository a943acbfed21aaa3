"""产城融合 and the plan's places of industry: more jobs in the districts where the plan builds them.

The plan (docs/sources/plan_zh.txt): 推进产业园区社区化 ... 打造集研发、生产、居住、消费 ... 功能于一体的新型功能区
(section 八, 提升城镇产业集聚功能), and the two outer new cities 董家口港城 (西海岸新区) and 蓝谷海洋科学城 (即墨区)
(section 七), where 产业链、价值链高端环节加快集聚. Mechanism: where and while the lever is in force (intensity
``i``), each district's jobs grow ``i * added_growth_pct_per_year`` percentage points a year faster
(``kernel.district_economy``: ``J <- J (1 + g / 100)^(1/12)`` each month). More jobs raise the district's job
availability and expected income, so arrivals and rural-to-urban movers leaving their district choose it
more often (the economy's pull). The lever changes no hazard and draws nothing; with ``economy.enabled:
false`` it has nothing to act on. The plan gives no numbers of jobs in our copy: the added growth is an
assumption to sweep (docs/sources/lever_effects_search.yaml not_found, jobs of new functional areas).

Scope: which districts hold the new areas is the scenario's (``districts``); the plan scenario names xihaian
(董家口港城) and jimo (蓝谷), the two the plan names as places.

Intensity: the added growth is ``i`` times its full size, so the jobs added grow from none at 0, about in
proportion to ``i`` (compounding makes it slightly convex).
"""

from __future__ import annotations

import numpy as np

from ..core.fields import Field
from ..data import load_economy
from .lever import Lever, lever_section, uncertain

_ADDED = load_economy()["industry_development"]["added_growth_pct_per_year"]

SCHEMA = lever_section(
    {
        "added_growth_pct_per_year": uncertain(Field(
            "float", _ADDED, "Percentage points a year added to the job growth of the lever's districts, at full "
            "intensity.", unit="% per year", minimum=0.0, maximum=50.0,
            source="assumption: the plan gives no number of jobs for its new functional areas or outer new "
                   "cities; about doubling the city's 2.4% a year there (sim/data/economy.yaml "
                   "industry_development)"),
            searched="jobs created by Qingdao's new functional areas, 董家口 or 蓝谷"),
    },
    doc="产城融合, new functional areas and the outer new cities (董家口港城, 蓝谷): faster job growth in the "
        "lever's districts, which draws arrivals and movers (economy section).",
)


class IndustryDevelopment(Lever):
    name = "industry_development"
    schema = SCHEMA

    def job_growth_pct(self, level: np.ndarray, day: float) -> np.ndarray:
        """Each district's added growth: the intensity in force there times the full added growth."""
        return level * self.settings.added_growth_pct_per_year
