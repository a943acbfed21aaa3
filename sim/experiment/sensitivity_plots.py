"""A sweep's plots: the sensitivity indices with their intervals, every output against every parameter, and
scenario discovery's peeling trajectory.

The indices plot is what the ranking rests on (bars with 95% error bars);
the scatter plots show the shape behind the numbers (thresholds, non-linear
or non-monotonic responses) and are the only view of grid and lhs designs.
Both are drawn by the report's renderer (matplotlib Agg, its fonts) and
written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..output.atomic import write_atomic
from ..output.report.charts import pyplot, render  # pyplot on first use, the Agg backend chosen first
from .discovery import Box
from .sensitivity import MAIN, IndexRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: per method, the axis label and how each index is drawn: (index, colour, bar or marker)
STYLE = {
    "sobol": ("index (share of output variance)", (("ST", "tab:blue", "bar"), ("S1", "tab:orange", "bar"))),
    "morris": ("effect on output over the parameter's range",
               (("mu_star", "tab:blue", "bar"), ("sigma", "black", "marker"))),
}


def labels(paths: Sequence[str]) -> list[str]:
    """Readable names: section and setting (``hukou.nonlocal_conversion_hazard_per_year``), full paths if
    two would read the same."""
    short = [".".join(p.split(".")[-2:]) for p in paths]
    return short if len(set(short)) == len(short) else list(paths)


def _png(figure, *args) -> bytes:
    """PNG bytes of one of the figures below, which always draw (``render`` gives None only for a chart
    that returns no figure)."""
    png = render(figure, *args)
    assert png is not None
    return png


def _indices_figure(rows: Sequence[IndexRow]) -> Figure:
    groups: dict[tuple[str, str], dict[tuple[str, str], IndexRow]] = {}
    for r in rows:
        groups.setdefault((r.output, r.method), {})[(r.parameter, r.index)] = r
    n_params = max(len({p for p, _ in g}) for g in groups.values())
    fig, axes = pyplot().subplots(len(groups), 1, figsize=(8.5, len(groups) * (1.2 + 0.45 * n_params)), squeeze=False)
    for ax, ((output, method), group) in zip(axes[:, 0], groups.items(), strict=True):
        main = MAIN[method]
        params = sorted({p for p, _ in group}, key=lambda p: (-np.nan_to_num(group[(p, main)].value), p))
        y = np.arange(len(params))
        xlabel, styles = STYLE[method]
        bars = [index for index, _, kind in styles if kind == "bar"]
        height = 0.8 / len(bars)
        for index, colour, kind in styles:
            found = [group.get((p, index)) for p in params]
            value = np.array([np.nan if r is None else r.value for r in found])
            low = np.array([np.nan if r is None else r.conf_low for r in found])
            high = np.array([np.nan if r is None else r.conf_high for r in found])
            err = np.nan_to_num(np.vstack([value - low, high - value]))
            if kind == "bar":
                offset = (bars.index(index) - (len(bars) - 1) / 2) * height
                ax.barh(y + offset, np.nan_to_num(value), height=height, color=colour, label=index,
                        xerr=err, error_kw={"ecolor": "0.25", "capsize": 2, "lw": 0.8})
            else:
                ax.plot(value, y, "D", color=colour, markersize=5, label=index, linestyle="none")
        ax.set_yticks(y, labels(params), fontsize=8)
        ax.invert_yaxis()                                   # the most influential parameter on top
        ax.axvline(0, color="0.5", lw=0.8)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_title(f"{output}: {method} ({'95% intervals' if method == 'sobol' else 'mu* with 95% interval'})",
                     fontsize=9)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def _scatter_figure(X: np.ndarray, Y_by_output: Mapping[str, np.ndarray], parameter_names: Sequence[str],
                    log_axes: Sequence[bool]) -> Figure:
    n_out, n_par = len(Y_by_output), len(parameter_names)
    fig, axes = pyplot().subplots(n_out, n_par, figsize=(0.8 + 2.4 * n_par, 0.6 + 2.0 * n_out), squeeze=False,
                             sharex="col", sharey="row")
    alpha = float(np.clip(30 / np.sqrt(len(X)), 0.15, 0.8))
    for i, (output, Y) in enumerate(Y_by_output.items()):
        for j, name in enumerate(labels(parameter_names)):
            ax = axes[i, j]
            ax.scatter(X[:, j], Y, s=8, alpha=alpha, color="tab:blue", edgecolors="none")
            if log_axes[j]:
                ax.set_xscale("log")
            ax.tick_params(labelsize=7)
            if i == n_out - 1:
                ax.set_xlabel(name.replace(".", ".\n", 1), fontsize=7)
            if j == 0:
                ax.set_ylabel(output, fontsize=8)
    fig.tight_layout()
    return fig


def indices_plot(rows: Sequence[IndexRow], path: str | Path) -> Path:
    """One panel per output (and method): ST and S1 bars, or mu_star bars with sigma markers, with 95%
    error bars, parameters sorted by the main index; PNG written to ``path``."""
    if not rows:
        raise ValueError("no sensitivity indices to plot (grid and lhs designs have none)")
    return write_atomic(Path(path), _png(_indices_figure, rows))


def scatter_plot(X: np.ndarray, Y_by_output: Mapping[str, np.ndarray], parameter_names: Sequence[str],
                 path: str | Path, log_axes: Sequence[bool] | None = None) -> Path:
    """Each output (a row of panels) against each parameter (a column), one dot per design point; PNG
    written to ``path``. ``log_axes`` (one flag per parameter, e.g. ``[p.log for p in parameters]``)
    puts the log parameters on log axes, where their points are spread evenly."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != len(parameter_names) or not Y_by_output:
        raise ValueError(f"X {X.shape} must have one column per parameter ({len(parameter_names)}), "
                         "and there must be at least one output")
    Y_by_output = {name: np.asarray(Y, dtype=np.float64) for name, Y in Y_by_output.items()}
    for name, Y in Y_by_output.items():
        if Y.shape != (len(X),):
            raise ValueError(f"{name}: one value per design point ({len(X)}) expected, got shape {Y.shape}")
    log_axes = [False] * len(parameter_names) if log_axes is None else list(log_axes)
    if len(log_axes) != len(parameter_names):
        raise ValueError(f"log_axes needs one flag per parameter ({len(parameter_names)}), got {len(log_axes)}")
    return write_atomic(Path(path), _png(_scatter_figure, X, Y_by_output, parameter_names, log_axes))


