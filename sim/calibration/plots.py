"""The fit at a glance: the urbanization rate over the decade and the 2020 district populations,
observed against simulated with the scenario's values and with the estimates (from runs already made)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import DISTRICTS
from ..output.atomic import write_atomic
from ..output.report.charts import pyplot  # pyplot on first use, the Agg backend chosen first


def _rate_series(runs) -> tuple[list[dt.date], np.ndarray]:
    j = INDICATOR_NAMES.index("urbanization_rate")
    return [dt.date.fromisoformat(d) for d in runs[0].dates], np.mean([r.values[:, 0, j] for r in runs], axis=0)


def fit_plot(name: str, runs_default, runs_fitted, observations, held_out, sim_default, sim_fitted,
             path: Path) -> Path:
    """``sim_default`` and ``sim_fitted``: each observation's simulated value, in ``observations``' order."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), dpi=110)
    for runs, label, colour in ((runs_default, "simulated, scenario's values", "tab:gray"),
                                (runs_fitted, "simulated, fitted", "tab:blue")):
        dates, rate = _rate_series(runs)
        left.plot(dates, rate, color=colour, lw=2, label=label)
    for o, h in zip(observations, held_out, strict=True):
        if o.indicator == "urbanization_rate" and o.zone == "qingdao":
            left.plot(o.date, o.value, "o", color="tab:red" if not h else "white", markeredgecolor="tab:red",
                      ms=7)
    left.plot([], [], "o", color="tab:red", label="observed, used in the fit")
    if any(held_out):
        left.plot([], [], "o", color="white", markeredgecolor="tab:red", label="observed, held out")
    left.set_title("Urbanization rate of residents, Qingdao")
    left.set_ylabel("percent")
    left.grid(alpha=0.3)
    left.legend(fontsize=8)
    pick = [i for i, o in enumerate(observations) if o.indicator == "population" and o.zone in DISTRICTS]
    x = np.arange(len(pick))
    right.bar(x - 0.27, [observations[i].value / 1e6 for i in pick], 0.27, color="tab:red", label="2020 census")
    right.bar(x, sim_default[pick] / 1e6, 0.27, color="tab:gray", label="simulated, scenario's values")
    right.bar(x + 0.27, sim_fitted[pick] / 1e6, 0.27, color="tab:blue", label="simulated, fitted")
    right.set_xticks(x, [observations[i].zone for i in pick], rotation=45, ha="right")
    right.set_ylabel("million residents")
    right.set_title("District populations at the 2020 census")
    right.legend(fontsize=8)
    right.grid(alpha=0.3, axis="y")
    fig.suptitle(f"Calibration '{name}'")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return write_atomic(path, buffer.getvalue())    # through the pinned folder: never through a planted link
