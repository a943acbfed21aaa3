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

The spec's settings are declared once (``SWEEP_SPEC``, with the field DSL of ``sim.core.fields``)
and checked by the scenario's validator, so a spec gets the same messages as a scenario: the dotted
path, the file, what is allowed, "did you mean". What a schema cannot say is checked after it: a
parameter's range against its setting's, the outputs' indicators, the design's size; then every
policy is loaded with the parameters at both ends of their ranges, so a run cannot fail on its
settings later. The first problem stops everything; nothing runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.catalogue import BY_NAME
from ..core.districts import CITY, DISTRICT_ALIASES, ZONES
from ..core.fields import Field, ListOf, MapOf, Paths, Section, closest, overlapping, resolve
from ..scenario import ScenarioError, load_scenario
from ..scenario.load import OVERRIDE, read_mapping
from ..scenario.schema import NAME_PATTERN, SCENARIO
from ..scenario.validation import check
from .design import DESIGNS, Parameter, bounds, n_points, problem

#: the most runs (design points x policies x replications) a sweep may have: its plan, its store (one file a
#: run) and its tables stay within a workstation's memory and a folder's file count (docs/experiments.md)
MAX_RUNS = 100_000

_OUTPUT = re.compile(r"(?:(?P<zone>[a-z_]+|[\u4e00-\u9fff]+):)?(?P<indicator>[a-z0-9_]+)@(?P<year>\d{4})")
NUMBER_KINDS = ("float", "int")

#: one swept setting: a range or listed levels (which of the two: checked by ``parameter``)
PARAMETER = Section({
    "low": Field("float", None, "Lowest value (with high): sampled uniformly between them, or on grid_points "
                 "levels in a grid."),
    "high": Field("float", None, "Highest value (with low)."),
    "log": Field("bool", False, "Sample uniformly in log10 of the value (needs low > 0)."),
    "values": ListOf(Field("float", None, "A level."), "Listed levels instead of low and high: a grid takes "
                     "them as they are, lhs, sobol and morris snap each sampled value to the nearest.",
                     example="[0, 0.5, 1]"),
}, doc="One swept setting: `{low, high}` (optionally `log: true`) or `{values: [...]}`, within the setting's "
       "own range (docs/scenario-reference.md). Whole-number settings are rounded.")


def fixed_settings(doc: str) -> Paths:
    """Scenario settings by dotted path, their values checked when the scenario loads with them."""
    return Paths(SCENARIO, None, doc)


#: the sweep spec's settings; ``load_sweep`` checks a file against it with the scenario's validator
SWEEP_SPEC = Section({
    "name": Field("str", None, "The sweep's name: its results go to results/sweeps/<name>/. Defaults to the file "
                  "name.", pattern=NAME_PATTERN),
    "description": Field("str", "", "What the sweep asks, in a sentence."),
    "base": Field("str", None, "The scenario file the sweep varies, relative to this file.", required=True),
    "set": fixed_settings("Settings fixed for every run, like --set (population.scale: 1000)."),
    "design": Field("str", "lhs", "How the design points are chosen: every combination of levels (grid), a "
                    "Latin hypercube (lhs), Saltelli's Sobol scheme or Morris trajectories.", choices=DESIGNS),
    "samples": Field("int", 16, "lhs: points; sobol: Saltelli base N (a power of 2), N*(D+2) points; morris: "
                     "trajectories, N*(D+1) points; grid: not used.", minimum=1, maximum=1_000_000),
    "levels": Field("int", 4, "morris: grid levels (even).", minimum=2, maximum=100),
    "grid_points": Field("int", 5, "grid: levels of a parameter given by low and high.", minimum=2, maximum=1000),
    "replications": Field("int", 1, "Runs of each design point under each policy, each with its own random "
                          "streams.", minimum=1, maximum=1000),
    "seed": Field("int", 20210101, "Root seed of every run; the replication picks the streams.", minimum=0,
                  maximum=2**63 - 1),
    "parameters": Paths(SCENARIO, PARAMETER, "The swept settings, each with its range.", kinds=NUMBER_KINDS,
                        required=True),
    "policies": MapOf(None, fixed_settings("A policy's lever settings."), default={"base": {}},
                      doc="Lever settings crossed with every design point (EMA Workbench's policies), by name "
                          "(a name becomes part of a plot's file name).",
                      key_name="<policy>", key_pattern=NAME_PATTERN),
    "outputs": ListOf(Field("str", None, "indicator@year (the city) or zone:indicator@year."),
                      "What each run measures: an indicator's year-end value (a flow: summed over the year).",
                      required=True, example="[urbanization_rate@2023, pingdu:hukou_urbanization_rate@2023]"),
    "budget_minutes": Field("float", None, "Refuse a sweep estimated to take longer, like --budget (--force runs "
                            "it anyway).", unit="minutes", minimum=0.0),
    "discovery": Section({
        "output": Field("str", None, "The output whose outcome is explained: one of outputs (its mean over the "
                        "replications at each design point).", required=True),
        "below": Field("float", None, "A design point is a case of interest when the output is below this (a "
                       "target missed: urbanization_rate@2023 below 77)."),
        "above": Field("float", None, "... or above this (give one of below and above)."),
        "min_density": Field("float", 0.8, "The box reported is the one holding most cases among those where at "
                             "least this share of the points are cases.", minimum=0.0, maximum=1.0,
                             source="EMA Workbench's default density threshold"),
    }, doc="Scenario discovery (PRIM, docs/experiments.md): which ranges of the swept settings make the outcome "
           "happen, under each policy; writes discovery.csv and plots/discovery*.png.", optional=True),
}, doc="A sweep spec (scenarios/sweeps/*.yaml): one scenario run at every design point, under every policy, "
       "`replications` times (docs/experiments.md).")


