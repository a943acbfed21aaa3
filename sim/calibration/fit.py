"""Fitting by simulated method of moments with a quadratic emulator (response surface).

Why not a local optimizer on the simulated distance: the runs are discrete
(agents move or not), so even under common random numbers a small change of a
hazard changes which residents act and the distance jumps (at 2,000 agents,
0.070 a year gave a distance of 3050, 0.075 gave 0 and 0.085 gave 725 in a
test); Nelder-Mead stalls on such plateaus. Instead:

1. run the model at ``design_points`` Latin-hypercube points of the unit cube
   of the bounds (log10 space for ``log`` parameters), same seed for all;
2. fit each observed quantity's simulated value by a quadratic polynomial of
   the parameters (least squares: the emulator averages over the noise;
   its R^2 per quantity is reported, to judge whether a quadratic is enough);
3. minimize the standardized distance of the emulated quantities to the
   observations inside the bounds (L-BFGS-B from the best design point and
   the centre);
4. spread: refit the emulator on design points resampled with replacement
   (``bootstrap`` times) and minimize again: the spread of the estimates says
   how well the runs pin each parameter down at this scale (not the data's
   own error, which the sources do not give);
5. posterior: the same emulator as a likelihood, sampled with emcee
   (``posterior.py``), when the spec has a ``posterior`` chain.

The runs go through ``run`` (the values of the parameters -> each
replication's simulated value of each observation): the model by default, a
known function in the recovery tests of the posterior.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..experiment.design import bounds, to_natural, to_sampling_space
from .emulator import features
from .objective import mean_of, simulate_each
from .observations import Observation
from .posterior import Posterior, sample
from .spec import Calibration


def to_unit(p, value: float) -> float:
    """A setting's value as a share of its range in the sampling space (design.py: log10 for ``log``)."""
    low, high = bounds(p)
    return (float(to_sampling_space(p, value)) - low) / (high - low)


def from_unit(p, u: float) -> float:
    """The setting's value at share ``u`` of its range (clipped into the bounds)."""
    low, high = bounds(p)
    return float(to_natural(p, np.array([low + min(max(float(u), 0.0), 1.0) * (high - low)]))[0])


@dataclass
class Fit:
    values: list[float]                  # the estimate, natural units
    emulated_distance: float             # the emulator's distance at the estimate
    r_squared: list[float]               # emulator fit per observation
    bootstrap: np.ndarray                # (resamples, parameters) estimates, natural units
    posterior: Posterior | None = None   # draws in the unit cube (``natural`` converts them)

    def natural(self, spec: Calibration) -> np.ndarray:
        """The posterior's draws in natural units, (draws, parameters); empty without a posterior."""
        if self.posterior is None:
            return np.zeros((0, len(spec.parameters)))
        columns = []
        for p, u in zip(spec.parameters, self.posterior.draws.T, strict=True):
            low, high = bounds(p)
            columns.append(to_natural(p, low + u * (high - low)))
        return np.column_stack(columns)


def _estimate(design, simulated, observed, sd) -> tuple[np.ndarray, float, np.ndarray]:
    from scipy.optimize import minimize  # scipy imported on first use, here and in ``fit``: start-up time of the CLI

    X = features(design)
    coef, *_ = np.linalg.lstsq(X, simulated, rcond=None)

    def objective(u):
        return float((((features(u) @ coef)[0] - observed) / sd) ** 2 @ np.ones(len(observed)))

    starts = [design[np.argmin(((simulated - observed) / sd) ** 2 @ np.ones(len(observed)))],
              np.full(design.shape[1], 0.5)]
    best = min((minimize(objective, s, method="L-BFGS-B", bounds=[(0.0, 1.0)] * design.shape[1])
                for s in starts), key=lambda r: r.fun)
    return best.x, float(best.fun), coef


def fit(spec: Calibration, observations: tuple[Observation, ...], seed: int | None = None,
        on_evaluation: Callable[[int], None] | None = None, extra=(),
        run: Callable[[list[float]], np.ndarray] | None = None) -> Fit:
    """Run the design, fit the emulator, return the estimate, its bootstrap spread and the posterior."""
    from scipy.stats import qmc

    if run is None:
        def run(values: list[float]) -> np.ndarray:
            return simulate_each(spec.load(values, seed, extra), observations)
    d = len(spec.parameters)
    design = qmc.LatinHypercube(d=d, seed=spec.seed if seed is None else seed).random(spec.design_points)
    rows = []
    for k, u in enumerate(design):
        rows.append(np.atleast_2d(run([from_unit(p, x) for p, x in zip(spec.parameters, u, strict=True)])))
        if on_evaluation is not None:
            on_evaluation(k + 1)
    each = np.array(rows)                       # (points, replications, observations)
    simulated = np.array([mean_of(e) for e in each])
    observed = np.array([o.value for o in observations])
    sd = np.array([o.sd for o in observations])
    u_best, emulated, coef = _estimate(design, simulated, observed, sd)
    residual = simulated - features(design) @ coef
    spread = simulated.var(axis=0)
    r2 = [float(1 - residual[:, j].var() / spread[j]) if spread[j] > 0 else float("nan")
          for j in range(len(observations))]
    rng = np.random.default_rng(spec.seed)
    boot = []
    for _ in range(spec.bootstrap):
        pick = rng.integers(0, len(design), len(design))
        u, *_ = _estimate(design[pick], simulated[pick], observed, sd)
        boot.append([from_unit(p, x) for p, x in zip(spec.parameters, u, strict=True)])
    chain = spec.posterior
    posterior = None if chain is None else sample(design, each, coef, observed, sd, chain,
                                                  spec.seed if seed is None else seed)
    return Fit([from_unit(p, x) for p, x in zip(spec.parameters, u_best, strict=True)], emulated, r2,
               np.array(boot).reshape(len(boot), d), posterior)
