"""The calibration's posterior (sim/calibration/posterior.py): prior, reproducibility, the spec's chain, and
recovery of known parameters, by a synthetic simulator (coverage over many trials) and by the backcast."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.calibration.emulator import features
from sim.calibration.fit import fit, from_unit, to_unit
from sim.calibration.objective import simulate
from sim.calibration.observations import Observation
from sim.calibration.posterior import Chain, log_posterior, noise_covariance, residual_covariance, sample
from sim.calibration.spec import Calibration, load_calibration
from sim.experiment.design import Parameter
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
HAZARD = "behaviour.rural_to_urban.base_hazard_per_year"
ARRIVALS = "behaviour.in_migration.rate_per_year"

#: the synthetic simulator's two parameters: one linear, one in log space (as the backcast's hazard)
PARAMETERS = (Parameter("a", low=0.0, high=2.0), Parameter("b", low=0.01, high=1.0, log=True))
#: its run-to-run noise and the observations' scale
NOISE_SD, OBS_SD = 0.05, 0.03
#: each trial's chain: short (the posterior of two parameters mixes in about ten steps), so 40 trials take seconds
TRIAL_CHAIN = Chain(12, 200, 50, 2)


def _spec(seed: int) -> Calibration:
    """A calibration of the synthetic simulator (no scenario: ``fit``'s ``run`` replaces the model)."""
    return Calibration(name="synthetic", description="", file=Path("synthetic.yaml"), scenario=Path("none.yaml"),
                       fixed=(), parameters=PARAMETERS, replications=2, seed=seed, design_points=30,
                       bootstrap=0, fit_until=None, posterior=TRIAL_CHAIN)


def _truth_response(values) -> np.ndarray:
    """Three smooth quantities of (a, b), not quadratic in the unit cube (the emulator's misfit is real)."""
    a, b = values
    v = to_unit(PARAMETERS[1], b)
    return np.array([np.exp(0.5 * a) + v, np.sin(a) - 2.0 * v ** 2, a * v + 0.3 * v])


def _trial(k: int) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Trial ``k``: the truth (away from the bounds), the posterior's draws (natural units), its diagnostics."""
    rng = np.random.default_rng([15, k])
    truth = [from_unit(p, u) for p, u in zip(PARAMETERS, rng.uniform(0.15, 0.85, 2), strict=True)]
    # the data are one run of the simulator at the truth, as the census is one history of the city
    observed = _truth_response(truth) + rng.normal(0.0, NOISE_SD, 3) + rng.normal(0.0, OBS_SD, 3)
    observations = tuple(Observation(f"q{j}", dt.date(2020, 1, 1), "qingdao", "population", float(v), OBS_SD,
                                     "synthetic") for j, v in enumerate(observed))
    spec = _spec(seed=k)

    def run(values: list[float]) -> np.ndarray:          # two replications
        return _truth_response(values) + rng.normal(0.0, NOISE_SD, (2, 3))

    result = fit(spec, observations, run=run)
    return truth, result.natural(spec), result


def test_the_posterior_covers_the_truth_of_a_synthetic_simulator():
    """40 independent trials (truth, data, design, chain): each parameter's 90% interval (p05-p95) holds the
    truth in at least 30 of them (75%; the binomial's mean at 90% is 36, sd 1.9), and the intervals are
    narrower than half the prior's range on average (a posterior equal to the prior would cover always)."""
    covered = np.zeros(2, dtype=int)
    widths = []
    for k in range(40):
        truth, draws, _ = _trial(k)
        low, high = np.percentile(draws, [5, 95], axis=0)
        covered += (low <= truth) & (truth <= high)
        widths.append([to_unit(p, h) - to_unit(p, lo) for p, lo, h in zip(PARAMETERS, low, high, strict=True)])
    assert (covered >= 30).all(), covered
    assert (np.mean(widths, axis=0) < 0.5).all(), np.mean(widths, axis=0)


def test_without_the_model_noise_the_intervals_are_too_narrow(monkeypatch):
    """The check above can fail: with the observation's sd alone in the likelihood (run noise 0.05 against
    sd 0.03: neither the replications' spread nor the emulator's residuals) the first ten trials' intervals
    cover the truth in about half the cases, under the 75% the full likelihood passes."""
    from sim.calibration import posterior as module

    monkeypatch.setattr(module, "noise_covariance", lambda each: None)
    monkeypatch.setattr(module, "residual_covariance", lambda residual, terms: np.zeros((residual.shape[1],) * 2))
    covered = 0
    for k in range(10):
        truth, draws, _ = _trial(k)
        low, high = np.percentile(draws, [5, 95], axis=0)
        covered += int(((low <= truth) & (truth <= high)).sum())
    assert covered < 0.75 * 20, covered


def test_the_same_spec_gives_the_same_draws_and_another_seed_others():
    _, first, result = _trial(3)
    _, again, _ = _trial(3)
    assert first.tobytes() == again.tobytes() and first.shape == (12 * 75, 2)
    assert result.posterior is not None and result.posterior.chain.kept() == len(first)
    design = np.random.default_rng(0).uniform(size=(12, 2))
    each = (design + 0.01)[:, None, :] + np.random.default_rng(1).normal(0.0, 0.01, (12, 2, 2))
    coef, *_ = np.linalg.lstsq(features(design), each.mean(axis=1), rcond=None)
    args = (design, each, coef, np.array([0.5, 0.5]), np.array([0.1, 0.1]), Chain(8, 60, 10, 1))
    assert sample(*args, seed=1).draws.tobytes() == sample(*args, seed=1).draws.tobytes()
    assert sample(*args, seed=1).draws.tobytes() != sample(*args, seed=2).draws.tobytes()


def test_the_prior_is_the_unit_cube_and_the_likelihood_adds_the_models_covariances():
    coef = np.zeros((6, 2))
    coef[0] = 1.0                                      # the emulator says 1 for both quantities everywhere
    points = np.array([[0.5, 0.5], [1.2, 0.5], [0.5, -0.01]])
    observed = np.array([3.0, 1.0])
    fixed = np.diag([4.0, 1.0])
    plain = log_posterior(points, coef, observed, fixed, np.zeros((2, 2)), np.zeros((6, 6)))
    assert plain[0] == pytest.approx(-0.5 * (4.0 / 4.0 + np.log(4.0))) and np.isneginf(plain[1:]).all()
    # residual covariance with leverage 1 at the centre (only the constant term): C = fixed + 2 S
    leverage = np.zeros((6, 6))
    leverage[0, 0] = 1.0
    emulator = np.array([[5.0, 1.0], [1.0, 2.0]])
    covariance = fixed + 2 * emulator
    error = np.array([-2.0, 0.0])
    expected = -0.5 * (error @ np.linalg.solve(covariance, error) + np.log(np.linalg.det(covariance)))
    assert log_posterior(points[:1], coef, observed, fixed, emulator, leverage)[0] == pytest.approx(expected)
    residual = np.array([[1.0, 0.0], [-1.0, 1.0], [2.0, 0.0], [-2.0, -1.0]])
    assert residual_covariance(residual, terms=2)[0, 0] == pytest.approx(10.0 / 2)
    assert residual_covariance(residual, terms=2)[0, 1] == pytest.approx((-1.0 + 2.0) / 2)
    assert residual_covariance(residual, terms=4)[0, 0] == pytest.approx(10.0 / 4)   # no degrees left
    # one run's noise about its point's mean: two replications 2 apart at each point give variance 2
    each = np.array([[[0.0], [2.0]], [[5.0], [7.0]]])
    assert noise_covariance(each)[0, 0] == pytest.approx(2.0) and noise_covariance(each[:, :1]) is None


def test_the_diagnostics_warn_of_a_short_chain():
    _, _, result = _trial(0)
    report = dataclasses.replace(result.posterior, chain=Chain(12, 110, 100, 2)).diagnostics()
    assert any("fewer than 50 autocorrelation times" in w for w in report["warnings"])
    assert 0.0 < report["acceptance_fraction_mean"] < 1.0 and report["draws"] == 900


def _write(tmp_path: Path, **changes) -> Path:
    data = {"name": "toy", "scenario": str(ROOT / "scenarios" / "backcast_2010_2020.yaml"),
            "parameters": {HAZARD: {"low": 0.01, "high": 0.3, "log": True}}, "design_points": 4, **changes}
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("chain, field, words", [
    ({"walkers": 1}, "posterior.walkers", "must be between 2 and"),
    ({"burn_in": 2500}, "posterior.burn_in", "must be less than the steps (2500)"),
    ({"thin": 0}, "posterior.thin", "must be between 1 and"),
    ({"walker": 8}, "posterior.walker", "did you mean 'walkers'?"),
])
def test_a_bad_chain_is_refused_naming_the_field(tmp_path, chain, field, words):
    with pytest.raises(ScenarioError) as err:
        load_calibration(_write(tmp_path, posterior=chain))
    assert err.value.field == field and words in str(err.value)


def test_two_parameters_need_four_walkers(tmp_path):
    path = _write(tmp_path, design_points=6, posterior={"walkers": 3},
                  parameters={HAZARD: {"low": 0.01, "high": 0.3, "log": True}, ARRIVALS: {"low": 0.01, "high": 0.09}})
    with pytest.raises(ScenarioError, match="at least 4 for 2 parameter") as err:
        load_calibration(path)
    assert err.value.field == "posterior.walkers"
    assert load_calibration(_write(tmp_path)).posterior == Chain(32, 2500, 500, 10)       # the defaults


@pytest.mark.slow
def test_the_backcast_posterior_holds_known_parameters(tmp_path):
    """The backcast at 2,000 persons per agent with known arrivals (0.045) and rural-to-urban hazard (0.05):
    its own 2015-2018 urbanization and 2020 totals as observations (the real ones' scales); the truth lies
    between the posterior's p01 and p99 of each parameter, and the default chain passes its checks."""
    truth = [0.045, 0.05]
    path = _write(tmp_path, set={"population.scale": 2000, "outputs.plots": False}, design_points=24, seed=7,
                  replications=2, parameters={ARRIVALS: {"low": 0.01, "high": 0.09},
                                              HAZARD: {"low": 0.015, "high": 0.15, "log": True}})
    spec = load_calibration(path)
    template = tuple(Observation(f"synthetic_{y}:urbanization_rate:qingdao", dt.date(y, 12, 31), "qingdao",
                                 "urbanization_rate", 0.0, 0.5, "the model") for y in (2015, 2016, 2017, 2018)) + \
        tuple(Observation(f"synthetic_2020:{i}:qingdao", dt.date(2020, 10, 31), "qingdao", i, 0.0, 0.5, "the model")
              for i in ("urbanization_rate", "population"))
    values = simulate(spec.load(truth, seed=99), template)           # another seed than the design's: new noise
    observations = tuple(dataclasses.replace(o, value=float(v), sd=o.sd if o.indicator == "urbanization_rate"
                                             else 0.01 * v) for o, v in zip(template, values, strict=True))
    result = fit(spec, observations)
    draws = result.natural(spec)
    for k, t in enumerate(truth):
        low, high = np.percentile(draws[:, k], [1, 99])
        assert low <= t <= high, (spec.parameters[k].path, low, t, high)
    assert not result.posterior.diagnostics()["warnings"]


def test_posterior_csv_is_draws_of_settings(tmp_path, capsys):
    """What calibrate writes: posterior.csv headed by the spec's setting paths, one row per kept draw, numbers
    only; the summary beside it; the manifest lists both with the chain's checks."""
    import json

    from sim import cli

    path = _write(tmp_path, set={"population.scale": 20000, "outputs.plots": False}, bootstrap=0,
                  posterior={"walkers": 8, "steps": 200, "burn_in": 50, "thin": 3})
    assert cli.main(["backtest", str(path), "--cutoff", "2016", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "posterior: 400 draws (" in out and "posterior warning: " in out        # 150 steps are too few
    [folder] = list((tmp_path / "out" / "calibration").iterdir())
    with (folder / "posterior.csv").open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == [HAZARD] and len(rows) - 1 == 8 * 50
    hazards = np.array([float(r[0]) for r in rows[1:]])
    assert (0.01 <= hazards).all() and (hazards <= 0.3).all()
    with (folder / "posterior_summary.csv").open() as f:
        [summary] = list(csv.DictReader(f))
    assert summary["parameter"] == HAZARD
    assert float(summary["p05"]) <= float(summary["p50"]) <= float(summary["p95"])
    assert float(summary["p50"]) == pytest.approx(np.percentile(hazards, 50), abs=1e-6)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["posterior"]["files"] == ["posterior.csv", "posterior_summary.csv"]
    assert {"posterior.csv", "posterior_summary.csv"} <= set(manifest["output_sha256"])
    assert manifest["posterior"]["draws"] == 400 and len(manifest["posterior"]["autocorr_time_steps"]) == 1
