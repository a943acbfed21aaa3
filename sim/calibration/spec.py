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

Validated like a sweep: one line naming the field, nothing runs.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..experiment.design import Parameter
from ..experiment.spec import parse_parameter, whole_number
from ..scenario import ScenarioError, load_scenario
from ..scenario.load import read_mapping

KEYS = ("name", "description", "scenario", "set", "parameters", "replications", "seed", "design_points",
        "bootstrap", "fit_until", "fit_districts")


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
            value = sc
            for key in p.path.split("."):
                value = value[key] if isinstance(value, dict) or hasattr(value, "keys") else getattr(value, key)
            out.append(float(value))
        return out


def _flag(data: dict, key: str, file: Path) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ScenarioError(f"expected true or false, got {value!r}", key, str(file))
    return value


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration spec."""
    file = Path(path)
    data = read_mapping(file)
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            raise ScenarioError(f"unknown key {key!r}" + (f"; did you mean '{close[0]}'?" if close else "")
                                + f" (allowed: {', '.join(KEYS)})", str(key), str(file))
    if not isinstance(data.get("scenario"), str):
        raise ScenarioError("expected the scenario file to calibrate, relative to this file", "scenario", str(file))
    parameters = data.get("parameters")
    if not isinstance(parameters, dict) or not parameters:
        raise ScenarioError("expected a mapping of at least one dotted setting to its bounds", "parameters",
                            str(file))
    fixed = data.get("set") or {}
    if not isinstance(fixed, dict):
        raise ScenarioError("expected a mapping of dotted settings to values", "set", str(file))
    params = tuple(parse_parameter(str(p), raw, file) for p, raw in parameters.items())
    terms = 1 + len(params) + len(params) * (len(params) + 1) // 2
    if isinstance(data.get("design_points"), int) and data["design_points"] < terms:
        raise ScenarioError(f"the quadratic emulator of {len(params)} parameter(s) has {terms} terms: give at "
                            f"least {terms} design points (about three times that is better)", "design_points",
                            str(file))
    for p in params:
        if p.values is not None:
            raise ScenarioError("a fitted parameter needs low and high bounds, not values", f"parameters.{p.path}",
                                str(file))
    spec = Calibration(
        name=str(data.get("name", file.stem)), description=str(data.get("description", "")), file=file,
        scenario=file.parent / data["scenario"], fixed=tuple(fixed.items()), parameters=params,
        replications=whole_number(data, "replications", 2, 1, 100, file),
        seed=whole_number(data, "seed", 1, 0, 2**63 - 1, file),
        design_points=whole_number(data, "design_points", 40, 2, 100_000, file),
        bootstrap=whole_number(data, "bootstrap", 200, 0, 100_000, file),
        fit_until=whole_number(data, "fit_until", None, 2000, 2100, file),
        fit_districts=_flag(data, "fit_districts", file))
    for corner in ([p.low for p in params], [p.high for p in params]):
        try:
            spec.load(corner)
        except ScenarioError as err:
            raise ScenarioError(f"{err.message} (the scenario {spec.scenario} with the spec's settings)",
                                err.field, str(file)) from None
    return spec
