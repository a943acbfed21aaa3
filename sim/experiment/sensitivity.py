"""Sensitivity indices of a sweep's outputs (SALib), and whether they are precise enough to rank parameters.

Sobol' designs give first-order (S1) and total (ST) indices, Morris designs
the mean absolute elementary effect (mu_star) and its spread (sigma); grid
and Latin-hypercube designs have no estimator here and give no rows (their
outputs are looked at in the scatter plots). Every index carries its 95%
bootstrap interval, so that a ranking is only read where the intervals allow.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..output.formats import SENSITIVITY, csv_table, fmt
from .design import Parameter, problem, to_sampling_space

#: per method, SALib's indices in row order, and the one parameters are ranked by
INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}
MAIN = {"sobol": "ST", "morris": "mu_star"}
CONF_LEVEL = 0.95
#: a parameter whose interval lies below this share of the largest index is negligible; the order of two
#: negligible parameters is not worth a warning
NEGLIGIBLE = 0.05
#: a Sobol' index lies in 0..1: an interval half as wide as that range says nothing about it
SOBOL_MAX_HALF_WIDTH = 0.5


@dataclass(frozen=True)
class IndexRow:
    """One index of one parameter for one output, with its 95% interval (NaN where SALib gives none)."""

    output: str          # e.g. "urbanization_rate@2023"
    parameter: str       # dotted path
    method: str          # "sobol" or "morris"
    index: str           # "S1", "ST" (sobol); "mu_star", "sigma" (morris)
    value: float
    conf_low: float
    conf_high: float


def analyze(design: str, parameters: Sequence[Parameter], X: np.ndarray, Y: np.ndarray, output: str, seed: int,
            levels: int = 4) -> list[IndexRow]:
    """Indices of ``output`` from the design points ``X`` (natural units, as ``design.sample`` gives them)
    and one value per point ``Y`` (replications averaged first); [] for grid and lhs designs.

    An output that does not vary over the design has Sobol' indices NaN (0/0); ``ranking_warnings`` says so.
    """
    if design not in INDICES:
        return []
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    spec = problem(parameters)
    if X.ndim != 2 or X.shape[1] != len(parameters):
        raise ValueError(f"X must have one column per parameter ({len(parameters)}), got shape {X.shape}")
    if Y.shape != (len(X),):
        raise ValueError(f"{output}: Y must hold one value per design point ({len(X)}), got shape {Y.shape}")
    if not np.isfinite(Y).all():
        raise ValueError(f"{output}: Y has NaN or infinite values at {int((~np.isfinite(Y)).sum())} design points")
    if design == "sobol":
        from SALib.analyze import sobol as salib_sobol  # SALib imported on first use: start-up time of the CLI

        if len(Y) % (len(parameters) + 2):
            raise ValueError(f"{output}: a sobol design has N*(D+2) points, got {len(Y)} for D={len(parameters)}")
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)        # constant output: 0/0, NaN indices
            result = salib_sobol.analyze(spec, Y, calc_second_order=False, conf_level=CONF_LEVEL, seed=seed,
                                         print_to_console=False)
        confs = {"S1": result["S1_conf"], "ST": result["ST_conf"]}
    else:
        from SALib.analyze import morris as salib_morris

        sampled = np.column_stack([to_sampling_space(p, X[:, j]) for j, p in enumerate(parameters)])
        _check_trajectories(sampled, parameters)
        result = salib_morris.analyze(spec, sampled, Y, conf_level=CONF_LEVEL, num_levels=levels, seed=seed)
        confs = {"mu_star": result["mu_star_conf"], "sigma": np.full(len(parameters), np.nan)}
    return [IndexRow(output, p.path, design, index, float(result[index][j]),
                     float(result[index][j] - confs[index][j]), float(result[index][j] + confs[index][j]))
            for j, p in enumerate(parameters) for index in INDICES[design]]


def _check_trajectories(sampled: np.ndarray, parameters: Sequence[Parameter]) -> None:
    """Every Morris step must change exactly one parameter (SALib reads the steps from X): a step that
    snapping or integer rounding collapsed, or an X that is not a Morris design, would bias mu_star."""
    d = len(parameters)
    if len(sampled) % (d + 1):
        raise ValueError(f"a morris design has N*(D+1) points, got {len(sampled)} for D={d}")
    changed = np.diff(sampled.reshape(-1, d + 1, d), axis=1) != 0
    counts = changed.sum(axis=2)
    if (counts != 1).any():
        trajectory, step = np.argwhere(counts != 1)[0]
        which = [parameters[int(j)].path for j in np.flatnonzero(changed[trajectory, step])] or ["no parameter"]
        raise ValueError(f"morris trajectory {trajectory} step {step + 1} changes {', '.join(which)}; each "
                         "step must change exactly one (more levels or a wider range, or X is not a morris design)")


def _interval(row: IndexRow) -> str:
    return f"{row.value:.2f} [{row.conf_low:.2f}, {row.conf_high:.2f}]"


def ranking_warnings(rows: list[IndexRow]) -> list[str]:
    """Plain-English warnings where the 95% intervals are too wide to rank the parameters.

    Per output and method, parameters sorted by the main index (ST, mu_star): a warning for each pair
    adjacent in that order whose intervals overlap, unless both are negligible (upper ends below
    ``NEGLIGIBLE`` of the largest index: their order does not matter), and one for each Sobol' interval
    wider than the 0..1 range (half-width > 0.5); one instead for an output that does not vary.
    """
    found: list[str] = []
    groups: dict[tuple[str, str], list[IndexRow]] = {}
    for row in rows:
        groups.setdefault((row.output, row.method), []).append(row)
    for (output, method), group in groups.items():
        main = MAIN[method]
        ranked = sorted((r for r in group if r.index == main), key=lambda r: (-r.value, r.parameter))
        if all(math.isnan(r.value) or r.value == 0 for r in ranked):
            found.append(f"no {method} indices for output {output}: it does not vary over the design")
            continue
        floor = NEGLIGIBLE * max(r.value for r in ranked if not math.isnan(r.value))
        for hi, lo in zip(ranked, ranked[1:], strict=False):
            exact = hi.conf_low == hi.conf_high and lo.conf_low == lo.conf_high     # a tie, not imprecision
            negligible = hi.conf_high < floor and lo.conf_high < floor
            if hi.conf_low <= lo.conf_high and not exact and not negligible:
                found.append(f"cannot tell {hi.parameter} from {lo.parameter} for output {output}: "
                             f"{main} {_interval(hi)} vs {_interval(lo)}; run more samples")
        if method == "sobol":
            found += [f"{r.index} of {r.parameter} for output {output} is {_interval(r)}: the interval is wider "
                      f"than the 0..1 range can say anything about; run more samples"
                      for r in group if (r.conf_high - r.conf_low) / 2 > SOBOL_MAX_HALF_WIDTH]
    return found


def csv_text(rows: Sequence[IndexRow], policies: Sequence[str] | None = None) -> str:
    """``sensitivity.csv``: one line per index, numbers as in the run folders' CSV, NaN empty; with
    ``policies`` (one per row), a first column naming the policy the indices were computed under."""
    lines = ((r.output, r.parameter, r.method, r.index, fmt(r.value), fmt(r.conf_low), fmt(r.conf_high))
             for r in rows)
    if policies is None:
        return SENSITIVITY.text(lines)
    return csv_table(("policy", *SENSITIVITY.columns), ((p, *line) for p, line in zip(policies, lines, strict=True)))
