"""Declarative building blocks of the settings files: scenarios, sweep specs and calibration specs.

A schema is a tree of these nodes:

- ``Section``: named settings, a closed key set (unknown keys are errors);
- ``MapOf``: one kind of value under a closed key set (the ten districts), or under any names;
- ``Paths``: a mapping whose keys are dotted paths into another schema (a sweep's swept settings);
- ``ListOf``: a list of values of one kind;
- ``Field``: one value.

The scenario schema (``sim/scenario/schema.py``) and the spec schemas (``sim/experiment/spec.py``,
``sim/calibration/spec.py``) are written with them; one validator (``sim.scenario.validation.check``)
checks any of them and gives every file the same planner-facing messages, and the reference docs are
rendered from them, so a setting's unit, default and source are stated in exactly one place.

``resolve`` follows a dotted path through a schema and ``walk`` visits every node of one; every user of
dotted paths calls these two rather than walking the tree by hand.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: value kinds a Field may hold
KINDS = ("float", "int", "str", "bool", "date", "districts", "schedule")


@dataclass(frozen=True)
class Field:
    """One scalar setting.

    Parameters
    ----------
    kind : one of ``KINDS``.
    default : value used when the file omits the field.
    doc : one sentence a planner can read.
    unit : unit of the value ("per year", "%", "years"); empty for none.
    source : the published source of the default, or ``"assumption: why"``.
    minimum, maximum : inclusive bounds for numbers and dates (dates as ISO strings).
    choices : the allowed values, when the set is closed (for ``districts``: the district names; the
        value is ``all`` or a list of them, frozen as a tuple).
    For ``schedule`` the value is a mapping ``date: number`` (a dated investment or rollout schedule),
    frozen in date order; ``minimum`` and ``maximum`` bound the numbers. How the numbers are read
    between dates (steps or straight lines) is the sub-model's to say.
    pattern : regular expression a string must match in full.
    required : the file must give a value (there is no default; ``default`` is then None).
    effect_range : ``(low, high)``, the range a lever's effect size is drawn from in uncertainty mode, stated
        for the default value (``sim.policy.lever.uncertain``); None for a value that is not drawn.
    range_source : where ``effect_range`` comes from, or ``"assumption: why"``.
    """

    kind: str
    default: Any
    doc: str
    unit: str = ""
    source: str = ""
    minimum: Any = None
    maximum: Any = None
    choices: tuple | None = None
    pattern: str | None = None
    required: bool = False
    effect_range: tuple[float, float] | None = None
    range_source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Field kind {self.kind!r} not in {KINDS}")


@dataclass(frozen=True)
class MapOf:
    """A mapping of one kind of value, over a closed key set (the ten districts) or over any names.

    With ``keys``, a file may give any subset of them; the others keep ``default``, and the value is
    every key in ``keys`` order. With ``keys=None`` the keys are free names (text), kept in the file's
    order, and ``default`` is the whole mapping used when the file leaves it out or empty.
    ``value`` validates each entry (a ``Field``'s own default is not used; a ``Section`` or ``Paths``
    value makes each entry a group). A ``nullable`` map accepts ``null`` for an entry (a target
    without a value). ``key_name`` stands for a free key in the docs (``policies.<policy>``).
    ``key_pattern``: a regular expression every free key must match in full (a name that becomes part
    of a file name must stay in its folder).
    ``weights``: the numbers are relative weights (shares drawn from, a destination's pull), so they may not
    all be zero.
    ``aliases`` maps other spellings of closed keys to the keys (a district's Chinese name, 平度, to
    ``pingdu``): a file may use either, and the value has the key.
    """

    keys: tuple[str, ...] | None
    value: Node
    default: dict
    doc: str
    unit: str = ""
    source: str = ""
    nullable: bool = False
    key_name: str = "<name>"
    key_pattern: str | None = None
    weights: bool = False
    aliases: dict[str, str] = field(default_factory=dict)

    def key(self, name: Any) -> Any:
        """The key ``name`` stands for: itself, or the key it is an alias of."""
        return self.aliases.get(name, name) if isinstance(name, str) else name


@dataclass(frozen=True)
class Paths:
    """A mapping whose keys are dotted paths into another schema (``population.scale: 1000``).

    Each key must name a node of ``schema`` (an unknown part gets the allowed keys and the closest
    one); with ``kinds``, a ``Field`` of one of those kinds. ``value`` validates each entry; ``None``
    passes the values through, to be checked by the schema itself when the paths are applied (a sweep's
    fixed settings, checked when the scenario loads with them). ``required``: at least one entry.
    The value is a mapping in the file's order.
    """

    schema: Section
    value: Node | None
    doc: str
    kinds: tuple[str, ...] | None = None
    required: bool = False
    key_name: str = "<setting>"
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class ListOf:
    """A list of values, each checked by ``item``, frozen as a tuple.

    Left out, it is ``default`` (None: no list); given, it needs at least ``min_items`` items.
    ``required``: the file must give it. ``example`` shows the form in messages and docs.
    """

    item: Field
    doc: str
    default: tuple | None = None
    required: bool = False
    min_items: int = 1
    example: str = ""
    unit: str = ""
    source: str = ""


@dataclass(frozen=True)
class Section:
    """A nested mapping of named fields; unknown keys are errors.

    An ``optional`` section (a policy lever) is ``None`` when the scenario leaves it out.
    """

    fields: dict[str, Node] = field(default_factory=dict)
    doc: str = ""
    optional: bool = False


#: any node of a schema
Node = Field | MapOf | Paths | ListOf | Section


# -- following dotted paths ------------------------------------------------------------------------


def child(node: Node, key: Any) -> Node | None:
    """The node below ``key`` of ``node``; None when ``node`` has no such key or holds a single value.

    The one step that ``resolve`` and ``walk`` are made of, for code that follows the schema along its
    own data (a deep merge) and must not fail on keys validation reports later.
    """
    if isinstance(node, Section):
        return node.fields.get(key) if isinstance(key, str) else None
    if isinstance(node, MapOf):
        return node.value if node.keys is None or node.key(key) in node.keys else None
    return None


def keys_of(node: Node) -> tuple[str, ...] | None:
    """The keys allowed below ``node``: a closed tuple, None for free names, () for a single value."""
    if isinstance(node, Section):
        return tuple(node.fields)
    if isinstance(node, MapOf):
        return node.keys
    return ()


def closest(key: Any, allowed: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The allowed key ``key`` was most likely meant to be, or None (a typo's 'did you mean').

    ``cutoff`` is difflib's least similarity; names of two Chinese characters one apart score 0.5.
    """
    if not isinstance(key, str) or not allowed:
        return None
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=cutoff)
    if close:
        return close[0]
    longer = [a for a in allowed if len(key) >= 3 and a.startswith(key)]
    return longer[0] if longer else None


