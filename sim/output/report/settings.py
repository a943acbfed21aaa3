"""A run's resolved scenario read against the schema: the levers in force and the assumptions used.

The schema says which defaults are assumptions (``source`` starting with
"assumption"); the saved ``scenario.yaml`` says which value the run used. A
setting the saved file lacks (a run older than the schema) is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.districts import DISTRICTS
from ...core.fields import Field, MapOf, Section
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

    def walk(section: Section, path: list[str]) -> None:
        for name, spec in section.fields.items():
            where = [*path, name]
            if isinstance(spec, Section):
                if not spec.optional or isinstance(_get(scenario, where), dict):
                    walk(spec, where)
            elif spec.source.startswith("assumption"):
                doc = spec.doc if isinstance(spec, (Field, MapOf)) else ""
                out.append(Assumption(".".join(where), _get(scenario, where), spec.unit, doc, spec.source))

    walk(SCENARIO, [])
    return out


def levers(scenario: dict) -> list[Lever]:
    """The policy levers in force (``policies.<lever>`` set), with their settings as saved."""
    schema = SCENARIO.fields["policies"].fields
    policies = scenario.get("policies") or {}
    out = []
    for name, value in policies.items():
        if isinstance(value, dict):
            shown = dict(value)
            if sorted(shown.get("districts") or ()) == sorted(DISTRICTS):
                shown["districts"] = "all"
            out.append(Lever(name, schema[name].doc if name in schema else "", shown))
    return out
