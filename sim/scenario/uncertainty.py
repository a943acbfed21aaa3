"""Uncertainty mode: what each replication draws besides its dice, and the scenario it then runs.

Off (the default), replications differ only by their seeded streams, so bands and ``p_meet`` count chance
alone. On (``uncertainty.enabled``, ``--uncertainty``), replication ``r`` first draws, with the
``uncertainty`` key of ``(seed, r)`` and nothing else:

1. one uniform that picks a row of the posterior file (every row equally likely, with replacement): the
   behaviour settings the file's columns name take that row's values;
2. one uniform for each effect size that has a range (``Field.effect_range``) of a lever in use (present,
   intensity above 0): it takes ``low + u (high - low)`` over ``sim.policy.lever.range_about`` of its value
   (uniform in the range).

Each uniform is a keyed draw on the setting's path (``uniform``), so a replication's draw of one setting
never depends on what else is drawn, on which levers another scenario uses or on settings added later; and
the other streams are untouched: replication ``r``'s residents draw the same dice as without uncertainty
(common random numbers). A lever at intensity 0 is
never changed, so it still leaves the baseline exactly.

The posterior file (a calibration writes one): CSV, a header of dotted setting paths, one row per draw,
natural units. Every column must name a number setting of ``behaviour``, ``population`` (not its scale or
census) or ``submodels``, and every value must lie within that setting's bounds; otherwise the scenario is
refused with one line naming ``uncertainty.posterior``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.fields import Field, PathError, Section, canonical, resolve, walk
from ..core.streams import Streams, keyed_uniform_pair_one
from ..policy.lever import range_about
from .schema import DEFAULT_POSTERIOR, SCENARIO
from .validation import Scenario, ScenarioError, validate

#: the setting that names the posterior, as errors name it
POSTERIOR_FIELD = "uncertainty.posterior"
#: the sections a posterior column may set
POSTERIOR_SECTIONS = ("behaviour", "population", "submodels")
#: settings of those sections a posterior may not set: they choose what is simulated, not how people behave
NOT_DRAWN = ("population.scale", "population.census")
#: how lever effect sizes are drawn in their range
LEVER_DISTRIBUTION = "uniform"
#: the kind of uncertainty a run without uncertainty mode carries
CHANCE_ONLY = "chance only"
#: the project folder, against which the default posterior is found
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _lever_fields() -> tuple[tuple[str, str, Field], ...]:
    """``(lever, setting, field)`` of every lever setting with an effect range, in schema order."""
    policies = SCENARIO.fields["policies"]
    assert isinstance(policies, Section)
    out = []
    for lever, section in policies.fields.items():
        for path, node in walk(section):
            if isinstance(node, Field) and node.effect_range is not None:
                out.append((lever, path, node))
    return tuple(out)


#: the lever effect sizes uncertainty mode draws, in schema order
LEVER_FIELDS = _lever_fields()


@dataclass(frozen=True)
class Posterior:
    """A posterior file as read: its setting paths (aliases resolved), its rows and its bytes' SHA-256."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[tuple[float | int, ...], ...]
    sha256: str


@dataclass(frozen=True)
class Draws:
    """What one replication drew: the posterior's data row (from 1; None without one) and the value each
    drawn setting took (the posterior's columns, then the effect sizes of the levers in use)."""

    replication: int
    posterior_row: int | None
    values: dict[str, float | int]


def posterior_path(value: str | None, origin: str | None) -> str | None:
    """The posterior ``value`` names, as an absolute path: relative to the folder of the file it was set in
    (``origin``; the current folder for ``--set`` or none), so the resolved scenario in a run folder still
    finds it."""
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        base = Path(origin).parent if origin and origin != "--set" else Path.cwd()
        path = base / path
    return str(path.resolve())


def default_posterior() -> Path:
    """The posterior a scenario that names none draws from (``scenarios/calibration/posterior.csv``)."""
    return PROJECT_ROOT / DEFAULT_POSTERIOR


