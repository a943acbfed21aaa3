"""A sweep specification (YAML): which scenario, which settings vary and how, what to measure.

Example (``scenarios/sweeps/*.yaml``)::

    name: hukou_uncertainty
    base: ../baseline.yaml            # relative to this file
    set: {population.scale: 1000}      # fixed for every run
    design: sobol                      # grid, lhs, sobol or morris
    samples: 64
    replications: 2
    seed: 7
    parameters:
      behaviour.hukou.nonlocal_conversion_hazard_per_year: {low: 0.01, high: 0.1, log: true}
      policies.zero_threshold_settlement.intensity: {values: [0, 0.5, 1]}
    policies:                          # optional: lever settings crossed with the design (EMA's policies)
      none: {}
      zero_threshold: {policies.zero_threshold_settlement.intensity: 1}
    outputs: [urbanization_rate@2023, pingdu:hukou_urbanization_rate@2023]

Validated like a scenario: the first problem stops everything with the
setting's path, nothing runs; every policy is loaded with the parameters at
both ends of their ranges, so a run cannot fail on its settings later.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.catalogue import BY_NAME
from ..core.districts import CITY, ZONES
from ..core.fields import Field, MapOf, Section
from ..scenario import ScenarioError, load_scenario
from ..scenario.load import read_mapping
from ..scenario.schema import NAME_PATTERN, SCENARIO
from .design import DESIGNS, Parameter

KEYS = ("name", "description", "base", "set", "design", "samples", "levels", "grid_points", "replications", "seed",
        "parameters", "policies", "outputs", "budget_minutes")
_OUTPUT = re.compile(r"(?:(?P<zone>[a-z_]+):)?(?P<indicator>[a-z0-9_]+)@(?P<year>\d{4})")


@dataclass(frozen=True)
class Output:
    """One measured quantity: an indicator of a zone in a year (year-end value; flows summed over the year)."""

    label: str
    zone: str
    indicator: str
    year: int


@dataclass(frozen=True)
class Sweep:
    name: str
    description: str
    file: Path
    base: Path
    fixed: tuple[tuple[str, Any], ...]
    design: str
    samples: int
    levels: int
    grid_points: int
    replications: int
    seed: int
    parameters: tuple[Parameter, ...]
    policies: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    outputs: tuple[Output, ...]
    budget_minutes: float | None

    def overrides(self, policy: int, point) -> list[tuple[str, Any]]:
        """Settings of one run on top of the base: fixed ones, the policy's, the design point's, the seed."""
        values = [(p.path, int(v) if p.integer else float(v)) for p, v in zip(self.parameters, point, strict=True)]
        return [*self.fixed, *self.policies[policy][1], *values, ("seed", self.seed), ("replications", 1)]

    def scenario(self, policy: int, point):
        return load_scenario(self.base, self.overrides(policy, point))


def _fail(message: str, field: str | None, file: Path) -> ScenarioError:
    return ScenarioError(message, field, str(file))


def whole_number(data: dict, key: str, default: int | None, low: int, high: int, file: Path) -> int | None:
    """``data[key]`` (or ``default``) as a whole number from ``low`` to ``high``; a spec error otherwise."""
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(f"expected a whole number from {low} to {high}, got {value!r}", key, file)
    return value


def _setting(path: str, file: Path, where: str) -> Field:
    """The schema field a dotted path names; it must be a number to be swept."""
    spec: Field | MapOf | Section = SCENARIO
    for key in path.split("."):
        if isinstance(spec, Section) and key in spec.fields:
            spec = spec.fields[key]
        elif isinstance(spec, MapOf) and key in spec.keys:
            spec = spec.value
        else:
            allowed = tuple(spec.fields) if isinstance(spec, Section) else spec.keys if isinstance(spec, MapOf) else ()
            close = [a for a in allowed if a.startswith(key)] or difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _fail(f"no scenario setting {path!r} (unknown part {key!r}{hint})", where, file)
    if not isinstance(spec, Field) or spec.kind not in ("float", "int"):
        raise _fail(f"{path!r} is not a number setting and cannot be swept", where, file)
    return spec


def _number(value: Any, field: str, file: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(f"expected a number, got {value!r}", field, file)
    return float(value)


def parse_parameter(path: str, raw: Any, file: Path) -> Parameter:
    """A swept (or fitted) setting from its spec entry, checked against the scenario schema."""
    where = f"parameters.{path}"
    spec = _setting(path, file, where)
    if not isinstance(raw, dict):
        raise _fail("expected {low: .., high: ..} (optionally log: true) or {values: [..]}", where, file)
    unknown = set(raw) - {"low", "high", "log", "values"}
    if unknown:
        raise _fail(f"unknown key {sorted(unknown)[0]!r} (allowed: low, high, log, values)", where, file)
    log = raw.get("log", False)
    if not isinstance(log, bool):
        raise _fail(f"expected true or false, got {log!r}", f"{where}.log", file)
    if "values" in raw:
        if "low" in raw or "high" in raw:
            raise _fail("give either values or low and high, not both", where, file)
        if not isinstance(raw["values"], list) or not raw["values"]:
            raise _fail("expected a non-empty list of numbers", f"{where}.values", file)
        values = tuple(_number(v, f"{where}.values", file) for v in raw["values"])
        ends = (min(values), max(values))
        param = Parameter(path, values=values, log=log, integer=spec.kind == "int")
    else:
        if "low" not in raw or "high" not in raw:
            raise _fail("expected both low and high (or values: [...])", where, file)
        ends = (_number(raw["low"], f"{where}.low", file), _number(raw["high"], f"{where}.high", file))
        if ends[0] >= ends[1]:
            raise _fail(f"low must be below high, got {ends[0]:g} and {ends[1]:g}", where, file)
        if log and ends[0] <= 0:
            raise _fail(f"log: true needs low > 0, got {ends[0]:g}", f"{where}.low", file)
        param = Parameter(path, low=ends[0], high=ends[1], log=log, integer=spec.kind == "int")
    for end, name in zip(ends, ("low", "high"), strict=True):
        if (spec.minimum is not None and end < spec.minimum) or (spec.maximum is not None and end > spec.maximum):
            raise _fail(f"{end:g} is outside the setting's range {spec.minimum:g} to {spec.maximum:g}",
                        f"{where}.{name}", file)
    return param


def _output(text: Any, file: Path) -> Output:
    match = _OUTPUT.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _fail(f"expected indicator@year or zone:indicator@year (urbanization_rate@2023), got {text!r}",
                    "outputs", file)
    zone, indicator, year = match["zone"] or CITY, match["indicator"], int(match["year"])
    if indicator not in BY_NAME:
        close = difflib.get_close_matches(indicator, tuple(BY_NAME), n=1, cutoff=0.6)
        raise _fail(f"unknown indicator {indicator!r}" + (f"; did you mean '{close[0]}'?" if close else ""),
                    "outputs", file)
    if zone not in ZONES:
        raise _fail(f"unknown zone {zone!r} (allowed: {', '.join(ZONES)})", "outputs", file)
    if BY_NAME[indicator].city_only and zone != CITY:
        raise _fail(f"{indicator} is a city-wide quantity: use it without a zone", "outputs", file)
    return Output(text, zone, indicator, year)


def _overrides(raw: Any, field: str, file: Path) -> tuple[tuple[str, Any], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
        raise _fail("expected a mapping of dotted settings to values (population.scale: 1000)", field, file)
    return tuple(raw.items())


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise ``ScenarioError`` naming the setting at the first problem."""
    file = Path(path)
    data = read_mapping(file)
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1, cutoff=0.6)
            raise _fail(f"unknown key {key!r}" + (f"; did you mean '{close[0]}'?" if close else "")
                        + f" (allowed: {', '.join(KEYS)})", str(key), file)
    name = data.get("name", file.stem)
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        raise _fail(f"expected letters, digits, '_', '-' or '.', got {name!r}", "name", file)
    if not isinstance(data.get("base"), str):
        raise _fail("expected the scenario file the sweep varies, relative to this file", "base", file)
    base = file.parent / data["base"]
    design = data.get("design", "lhs")
    if design not in DESIGNS:
        raise _fail(f"expected one of {', '.join(DESIGNS)}, got {design!r}", "design", file)
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise _fail("expected a mapping of at least one dotted setting to its range", "parameters", file)
    outputs = data.get("outputs")
    if not isinstance(outputs, list) or not outputs:
        raise _fail("expected a list of indicator@year, like [urbanization_rate@2023]", "outputs", file)
    raw_policies = data.get("policies") or {"base": {}}
    if not isinstance(raw_policies, dict):
        raise _fail("expected a mapping of policy names to their settings", "policies", file)
    budget = data.get("budget_minutes")
    sweep = Sweep(
        name=name, description=str(data.get("description", "")), file=file, base=base,
        fixed=_overrides(data.get("set"), "set", file), design=design,
        samples=whole_number(data, "samples", 16, 1, 1_000_000, file),
        levels=whole_number(data, "levels", 4, 2, 100, file),
        grid_points=whole_number(data, "grid_points", 5, 2, 1000, file),
        replications=whole_number(data, "replications", 1, 1, 1000, file),
        seed=whole_number(data, "seed", 20210101, 0, 2**63 - 1, file),
        parameters=tuple(parse_parameter(str(p), raw, file) for p, raw in parameters.items()),
        policies=tuple((str(n), _overrides(raw, f"policies.{n}", file)) for n, raw in raw_policies.items()),
        outputs=tuple(_output(o, file) for o in outputs),
        budget_minutes=None if budget is None else _number(budget, "budget_minutes", file))
    _check_runs(sweep)
    return sweep


def _check_runs(sweep: Sweep) -> None:
    """Load every policy with all parameters at their low and at their high end; check the outputs' years."""
    ends = [[min(p.values) if p.values else p.low for p in sweep.parameters],
            [max(p.values) if p.values else p.high for p in sweep.parameters]]
    for k, (policy, _) in enumerate(sweep.policies):
        for point in ends:
            try:
                scenario = sweep.scenario(k, point)
            except ScenarioError as err:
                where = f"policies.{policy}" if len(sweep.policies) > 1 else "set/parameters"
                raise ScenarioError(f"{err.message} (the base scenario {sweep.base} with the sweep's {where})",
                                    err.field, str(sweep.file)) from None
    first, last = scenario.period.start.year, scenario.period.end.year
    for out in sweep.outputs:
        if not first <= out.year <= last:
            raise _fail(f"{out.label}: the runs simulate {first} to {last}", "outputs", sweep.file)