@dataclass(frozen=True)
class Output:
    """One measured quantity: an indicator of a zone in a year (year-end value; flows summed over the year)."""

    label: str
    zone: str
    indicator: str
    year: int


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery explains: ``output`` below (or above) ``threshold``."""

    output: str
    below: bool
    threshold: float
    min_density: float

    def cases(self, values):
        """Which of ``values`` (the output at each design point) are cases of interest; NaN never is."""
        return values < self.threshold if self.below else values > self.threshold

    @property
    def describe(self) -> str:
        return f"{self.output} {'<' if self.below else '>'} {self.threshold:g}"


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
    discovery: Discovery | None = None

    def point_settings(self, point) -> list[tuple[str, Any]]:
        """The design point's settings: each parameter's dotted path and value (whole numbers as int)."""
        return [(p.path, int(v) if p.integer else float(v)) for p, v in zip(self.parameters, point, strict=True)]

    def overrides(self, policy: int, point) -> list[tuple[str, Any]]:
        """Settings of one run on top of the base: fixed ones, the policy's, the design point's, the seed."""
        return [*self.fixed, *self.policies[policy][1], *self.point_settings(point), ("seed", self.seed),
                ("replications", 1)]

    def scenario(self, policy: int, point):
        return load_scenario(self.base, self.overrides(policy, point))


def _fail(message: str, field: str | None, file: Path) -> ScenarioError:
    return ScenarioError(message, field, str(file))


def with_the_spec(err: ScenarioError, context: str, spec_file: Path) -> ScenarioError:
    """``err``, raised loading a spec's scenario with the spec's settings, said with ``context`` (which scenario,
    which settings) and blamed where the mistake is: on the spec when its settings caused it (the loader's
    ``--set``), else on the scenario's own file or a file it extends, which the user must open instead."""
    blamed = str(spec_file) if err.file in (None, OVERRIDE) else err.file
    return ScenarioError(f"{err.message} ({context})", err.field, blamed)