def posterior_of(scenario: Scenario, file: str | None = None) -> Posterior | None:
    """The posterior ``scenario`` draws its behaviour from, read and checked; None when it draws none.

    ``ScenarioError`` (naming ``uncertainty.posterior``) when the file is missing or bad, or when none is named
    and the shipped default has not been written yet.
    """
    settings = scenario.uncertainty
    if not (settings.enabled and settings.parameters):
        return None
    if settings.posterior is not None:
        return read_posterior(settings.posterior, file)
    fallback = default_posterior()
    if not fallback.is_file():
        raise ScenarioError(f"uncertainty mode draws the behaviour from a posterior, and none is named; the "
                            f"default {DEFAULT_POSTERIOR} is not there yet (a calibration writes one): name a "
                            "posterior CSV, or set uncertainty.parameters: false to draw lever effects only",
                            POSTERIOR_FIELD, file)
    return read_posterior(str(fallback), file)


def read_posterior(path: str, file: str | None = None) -> Posterior:
    """Read and check the posterior at ``path`` (``file``: the scenario file errors name).

    Read once per file version: loading the scenario, every replication and the run folder's record all ask
    for it, and a calibration's file holds thousands of rows; a file changed since (its modification time,
    size or inode) is read again."""
    try:
        stat = os.stat(path)
        version: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        version = None                     # not there or unreadable: the reading below says which, not cached
    return _read_posterior(path, file, version)