def spell(value: Any) -> str:
    """A value or key as a settings file spells it (``'seed'``, ``3``, ``true``), shortened to one line."""
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


def printable(text: str) -> str:
    """``text`` with each character a terminal would act on (control characters such as ESC and newline,
    bidirectional overrides, line separators) written as its escape (``\\x1b``, ``\\n``, ``\\u202e``): a
    message quoting a file, a path or ``--set`` shows what is there, and cannot clear, recolour or
    reorder the user's terminal. The one helper every message that quotes user text goes through."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line(err: BaseException) -> str:
    """An exception's message on one line (its whitespace runs joined by one space), or its type's name when
    it has none: what a one-line error quotes of a library's exception."""
    return " ".join(str(err).split()) or type(err).__name__


def unknown_key(key: Any, allowed: Sequence[str], where: str = "") -> str:
    """The one message for a key that is not allowed: the key, the closest allowed one, the allowed keys.

    ``where`` is the dotted path of the group the key was found in ("" at the top).
    """
    if not allowed:
        return f"unknown key {spell(key)}: '{where}' takes no settings yet in this version"
    message = f"unknown key {spell(key)}"
    close = closest(key, allowed)
    if close:
        message += f"; did you mean '{close}'?"
    return f"{message} (allowed: {', '.join(allowed)})"


class PathError(LookupError):
    """A dotted path that names no node of a schema.

    Attributes
    ----------
    path : the whole dotted path.
    key : the first part that names nothing; ``prefix`` the dotted path before it ("" at the top).
    allowed : the keys allowed there; () when the node before is a single value (``through_value``).
    close : the closest allowed key, or None.
    message : one line for the person who wrote the path.
    """

    def __init__(self, keys: Sequence[str], depth: int, node: Node) -> None:
        self.path = ".".join(str(k) for k in keys)
        self.key = keys[depth]
        self.prefix = ".".join(str(k) for k in keys[:depth])
        self.through_value = not isinstance(node, Section | MapOf)
        allowed = keys_of(node)
        self.allowed = allowed or ()
        self.close = closest(self.key, self.allowed)
        if self.through_value:
            self.message = f"'{self.prefix}' is a single value, not a group of settings"
        else:
            self.message = unknown_key(self.key, self.allowed, self.prefix)
        super().__init__(self.message)


def resolve(schema: Node, path: str | Sequence[str]) -> Node:
    """The node a dotted path (``behaviour.hukou.min_insurance_years``, or its keys) names in ``schema``.

    Raises ``PathError`` at the first part that names nothing, with the keys allowed there and the
    closest one, or saying that the path runs through a single value.
    """
    keys = path.split(".") if isinstance(path, str) else list(path)
    node = schema
    for depth, key in enumerate(keys):
        below = child(node, key)
        if below is None:
            raise PathError(keys, depth, node)
        node = below
    return node


def canonical(schema: Node, path: str) -> str:
    """``path`` with every alias replaced by the key it stands for
    (``behaviour.in_migration.district_attraction.平度`` -> ``....pingdu``); ``PathError`` as ``resolve``."""
    keys = path.split(".")
    node = schema
    out = []
    for depth, key in enumerate(keys):
        below = child(node, key)
        if below is None:
            raise PathError(keys, depth, node)
        out.append(node.key(key) if isinstance(node, MapOf) else key)
        node = below
    return ".".join(out)


def overlapping(a: str, b: str) -> bool:
    """Whether two dotted settings name the same value or one holds the other (``x.y`` and ``x.y.z``): set
    one after the other, the second replaces (part of) the first."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def join(path: str, key: Any) -> str:
    """``path.key``, or ``key`` at the top."""
    return f"{path}.{key}" if path else str(key)


def walk(schema: Node, prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Every node of ``schema`` as ``(dotted path, node)``, the root (``prefix``) first, in schema order.

    Descends into sections, depth first; into the entries of a ``MapOf`` or ``Paths`` only when they are
    sections, under the node's ``key_name`` (``parameters.<setting>.low``). A ``MapOf``'s keys, a
    ``ListOf``'s items and the schema a ``Paths`` points into are not visited.
    """
    yield prefix, schema
    if isinstance(schema, Section):
        for name, node in schema.fields.items():
            yield from walk(node, join(prefix, name))
    elif isinstance(schema, MapOf | Paths) and isinstance(schema.value, Section):
        yield from walk(schema.value, join(prefix, schema.key_name))
