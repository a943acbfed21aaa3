"""A Bayesian posterior of the fitted settings, sampled with emcee on the quadratic emulator of ``fit.py``.

Why an emulator and emcee, not ABC-SMC (pyabc): a ten-year backcast run costs
0.4-1 s, ABC-SMC needs thousands of runs, the emulator needs only the design's
few dozen (already made for the point fit), and sampling the emulator costs
nothing next to one run.

- Likelihood: each observation ~ Normal(emulated value, sd^2 + s^2 (1 + h)),
  with ``sd`` the observation's scale (observations.py, an assumption), ``s^2``
  the emulator's residual variance over the design (residual sum of squares
  over the design points less the quadratic's terms: the model's own noise at
  this scale and the quadratic's misfit) and ``h`` the point's leverage
  ``x (X'X)^-1 x'`` (the least-squares prediction's own variance, in units of
  s^2: larger far from the design points). Observations are taken as
  independent.
- Prior: uniform on the bounds in the sampling space (the unit cube of
  ``fit.to_unit``: log10 for ``log: true``, as the design).
- Sampler: emcee's affine-invariant ensemble (Goodman and Weare 2010) in the
  unit cube, walkers started at prior draws; the burn-in is dropped, every
  ``thin``-th step kept. Seeded from the spec's seed: the same spec gives the
  same draws, byte for byte.
- Checks (the manifest): the mean acceptance fraction (0.2-0.5 is emcee's
  rule of thumb, Foreman-Mackey et al. 2013; the stretch move runs higher in
  two dimensions, 0.6-0.7 on smooth posteriors, so only outside
  ``ACCEPTANCE_OK`` is a warning: walkers stuck or moving blindly) and the integrated
  autocorrelation time of each parameter (emcee's estimate; fewer than
  ``AUTOCORR_TIMES`` of them in the kept steps is a warning: the chain is too
  short to trust the tails).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np

from .emulator import features

#: acceptance fractions outside this range are reported as a warning
ACCEPTANCE_OK = (0.1, 0.85)
#: the kept steps should span at least this many autocorrelation times (emcee's own default tolerance)
AUTOCORR_TIMES = 50
#: the spawn key of the sampler's seed: apart from the runs' streams (which spawn on the replication)
SAMPLER_KEY = (2**31 - 1, 15)


@dataclass(frozen=True)
class Chain:
    """The sampler's settings (the spec's ``posterior`` section)."""

    walkers: int
    steps: int
    burn_in: int
    thin: int

    def kept(self) -> int:
        """Draws kept: every walker's ``thin``-th step after the burn-in."""
        return self.walkers * len(range(self.burn_in, self.steps, self.thin))


@dataclass
class Posterior:
    draws: np.ndarray                    # (draws, parameters), unit cube of the bounds
    acceptance: float                    # mean acceptance fraction of the walkers
    autocorr_steps: list[float]          # integrated autocorrelation time per parameter, in steps
    residual_sd: list[float]             # the emulator's residual sd per observation (in the likelihood)
    chain: Chain
    seconds: float                       # wall time of the sampling (not of the design's runs)

    def diagnostics(self) -> dict:
        """What the manifest reports of the chain, with a warning for each check it fails."""
        kept_steps = self.chain.steps - self.chain.burn_in
        longest = max(self.autocorr_steps)          # NaN when emcee could not estimate it: every check warns
        warnings = []
        if not ACCEPTANCE_OK[0] <= self.acceptance <= ACCEPTANCE_OK[1]:
            warnings.append(f"mean acceptance {self.acceptance:.3f} outside {ACCEPTANCE_OK[0]}-{ACCEPTANCE_OK[1]}")
        if not kept_steps >= AUTOCORR_TIMES * longest:
            warnings.append(f"{kept_steps} steps after the burn-in are fewer than {AUTOCORR_TIMES} autocorrelation "
                            f"times ({longest:.1f} steps): run more steps")
        if not self.chain.burn_in >= 2 * longest:
            warnings.append(f"burn-in {self.chain.burn_in} shorter than two autocorrelation times ({longest:.1f})")
        return {"walkers": self.chain.walkers, "steps": self.chain.steps, "burn_in": self.chain.burn_in,
                "thin": self.chain.thin, "draws": int(len(self.draws)),
                "acceptance_fraction_mean": round(self.acceptance, 4),
                "autocorr_time_steps": [round(t, 2) if math.isfinite(t) else None for t in self.autocorr_steps],
                "effective_draws": int(self.chain.walkers * kept_steps / longest) if longest > 0 else None,
                "emulator_residual_sd": [round(s, 6) for s in self.residual_sd],
                "warnings": warnings, "wall_seconds": round(self.seconds, 3)}


def residual_variance(residual: np.ndarray, terms: int) -> np.ndarray:
    """Each quantity's residual variance over the design: sum of squares over the points less the terms
    (the plain mean square when the design has no more points than terms)."""
    points = len(residual)
    return (residual ** 2).sum(axis=0) / (points - terms if points > terms else points)


def log_posterior(u: np.ndarray, coef: np.ndarray, observed: np.ndarray, sd: np.ndarray,
                  emulator_variance: np.ndarray, leverage: np.ndarray) -> np.ndarray:
    """Log posterior (up to a constant) of unit-cube points (rows): -inf outside the cube (the prior).
    ``leverage`` is the design's ``(X'X)^-1`` (emulator.features terms)."""
    u = np.atleast_2d(u)
    inside = np.all((u >= 0.0) & (u <= 1.0), axis=1)
    x = features(u)
    h = np.einsum("ij,jk,ik->i", x, leverage, x)
    variance = sd ** 2 + emulator_variance * (1.0 + h[:, None])
    z = (x @ coef - observed) ** 2 / variance + np.log(variance)
    return np.where(inside, -0.5 * z.sum(axis=1), -np.inf)


def sample(design: np.ndarray, coef: np.ndarray, residual: np.ndarray, observed: np.ndarray, sd: np.ndarray,
           chain: Chain, seed: int) -> Posterior:
    """Sample the posterior given the design (unit-cube points), the emulator ``coef`` (emulator.features terms by
    quantity), its residuals over the design (points by quantity), the observations and their scales."""
    import emcee  # on first use: start-up time of the CLI

    started = time.perf_counter()
    d = design.shape[1]
    emulator_variance = residual_variance(residual, coef.shape[0])
    x = features(design)
    leverage = np.linalg.pinv(x.T @ x)
    state = np.random.SeedSequence(seed, spawn_key=SAMPLER_KEY).generate_state(4)
    random = np.random.RandomState(state)
    start = random.uniform(0.0, 1.0, (chain.walkers, d))
    sampler = emcee.EnsembleSampler(chain.walkers, d, log_posterior, vectorize=True,
                                    args=(coef, observed, sd, emulator_variance, leverage))
    sampler.random_state = random.get_state()
    sampler.run_mcmc(start, chain.steps, progress=False)
    draws = sampler.get_chain(discard=chain.burn_in, thin=chain.thin, flat=True)
    emcee_log = logging.getLogger("emcee")        # a too-short chain is our warning, in the manifest
    level = emcee_log.level
    emcee_log.setLevel(logging.ERROR)
    try:
        tau = sampler.get_autocorr_time(discard=chain.burn_in, quiet=True)
    finally:
        emcee_log.setLevel(level)
    return Posterior(np.asarray(draws), float(np.mean(sampler.acceptance_fraction)),
                     [float(t) for t in tau], [float(s) for s in np.sqrt(emulator_variance)], chain,
                     time.perf_counter() - started)

