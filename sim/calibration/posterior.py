"""A Bayesian posterior of the fitted settings, sampled with emcee on the quadratic emulator of ``fit.py``.

Why an emulator and emcee, not ABC-SMC (pyabc): a ten-year backcast run costs
0.4-1 s, ABC-SMC needs thousands of runs, the emulator needs only the design's
few dozen (already made for the point fit), and sampling the emulator costs
nothing next to one run.

- Likelihood: the observations together ~ Normal(emulated values, C) with
  C = diag(sd^2) + N + S (1 + h): ``sd`` each observation's scale
  (observations.py, an assumption); N the covariance of one run's values
  about its design point's mean, from the spread of the replications (the
  data are one history, as a run is one run, and one run's error persists
  from year to year: the yearly rates' errors are strongly correlated); S
  the covariance of the emulator's residuals over the design (residual
  cross-products over the points less the quadratic's terms: the quadratic's
  misfit and what noise the replications' mean keeps); ``h`` the point's
  leverage ``x (X'X)^-1 x'`` (the least-squares prediction's own variance, in
  units of S: larger far from the design points). With one replication N is
  unknown and left out (a warning): under common random numbers S then holds
  little of the run-to-run noise and the posterior is too narrow.
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
    noise_sd: list[float] | None         # one run's sd about its point's mean per observation (None: unknown)
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
        if self.noise_sd is None:
            warnings.append("one replication: the runs' noise is not measured and the posterior is too narrow "
                            "(give replications: 2 or more)")
        if not self.chain.burn_in >= 2 * longest:
            warnings.append(f"burn-in {self.chain.burn_in} shorter than two autocorrelation times ({longest:.1f})")
        return {"walkers": self.chain.walkers, "steps": self.chain.steps, "burn_in": self.chain.burn_in,
                "thin": self.chain.thin, "draws": int(len(self.draws)),
                "acceptance_fraction_mean": round(self.acceptance, 4),
                "autocorr_time_steps": [round(t, 2) if math.isfinite(t) else None for t in self.autocorr_steps],
                "effective_draws": int(self.chain.walkers * kept_steps / longest) if longest > 0 else None,
                "emulator_residual_sd": [round(s, 6) for s in self.residual_sd],
                "run_noise_sd": None if self.noise_sd is None else [round(s, 6) for s in self.noise_sd],
                "warnings": warnings, "wall_seconds": round(self.seconds, 3)}


def residual_covariance(residual: np.ndarray, terms: int) -> np.ndarray:
    """The covariance of the quantities' residuals over the design: cross-products over the points less the
    terms (the plain mean when the design has no more points than terms)."""
    points = len(residual)
    return residual.T @ residual / (points - terms if points > terms else points)


def noise_covariance(each: np.ndarray) -> np.ndarray | None:
    """The covariance of one run's values about the mean of its design point, from ``each`` (points,
    replications, quantities); None with one replication."""
    points, replications, _ = each.shape
    if replications < 2:
        return None
    deviation = (each - each.mean(axis=1, keepdims=True)).reshape(points * replications, -1)
    return deviation.T @ deviation / (points * (replications - 1))


def log_posterior(u: np.ndarray, coef: np.ndarray, observed: np.ndarray, fixed: np.ndarray,
                  emulator: np.ndarray, leverage: np.ndarray) -> np.ndarray:
    """Log posterior (up to a constant) of unit-cube points (rows): -inf outside the cube (the prior).
    ``fixed`` is the covariance that does not depend on the point (the observations' scales and the runs'
    noise), ``emulator`` the residuals' covariance, ``leverage`` the design's ``(X'X)^-1``
    (emulator.features terms)."""
    u = np.atleast_2d(u)
    inside = np.all((u >= 0.0) & (u <= 1.0), axis=1)
    x = features(u)
    h = np.einsum("ij,jk,ik->i", x, leverage, x)
    covariance = fixed + (1.0 + h)[:, None, None] * emulator
    error = x @ coef - observed
    quadratic = np.einsum("ij,ij->i", error, np.linalg.solve(covariance, error[:, :, None])[:, :, 0])
    _, log_det = np.linalg.slogdet(covariance)
    return np.where(inside, -0.5 * (quadratic + log_det), -np.inf)


def sample(design: np.ndarray, each: np.ndarray, coef: np.ndarray, observed: np.ndarray, sd: np.ndarray,
           chain: Chain, seed: int) -> Posterior:
    """Sample the posterior given the design (unit-cube points), each replication's values there (points,
    replications, quantities), the emulator ``coef`` (emulator.features terms by quantity) fitted to their
    means, the observations and their scales."""
    import emcee  # on first use: start-up time of the CLI

    started = time.perf_counter()
    d = design.shape[1]
    x = features(design)
    emulator = residual_covariance(each.mean(axis=1) - x @ coef, coef.shape[0])
    noise = noise_covariance(each)
    fixed = np.diag(sd ** 2) + (0.0 if noise is None else noise)
    leverage = np.linalg.pinv(x.T @ x)
    state = np.random.SeedSequence(seed, spawn_key=SAMPLER_KEY).generate_state(4)
    random = np.random.RandomState(state)
    start = random.uniform(0.0, 1.0, (chain.walkers, d))
    sampler = emcee.EnsembleSampler(chain.walkers, d, log_posterior, vectorize=True,
                                    args=(coef, observed, fixed, emulator, leverage))
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
    return Posterior(np.asarray(draws), float(np.mean(sampler.acceptance_fraction)), [float(t) for t in tau],
                     _sds(emulator), None if noise is None else _sds(noise), chain, time.perf_counter() - started)


def _sds(covariance: np.ndarray) -> list[float]:
    return [float(s) for s in np.sqrt(np.diag(covariance))]