def parameter(path: str, entry, file: Path) -> Parameter:
    """A swept (or fitted) setting from its checked spec entry (``PARAMETER``, or the calibration's bounds):
    a range or listed levels, within the setting's own range."""
    where = f"parameters.{path}"
    setting = resolve(SCENARIO, path)
    assert isinstance(setting, Field)          # a number setting: the spec's check made sure
    listed = dict(entry.items()).get("values")
    integer = setting.kind == "int"
    if listed is not None:
        if entry.low is not None or entry.high is not None:
            raise _fail("give either values or low and high, not both", where, file)
        _check_whole(integer, listed, f"{where}.values", file)
        ends = (min(listed), max(listed))
        param = Parameter(path, values=listed, log=entry.log, integer=integer)
    else:
        if entry.low is None or entry.high is None:
            either = " (or values: [...])" if "values" in dict(entry.items()) else ""
            raise _fail(f"expected both low and high{either}", where, file)
        ends = (entry.low, entry.high)
        for end, name in zip(ends, ("low", "high"), strict=True):
            _check_whole(integer, (end,), f"{where}.{name}", file)
        if ends[0] >= ends[1]:
            raise _fail(f"low must be below high, got {ends[0]:g} and {ends[1]:g}", where, file)
        if entry.log and ends[0] <= 0:
            raise _fail(f"log: true needs low > 0, got {ends[0]:g}", f"{where}.low", file)
        param = Parameter(path, low=ends[0], high=ends[1], log=entry.log, integer=integer)
    low, high = setting.minimum, setting.maximum
    for end, name in zip(ends, ("low", "high"), strict=True):
        if (low is not None and end < low) or (high is not None and end > high):
            limits = (f"{low:g} to {high:g}" if low is not None and high is not None else
                      f"at least {low:g}" if low is not None else f"at most {high:g}")
            raise _fail(f"{end:g} is outside the setting's range {limits}", f"{where}.{name}", file)
    return param


def _check_whole(integer: bool, values, where: str, file: Path) -> None:
    """A whole-number setting is swept over whole numbers: a fractional end or level would be rounded to
    a different range or repeated levels without a word."""
    fractional = [v for v in values if integer and not float(v).is_integer()]
    if fractional:
        raise _fail(f"expected whole numbers for a whole-number setting; got {fractional[0]:g}", where, file)


#: what the sweep sets in every run itself (``Sweep.overrides``): a spec that varied or fixed them would be
#: overwritten without a word
SET_BY_THE_SWEEP = ("seed", "replications")


def _check_nothing_overwritten(values: dict, file: Path) -> None:
    """Refuse what a run's later settings would replace without a word (the order of ``Sweep.overrides``:
    set, the policy's, the design point's, seed and replications): ``seed`` or ``replications`` anywhere, a
    policy's setting also fixed by ``set``, a swept parameter also fixed by ``set`` or a policy."""
    places = [("parameters", values["parameters"]), ("set", values["set"]),
              *((f"policies.{name}", settings) for name, settings in values["policies"].items())]
    for where, settings in places:
        for path in settings:
            if path in SET_BY_THE_SWEEP:
                raise _fail(f"every run uses the sweep's own {path} (the spec's top-level '{path}:'); "
                            f"a sweep cannot vary or fix it here", f"{where}.{path}", file)
    fixed = [("set", path) for path in values["set"]]
    for name, settings in values["policies"].items():
        _check_apart(f"policies.{name}", settings, fixed, "the policy's value would replace the fixed one in every "
                     "run; fix it in set or in the policies, not both", file)
    for name, settings in values["policies"].items():
        fixed += [(f"policies.{name}", path) for path in settings]
    _check_apart("parameters", values["parameters"], fixed, "the swept value would replace the fixed one in every "
                 "run; fix it or sweep it, not both", file)


def _check_apart(where: str, paths, earlier: list[tuple[str, str]], why: str, file: Path) -> None:
    for path in paths:
        clash = next((f"{w}.{p}" for w, p in earlier if overlapping(p, path)), None)
        if clash is not None:
            raise _fail(f"also set by {clash}: {why}", f"{where}.{path}", file)


def _output(text: str, file: Path) -> Output:
    match = _OUTPUT.fullmatch(text)
    if match is None:
        raise _fail(f"expected indicator@year or zone:indicator@year (urbanization_rate@2023), got {text!r}",
                    "outputs", file)
    zone, indicator, year = DISTRICT_ALIASES.get(match["zone"] or CITY, match["zone"] or CITY), match["indicator"], \
        int(match["year"])
    if indicator not in BY_NAME:
        close = closest(indicator, tuple(BY_NAME))
        raise _fail(f"unknown indicator {indicator!r}" + (f"; did you mean '{close}'?" if close else ""),
                    "outputs", file)
    if zone not in ZONES:
        raise _fail(f"unknown zone {zone!r} (allowed: {', '.join(ZONES)}, or a district's Chinese name)", "outputs",
                    file)
    if BY_NAME[indicator].city_only and zone != CITY:
        raise _fail(f"{indicator} is a city-wide quantity: use it without a zone", "outputs", file)
    return Output(text, zone, indicator, year)


