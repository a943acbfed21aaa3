"""公共服务按常住人口规模配置: public services allocated by the resident population, not the registered one.

The plan: "探索公共服务按照常住人口规模配置机制" (docs/sources/plan_zh.txt, section 一). Mechanism, where and
while the lever is in force (intensity ``i``): each district's capacity of preschool places, high-school seats,
base-level clinics and eldercare beds grows at the yearly round with the blend ``(1 - i)`` of its hukou
residents' growth (the baseline rule, 按户籍人口配置, an assumption) and ``i`` of all its residents' growth
(``kernel.services``), and the public compulsory seats for non-hukou children grow by the starting seats
times the difference of the two growths (``kernel.schooling``). At intensity 0 the baseline; at 1 capacity
follows residents alone. The lever changes capacities, not the residents' hazards: who moves or converts is
the baseline's, and what changes is who is served.

Intensity: the capacity rule is the linear blend above, so the capacities the rule adds scale with ``i``
(rounded to whole places in each district's container).
"""

from __future__ import annotations

import numpy as np

from .lever import Lever, lever_section

SCHEMA = lever_section(
    {},
    doc="公共服务按常住人口规模配置: public-service capacity (preschool, compulsory and high school, clinics, "
        "eldercare beds) grows with each district's resident population instead of its hukou population, in "
        "the intensity's share.",
)


class ResidentBasedServices(Lever):
    name = "resident_based_services"
    schema = SCHEMA

    def resident_based_share(self, level: np.ndarray) -> np.ndarray | None:
        """The share of each district's capacity allocated by residents: the intensity in force there."""
        return level
