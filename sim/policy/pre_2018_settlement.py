"""2018年以前的落户政策: the stricter settlement rules before the 2018 hukou reform.

A lever of history, not of the plan: it replays the years before
关于深化户籍制度改革的实施意见 (2018-03, docs/sources/qingdao_facts.yaml policy_history),
which relaxed settlement by talent, residence, investment and points, so that a
backcast from the 2010 census runs under the rules then in force.

Mechanism: where the lever is in force, both hukou-conversion hazards (of
non-local and of local-rural households) are multiplied by ``m ** i``, with
``m`` the ``conversion_hazard_multiplier`` and ``i`` the intensity: geometric
rather than linear in ``i``, so that intensity 0 changes nothing and
intensities compose as a multiplier should. Eligibility is the 2020 rule's;
only the hazard of those eligible falls.

Intensity: the factor ``m ** i`` moves smoothly from 1 at 0 (no step), by
``ln(m) * i`` in the log of the hazard.

Evidence: the reform's text gives the direction (settlement became easier);
the size of the change is not published, so ``m`` is an assumption to sweep
or calibrate against the 2010-2020 census change.
"""

from __future__ import annotations

import numpy as np

from ..core.codes import LOCAL_RURAL, NONLOCAL
from ..core.fields import Field
from .lever import Lever, lever_section, multiply_where, uncertain

SCHEMA = lever_section(
    {
        "conversion_hazard_multiplier": uncertain(Field(
            "float", 0.5, "Multiplier on both hukou-conversion hazards (non-local and local-rural) at full "
            "intensity; at intensity i the hazards are multiplied by this to the power i.", unit="multiplier",
            minimum=0.0, maximum=1.0,
            source="assumption: the 2018 reform relaxed settlement for talent, residence, investment and points "
                   "(policy_history); the size of the change is not published"),
            searched="Qingdao's settlements before and after the 2018 reform"),
    },
    doc="2018年以前的落户政策 settlement before the 2018 hukou reform (a lever of history, for backcasts): "
        "converting hukou was harder, so both conversion hazards are lower.",
)


class Pre2018Settlement(Lever):
    name = "pre_2018_settlement"
    schema = SCHEMA

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Lower ``rates['hukou_conversion']`` where ``level`` > 0 (in place)."""
        origin = (state["hukou"] == NONLOCAL) | (state["hukou"] == LOCAL_RURAL)
        stricter = (level > 0) & origin
        if not stricter.any():
            return
        factor = self.settings.conversion_hazard_multiplier ** level
        multiply_where(rates, "hukou_conversion", stricter, factor)