@lru_cache(maxsize=8)
def _read_posterior(path: str, file: str | None, version: tuple[int, int, int] | None) -> Posterior:
    """``read_posterior`` for one version of the file (``version`` only keys the cache)."""

    def refuse(message: str) -> ScenarioError:
        return ScenarioError(f"{path}: {message}", POSTERIOR_FIELD, file)

    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise refuse("no such file") from None
    except OSError as err:
        raise refuse(f"cannot be read ({err.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse("not UTF-8 text") from None
    table = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not table:
        raise refuse("empty; expected a header of setting paths and one row per draw")
    header = [cell.strip() for cell in table[0]]
    specs = [_column(name, refuse) for name in header]
    columns = tuple(canonical(SCENARIO, name) for name in header)
    if len(set(columns)) < len(columns):
        twice = next(c for c in columns if columns.count(c) > 1)
        raise refuse(f"column {twice} is given twice")
    if len(table) < 2:
        raise refuse("has a header but no rows; expected one row per draw")
    rows = []
    for number, row in enumerate(table[1:], start=1):
        if len(row) != len(header):
            raise refuse(f"row {number} has {len(row)} values, the header {len(header)}")
        rows.append(tuple(_value(cell, spec, name, number, refuse)
                          for cell, spec, name in zip(row, specs, columns, strict=True)))
    return Posterior(path, columns, tuple(rows), hashlib.sha256(data).hexdigest())


def _column(name: str, refuse) -> Field:
    """The number setting a posterior column names."""
    if name.split(".")[0] not in POSTERIOR_SECTIONS:
        raise refuse(f"column {name!r} is not a setting a posterior may give (setting paths under "
                     f"{', '.join(POSTERIOR_SECTIONS)}, like behaviour.in_migration.rate_per_year)")
    try:
        spec = resolve(SCENARIO, name)
    except PathError as err:
        raise refuse(f"column {name!r}: {err.message}") from None
    if not isinstance(spec, Field) or spec.kind not in ("float", "int") or canonical(SCENARIO, name) in NOT_DRAWN:
        raise refuse(f"column {name!r} is not a number setting a posterior may give")
    return spec


def _value(cell: str, spec: Field, name: str, number: int, refuse) -> float | int:
    """One posterior value, checked against its setting's bounds."""
    try:
        value = float(cell)
    except ValueError:
        raise refuse(f"row {number}, {name}: expected a number, got {cell.strip()!r}") from None
    if not math.isfinite(value):
        raise refuse(f"row {number}, {name}: expected a finite number, got {cell.strip()!r}")
    if spec.kind == "int":
        if not value.is_integer():
            raise refuse(f"row {number}, {name}: expected a whole number, got {cell.strip()!r}")
        value = int(value)
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        raise refuse(f"row {number}, {name}: {cell.strip()} is outside the setting's range "
                     f"{spec.minimum:g} to {spec.maximum:g}")
    return value


def draw(scenario: Scenario, replication: int, posterior: Posterior | None) -> Draws:
    """What replication ``replication`` of ``scenario`` draws (from its ``uncertainty`` key alone)."""
    key = Streams(scenario.seed, replication).key("uncertainty")
    values: dict[str, float | int] = {}
    row = None
    if posterior is not None:
        index = min(int(uniform(key, POSTERIOR_FIELD) * len(posterior.rows)), len(posterior.rows) - 1)
        row = index + 1
        values.update(zip(posterior.columns, posterior.rows[index], strict=True))
    if scenario.uncertainty.levers:
        for lever, setting, spec in LEVER_FIELDS:
            section = getattr(scenario.policies, lever)
            if not _in_use(section):
                continue
            path = f"policies.{lever}.{setting}"
            low, high = range_about(spec, float(getattr(section, setting)))
            values[path] = low + uniform(key, path) * (high - low)
    return Draws(replication, row, values)


def uniform(key: int, path: str) -> float:
    """The uniform on [0, 1) that setting ``path`` (or the posterior's row, under ``POSTERIOR_FIELD``) draws with
    ``key``: a keyed draw (``sim.core.streams``) on the CRC-32 of the path, so it depends on nothing else drawn,
    and a setting added later moves no other setting's draw."""
    return keyed_uniform_pair_one(key, zlib.crc32(path.encode("utf-8")), 0)[0]


def _in_use(section: Any) -> bool:
    """Whether a lever's section switches it on (present, intensity above 0)."""
    return section is not None and section.intensity > 0


def apply(scenario: Scenario, draws: Draws) -> Scenario:
    """``scenario`` with the drawn values, validated again (a drawn value outside its bounds is refused)."""
    if not draws.values:
        return scenario
    data = scenario.to_dict()
    for path, value in draws.values.items():
        *above, last = path.split(".")
        node: Any = data
        for key in above:
            node = node[key]
        node[last] = value
    try:
        return validate(data)
    except ScenarioError as err:     # a rule across settings (weights all zero, say) that one value cannot break
        row = "" if draws.posterior_row is None else f" (posterior row {draws.posterior_row})"
        raise ScenarioError(f"the values replication {draws.replication} drew{row} are refused: {err.field}: "
                            f"{err.message}", POSTERIOR_FIELD, scenario.uncertainty.posterior) from None


def for_replication(scenario: Scenario, replication: int) -> tuple[Scenario, Draws | None]:
    """The scenario replication ``replication`` runs, and what it drew (None outside uncertainty mode)."""
    if not scenario.uncertainty.enabled:
        return scenario, None
    draws = draw(scenario, replication, posterior_of(scenario))
    return apply(scenario, draws), draws


def kind(scenario: Scenario, posterior: str | None = None) -> str:
    """The kind of uncertainty runs of ``scenario`` carry, in words (the scorecard's, terminal's and report's
    line): ``chance only``, or ``chance + parameters (posterior FILE) + lever effects``."""
    settings = scenario.uncertainty
    if not settings.enabled:
        return CHANCE_ONLY
    parts = ["chance"]
    if settings.parameters:
        name = Path(posterior or settings.posterior or default_posterior()).name
        parts.append(f"parameters (posterior {name})")
    if settings.levers and any(_in_use(getattr(scenario.policies, lever)) for lever, _, _ in LEVER_FIELDS):
        parts.append(f"lever effects ({LEVER_DISTRIBUTION} in their ranges)")
    return " + ".join(parts) if len(parts) > 1 else CHANCE_ONLY
