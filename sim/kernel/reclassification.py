"""Reclassification of rural places as urban (in-situ urbanization, 就地城镇化): a baseline process.

Villages become urban places (a 村委会 recoded 居委会, a 镇 made a 街道 whose villages follow) without anyone
moving. ``behaviour.reclassification`` gives the yearly share of each district's rural residents it reaches
(``rate_pct_per_year`` times the district's multiplier); levers may change that pace where they act (the
new-town upgrades, ``policy.PolicySet.reclassification_pace``: a multiplier for each of the plan's places,
applied to the rural residents living there, ``kernel.places``). Cadence: a step of the calendar process at
each month start, after the previous month's record and before the redraw, so that the month's flows are
counted in the month and the residents made urban draw their hazards as urban at once (as a SimPy process
of its own it would share that instant with both). A month reclassifies ``1 - (1 - yearly)^(1/12)`` of the
rural residents, so twelve months compound to the yearly share. The draws come from the
``reclassification`` key alone, one uniform per rural household and month (``Handlers.urbanize_in_place``): a
scenario that changes the pace leaves every other stream's draws unchanged, and a household's draw depends on
nothing but itself and the month.
"""

from __future__ import annotations

import numpy as np

from ..core.districts import DISTRICTS
from .places import PLACE_DISTRICT

MONTHS_PER_YEAR = 12


def monthly_share(yearly_share: np.ndarray) -> np.ndarray:
    """The share of a month that compounds to ``yearly_share`` over twelve months (capped at everyone)."""
    return 1.0 - (1.0 - np.minimum(yearly_share, 1.0)) ** (1.0 / MONTHS_PER_YEAR)


class Reclassification:
    """The baseline pace by district and its monthly step, for one replication.

    Parameters
    ----------
    settings : the scenario's ``behaviour.reclassification`` section.
    handlers : the event handlers (``urbanize_in_place``).
    policies : the levers in force (their ``reclassification_pace``).
    key : the ``reclassification`` key.
    """

    def __init__(self, settings, handlers, policies, key: int) -> None:
        self.yearly_share = (settings.rate_pct_per_year / 100.0
                             * np.array([settings.district_multiplier[d] for d in DISTRICTS]))
        #: the baseline's share of each district's rural residents reclassified in a month
        self.base_monthly = monthly_share(self.yearly_share)
        self.handlers = handlers
        self.policies = policies
        self.key = key

    def at_month_start(self, day: float) -> np.ndarray:
        """Reclassify this month's share of each district's rural residents; return the rows of those
        reclassified. A lever's faster pace acts on the residents of its places (``kernel.places``) alone; the
        households it adds to the baseline's are marked as new-town residents."""
        pace = self.policies.reclassification_pace(day)
        if pace is None:
            return self.handlers.urbanize_in_place(self.base_monthly, day, self.key)
        return self.handlers.urbanize_in_place(self.base_monthly, day, self.key, self.base_monthly,
                                               monthly_share(self.yearly_share[PLACE_DISTRICT] * pace))