def _discovery(values, outputs: list[str], file: Path) -> Discovery | None:
    """The spec's ``discovery`` checked: an output of the spec, and exactly one of below and above."""
    if values is None:
        return None
    if values.output not in outputs:
        close = closest(values.output, tuple(outputs))
        raise _fail(f"{values.output!r} is not one of the spec's outputs" + (f"; did you mean '{close}'?" if close
                    else f" ({', '.join(outputs)})"), "discovery.output", file)
    if (values.below is None) == (values.above is None):
        raise _fail("give one of below and above: the output's value that makes a design point a case of interest",
                    "discovery", file)
    below = values.below is not None
    return Discovery(values.output, below, values.below if below else values.above, values.min_density)


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; raise ``ScenarioError`` naming the setting at the first problem."""
    file = Path(path)
    values = check(SWEEP_SPEC, read_mapping(file, "sweep spec"), file=str(file), default_name=file.stem)
    _check_nothing_overwritten(values, file)
    sweep = Sweep(
        name=values["name"], description=values["description"], file=file, base=file.parent / values["base"],
        fixed=tuple(values["set"].items()), design=values["design"], samples=values["samples"],
        levels=values["levels"], grid_points=values["grid_points"], replications=values["replications"],
        seed=values["seed"],
        parameters=tuple(parameter(p, entry, file) for p, entry in values["parameters"].items()),
        policies=tuple((name, tuple(settings.items())) for name, settings in values["policies"].items()),
        outputs=tuple(_output(o, file) for o in values["outputs"]),
        budget_minutes=values["budget_minutes"], discovery=_discovery(values["discovery"], values["outputs"], file))
    _check_design(sweep)
    _check_runs(sweep)
    return sweep


def _check_design(sweep: Sweep) -> None:
    """The design can be sampled: each parameter's range or levels, and the design's size and levels."""
    for p in sweep.parameters:
        try:
            bounds(p)
            if sweep.design != "grid":
                problem([p])
        except ValueError as err:
            raise _fail(str(err).removeprefix(f"parameter {p.path}: "), f"parameters.{p.path}", sweep.file) from None
    try:
        n = n_points(sweep.design, len(sweep.parameters), sweep.samples, sweep.levels, sweep.grid_points,
                     sweep.parameters)
    except ValueError as err:
        field = "levels" if str(err).startswith("levels") else "samples"
        raise _fail(str(err), field, sweep.file) from None
    _check_size(sweep, n)


def runs_count(sweep: Sweep) -> int:
    """Design points x policies x replications, counted without sampling (a grid: its levels multiplied)."""
    n = n_points(sweep.design, len(sweep.parameters), sweep.samples, sweep.levels, sweep.grid_points,
                 sweep.parameters)
    return n * len(sweep.policies) * sweep.replications


def _check_size(sweep: Sweep, points: int) -> None:
    """Refuse a sweep of more than ``MAX_RUNS`` runs, counted arithmetically before anything is sampled,
    naming the field that makes it too large: the design's size, then the policies, then the replications."""
    policies, replications = len(sweep.policies), sweep.replications
    runs = points * policies * replications
    if runs <= MAX_RUNS:
        return
    if points > MAX_RUNS:
        ranged = any(p.values is None for p in sweep.parameters)
        field, advice = (("samples", "lower samples") if sweep.design != "grid" else
                         ("grid_points", "lower grid_points or list fewer values") if ranged else
                         ("parameters", "list fewer values"))
    elif points * policies > MAX_RUNS:
        field, advice = "policies", "give fewer policies, or split them over several sweeps"
    else:
        field, advice = "replications", "lower replications"
    raise _fail(f"{runs:,} runs ({points:,} design points x {policies} polic{'y' if policies == 1 else 'ies'} x "
                f"{replications} replication{'' if replications == 1 else 's'}) is over the maximum of "
                f"{MAX_RUNS:,} runs a sweep may have (docs/experiments.md); {advice}", field, sweep.file)


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
                raise with_the_spec(err, f"the base scenario {sweep.base} with the sweep's {where}",
                                    sweep.file) from None
    first, last = scenario.period.start.year, scenario.period.end.year
    for out in sweep.outputs:
        if not first <= out.year <= last:
            raise _fail(f"{out.label}: the runs simulate {first} to {last}", "outputs", sweep.file)
