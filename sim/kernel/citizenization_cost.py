"""The public cost of citizenization (市民化成本): what the city spends when it covers a person it did not
cover before, by service, at low, central and high unit costs.

Why: a planner asks what zero-threshold settlement or opening schools costs, not only how many it reaches.
A person converting to a Qingdao urban hukou is newly covered by the social insurance (pensions and health:
the study's 社会保障成本, one figure for both) and by housing support; a non-hukou child newly holding a
public place (preschool, compulsory school or high school: the net rise of such children over the year
before, by district) is newly covered by schooling. The month's cost by district is the sum over services of
the newly covered persons times the cost per person (``sim/data/services.yaml``: 中国社会科学院 2013, the
eastern region as the central, the national average as the low, an assumed factor on the central as the
high), in yuan at the study's prices (about 2012, not deflated). A converted child already holding a public
place costs no new place; the study's yearly running costs are left out (services.yaml ``left_out``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.fields import Field, Section
from ..data import load_services

#: the services whose cost is counted, and whom each newly covers
COST_SERVICES = ("schooling", "social_security", "housing")
#: the indicator of each service's central cost by district
COST_INDICATORS = {service: f"citizenization_cost_{service}" for service in COST_SERVICES}
#: every indicator ``monthly_costs`` fills, yuan by district
COST_NAMES = ("citizenization_cost", "citizenization_cost_low", "citizenization_cost_high",
              *COST_INDICATORS.values())

_COST = load_services()["cost"]
_UNIT = _COST["per_person_yuan"]
_STUDY = "中国社会科学院 中国城市发展报告 2013 (sim/data/services.yaml cost)"
_YUAN: dict[str, Any] = {"unit": "yuan", "minimum": 0.0, "maximum": 1e7}
_WHAT = {"schooling": "per non-hukou child newly holding a public place (随迁子女 新建学校和义务教育成本)",
         "social_security": "per person converting to a Qingdao urban hukou: pensions and health insurance "
                            "(社会保障成本)",
         "housing": "per person converting to a Qingdao urban hukou (住房保障成本)"}

SCHEMA = Section(
    {
        **{f"{service}_yuan": Field(
            "float", float(_UNIT[service]["central"]), f"Central public cost {_WHAT[service]}.", **_YUAN,
            source=f"{_STUDY}: the eastern region's {_UNIT[service]['central']} yuan, about 2012 prices")
           for service in COST_SERVICES},
        **{f"{service}_low_yuan": Field(
            "float", float(_UNIT[service]["low"]), f"Low public cost {_WHAT[service]}.", **_YUAN,
            source=f"{_STUDY}: the national average {_UNIT[service]['low']} yuan, about 2012 prices")
           for service in COST_SERVICES},
        "high_factor": Field(
            "float", float(_COST["high_factor"]), "High cost as a multiple of the central, for every service.",
            unit="multiplier", minimum=1.0, maximum=10.0,
            source="assumption: " + _COST["high_factor_assumption"]),
    },
    doc="The public cost per newly covered person by service (schooling; social insurance, pensions and health "
        "together; housing support), low, central and high, in yuan at the study's prices (about 2012).",
)


def monthly_costs(settings, converted: np.ndarray, newly_schooled: np.ndarray) -> dict[str, np.ndarray]:
    """The month's public cost by district, yuan: ``converted`` persons who took a Qingdao urban hukou and
    ``newly_schooled`` non-hukou children newly holding a public place (persons, by district). The central
    cost by service, its total, and the low and high totals."""
    covered = {"schooling": newly_schooled, "social_security": converted, "housing": converted}
    central = {service: covered[service] * getattr(settings, f"{service}_yuan") for service in COST_SERVICES}
    out = {COST_INDICATORS[service]: cost for service, cost in central.items()}
    out["citizenization_cost"] = sum(central.values(), np.zeros(len(converted)))
    out["citizenization_cost_low"] = sum((covered[service] * getattr(settings, f"{service}_low_yuan")
                                          for service in COST_SERVICES), np.zeros(len(converted)))
    out["citizenization_cost_high"] = out["citizenization_cost"] * settings.high_factor
    return out
