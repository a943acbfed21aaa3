"""A calibration spec (YAML): which scenario, which behavioural settings to fit, within which bounds.

Example (``scenarios/calibration/backcast_fit.yaml``)::

    name: backcast_fit
    scenario: ../backcast_2010_2020.yaml    # relative to this file
    set: {population.scale: 1000}           # fixed for every evaluation
    parameters:                             # fitted, within these bounds (log: true = in log space)
      behaviour.rural_to_urban.base_hazard_per_year: {low: 0.01, high: 0.2, log: true}
    replications: 2                         # per design point, averaged; the same seed for every point
    seed: 1
    design_points: 40                       # runs of the emulator's design (at least the quadratic's terms)
    bootstrap: 200                          # emulator refits on resampled design points, for the spread
    fit_until: null                         # a year: fit on observations up to it only (back-tests)
    fit_districts: false                    # true: fit arrivals' district attraction to the 2020 district
                                            # totals first (districts.py); false: districts are reported only
    posterior: {walkers: 32, steps: 2500, burn_in: 500, thin: 10}   # emcee's chain (posterior.py)

Declared once (``CALIBRATION_SPEC``, with the field DSL of ``sim.core.fields``) and checked by the
scenario's validator, like a sweep spec: one line naming the field, nothing runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.fields import Field, Paths, Section, overlapping
from ..experiment.design import Parameter
from ..experiment.spec import NUMBER_KINDS, fixed_settings, parameter, with_the_spec
from ..scenario import ScenarioError, load_scenario
from ..scenario.load import read_mapping
from ..scenario.schema import NAME_PATTERN, SCENARIO
from ..scenario.validation import check
from .posterior import Chain

#: what the calibration sets in every evaluation itself (``Calibration.overrides``, after the spec's ``set`` and
#: ``parameters``): a spec that fitted or fixed them there would be overwritten without a word
SET_BY_THE_CALIBRATION = ("seed", "replications")
#: the setting ``fit_districts: true`` fits itself (``districts.py``), after the spec's ``set``
ATTRACTION = "behaviour.in_migration.district_attraction"

#: one fitted setting: its bounds (a sweep's parameter without listed values)
BOUNDS = Section({"low": Field("float", None, "Lower bound of the fit."),
                  "high": Field("float", None, "Upper bound of the fit."),
                  "log": Field("bool", False, "Fit in log10 of the value (needs low > 0).")},
                 doc="One fitted setting's bounds: `{low, high}`, optionally `log: true` (fitted in log10 space), "
                     "within the setting's own range (docs/scenario-reference.md).")

#: the calibration spec's settings; ``load_calibration`` checks a file against it with the scenario's validator
CALIBRATION_SPEC = Section({
    "name": Field("str", None, "The calibration's name: its results go to results/calibration/<name>-<run id>/. "
                  "Defaults to the file name.", pattern=NAME_PATTERN),
    "description": Field("str", "", "What is fitted to what, in a sentence."),
    "scenario": Field("str", None, "The scenario file to calibrate, relative to this file.", required=True),
    "set": fixed_settings("Settings fixed for every evaluation, like --set (population.scale: 1000)."),
    "parameters": Paths(SCENARIO, BOUNDS, "The fitted settings, each with its bounds.", kinds=NUMBER_KINDS,
                        required=True),
    "replications": Field("int", 2, "Runs per design point, averaged; the same seed for every point (common "
                          "random numbers).", minimum=1, maximum=100),
    "seed": Field("int", 1, "Root seed of every run.", minimum=0, maximum=2**63 - 1),
    "design_points": Field("int", 40, "Runs of the emulator's design: at least the quadratic's 1 + D + D(D+1)/2 "
                           "terms for D parameters; about three times that is better.", minimum=2, maximum=100_000),
    "bootstrap": Field("int", 200, "Emulator refits on resampled design points, for the estimates' spread.",
                       minimum=0, maximum=100_000),
    "fit_until": Field("int", None, "A year: fit on the observations up to it only, score the later ones (a "
                       "back-test; backtest --cutoff overrides it, backtest without it uses it). Default: every "
                       "observation.",
                       unit="year", minimum=2000, maximum=2100),
    "fit_districts": Field("bool", False, "True: first fit arrivals' district attraction to the 2020 district "
                           "totals (docs/calibration.md); false: districts are reported only."),
    "posterior": Section({
        "walkers": Field("int", 32, "emcee's walkers: at least twice the number of parameters.", minimum=2,
                         maximum=10_000),
        "steps": Field("int", 2500, "Steps of every walker, the burn-in included.", minimum=1, maximum=1_000_000),
        "burn_in": Field("int", 500, "First steps of every walker dropped (less than steps).", minimum=0,
                         maximum=1_000_000),
        "thin": Field("int", 10, "Keep every thin-th step after the burn-in.", minimum=1, maximum=100_000),
    }, doc="The posterior's Markov chain (emcee on the emulator, docs/calibration.md): posterior.csv holds "
           "walkers x (steps - burn_in) / thin draws. The defaults take 1-2 s."),
}, doc="A calibration or back-test spec (scenarios/calibration/*.yaml): which scenario, which settings to fit "
       "within which bounds, and the emulator's design (docs/calibration.md).")


@dataclass(frozen=True)
class Calibration:
    name: str
    description: str
    file: Path
    scenario: Path
    fixed: tuple[tuple[str, Any], ...]
    parameters: tuple[Parameter, ...]
    replications: int
    seed: int
    design_points: int
    bootstrap: int
    fit_until: int | None
    fit_districts: bool = False
    posterior: Chain | None = None       # None: no posterior (a spec file always has one)

    def overrides(self, values, seed: int | None = None, extra=()) -> list[tuple[str, Any]]:
        return [*self.fixed, *extra, *((p.path, float(v)) for p, v in zip(self.parameters, values, strict=True)),
                ("seed", self.seed if seed is None else seed), ("replications", self.replications)]

    def load(self, values, seed: int | None = None, extra=()):
        """The scenario with the fixed settings, ``extra`` ones (fitted attractions) and these values."""
        return load_scenario(self.scenario, self.overrides(values, seed, extra))

    def defaults(self) -> list[float]:
        """The parameters' values in the scenario as written (the uncalibrated start)."""
        sc = load_scenario(self.scenario, list(self.fixed))
        out = []
        for p in self.parameters:
            value: Any = sc
            for key in p.path.split("."):       # sections are attributes, a MapOf's entries are keys
                value = value[key] if isinstance(value, Mapping) else getattr(value, key)
            out.append(float(value))
        return out


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration spec; raise ``ScenarioError`` naming the setting at the first problem."""
    file = Path(path)
    values = check(CALIBRATION_SPEC, read_mapping(file, "calibration spec"), file=str(file), default_name=file.stem)
    _check_nothing_overwritten(values, file)
    params = tuple(parameter(p, entry, file) for p, entry in values["parameters"].items())
    terms = 1 + len(params) + len(params) * (len(params) + 1) // 2
    if values["design_points"] < terms:
        raise ScenarioError(f"the quadratic emulator of {len(params)} parameter(s) has {terms} terms: give at "
                            f"least {terms} design points (about three times that is better)", "design_points",
                            str(file))
    chain_values = values["posterior"]
    chain = Chain(chain_values.walkers, chain_values.steps, chain_values.burn_in, chain_values.thin)
    if chain.walkers < 2 * len(params):
        raise ScenarioError(f"emcee needs at least twice as many walkers as parameters: give at least "
                            f"{2 * len(params)} for {len(params)} parameter(s)", "posterior.walkers", str(file))
    if chain.burn_in >= chain.steps:
        raise ScenarioError(f"the burn-in ({chain.burn_in}) must be less than the steps ({chain.steps}): nothing "
                            "would be kept", "posterior.burn_in", str(file))
    spec = Calibration(
        name=values["name"], description=values["description"], file=file,
        scenario=file.parent / values["scenario"], fixed=tuple(values["set"].items()), parameters=params,
        replications=values["replications"], seed=values["seed"], design_points=values["design_points"],
        bootstrap=values["bootstrap"], fit_until=values["fit_until"], fit_districts=values["fit_districts"],
        posterior=chain)
    for corner in ([p.low for p in params], [p.high for p in params]):
        try:
            spec.load(corner)
        except ScenarioError as err:
            raise with_the_spec(err, f"the scenario {spec.scenario} with the spec's settings", file) from None
    return spec


def _check_nothing_overwritten(values: dict, file: Path) -> None:
    """Refuse a setting of ``set`` or ``parameters`` that something applied after it in every evaluation would
    replace without a word (the order of ``Calibration.overrides``: set, the fitted attractions, parameters,
    seed and replications): ``seed`` or ``replications`` (the spec's own top-level fields), the district
    attraction when ``fit_districts`` fits it, a fixed setting that is also fitted."""
    places = (("set", "fix"), ("parameters", "fit"))
    for where, verb in places:
        for path in values[where]:
            field = f"{where}.{path}"
            if path in SET_BY_THE_CALIBRATION:
                raise ScenarioError(f"every evaluation uses the calibration's own {path} (the spec's top-level "
                                    f"'{path}:'); a calibration cannot {verb} it here", field, str(file))
            if values["fit_districts"] and overlapping(path, ATTRACTION):
                raise ScenarioError(f"fit_districts: true fits {ATTRACTION} itself (to the 2020 district totals), "
                                    f"which would replace this; {verb} it with fit_districts: false, or leave it "
                                    "to the district fit", field, str(file))
    for path in values["parameters"]:
        fixed = next((f for f in values["set"] if overlapping(f, path)), None)
        if fixed is not None:
            raise ScenarioError(f"fitted here and fixed by set (set.{fixed}): the fitted value would replace the "
                                "fixed one in every evaluation; fix it or fit it, not both", f"parameters.{path}",
                                str(file))
