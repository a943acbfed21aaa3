"""新城镇 development: dated upgrades of the plan's new-town nodes and growth poles.

Mechanism: an upgrade speeds up the baseline reclassification of rural places as urban
(``behaviour.reclassification``, ``kernel/reclassification.py``: in-situ urbanization, 就地城镇化, the
place is recoded urban, nobody moves) in the place's district; the lever adds no reclassification of its
own. From a place's upgrade day (the first month start on or after its date) and for ``pace_years``, its
district's pace is multiplied by ``1 + i * sum(place_share_pct / 100 * (pace_multiplier - 1))`` over the
district's upgraded places: the place's rural residents (``place_share_pct`` of the district's) are
reclassified ``pace_multiplier`` times as fast as the rest. The part the upgrade adds is counted in
``new_town_share``; all of it in ``in_situ_urbanization``. From its first upgrade on, a district also pulls
migrants: its weight in the arrivals' choice of destination is multiplied by
``1 + i (migrant_pull_multiplier - 1)``. At ``pace_multiplier`` 1 and ``migrant_pull_multiplier`` 1 the
lever changes nothing (the baseline's bytes, whatever the intensity and dates). The lever draws nothing:
the reclassification draws on its own key, one uniform per household and month, so a faster pace
reclassifies the baseline's households and more.

Places (plan: 新城镇节点 泊里 李哥庄 姜山 南墅 南村 新河 明村 灵山 田横 铺集 大村 店埠;
growth poles 平度 莱西) and their districts: ``PLACES`` below, from Qingdao's
administrative divisions (行政区划), which the project's reference file does not
list; verify before relying on them. The plan gives no dates, sizes or pace in our
copy: every date, share and multiplier is an assumption, a scenario parameter to sweep; the pace's
range reaches no effect, as a DID of the national new-type urbanization pilots found in part of its
sample (Peng et al. 2021, docs/sources/lever_effects_search.yaml).
A place is upgraded only if the lever is in force in its district on the upgrade
day (between its ``start`` and ``end``), and a district's pace and pull change only while the
lever is in force there.

Intensity: the pace's and the pull's excess over 1 are ``i`` times their full
size (the upgrade days do not depend on ``i``), so both grow from none at 0.
"""

from __future__ import annotations

import numpy as np

from ..core.calendar import DAYS_PER_YEAR
from ..core.districts import DISTRICTS
from ..core.fields import Field, MapOf
from .lever import Lever, lever_section, sourced, uncertain

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
        "place_share_pct": MapOf(
            tuple(PLACES), Field("float", None, "Share of the district's rural residents living in the place.",
                                 unit="%", minimum=0.0, maximum=100.0),
            default={**dict.fromkeys(PLACES, 3.0), "pingdu_pole": 5.0, "laixi_pole": 5.0},
            doc="Share of its district's rural residents living in each new-town node or growth pole: the part "
                "of the district whose reclassification the upgrade speeds up.", unit="%",
            source="assumption: a node town holds a few percent of its district's rural residents; a growth "
                   "pole's upgrade reaches more; sweep it"),
        "pace_multiplier": sourced(Field(
            "float", 20.0, "Multiplier on the reclassification pace of an upgraded place's rural residents, at "
            "full intensity.", unit="multiplier", minimum=1.0, maximum=1000.0,
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
            "float", 5.0, "Years the faster pace lasts from a place's upgrade.", unit="years", minimum=0.0,
            maximum=100.0,
            source="assumption: about the years the default multiplier needs to recode the place's rural "
                   "residents (see pace_multiplier); 100 for as long as the lever is in force"),
        "migrant_pull_multiplier": uncertain(Field(
            "float", 1.2, "Multiplier on an upgraded district's weight in where arrivals settle, at full "
            "intensity.", unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: gravity models give the sign (jobs and services attract migrants, Fan et al. "
                   "2018); size to sweep"),
            searched="migrant inflows to upgraded towns (特色小镇, 新型城镇化试点)"),
    },
    doc="新城镇节点 and growth poles (平度 莱西): dated upgrades that speed up the reclassification of their rural "
        "residents as urban (behaviour.reclassification) and pull migrants.",
)


class NewTownDevelopment(Lever):
    name = "new_town_development"
    schema = SCHEMA

    def __init__(self, context) -> None:
        super().__init__(context)
        cal, settings = self.calendar, self.settings
        days = cal.month_start_on_or_after(np.array([cal.day(settings.upgrade_dates[place]) for place in PLACES]))
        #: each place's upgrade day as the month starts see it (the first month start on or after its date),
        #: the day its faster pace ends, its district, and what it adds to the pace at full intensity
        self.upgrades = [(day, day + settings.pace_years * DAYS_PER_YEAR, DISTRICTS.index(PLACES[place][1]),
                          settings.place_share_pct[place] / 100.0 * (settings.pace_multiplier - 1.0))
                         for place, day in zip(PLACES, days.tolist(), strict=True)]

    def _made(self, when: float, day: float) -> bool:
        """Whether an upgrade of day ``when`` has been made by ``day``: only one dated inside the lever's days
        is made."""
        return when <= day and self.switch_days[0] <= when < self.switch_days[1]

    def reclassification_pace(self, level: np.ndarray, day: float) -> np.ndarray:
        """A district's pace is raised by each place upgraded there, for ``pace_years`` from its upgrade."""
        added = np.zeros(len(DISTRICTS))
        for when, until, d, extra in self.upgrades:
            if self._made(when, day) and day < until:
                added[d] += extra
        return 1.0 + level * added

    def arrival_pull(self, level: np.ndarray, day: float) -> np.ndarray:
        """A district pulls arrivals from its first upgrade made (in the lever's days) while the lever is in
        force there."""
        pull = np.ones(len(DISTRICTS))
        for when, _, d, _ in self.upgrades:
            if self._made(when, day) and level[d] > 0:
                pull[d] = 1.0 + level[d] * (self.settings.migrant_pull_multiplier - 1.0)
        return pull