def _discovery_figure(boxes: Sequence[Box], pick: Box, names: Sequence[str], title: str) -> Figure:
    fig, ax = pyplot().subplots(figsize=(7.5, 4.8))
    ax.plot([b.coverage for b in boxes], [b.density for b in boxes], "o-", color="tab:blue", markersize=3,
            lw=1, label="boxes, peeled one after the other")
    ax.plot([pick.coverage], [pick.density], "o", color="tab:red", markersize=9, label="the box reported")
    first = boxes[0]
    restricted = [f"{n}: {lo:.4g} to {hi:.4g}" for n, lo, hi, lo0, hi0 in
                  zip(labels(names), pick.low, pick.high, first.low, first.high, strict=True) if (lo, hi) != (lo0, hi0)]
    text = "\n".join(restricted) or "no setting restricted"
    ax.text(0.02, 0.02, f"box reported ({pick.density:.0%} dense, {pick.coverage:.0%} coverage):\n{text}",
            transform=ax.transAxes, fontsize=8, va="bottom", family="monospace",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"})
    ax.set_xlabel("coverage: share of all cases of interest inside the box")
    ax.set_ylabel("density: share of the box's points that are cases")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def discovery_plot(boxes: Sequence[Box], pick: Box, parameter_names: Sequence[str], title: str,
                   path: str | Path) -> Path:
    """PRIM's trade-off: density against coverage of each peeled box, the box reported marked and its
    restricted ranges written in; PNG written to ``path``."""
    return write_atomic(Path(path), _png(_discovery_figure, boxes, pick, parameter_names, title))
