"""Render the scenario schema (or any schema written with ``sim.core.fields``) as a Markdown reference.

The reference is generated, never written by hand, so that it cannot drift from
the schema: ``python -m sim.scenario.docs > docs/scenario-reference.md``
(a test compares the two; the sweep and calibration specs' reference is made the
same way by ``sim/spec_reference.py``).
"""

from __future__ import annotations

import sys
from typing import Any

from ..core.fields import Field, ListOf, MapOf, Paths, Section, join, walk
from .schema import SCENARIO
from .uncertainty import LEVER_FIELDS
from .validation import pattern_words, show

INTRO = (
    "This reference is generated from `sim/scenario/schema.py` by "
    "`python -m sim.scenario.docs > docs/scenario-reference.md`; do not edit it by hand. "
    "A scenario file gives any subset of these settings and the others keep their defaults; "
    "a scenario may start from another with `extends: other.yaml`, and the command line may change "
    "single values with `--set key.path=value`. "
    'Parameters whose source starts with "assumption" are not published figures but assumptions, '
    "to be calibrated or swept."
)

_KIND_WORDS = {"float": "A number", "int": "A whole number", "date": "A date",
               "schedule": "Dates mapped to numbers (`{2021-12-31: 100, 2023-12-31: 300}`), each number"}


def render_markdown() -> str:
    """The whole scenario schema as Markdown: one heading and one table per section."""
    lines = ["# Scenario reference", "", INTRO, ""]
    render_schema(SCENARIO, lines)
    return "\n".join(lines).rstrip("\n") + "\n"


#: the lines that enclose the lever effects' table in docs/model.md (``render_lever_effects``)
LEVER_EFFECTS_MARKERS = ("<!-- lever effects: python -m sim.scenario.docs --lever-effects -->",
                         "<!-- end of lever effects -->")


def render_lever_effects() -> str:
    """Every lever effect uncertainty mode draws, as a Markdown table (lever, effect, low/central/high, where
    the range comes from), between ``LEVER_EFFECTS_MARKERS``: the table of docs/model.md section 7.10."""
    lines = [LEVER_EFFECTS_MARKERS[0], "", "| lever | effect | unit | low | central | high | range's source |",
             "|---|---|---|---|---|---|---|"]
    for lever, path, spec in LEVER_FIELDS:
        assert spec.effect_range is not None          # LEVER_FIELDS holds only fields with a range
        low, high = spec.effect_range
        lines.append(f"| `{lever}` | `{path}` | {_cell(spec.unit)} | {_value(low)} | {_value(spec.default)} | "
                     f"{_value(high)} | {_cell(spec.range_source)} |")
    return "\n".join([*lines, "", LEVER_EFFECTS_MARKERS[1]]) + "\n"


def render_schema(schema: Section, lines: list[str], title: str = "") -> None:
    """Append one heading and one table per section of ``schema`` to ``lines``, in schema order.

    ``title`` starts every heading (``## Sweep spec: `parameters.<setting>` ``); without it the top
    section is "Top level" and the others their dotted path.
    """
    for path, node in walk(schema):
        if isinstance(node, Section):
            _render_section(node, path, lines, title)


