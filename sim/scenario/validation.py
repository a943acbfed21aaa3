"""Turn a raw scenario mapping (from YAML) into a frozen, fully defaulted scenario.

Validation walks the declarative schema (``schema.py``) rather than repeating it,
so every check, default and error message follows from one description of the
settings. Errors name the dotted path of the setting and say in plain words what
is allowed, because scenario files are written by planners, not programmers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..core.fields import Field, MapOf, Section
from ..data import load_census
from .schema import NAME_PATTERN, SCENARIO

#: what each kind of value is called in error messages
EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "str": "text",
    "bool": "true or false",
    "date": "a date like 2021-01-01",
    "districts": "'all' or a list of districts",
    "schedule": "a mapping of dates to numbers, like {2021-12-31: 100, 2023-12-31: 300}",
}

#: plain-words explanation of the regular expressions used in the schema
PATTERN_WORDS = {
    NAME_PATTERN: "letters, digits, '_', '-' and '.', up to 64 characters, starting with a letter or digit",
}

#: how a date is written in scenario files and resolved scenarios (ISO 8601)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# YAML 1.1 (PyYAML) reads 1e-5 as text; accept such numbers written without a dot
_SCI_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


class ScenarioError(Exception):
    """A scenario that cannot be used, explained for the person who wrote it.

    Attributes
    ----------
    message : what is wrong and what is allowed, one line.
    field : dotted path of the offending setting (``period.end``), or None.
    file : the file (or ``--set``) the offending value came from, or None.
    """

    def __init__(self, message: str, field: str | None = None, file: str | None = None) -> None:
        super().__init__(message, field, file)
        self.message = str(message).replace("\n", " ")
        self.field = field
        self.file = file

    def __str__(self) -> str:
        return ": ".join(str(part) for part in (self.file, self.field, self.message) if part is not None)


class Frozen:
    """Read-only settings of one section: attribute access, no assignment.

    Nested sections are ``Frozen`` too; mappings over a key set (``MapOf``) are
    read-only ``MappingProxyType`` views in schema key order.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        frozen = {
            key: MappingProxyType(dict(value)) if isinstance(value, dict | MappingProxyType) else value
            for key, value in values.items()
        }
        object.__setattr__(self, "_values", frozen)

    def __getattr__(self, name: str) -> Any:
        if name == "_values":  # not yet set (during copying); avoid recursion
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting {name!r}; settings here: {', '.join(self._values)}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("scenario settings are read-only; change the scenario file or use --set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("scenario settings are read-only")

    def __dir__(self) -> list[str]:
        return [*self._values, "items", "to_dict"]

    def __reduce__(self) -> tuple:
        plain = {k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in self._values.items()}
        return (type(self), (plain,))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_dict()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{type(self).__name__}({inner})"

    def items(self):
        """(name, value) pairs of this section, in schema order."""
        return self._values.items()

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dicts in schema order, dates as ISO strings (for writing YAML)."""
        return {key: _plain(value) for key, value in self._values.items()}


class Scenario(Frozen):
    """A validated scenario: ``sc.behaviour.hukou.min_insurance_years``."""

    __slots__ = ()


def _plain(value: Any) -> Any:
    if isinstance(value, Frozen):
        return value.to_dict()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, MappingProxyType):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validate(data: Mapping | None, *, file: str | None = None, default_name: str | None = None) -> Scenario:
    """Check ``data`` against the schema, fill in defaults and freeze it.

    ``name`` defaults to ``default_name`` (the file stem), else ``"scenario"``.
    Raises ``ScenarioError`` on the first problem found, with ``file`` set.
    """
    try:
        if data is None:  # an empty YAML file
            data = {}
        if not isinstance(data, Mapping):
            raise ScenarioError(f"the scenario must be a mapping of settings, got {describe(data)}")
        values = _section(SCENARIO, data, "")
        if values["name"] is None:
            values["name"] = _default_name(default_name)
        _check_period(values["period"])
        _check_census(values["period"], values["population"])
        _check_levers(values["policies"])
        return Scenario(values)
    except ScenarioError as err:
        if err.file is None:
            err.file = file
        raise


def _default_name(default_name: str | None) -> str:
    try:
        return _scalar(SCENARIO.fields["name"], default_name or "scenario", "name", required=True)
    except ScenarioError as err:
        raise ScenarioError(f"{err.message} (taken from the file name; set 'name:' in the scenario)",
                            "name") from None


def _check_period(period: Frozen) -> None:
    start, end = period.start, period.end
    if start.day != 1:
        raise ScenarioError(f"must be the first day of a month, got {start}", "period.start")
    if (end + dt.timedelta(days=1)).day != 1:
        raise ScenarioError(f"must be the last day of a month, got {end}", "period.end")
    if end <= start:
        raise ScenarioError(f"must be after period.start ({start}), got {end}", "period.end")


def _check_census(period: Frozen, population: Frozen) -> None:
    """The population is the census's, so the run cannot start before the census was taken."""
    reference = load_census()[f"census_{population.census}"]["reference_date"]
    if period.start < reference:
        raise ScenarioError(f"must be on or after {reference}, the reference date of the {population.census} "
                            f"census (population.census), got {period.start}", "period.start")


def _check_levers(policies: Frozen) -> None:
    for name, lever in policies.items():
        if lever is not None and lever.end is not None and lever.end <= lever.start:
            raise ScenarioError(f"must be after policies.{name}.start ({lever.start}), got {lever.end}",
                                f"policies.{name}.end")


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _section(section: Section, data: Any, path: str) -> dict[str, Any]:
    if data is None:  # "behaviour:" with everything below commented out
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"expected a mapping of settings, got {describe(data)}", path or None)
    for key in data:
        if not isinstance(key, str) or key not in section.fields:
            raise _unknown(key, tuple(section.fields), path)
    values: dict[str, Any] = {}
    for name, spec in section.fields.items():
        sub = _join(path, name)
        if isinstance(spec, Section) and spec.optional and data.get(name) is None:
            values[name] = None                       # left out: this lever is not used
        elif isinstance(spec, Section):
            values[name] = Frozen(_section(spec, data.get(name), sub))
        elif isinstance(spec, MapOf):
            values[name] = _map(spec, data.get(name), sub)
        elif name in data:
            values[name] = _scalar(spec, data[name], sub, required=spec.default is not None)
        else:
            values[name] = None if spec.default is None else _scalar(spec, spec.default, sub, required=True)
    return values


