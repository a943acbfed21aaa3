"""Plots of a run (matplotlib, PNG, no screen needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .indicators import INDICATOR_NAMES  # noqa: E402

#: the plan's target for the urbanization rate of residents (常住人口城镇化率达到77%)
URBANIZATION_TARGET_PCT = 77.0


def urbanization_plot(results, scenario, path: Path) -> Path:
    """Urbanization rate (and the hukou rate) over time, every replication, with the 77% target line."""
    dates = [dt.date.fromisoformat(d) for d in results[0].dates]
    j = INDICATOR_NAMES.index("urbanization_rate")
    jh = INDICATOR_NAMES.index("hukou_urbanization_rate")
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for name, col, colour in (("residents", j, "tab:blue"), ("hukou holders", jh, "tab:green")):
        series = np.array([r.values[:, 0, col] for r in results])
        for s in series:
            ax.plot(dates, s, color=colour, alpha=0.25 if len(results) > 1 else 1.0, lw=1)
        ax.plot(dates, series.mean(axis=0), color=colour, lw=2, label=f"Urbanization rate of {name}"
                + (f" (mean of {len(results)})" if len(results) > 1 else ""))
    ax.axhline(URBANIZATION_TARGET_PCT, color="tab:red", ls="--", lw=1.5, label="Plan target: 77% of residents")
    ax.set_ylabel("percent")
    ax.set_title(f"Qingdao urbanization rate, scenario '{scenario.name}'")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def draw_all(results, scenario, folder: Path) -> list[Path]:
    """Every plot of a run into ``folder``."""
    return [urbanization_plot(results, scenario, Path(folder) / "urbanization_rate.png")]
