"""Turn a raw scenario mapping (from YAML) into a frozen, fully defaulted scenario; check any settings file.

Validation walks the declarative schema (``schema.py``) rather than repeating it,
so every check, default and error message follows from one description of the
settings. Errors name the dotted path of the setting and say in plain words what
is allowed, because scenario files are written by planners, not programmers.
``check`` does the same for any schema written with ``sim.core.fields`` (the sweep
and calibration specs), so those files get the same messages.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..core.districts import DISTRICT_ALIASES, DISTRICTS
from ..core.fields import (
    Field,
    ListOf,
    MapOf,
    Node,
    PathError,
    Paths,
    Section,
    canonical,
    closest,
    join,
    printable,
    resolve,
    spell,
)
from ..core.fields import unknown_key as _unknown_message
from ..data import load_census
from ..kernel.citizenization_cost import COST_SERVICES
from ..kernel.places import PLACE_DISTRICT, PLACES
from ..submodels import transport
from .schema import NAME_PATTERN, SCENARIO, YEAR_PATTERN

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
#: what each kind of group is called in error messages
GROUP_WORDS = {Section: "a group of settings", MapOf: "a mapping of settings", Paths: "a mapping of settings",
               ListOf: "a list"}

#: plain-words explanation of the regular expressions used in the schema
PATTERN_WORDS = {
    NAME_PATTERN: "letters, digits, '_', '-' and '.', up to 64 characters, starting with a letter or digit",
    YEAR_PATTERN: "a year from 1900 to 2199, like 2022",
}

#: how a date is written in scenario files and resolved scenarios (ISO 8601)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the YAML 1.1 booleans that the reader leaves as text (``core.safe_load``: a district or a name ``no`` is
#: text); a true-or-false setting takes them as YAML 1.1 meant them
YAML11_BOOLEANS = {word: truth for words, truth in (("yes Yes YES on On ON", True), ("no No NO off Off OFF", False))
                   for word in words.split()}
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
        """One line; the file, the field (keys as written) and any quoted text with control characters escaped."""
        return printable(": ".join(str(part) for part in (self.file, self.field, self.message) if part is not None))


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
    if data is not None and not isinstance(data, Mapping):
        raise ScenarioError(f"the scenario must be a mapping of settings, got {describe(data)}", file=file)
    values = check(SCENARIO, data, file=file, default_name=default_name or "scenario")
    try:
        _check_period(values["period"])
        _check_census(values["period"], values["population"])
        _check_levers(values["policies"])
        _check_parking(values["submodels"].transport)
        _check_costs(values["services"].cost)
        _check_places(values["population"].places)
        return Scenario(values)
    except ScenarioError as err:
        if err.file is None:
            err.file = file
        raise


def check(schema: Section, data: Mapping | None, *, file: str | None = None,
          default_name: str | None = None) -> dict[str, Any]:
    """Check ``data`` (a file's mapping) against any schema, fill in defaults; the values by field name.

    Nested sections come back ``Frozen``, mappings as dicts, lists as tuples. A ``name`` field left
    out (and without a default) is ``default_name`` (the file stem), checked like a given name.
    Raises ``ScenarioError`` on the first problem found, naming the field's dotted path and ``file``.
    """
    try:
        if data is None:  # an empty YAML file
            data = {}
        if not isinstance(data, Mapping):
            raise ScenarioError(f"expected a mapping of settings, got {describe(data)}")
        values = _section(schema, data, "")
        name = schema.fields.get("name")
        if isinstance(name, Field) and "name" in data and data["name"] is None:     # 'name:', '--set name='
            raise ScenarioError("the name is empty: give one, or leave the setting out to use the file's name",
                                "name")
        if default_name is not None and isinstance(name, Field) and values["name"] is None:
            values["name"] = _default_name(name, default_name)
        return values
    except ScenarioError as err:
        if err.file is None:
            err.file = file
        raise


def _default_name(spec: Field, default_name: str) -> str:
    try:
        return _scalar(spec, default_name, "name", required=True)
    except ScenarioError as err:
        raise ScenarioError(f"{err.message} (taken from the file name; set 'name:' in the file)",
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


def _check_parking(settings: Frozen) -> None:
    problem = transport.parking_built_beyond_planned(settings)
    if problem:
        raise ScenarioError(f"built spaces cannot exceed planned ones: {problem}",
                            "submodels.transport.parking_built_spaces_cumulative")


def _check_costs(cost: Frozen) -> None:
    """A service's low cost per person must not exceed its central one."""
    for service in COST_SERVICES:
        low, central = getattr(cost, f"{service}_low_yuan"), getattr(cost, f"{service}_yuan")
        if low > central:
            raise ScenarioError(f"must not exceed services.cost.{service}_yuan ({central:g}), got {low:g}",
                                f"services.cost.{service}_low_yuan")


def _check_places(places: Frozen) -> None:
    """The places of one district hold at most all of its rural, and of its urban, residents."""
    for part in ("rural", "urban"):
        shares = getattr(places, f"{part}_share_pct")
        for d, district in enumerate(DISTRICTS):
            inside = [p for p in PLACES if PLACE_DISTRICT[PLACES.index(p)] == d]
            total = sum(shares[p] for p in inside)
            if total > 100.0:
                raise ScenarioError(f"the places of {district} ({', '.join(inside)}) must hold at most 100% of its "
                                    f"{part} residents together, got {total:g}%",
                                    f"population.places.{part}_share_pct")


def inert_levers(scenario: Scenario) -> list[tuple[str, str]]:
    """``(field, message)`` for every lever set in ``scenario`` that cannot act within its period: one that takes effect
    (from the first month start on or after its ``start``) after ``period.end``, or stops (likewise from its
    ``end``) by ``period.start``. Valid, but most likely a mistyped year; ``run --strict`` refuses them."""
    period = scenario.period
    out = []
    for name, lever in scenario.policies.items():
        if lever is None:
            continue
        begins = _month_start_from(lever.start)
        stops = None if lever.end is None else _month_start_from(lever.end)
        if begins > period.end:
            out.append((f"policies.{name}.start", f"{_takes_effect(lever.start, begins)} after the period's end "
                        f"({period.end}): the lever never acts in this run"))
        elif stops is not None and lever.end is not None and stops <= period.start:
            out.append((f"policies.{name}.end", f"{_takes_effect(lever.end, stops, 'stops it')} not after the "
                        f"period's start ({period.start}): the lever never acts in this run"))
    return out


def _takes_effect(day: dt.date, month_start: dt.date, verb: str = "takes effect") -> str:
    return f"{day} is" if day == month_start else f"{day} {verb} from {month_start},"


def _month_start_from(day: dt.date) -> dt.date:
    """The first month start on or after ``day``: when a lever dated ``day`` takes (or stops taking) effect."""
    if day.day == 1:
        return day
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _section(section: Section, data: Any, path: str) -> dict[str, Any]:
    if data is None:  # "behaviour:" with everything below commented out
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"expected a mapping of settings, got {describe(data)}", path or None)
    for key in data:
        if not isinstance(key, str) or key not in section.fields:
            raise _unknown(key, tuple(section.fields), path)
    return {name: _node(spec, data.get(name), join(path, name), given=name in data)
            for name, spec in section.fields.items()}


