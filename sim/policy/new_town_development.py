"""新城镇 development: dated upgrades of the plan's new-town nodes and growth poles.

Mechanism: on each place's upgrade date (from the first month start on or
after it), part of its district's rural residents become urban where they live
(in-situ urbanization, 就地城镇化: the town is reclassified, nobody moves):
``i * in_situ_share_pct`` percent of the district's rural residents at that
moment, whole households drawn at random (the ``levers`` stream), counted in
``in_situ_urbanization``. From its first upgrade on, a district also pulls
migrants: its weight in the arrivals' choice of destination is multiplied by
``1 + i (migrant_pull_multiplier - 1)``.

Places (plan: 新城镇节点 泊里 李哥庄 姜山 南墅 南村 新河 明村 灵山 田横 铺集 大村 店埠;
growth poles 平度 莱西) and their districts: ``PLACES`` below, from Qingdao's
administrative divisions (行政区划), which the project's reference file does not
list; verify before relying on them. The plan gives no dates or sizes in our
copy: every date and share is an assumption, a scenario parameter to sweep.
A place is upgraded only if the lever is in force in its district on the upgrade
day (between its ``start`` and ``end``), and a district pulls only while the
lever is in force there; before 2026-12 upgrades ignored ``start`` and ``end``.
"""

from __future__ import annotations

import numpy as np

from ..core.districts import DISTRICTS
from ..core.fields import Field, MapOf
from .lever import Lever, Places, lever_section, uncertain

#: place -> (Chinese name, district); growth poles are whole county-level cities
PLACES: dict[str, tuple[str, str]] = {
    "boli": ("泊里", "xihaian"), "ligezhuang": ("李哥庄", "jiaozhou"), "jiangshan": ("姜山", "laixi"),
    "nanshu": ("南墅", "laixi"), "nancun": ("南村", "pingdu"), "xinhe": ("新河", "pingdu"),
    "mingcun": ("明村", "pingdu"), "lingshan": ("灵山", "jimo"), "tianheng": ("田横", "jimo"),
    "puji": ("铺集", "jiaozhou"), "dacun": ("大村", "xihaian"), "dianbu": ("店埠", "laixi"),
    "pingdu_pole": ("平度 growth pole", "pingdu"), "laixi_pole": ("莱西 growth pole", "laixi"),
}
_PLACE_SOURCE = ("places and districts from Qingdao's administrative divisions (行政区划), not in "
                 "docs/sources; dates and sizes absent from our copy of the plan: assumptions")

SCHEMA = lever_section(
    {
        "upgrade_dates": MapOf(
            tuple(PLACES), Field("date", None, "Day the place is upgraded.", minimum="2000-01-01",
                                 maximum="2100-12-31"),
            default=dict.fromkeys(PLACES, "2022-01-01"),
            doc="Upgrade day of each new-town node and growth pole.",
            source="assumption: the plan's middle year for every place; " + _PLACE_SOURCE),
        "in_situ_share_pct": MapOf(
            tuple(PLACES), Field("float", None, "Share of the district's rural residents made urban.",
                                 unit="%", minimum=0.0, maximum=100.0),
            default={**dict.fromkeys(PLACES, 3.0), "pingdu_pole": 5.0, "laixi_pole": 5.0},
            doc="Share of its district's rural residents that each upgrade makes urban in place, at full "
                "intensity.", unit="%",
            source="assumption: a node town holds a few percent of its district's rural residents; a growth "
                   "pole's upgrade reaches more; sweep it"),
        "migrant_pull_multiplier": uncertain(Field(
            "float", 1.2, "Multiplier on an upgraded district's weight in where arrivals settle, at full "
            "intensity.", unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: gravity models give the sign (jobs and services attract migrants, Fan et al. "
                   "2018); size to sweep")),
    },
    doc="新城镇节点 and growth poles (平度 莱西): dated upgrades that urbanize rural residents in place and pull "
        "migrants.",
)


class NewTownDevelopment(Lever):
    name = "new_town_development"
    schema = SCHEMA

    def __init__(self, context) -> None:
        super().__init__(context)
        cal, dates = self.calendar, self.settings.upgrade_dates
        days = cal.month_start_on_or_after(np.array([cal.day(dates[place]) for place in PLACES]))
        #: each place's upgrade day as the redraws see it (the first month start on or after its date), and
        #: its district
        self.upgrades = [(place, day, DISTRICTS.index(PLACES[place][1]))
                         for place, day in zip(PLACES, days.tolist(), strict=True)]

    def act_on_places(self, places: Places, level: np.ndarray, day: float) -> None:
        """Upgrade the places whose upgrade takes effect at this month start, where the lever is in force: an
        upgrade dated before the lever's start or after its end is not made."""
        for place, when, district in self.upgrades:
            if when == day and level[district] > 0:
                share = level[district] * self.settings.in_situ_share_pct[place] / 100.0
                places.urbanize_in_place(district, share, day, self.context.rng)

    def arrival_pull(self, level: np.ndarray, day: float) -> np.ndarray:
        """A district pulls arrivals from its first upgrade made (in the lever's days) while the lever is in
        force there."""
        pull = np.ones(len(DISTRICTS))
        for _, when, d in self.upgrades:
            if when <= day and self.switch_days[0] <= when < self.switch_days[1] and level[d] > 0:
                pull[d] = 1.0 + level[d] * (self.settings.migrant_pull_multiplier - 1.0)
        return pull
