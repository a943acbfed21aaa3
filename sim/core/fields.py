"""Declarative building blocks of the scenario schema.

The schema (``schema.py``) is written with these three classes; validation
(``validate.py``) walks it, and the docs list every parameter from it, so a
parameter's unit, default and source are stated in exactly one place.
"""

from __future__ import annotations

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
    default : value used when the scenario omits the field.
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

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Field kind {self.kind!r} not in {KINDS}")


@dataclass(frozen=True)
class MapOf:
    """A mapping over a closed key set (for example the ten districts).

    A scenario may give any subset of ``keys``; the others keep ``default``.
    ``value`` validates each entry (its own default is not used). A ``nullable``
    map accepts ``null`` for an entry (a target without a value).
    """

    keys: tuple[str, ...]
    value: Field
    default: dict
    doc: str
    unit: str = ""
    source: str = ""
    nullable: bool = False


@dataclass(frozen=True)
class Section:
    """A nested mapping of named fields; unknown keys are errors.

    An ``optional`` section (a policy lever) is ``None`` when the scenario leaves it out.
    """

    fields: dict[str, Field | MapOf | Section] = field(default_factory=dict)
    doc: str = ""
    optional: bool = False