def _node(spec: Node, value: Any, path: str, *, given: bool) -> Any:
    """The value of one node: ``value`` as given (``given``) or left out, checked against ``spec``."""
    if isinstance(spec, Section):
        if spec.optional and value is None:
            return None                               # left out: this lever is not used
        return Frozen(_section(spec, value, path))
    if isinstance(spec, MapOf):
        return _map(spec, value, path)
    if isinstance(spec, Paths):
        return _paths(spec, value, path)
    if isinstance(spec, ListOf):
        return _list(spec, value, path)
    if given:
        return _scalar(spec, value, path, required=spec.default is not None or spec.required)
    if spec.required:
        raise ScenarioError(f"a value is required ({EXPECTED[spec.kind]}): {_lower(spec.doc)}", path)
    return None if spec.default is None else _scalar(spec, spec.default, path, required=True)


def _lower(doc: str) -> str:
    return doc[:1].lower() + doc[1:]


def _map(spec: MapOf, data: Any, path: str) -> dict[str, Any]:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        if spec.keys is None:
            raise ScenarioError(f"expected a mapping of names to settings, got {describe(data)}", path)
        example = f"{spec.keys[0]}: {show(spec.default[spec.keys[0]])}"
        raise ScenarioError(f"expected a mapping like '{example}', got {describe(data)}", path)
    given: dict[str, Any] = {}
    spelt: dict[str, Any] = {}
    for key, value in data.items():
        # YAML reads an unquoted key 1 as a number; the schema's keys are text
        name = spec.key(str(key) if isinstance(key, int) and not isinstance(key, bool) else key)
        if not isinstance(name, str) or (spec.keys is not None and name not in spec.keys):
            if spec.keys is None:
                raise ScenarioError(f"expected a name as the key, got {describe(key)}", join(path, key))
            raise _unknown(key, spec.keys, path, spec.aliases)
        if spec.key_pattern is not None and not re.fullmatch(spec.key_pattern, name):
            noun = spec.key_name.strip("<>")
            raise ScenarioError(f"a {noun} name must be {pattern_words(spec.key_pattern)}; got {show(name)}", path)
        if name in given:
            raise ScenarioError(f"{show(spelt[name])} and {show(key)} name the same key ('{name}'): give it once",
                                join(path, name))
        given[name], spelt[name] = value, key
    if spec.keys is None:                             # free names: the file's, or the default's
        entries = given or spec.default
        values = {name: _entry(spec, value, join(path, name)) for name, value in entries.items()}
    else:
        values = {key: _entry(spec, given[key] if key in given else spec.default[key], join(path, key))
                  for key in spec.keys}
    if spec.weights and not any(values.values()):
        raise ScenarioError("the values are weights and are all zero; at least one must be above zero", path)
    return values


