"""The plan's quantified targets (``sim/data/targets.yaml``), with a scenario's own values applied.

Each target names the indicator that measures it, a comparator, a value (``None``
where our copy of the plan lost the number) and the year it is judged in. A
scenario's ``targets:`` section sets or overrides values by target id.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files

from .core.safe_load import load_yaml

COMPARATORS = (">=", "<=", "==")


@dataclass(frozen=True)
class Target:
    id: str
    indicator: str
    comparator: str
    value: float | None
    unit: str
    year: int
    zh: str
    en: str
    cumulative_from: int | None = None

    def met_by(self, simulated: float) -> bool:
        """Whether a simulated value meets the target (``value`` must be set)."""
        if self.value is None:
            raise ValueError(f"target {self.id}: no value to be met (the plan's number is missing)")
        if self.comparator == ">=":
            return simulated >= self.value
        if self.comparator == "<=":
            return simulated <= self.value
        return simulated == self.value


@cache
def plan_targets() -> tuple[Target, ...]:
    """The targets as published (values as in the plan, ``None`` where missing)."""
    data = load_yaml(files("sim.data").joinpath("targets.yaml").read_text(encoding="utf-8"))
    out = []
    for t in data["targets"]:
        if t["comparator"] not in COMPARATORS:
            raise ValueError(f"targets.yaml: {t['id']}: comparator {t['comparator']!r} not in {COMPARATORS}")
        out.append(Target(id=t["id"], indicator=t["indicator"], comparator=t["comparator"],
                          value=None if t["value"] is None else float(t["value"]), unit=t["unit"],
                          year=int(t["year"]), zh=t["zh"], en=t["en"], cumulative_from=t.get("cumulative_from")))
    return tuple(out)


def scenario_targets(scenario) -> tuple[Target, ...]:
    """The targets with the scenario's ``targets:`` values in place of the plan's."""
    values = scenario.targets
    return tuple(replace(t, value=values[t.id]) for t in plan_targets())
