"""Scenario discovery: which ranges of the swept settings make an outcome happen (a target missed).

PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999, *Statistics and Computing* 9:123-143),
as EMA Workbench uses it for scenario discovery (Bryant and Lempert 2010, *Technological Forecasting and
Social Change* 77:34-49): start from the box holding every design point and peel, again and again, the
``peel_alpha`` share of the points still inside from one end of one parameter's range, the peel that leaves
the highest share of cases of interest inside (*density*), until fewer than ``min_support`` of the points
are left. Each box on the way trades *coverage* (the share of all cases of interest it holds) against
density; the box reported is the one with the highest coverage among those at least ``min_density`` dense
(EMA Workbench's default threshold, 0.8), or the densest when none is.

Pure numpy, deterministic: ties are broken by parameter order, then the lower end first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: EMA Workbench's defaults: peel 5% at a time, stop below 5% of the points, report a box at least 80% dense
PEEL_ALPHA = 0.05
MIN_SUPPORT = 0.05
MIN_DENSITY = 0.8


@dataclass(frozen=True)
class Box:
    """One box of the peeling trajectory: per parameter ``[low, high]`` (the range of the points inside),
    the points inside (``support``, a share of all), the share of cases inside (``density``) and the share
    of all cases it holds (``coverage``)."""

    step: int
    low: tuple[float, ...]
    high: tuple[float, ...]
    support: float
    density: float
    coverage: float
    points: int


def peel(X: np.ndarray, cases: np.ndarray, peel_alpha: float = PEEL_ALPHA,
         min_support: float = MIN_SUPPORT) -> list[Box]:
    """The peeling trajectory of the design ``X`` (points x parameters) for the boolean ``cases`` (one per
    point), from the whole box on. ``ValueError`` when there is no case of interest, or no point."""
    X = np.asarray(X, dtype=np.float64)
    cases = np.asarray(cases, dtype=bool)
    if X.ndim != 2 or len(X) != len(cases) or len(X) == 0:
        raise ValueError("expected one outcome per design point")
    total_cases = int(cases.sum())
    if total_cases == 0:
        raise ValueError("no design point is a case of interest: nothing to explain")
    inside = np.ones(len(X), bool)
    boxes = [_box(0, X, cases, inside, total_cases)]
    while inside.sum() > max(min_support * len(X), 1):
        best = _best_peel(X, cases, inside, peel_alpha)
        if best is None:
            break
        inside = best
        boxes.append(_box(len(boxes), X, cases, inside, total_cases))
    return boxes


def _best_peel(X: np.ndarray, cases: np.ndarray, inside: np.ndarray, alpha: float) -> np.ndarray | None:
    """The points left by the best single peel (highest density; ties: more points left, then parameter
    order, lower end first); None when no peel removes a point."""
    best, best_key = None, None
    rows = np.flatnonzero(inside)
    for j in range(X.shape[1]):
        values = X[rows, j]
        for end, cut in (("low", np.quantile(values, alpha, method="lower")),
                         ("high", np.quantile(values, 1 - alpha, method="higher"))):
            keep = values > cut if end == "low" else values < cut
            if keep.all() or not keep.any():
                continue                      # the peel removes nothing, or everything (a discrete setting)
            kept = rows[keep]
            key = (cases[kept].mean(), len(kept))
            if best_key is None or key > best_key:
                best_key = key
                best = np.zeros(len(X), bool)
                best[kept] = True
    return best


def _box(step: int, X: np.ndarray, cases: np.ndarray, inside: np.ndarray, total_cases: int) -> Box:
    low, high = X[inside].min(axis=0), X[inside].max(axis=0)
    held = int(cases[inside].sum())
    return Box(step, tuple(float(v) for v in low), tuple(float(v) for v in high), float(inside.mean()),
               held / int(inside.sum()), held / total_cases, int(inside.sum()))


def chosen(boxes: list[Box], min_density: float = MIN_DENSITY) -> Box:
    """The box reported: the highest coverage among those at least ``min_density`` dense (the later, the
    smaller, on a tie), or the densest box when none is."""
    dense = [b for b in boxes if b.density >= min_density]
    if dense:
        return max(dense, key=lambda b: (b.coverage, b.step))
    return max(boxes, key=lambda b: (b.density, b.step))