def _entry(spec: MapOf, value: Any, path: str) -> Any:
    if isinstance(spec.value, Field):
        return _scalar(spec.value, value, path, required=not spec.nullable)
    return _node(spec.value, value, path, given=True)


def _paths(spec: Paths, data: Any, path: str) -> dict[str, Any]:
    """Dotted paths of ``spec.schema`` (each resolved there) to values checked by ``spec.value``."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"expected a mapping of dotted settings like 'population.scale: 1000', "
                            f"got {describe(data)}", path)
    if spec.required and not data:
        raise ScenarioError(f"expected at least one dotted setting: {_lower(spec.doc)}", path)
    out = {}
    for key, value in data.items():
        where = join(path, key)
        if not isinstance(key, str):
            raise ScenarioError(f"expected a dotted setting as the key (population.scale), got {describe(key)}",
                                where)
        try:
            target = resolve(spec.schema, key)
            key = canonical(spec.schema, key)          # 平度 -> pingdu: one spelling for whoever reads it
        except PathError as err:
            raise ScenarioError(err.message, where) from None
        if key in out:
            raise ScenarioError(f"names the same setting as another key ({key}): give it once", where)
        if spec.kinds is not None and not (isinstance(target, Field) and target.kind in spec.kinds):
            wanted = " or ".join(EXPECTED[kind] for kind in spec.kinds)
            raise ScenarioError(f"{show(key)} is {_what(target)}; expected a setting that is {wanted}", where)
        out[key] = value if spec.value is None else _node(spec.value, value, where, given=True)
    return out


def _what(spec: Node) -> str:
    """What a schema node holds, in words."""
    return EXPECTED[spec.kind] if isinstance(spec, Field) else GROUP_WORDS[type(spec)]


def _list(spec: ListOf, data: Any, path: str) -> tuple | None:
    like = f" like {spec.example}" if spec.example else f" of {EXPECTED[spec.item.kind]}"
    if data is None:
        if spec.required:
            raise ScenarioError(f"a value is required (a list{like}): {_lower(spec.doc)}", path)
        return spec.default
    if not isinstance(data, list | tuple):
        raise ScenarioError(f"expected a list{like}, got {describe(data)}", path)
    if len(data) < spec.min_items:
        raise ScenarioError(f"expected at least {spec.min_items} item(s) in the list{like}", path)
    return tuple(_scalar(spec.item, item, path, required=True) for item in data)


def _unknown(key: Any, allowed: tuple[str, ...], path: str, aliases: Mapping[str, str] | None = None
             ) -> ScenarioError:
    """An unknown key; where the keys have aliases (districts' Chinese names), the closest of those too."""
    if aliases:
        close = closest(key, list(aliases), cutoff=0.5)
        if close:
            return ScenarioError(f"unknown key {show(key)}; did you mean '{aliases[close]}' ({close})? (allowed: "
                                 f"{', '.join(allowed)}, or their Chinese names)", join(path, key))
        return ScenarioError(f"{_unknown_message(key, allowed, path)[:-1]}, or their Chinese names)",
                             join(path, key))
    return ScenarioError(_unknown_message(key, allowed, path), join(path, key))


def _scalar(spec: Field, value: Any, path: str, *, required: bool) -> Any:
    if value is None:
        if required:
            raise ScenarioError(f"a value is required ({EXPECTED[spec.kind]})", path)
        return None
    if spec.kind == "districts":
        return _districts(spec.choices or (), value, path)
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
        close = closest(value, [c for c in spec.choices if isinstance(c, str)])
        hint = f"; did you mean '{close}'?" if close else ""
        raise ScenarioError(f"must be one of {allowed}; got {show(value)}{hint}", path)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise ScenarioError(f"must be {pattern_words(spec.pattern)}; got {show(value)}", path)
    return value


def pattern_words(pattern: str) -> str:
    """What text a pattern of the schema allows, in plain words (messages and the reference docs)."""
    return PATTERN_WORDS.get(pattern, f"text matching the pattern {pattern}")


def _districts(allowed: tuple[str, ...], value: Any, path: str) -> tuple[str, ...]:
    """``all`` or a list of district names, as a tuple in the schema's district order."""
    if value == "all":
        return tuple(allowed)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ScenarioError(f"expected {EXPECTED['districts']} such as [pingdu, laixi], got {describe(value)}",
                            path)
    names = []
    for item in value:
        name = DISTRICT_ALIASES.get(item, item) if isinstance(item, str) else item
        if not isinstance(name, str) or name not in allowed:
            message = f"unknown district {show(item)}"
            close = closest(str(item), allowed)
            alias = closest(str(item), list(DISTRICT_ALIASES), cutoff=0.5)
            if close:
                message += f"; did you mean '{close}'?"
            elif alias:
                message += f"; did you mean '{DISTRICT_ALIASES[alias]}' ({alias})?"
            raise ScenarioError(f"{message} (allowed: all, {', '.join(allowed)}, or their Chinese names such as "
                                "平度)", path)
        names.append(name)
    return tuple(d for d in allowed if d in names)


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
    quoted = kind in ("float", "int") and isinstance(value, str) and _is_number(value)
    wrong = ScenarioError(f"expected {EXPECTED[kind]}, got {describe(value)}"
                          + ("; write it without quotes" if quoted else ""), path)
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
        if isinstance(value, str) and value in YAML11_BOOLEANS:
            return YAML11_BOOLEANS[value]   # the reader keeps them as text (core.safe_load); here they are meant
        if not isinstance(value, bool):
            raise wrong
        return value
    return _convert_date(value, path, wrong)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


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


#: a value as a scenario file would spell it, shortened to fit one line
show = spell


def kind(value: Any) -> str:
    """What a value is, without the value: for a file's whole contents, which may be a system file's."""
    if isinstance(value, bool):
        return "true or false"
    for types, words in ((list | tuple, "a list"), (Mapping, "a mapping"), (int | float, "a number"),
                         (str, "text"), (dt.date, "a date")):
        if isinstance(value, types):
            return words
    return type(value).__name__


def describe(value: Any) -> str:
    """A value and its type, for 'expected X, got Y' messages."""
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"{show(value)} ({type(value).__name__})"
