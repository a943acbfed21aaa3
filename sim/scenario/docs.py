"""Render the scenario schema as a Markdown reference.

The reference is generated, never written by hand, so that it cannot drift from
the schema: ``python -m sim.scenario.docs > docs/scenario-reference.md``
(a test compares the two).
"""

from __future__ import annotations

import sys
from typing import Any

from ..core.fields import Field, MapOf, Section
from .schema import SCENARIO
from .validation import PATTERN_WORDS, show

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
    """The whole schema as Markdown: one heading and one table per section."""
    lines = ["# Scenario reference", "", INTRO, ""]
    _render_section(SCENARIO, "", lines)
    return "\n".join(lines).rstrip("\n") + "\n"


def _render_section(section: Section, path: str, lines: list[str]) -> None:
    lines += [f"## `{path}`" if path else "## Top level", "", section.doc, ""]
    if section.optional:
        lines += ["Optional: leave the section out and the lever is not used.", ""]
    rows = {name: spec for name, spec in section.fields.items() if not isinstance(spec, Section)}
    subsections = [name for name, spec in section.fields.items() if isinstance(spec, Section)]
    if not section.fields:
        lines += ["No settings in this version; any key here is an error.", ""]
    if rows:
        lines += ["| key | meaning | unit | default | source |", "|---|---|---|---|---|"]
        for name, spec in rows.items():
            cells = [f"`{name}`", _meaning(spec), spec.unit, _default(spec), spec.source]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    if subsections:
        names = ", ".join(f"`{_join(path, name)}`" for name in subsections)
        lines += [f"Sections: {names}.", ""]
    for name in subsections:
        _render_section(section.fields[name], _join(path, name), lines)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _meaning(spec: Field | MapOf) -> str:
    if isinstance(spec, MapOf):
        allowed = _allowed(spec.value)
        return f"{spec.doc} Each value: {allowed[0].lower()}{allowed[1:]}"
    return f"{spec.doc} {_allowed(spec)}"


def _allowed(spec: Field) -> str:
    """What values are allowed, in words (the same limits validation enforces)."""
    if spec.kind == "bool":
        return "True or false."
    if spec.kind == "districts":
        return "`all` or a list of: " + ", ".join(spec.choices) + "."
    if spec.kind == "str":
        words = PATTERN_WORDS.get(spec.pattern, f"matching {spec.pattern}") if spec.pattern else ""
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


def _default(spec: Field | MapOf) -> str:
    if isinstance(spec, MapOf):
        return ", ".join(f"{key}: {_value(spec.default[key])}" for key in spec.keys)
    return _value(spec.default)


def _value(value: Any) -> str:
    if value is None:
        return "-"
    if value == "":
        return '""'
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_value(amount)}" for key, amount in value.items())
    return show(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
