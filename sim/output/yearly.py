"""A run's values by calendar year, the common ground of the summary, the comparison, the scorecard and sweeps.

This decides numbers that a sweep stores, so it counts towards the sweep's code version
(``sim/experiment/store.py``); the rest of ``sim/output`` only writes and shows them.
"""

from __future__ import annotations

import numpy as np

from ..core.catalogue import INDICATORS
from ..kernel.result import RunResult


def yearly_values(result: RunResult) -> dict[int, np.ndarray]:
    """Per calendar year: stocks and rates at the year's last recorded date, flows summed over the year.

    The starting state (dated the day before the period) appears as its own
    year, with flows absent (NaN), so every summary shows where a run began.
    """
    years = np.array([int(d[:4]) for d in result.dates])
    flow = np.array([i.kind == "flow" for i in INDICATORS])
    out = {}
    for year in sorted(set(years.tolist())):
        rows = np.flatnonzero(years == year)
        end = result.values[rows[-1]].copy()
        if rows[0] == 0:                 # the starting state: no flows recorded yet
            end[:, flow] = np.nan if len(rows) == 1 else result.values[rows[1:]][:, :, flow].sum(axis=0)
        else:
            end[:, flow] = result.values[rows][:, :, flow].sum(axis=0)
        out[year] = end
    return out
