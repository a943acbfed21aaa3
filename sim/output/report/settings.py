"""A run's resolved scenario read against the schema: the levers in force and the assumptions used.

The schema says which defaults are assumptions (``source`` starting with
"assumption"); the saved ``scenario.yaml`` says which value the run used. A
setting the saved file lacks (a run older than the schema) is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.districts import DISTRICTS
from ...core.fields import Field, MapOf, Section, resolve, walk
from ...scenario.schema import SCENARIO

MISSING = object()


@dataclass(frozen=True)
class Assumption:
    path: str
    value: Any            # MISSING when the run's scenario.yaml lacks the setting
    unit: str
    doc: str
    source: str


@dataclass(frozen=True)
class Lever:
    name: str
    doc: str
    settings: dict


def _get(data: Any, path: list[str]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return MISSING
        data = data[key]
    return data


def assumptions(scenario: dict) -> list[Assumption]:
    """Every assumed parameter in schema order with the run's value; a lever's only when it is in force."""
    out: list[Assumption] = []
    unused: list[str] = []              # optional sections (levers) the run left out
    for path, spec in walk(SCENARIO):
        if any(path.startswith(section + ".") for section in unused):
            continue
        where = path.split(".")
        if isinstance(spec, Section):
            if spec.optional and not isinstance(_get(scenario, where), dict):
                unused.append(path)
        elif isinstance(spec, Field | MapOf) and spec.source.startswith("assumption"):
            out.append(Assumption(path, _get(scenario, where), spec.unit, spec.doc, spec.source))
    return out


def levers(scenario: dict) -> list[Lever]:
    """The policy levers in force (``policies.<lever>`` set), with their settings as saved."""
    policies_schema = resolve(SCENARIO, "policies")
    assert isinstance(policies_schema, Section)
    schema = policies_schema.fields
    policies = scenario.get("policies") or {}
    out = []
    for name, value in policies.items():
        if isinstance(value, dict):
            shown = dict(value)
            if sorted(shown.get("districts") or ()) == sorted(DISTRICTS):
                shown["districts"] = "all"
            out.append(Lever(name, schema[name].doc if name in schema else "", shown))
    return out
