"""Design points of a parameter sweep: which scenario settings each run uses.

Four designs: ``grid`` (every combination of a few levels), ``lhs`` (Latin
hypercube, space-filling with any number of runs), ``sobol`` (Saltelli's
scheme for variance-based indices) and ``morris`` (one-at-a-time trajectories
for screening). Every design samples in a *sampling space* (log10 of the
setting for ``log`` parameters) and returns points in natural units, so a
point can be written straight into a scenario.

A parameter given by ``values`` takes its bounds from the smallest and largest
value in the sampled designs (lhs, sobol, morris), and each sampled value is
snapped to the nearest listed value (nearest in the sampling space), so that
levels the model only accepts as listed stay valid; a level is then drawn in
proportion to the stretch of the range nearest to it (evenly spaced levels:
the two end ones half as often as inner ones), not equally often. Snapping
and integer rounding keep the Sobol' and Morris structure (they act column by
column); the indices then describe the discretised setting.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DESIGNS = ("grid", "lhs", "sobol", "morris")


@dataclass(frozen=True)
class Parameter:
    """One swept scenario setting: explicit ``values``, or a range ``low``..``high``."""

    path: str                                  # dotted scenario setting, e.g. "behaviour.hukou.<setting>"
    values: tuple[float, ...] | None = None    # explicit levels (snapped to in sampled designs)
    low: float | None = None
    high: float | None = None
    log: bool = False                          # sample uniformly in log10 space (needs positive values)
    integer: bool = False                      # a whole-number setting: sampled values are rounded


def _check(p: Parameter) -> None:
    """Raise ValueError naming the parameter when its definition cannot be sampled."""
    if p.values is not None:
        if p.low is not None or p.high is not None:
            raise ValueError(f"parameter {p.path}: give either values or low/high, not both")
        if len(p.values) == 0:
            raise ValueError(f"parameter {p.path}: values is empty")
        if len(set(p.values)) != len(p.values):
            raise ValueError(f"parameter {p.path}: values repeat: {list(p.values)}")
        ends = p.values
    else:
        if p.low is None or p.high is None:
            raise ValueError(f"parameter {p.path}: needs values or both low and high")
        if not p.low < p.high:
            raise ValueError(f"parameter {p.path}: low ({p.low}) must be below high ({p.high})")
        ends = (p.low, p.high)
    if not all(math.isfinite(v) for v in ends):
        raise ValueError(f"parameter {p.path}: values must be finite numbers")
    if p.log and min(ends) <= 0:
        raise ValueError(f"parameter {p.path}: a log parameter needs values above 0, got {min(ends)}")
    if p.integer and not all(float(v).is_integer() for v in ends):
        raise ValueError(f"parameter {p.path}: an integer parameter needs whole-number values or bounds")


def bounds(p: Parameter) -> tuple[float, float]:
    """(low, high) in the sampling space: log10 of the setting when ``log``; (min, max) of ``values``."""
    _check(p)
    if p.values is not None:
        low, high = min(p.values), max(p.values)
    else:
        assert p.low is not None and p.high is not None         # _check: a range has both ends
        low, high = p.low, p.high
    return (math.log10(low), math.log10(high)) if p.log else (float(low), float(high))


def to_sampling_space(p: Parameter, natural: npt.ArrayLike) -> np.ndarray:
    """The setting's values as the sampler (and SALib's analysers) see them."""
    natural = np.asarray(natural, dtype=np.float64)
    return np.log10(natural) if p.log else natural


def to_natural(p: Parameter, sampled: np.ndarray) -> np.ndarray:
    """Sampling-space values back to settings: undo log10, snap to ``values``, round integers, stay in bounds."""
    sampled = np.asarray(sampled, dtype=np.float64)
    if p.values is not None:
        levels = np.unique(np.asarray(p.values, dtype=np.float64))
        nearest = np.abs(sampled[:, None] - to_sampling_space(p, levels)[None, :]).argmin(axis=1)
        return levels[nearest]
    natural = np.clip(10.0 ** sampled if p.log else sampled, p.low, p.high)
    return np.rint(natural) if p.integer else natural


def problem(parameters: Sequence[Parameter]) -> dict:
    """SALib's problem dict (names are the dotted paths, bounds in the sampling space)."""
    if len(parameters) < 1:
        raise ValueError("a design needs at least one parameter")
    names = [p.path for p in parameters]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"parameters repeat: {', '.join(repeated)}")
    spans = [bounds(p) for p in parameters]
    for p, (low, high) in zip(parameters, spans, strict=True):
        if not low < high:
            raise ValueError(f"parameter {p.path}: a sampled design needs at least two distinct values")
    return {"num_vars": len(parameters), "names": names, "bounds": [list(b) for b in spans]}


