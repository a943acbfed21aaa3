"""取消灵活就业人员参加企业职工基本养老保险的城乡户籍限制: flexible workers' pensions without a hukou condition.

Mechanism: before the lever, a flexible worker (灵活就业) may enrol in Qingdao's
employees' basic pension on their own only with an urban hukou (employees are
enrolled by their employer). Where and from when the lever acts, flexible
workers without a Qingdao urban hukou who hold an insurance record and are not
enrolled enrol at ``i * enrolment_hazard_per_year`` (the
``pension_enrolment`` event), which raises ``pension_coverage_non_hukou``.

Intensity: the enrolment hazard is ``i`` times its full size, so enrolments
grow from none at 0 (there is no enrolment under the 2020 rules). Where the
public-services lever also gives permit-holding flexible workers a pension
hazard, they enrol at the higher of the two (before 2026-12-02 this lever's
replaced it, so at a small intensity it cut the other lever's effect).

Evidence: the plan sets the removal of the restriction with a year that our
copy lacks (docs/sources/qingdao_facts.yaml plan.targets, "__年底前"); no source gives the
take-up speed, an assumption to sweep.
"""

from __future__ import annotations

import numpy as np

from ..core.ages import RETIREMENT_AGE
from ..core.codes import LOCAL_URBAN
from ..core.fields import Field
from ..kernel.premises import may_enrol_in_pension
from .lever import Lever, lever_section, uncertain

SCHEMA = lever_section(
    {
        "enrolment_hazard_per_year": uncertain(Field(
            "float", 0.5, "Hazard that an eligible flexible worker enrols, at full intensity.", unit="per year",
            minimum=0.0, maximum=50.0,
            source="assumption: enrolment is voluntary and costs contributions, so take-up is gradual; sweep it"),
            searched="take-up after the hukou condition on flexible workers' pensions was lifted elsewhere"),
    },
    doc="取消灵活就业人员参加企业职工基本养老保险的城乡户籍限制: flexible workers may enrol in the employees' pension "
        "whatever their hukou.",
)


class FlexibleWorkerPension(Lever):
    name = "flexible_worker_pension"
    schema = SCHEMA

    def hazard_subjects(self, state: dict[str, np.ndarray]) -> np.ndarray:
        """Present flexible workers below retirement age, without an urban hukou and not enrolled."""
        return (state["present"] & may_enrol_in_pension(state["pension"], state["employed"]) & state["flexible"]
                & (state["hukou"] != LOCAL_URBAN) & (state["age_years"] < RETIREMENT_AGE))

    def adjust(self, rates: dict[str, np.ndarray], state: dict[str, np.ndarray], level: np.ndarray) -> None:
        """Open the pension enrolment of flexible workers without an urban hukou (in place)."""
        eligible = (level > 0) & self.hazard_subjects(state)
        # the higher of this lever's hazard and one already set (public services' for permit holders): a weak
        # flexible-worker lever never lowers what another lever gives
        rates["pension_enrolment"] = np.where(
            eligible, np.maximum(rates["pension_enrolment"], level * self.settings.enrolment_hazard_per_year),
            rates["pension_enrolment"])