def _map(spec: MapOf, data: Any, path: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        example = f"{spec.keys[0]}: {show(spec.default[spec.keys[0]])}"
        raise ScenarioError(f"expected a mapping like '{example}', got {describe(data)}", path)
    given = {}
    for key, value in data.items():
        # YAML reads an unquoted key 1 as a number; the schema's keys are text
        name = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
        if not isinstance(name, str) or name not in spec.keys:
            raise _unknown(key, spec.keys, path)
        given[name] = value
    return {
        key: _scalar(spec.value, given[key] if key in given else spec.default[key], _join(path, key),
                     required=not spec.nullable)
        for key in spec.keys
    }


def _unknown(key: Any, allowed: tuple[str, ...], path: str) -> ScenarioError:
    where = _join(path, key)
    if not allowed:
        return ScenarioError(f"unknown key {show(key)}: '{path}' takes no settings yet in this version",
                             where)
    message = f"unknown key {show(key)}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
    return ScenarioError(f"{message} (allowed: {', '.join(allowed)})", where)


def _scalar(spec: Field, value: Any, path: str, *, required: bool) -> Any:
    if value is None:
        if required:
            raise ScenarioError(f"a value is required ({EXPECTED[spec.kind]})", path)
        return None
    if spec.kind == "districts":
        return _districts(spec.choices, value, path)
    if spec.kind == "schedule":
        return _schedule(spec, value, path)
    value = _convert(spec.kind, value, path)
    low, high = spec.minimum, spec.maximum
    if spec.kind == "date":
        low = None if low is None else dt.date.fromisoformat(low)
        high = None if high is None else dt.date.fromisoformat(high)
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bounds = f"between {show(low)} and {show(high)}"
        else:
            bounds = f"at least {show(low)}" if low is not None else f"at most {show(high)}"
        raise ScenarioError(f"must be {bounds}, got {show(value)}", path)
    if spec.choices is not None and value not in spec.choices:
        allowed = ", ".join(show(c) for c in spec.choices)
        raise ScenarioError(f"must be one of {allowed}; got {show(value)}", path)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        words = PATTERN_WORDS.get(spec.pattern, f"text matching the pattern {spec.pattern}")
        raise ScenarioError(f"must be {words}; got {show(value)}", path)
    return value


def _districts(allowed: tuple[str, ...], value: Any, path: str) -> tuple[str, ...]:
    """``all`` or a list of district names, as a tuple in the schema's district order."""
    if value == "all":
        return tuple(allowed)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ScenarioError(f"expected {EXPECTED['districts']} such as [pingdu, laixi], got {describe(value)}",
                            path)
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            message = f"unknown district {show(item)}"
            close = difflib.get_close_matches(str(item), allowed, n=1, cutoff=0.6)
            if close:
                message += f"; did you mean '{close[0]}'?"
            raise ScenarioError(f"{message} (allowed: all, {', '.join(allowed)})", path)
    return tuple(d for d in allowed if d in value)


def _schedule(spec: Field, value: Any, path: str) -> dict:
    """A mapping ``date: number``, each number within the field's bounds, in date order."""
    if not isinstance(value, Mapping) or not value:
        raise ScenarioError(f"expected {EXPECTED['schedule']}, got {describe(value)}", path)
    number = Field("float", 0.0, "", minimum=spec.minimum, maximum=spec.maximum)
    out = {}
    for key, amount in value.items():
        day = _convert_date(key, path, ScenarioError(
            f"expected dates as keys (like 2021-12-31), got {describe(key)}", path))
        if day in out:
            raise ScenarioError(f"the date {day} appears twice", path)
        out[day] = _scalar(number, amount, f"{path}.{day}", required=True)
    return dict(sorted(out.items()))


def _convert(kind: str, value: Any, path: str) -> Any:
    wrong = ScenarioError(f"expected {EXPECTED[kind]}, got {describe(value)}", path)
    if kind == "float":
        if isinstance(value, str) and _SCI_NUMBER.fullmatch(value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if not math.isfinite(value):
            raise ScenarioError(f"expected a finite number, got {value}", path)
        return float(value)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if isinstance(value, float) and not value.is_integer():
            raise ScenarioError(f"expected a whole number, got {value}", path)
        return int(value)
    if kind == "str":
        if isinstance(value, bool | int | float | dt.date):
            raise ScenarioError(f"{wrong.message}; write it in quotes to use it as text", path)
        if not isinstance(value, str):
            raise wrong
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise wrong
        return value
    return _convert_date(value, path, wrong)


def _convert_date(value: Any, path: str, wrong: ScenarioError) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0) or value.tzinfo is not None:
            raise ScenarioError(f"expected a date without a time of day, got {value}", path)
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ScenarioError(f"expected a date like 2021-01-01, got {show(value)} (no such day)",
                                path) from None
    raise wrong


def show(value: Any) -> str:
    """A value as a scenario file would spell it, shortened to fit one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe(value: Any) -> str:
    """A value and its type, for 'expected X, got Y' messages."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"{show(value)} ({type(value).__name__})"