def grid_levels(p: Parameter, grid_points: int = 5) -> tuple[float, ...]:
    """The parameter's levels in a grid: its ``values`` as listed, else ``grid_points`` evenly spaced
    (geometric when ``log``; integer levels rounded, repeats dropped)."""
    _check(p)
    if p.values is not None:
        return tuple(float(v) for v in p.values)
    if grid_points < 2:
        raise ValueError(f"parameter {p.path}: grid_points must be at least 2, got {grid_points}")
    assert p.low is not None and p.high is not None             # _check: no values, so both ends
    levels = np.geomspace(p.low, p.high, grid_points) if p.log else np.linspace(p.low, p.high, grid_points)
    return tuple(float(v) for v in (np.unique(np.rint(levels)) if p.integer else levels))


def _check_size(design: str, n_parameters: int, samples: int, levels: int) -> None:
    """Raise ValueError for a design, size or level count the samplers cannot use."""
    if design not in DESIGNS:
        raise ValueError(f"unknown design {design!r}; choose one of {', '.join(DESIGNS)}")
    if n_parameters < 1:
        raise ValueError(f"the {design} design needs at least one parameter")
    if design == "grid":
        return                                  # samples is not used
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    if design == "sobol" and samples & (samples - 1):
        below = 1 << (int(samples).bit_length() - 1)
        raise ValueError(f"samples must be a power of 2 for the sobol design, got {samples}; "
                         f"use {below} or {2 * below}")
    if design == "morris" and (levels < 2 or levels % 2):
        raise ValueError(f"levels must be an even number of at least 2 for the morris design, got {levels}")


def n_points(design: str, n_parameters: int, samples: int, levels: int = 4, grid_points: int = 5,
             parameters: Sequence[Parameter] | None = None) -> int:
    """How many design points ``sample`` returns, without sampling.

    For a grid without ``parameters`` every parameter is taken to have ``grid_points`` levels.
    """
    _check_size(design, n_parameters, samples, levels)
    if parameters is not None and len(parameters) != n_parameters:
        raise ValueError(f"n_parameters is {n_parameters} but {len(parameters)} parameters were given")
    if design == "grid":
        if parameters is None:
            return grid_points ** n_parameters
        return math.prod(len(grid_levels(p, grid_points)) for p in parameters)
    return samples * {"lhs": 1, "sobol": n_parameters + 2, "morris": n_parameters + 1}[design]


def sample(design: str, parameters: Sequence[Parameter], samples: int, seed: int, levels: int = 4,
           grid_points: int = 5) -> np.ndarray:
    """Design points in natural units, shape (n_points, n_parameters), float64 (integers rounded).

    grid: itertools.product of the levels, first parameter slowest, ``samples`` ignored; lhs:
    ``samples`` points; sobol: Saltelli's N*(D+2) points without second-order terms (N = ``samples``,
    a power of 2); morris: N*(D+1) points on ``levels`` levels. Same arguments, same bytes.
    """
    _check_size(design, len(parameters), samples, levels)
    if design == "grid":
        product = itertools.product(*(grid_levels(p, grid_points) for p in parameters))
        return np.array(list(product), dtype=np.float64).reshape(-1, len(parameters))
    spec = problem(parameters)
    if design == "lhs":
        from scipy.stats import qmc  # scipy and SALib imported on first use: start-up time of the CLI

        unit = qmc.LatinHypercube(len(parameters), seed=seed, optimization=None).random(samples)
        low, high = np.array(spec["bounds"]).T
        sampled = qmc.scale(unit, low, high)
    elif design == "sobol":
        from SALib.sample import sobol as salib_sobol

        sampled = salib_sobol.sample(spec, N=samples, calc_second_order=False, scramble=True, seed=seed)
    else:
        from SALib.sample import morris as salib_morris

        sampled = salib_morris.sample(spec, N=samples, num_levels=levels, seed=seed)
    columns = [to_natural(p, sampled[:, j]) for j, p in enumerate(parameters)]
    return np.ascontiguousarray(np.column_stack(columns), dtype=np.float64)
