"""District attraction fitted by proportional adjustment to the census's district totals.

The city-wide settings cannot move one district against another; arrivals'
``district_attraction`` can. Each round runs the scenario, compares each
district's simulated population with the census, and multiplies its
attraction by ``(observed / simulated) ** GAIN``: arrivals over a decade are
only part of a district's population, so its arrivals must change several
times faster than its total (GAIN 3, found by trying 1-4 on the backcast: 1
converged slowly, 4 overshot). Attractions are then scaled to a mean of 1 (only
their ratios matter: the number of arrivals does not depend on them).

Ten districts, ten attractions: the census totals are matched by design and
cannot test the attractions; docs/calibration.md says so.
"""

from __future__ import annotations

import numpy as np

from ..core.districts import DISTRICTS
from .objective import simulate
from .observations import Observation
from .spec import ATTRACTION as SETTING

GAIN = 3.0


def fit_attraction(spec, values, observations: tuple[Observation, ...], rounds: int,
                   start: dict[str, float] | None = None) -> tuple[dict[str, float], list[float]]:
    """Attractions after ``rounds`` rounds, and the largest relative district error of each round."""
    districts = tuple(o for o in observations if o.indicator == "population" and o.zone in DISTRICTS)
    order = [DISTRICTS.index(o.zone) for o in districts]
    attraction = np.array([1.0 if start is None else start[d] for d in DISTRICTS])
    observed = np.array([o.value for o in districts])
    errors = []
    for _ in range(rounds):
        scenario = spec.load(values, extra=[(SETTING, dict(zip(DISTRICTS, attraction.tolist(), strict=True)))])
        simulated = simulate(scenario, districts)
        errors.append(float(np.max(np.abs(simulated / observed - 1.0))))
        step = np.ones(len(DISTRICTS))
        step[order] = (observed / simulated) ** GAIN
        attraction = np.clip(attraction * step, 0.01, 100.0)
        attraction = attraction / attraction.mean()
    return dict(zip(DISTRICTS, np.round(attraction, 4).tolist(), strict=True)), errors
