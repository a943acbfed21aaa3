"""A run's resolved scenario read against the schema: the levers in force and the assumptions used.

The schema says which defaults are assumptions (``source`` starting with
"assumption"); the saved ``scenario.yaml`` says which value the run used. A
setting the saved file lacks (a run older than the schema) is reported as such.
A value other than the default is not the default's assumption: it is reported
as set in the scenario, with the file (and the comment on its line) that set it
when the manifest records them (``settings_from``, written since 2026-12).
"""

from __future__ import annotations

import datetime as dt
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
    source: str           # the schema's: where the default comes from
    default: Any = None
    changed: bool = False  # the run's value is not the default: ``source`` is not what it rests on
    origin: str = ""      # where the run's value was set ("scenarios/baseline.yaml: <comment>"), if recorded


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


def _plain(value: Any) -> Any:
    """A value as comparable across the schema's defaults and a saved scenario.yaml: numbers as floats,
    dates as ISO text, sequences as lists, mappings key by key."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _default(spec: Field | MapOf) -> Any:
    if isinstance(spec, Field) and spec.kind == "districts" and spec.default == "all":
        return list(DISTRICTS)
    return spec.default


def origin_text(entry: Any) -> str:
    """A manifest's ``settings_from`` entry in words: ``set in <file>`` and the comment on its line."""
    if isinstance(entry, dict):
        where, comment = entry.get("from"), entry.get("comment")
        if where:
            return f"set in {where}" + (f" ({comment})" if comment else "")
    return ""


def assumptions(scenario: dict, settings_from: dict | None = None) -> list[Assumption]:
    """Every assumed parameter in schema order with the run's value; a lever's only when it is in force.

    ``settings_from`` is the manifest's record of where each setting given by a file or ``--set`` came
    from (dotted path -> ``{"from": file, "comment": text}``).
    """
    out: list[Assumption] = []
    unused: list[str] = []              # optional sections (levers) the run left out
    settings_from = settings_from or {}
    for path, spec in walk(SCENARIO):
        if any(path.startswith(section + ".") for section in unused):
            continue
        where = path.split(".")
        if isinstance(spec, Section):
            if spec.optional and not isinstance(_get(scenario, where), dict):
                unused.append(path)
        elif isinstance(spec, Field | MapOf) and spec.source.startswith("assumption"):
            value = _get(scenario, where)
            default = _default(spec)
            changed = value is not MISSING and _plain(value) != _plain(default)
            out.append(Assumption(path, value, spec.unit, spec.doc, spec.source, default, changed,
                                  origin_text(settings_from.get(path)) if changed else ""))
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