def _render_section(section: Section, path: str, lines: list[str], title: str) -> None:
    where = f"`{path}`" if path else "Top level"
    heading = (f"{title}: {where}" if path else title) if title else where
    lines += [f"## {heading}", "", section.doc, ""]
    if section.optional:
        lines += ["Optional: leave the section out and the lever is not used.", ""]
    rows = {name: spec for name, spec in section.fields.items() if not isinstance(spec, Section)}
    subsections = [name for name, spec in section.fields.items() if isinstance(spec, Section)]
    if not section.fields:
        lines += ["No settings in this version; any key here is an error.", ""]
    if rows:
        lines += ["| key | meaning | unit | default | source |", "|---|---|---|---|---|"]
        for name, spec in rows.items():
            cells = [f"`{name}`", _meaning(spec, join(path, name)), spec.unit, _default(spec), _source(spec)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    if subsections:
        names = ", ".join(f"`{join(path, name)}`" for name in subsections)
        lines += [f"Sections: {names}.", ""]


def _meaning(spec: Field | MapOf | Paths | ListOf, path: str) -> str:
    if isinstance(spec, Field):
        return f"{spec.doc} {_allowed(spec)}{_effect_range(spec)}"
    if isinstance(spec, ListOf):
        example = f" (`{spec.example}`)" if spec.example else ""
        return f"{spec.doc} A list{example}, each item: {_lower(_allowed(spec.item))}"
    free = isinstance(spec, MapOf) and spec.keys is None
    pattern = spec.key_pattern if isinstance(spec, MapOf) else None
    names = f"names ({pattern_words(pattern)})" if pattern else "any names"
    keys = (f"Keys: {names}; each value: " if free else
            f"Keys: dotted paths of {_settings(spec.kinds)}; each value: " if isinstance(spec, Paths) else
            "Each value: ")
    weights = " The values are weights: at least one must be above zero." if isinstance(spec, MapOf) and spec.weights \
        else ""
    aliases = " Keys may also be the Chinese names (平度 for pingdu)." if isinstance(spec, MapOf) and spec.aliases \
        else ""
    return f"{spec.doc}{aliases} {keys}{_entries(spec, path)}{weights}"


def _effect_range(spec: Field) -> str:
    if spec.effect_range is None:
        return ""
    low, high = (_value(v) for v in spec.effect_range)
    return (f" Uncertainty mode draws it uniformly from {low} to {high} (the range of the default; about a "
            "scenario's own value, the same shares of its effect).")


def _source(spec: Field | MapOf | Paths | ListOf) -> str:
    if isinstance(spec, Field) and spec.effect_range is not None:
        return f"{spec.source}; range: {spec.range_source}" if spec.source else f"range: {spec.range_source}"
    return spec.source


def _settings(kinds: tuple[str, ...] | None) -> str:
    if kinds is None:
        return "settings"
    return " or ".join({"float": "number", "int": "whole-number"}.get(kind, kind) for kind in kinds) + " settings"


def _entries(spec: MapOf | Paths, path: str) -> str:
    """What each entry of a mapping holds, in words."""
    value = spec.value
    if value is None:
        return "the setting's value, checked when the scenario loads with it."
    if isinstance(value, Section):
        return f"a group of settings, `{join(path, spec.key_name)}` below."
    if isinstance(value, Paths):
        return f"dotted paths of {_settings(value.kinds)} to their values, like `population.scale: 1000`."
    if isinstance(value, Field):
        return _lower(_allowed(value))
    return _lower(_meaning(value, join(path, spec.key_name)))


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _allowed(spec: Field) -> str:
    """What values are allowed, in words (the same limits validation enforces)."""
    if spec.kind == "bool":
        return "True or false."
    if spec.kind == "districts":
        return "`all` or a list of: " + ", ".join(spec.choices or ()) + " (or their Chinese names: 平度, 平度市)."
    if spec.kind == "str":
        words = pattern_words(spec.pattern) if spec.pattern else ""
        if spec.choices:
            words = "one of " + ", ".join(f"`{c}`" for c in spec.choices) + " (in quotes)"
        return f"Text: {words}." if words else "Text."
    text = _KIND_WORDS[spec.kind]
    if spec.minimum is not None and spec.maximum is not None:
        text += f" from {_value(spec.minimum)} to {_value(spec.maximum)}"
    elif spec.minimum is not None:
        text += f", at least {_value(spec.minimum)}"
    elif spec.maximum is not None:
        text += f", at most {_value(spec.maximum)}"
    if spec.choices:
        text += ", one of " + ", ".join(show(c) for c in spec.choices)
    return text + "."


def _default(spec: Field | MapOf | Paths | ListOf) -> str:
    if getattr(spec, "required", False):
        return "required"
    if isinstance(spec, MapOf) and spec.keys is not None:
        return ", ".join(f"{key}: {_value(spec.default[key])}" for key in spec.keys)
    if isinstance(spec, Paths):
        return "-"
    return _value(spec.default)


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if value == "":
        return '""'
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value(amount)}" for key, amount in value.items()) if value else "{}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return show(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.write(render_lever_effects() if sys.argv[1:] == ["--lever-effects"] else render_markdown())
