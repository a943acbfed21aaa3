"""Design points of a sweep: sizes, bounds, Latin-hypercube strata, snapping, rounding, determinism, errors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.design import DESIGNS, Parameter, bounds, n_points, problem, sample, to_natural

HAZARD = Parameter("behaviour.hukou.nonlocal_conversion_hazard_per_year", low=0.01, high=0.2)
RATE = Parameter("behaviour.in_migration.rate_per_year", low=1e-4, high=1e-2, log=True)
LEVELS = Parameter("behaviour.fertility.total_fertility_rate", values=(0.8, 1.1, 1.5))
COUNT = Parameter("population.scale", low=1, high=9, integer=True)
PARAMETERS = (HAZARD, RATE, LEVELS, COUNT)
#: samples per design: sobol needs a power of 2
SAMPLES = {"grid": 0, "lhs": 64, "sobol": 64, "morris": 10}


@pytest.mark.parametrize("design", DESIGNS)
def test_sizes(design):
    X = sample(design, PARAMETERS, SAMPLES[design], seed=1)
    d = len(PARAMETERS)
    expected = {"grid": 5 * 5 * 3 * 5, "lhs": 64, "sobol": 64 * (d + 2), "morris": 10 * (d + 1)}[design]
    assert X.shape == (expected, d) and X.dtype == np.float64
    assert n_points(design, d, SAMPLES[design], parameters=PARAMETERS) == expected


def test_n_points_without_parameters_and_grid_levels():
    assert n_points("grid", 3, samples=0, grid_points=4) == 4 ** 3
    assert n_points("morris", 3, samples=7) == 28
    # an integer range with fewer whole numbers than grid points keeps each whole number once
    assert sample("grid", [Parameter("a.b", low=1, high=3, integer=True)], 0, seed=0).ravel().tolist() == [1, 2, 3]


def test_grid_is_the_cartesian_product_first_parameter_slowest():
    X = sample("grid", [Parameter("a.x", values=(3, 1)), Parameter("a.y", low=0, high=1)], 999, seed=0,
               grid_points=3)
    assert X.tolist() == [[3, 0], [3, 0.5], [3, 1], [1, 0], [1, 0.5], [1, 1]]
    log = sample("grid", [RATE], 0, seed=0, grid_points=3).ravel()
    assert np.allclose(log, [1e-4, 1e-3, 1e-2], rtol=1e-12, atol=0)


@pytest.mark.parametrize("design", DESIGNS)
def test_points_within_bounds_in_natural_units(design):
    X = sample(design, PARAMETERS, SAMPLES[design], seed=2)
    for j, p in enumerate(PARAMETERS):
        low, high = (min(p.values), max(p.values)) if p.values else (p.low, p.high)
        assert low <= X[:, j].min() and X[:, j].max() <= high, p.path
    # the log parameter covers both decades of 1e-4..1e-2, not just the upper one
    rate = X[:, PARAMETERS.index(RATE)]
    assert (rate < 1e-3).any() and (rate > 1e-3).any()


def test_log_parameters_are_uniform_in_log_space():
    X = sample("lhs", [RATE], 1000, seed=3).ravel()
    assert bounds(RATE) == pytest.approx((-4.0, -2.0))
    assert problem([RATE])["bounds"] == [pytest.approx([-4.0, -2.0])]
    assert np.mean(X < 1e-3) == pytest.approx(0.5, abs=0.01)        # half the points in each decade


def test_lhs_puts_one_point_in_each_stratum_of_each_dimension():
    samples = 32
    params = [Parameter("a.x", low=-1, high=3), Parameter("a.y", low=10, high=20), RATE]
    X = sample("lhs", params, samples, seed=4)
    for j, p in enumerate(params):
        low, high = bounds(p)
        column = np.log10(X[:, j]) if p.log else X[:, j]
        strata = np.floor((column - low) / (high - low) * samples).astype(int)
        assert sorted(strata) == list(range(samples)), p.path


@pytest.mark.parametrize("design", ["lhs", "sobol", "morris"])
def test_values_are_snapped_to_listed_levels_and_integers_rounded(design):
    X = sample(design, PARAMETERS, SAMPLES[design], seed=5)
    levels = X[:, PARAMETERS.index(LEVELS)]
    assert set(levels) <= set(LEVELS.values)
    assert len(set(levels)) == len(LEVELS.values)                     # every level is reached
    counts = X[:, PARAMETERS.index(COUNT)]
    assert np.array_equal(counts, np.rint(counts)) and len(set(counts)) > 2
    log_levels = Parameter("a.b", values=(1, 10, 100), log=True)
    assert set(sample(design, [log_levels], SAMPLES[design], seed=5).ravel()) == {1, 10, 100}


def test_snapping_is_to_the_nearest_level_in_the_sampling_space():
    linear, log = Parameter("a.b", values=(1, 10, 100)), Parameter("a.b", values=(1, 10, 100), log=True)
    assert to_natural(linear, np.array([3.5, 6.0, 60.0])).tolist() == [1, 10, 100]
    # in log space the midpoint of 1 and 10 is 3.16, so 3.5 goes up
    assert to_natural(log, np.log10([3.0, 3.5, 40.0])).tolist() == [1, 10, 100]


@pytest.mark.parametrize("design", DESIGNS)
def test_deterministic(design):
    first = sample(design, PARAMETERS, SAMPLES[design], seed=7)
    assert first.tobytes() == sample(design, PARAMETERS, SAMPLES[design], seed=7).tobytes()
    other = sample(design, PARAMETERS, SAMPLES[design], seed=8)
    assert (design == "grid") == (first.tobytes() == other.tobytes())   # only the grid ignores the seed


@pytest.mark.parametrize(("design", "parameters", "samples", "message"), [
    ("sobol", [HAZARD], 100, "power of 2.*64 or 128"),
    ("sobol", [HAZARD], 0, "samples must be at least 1"),
    ("lhs", [Parameter("a.low_high", low=2, high=2)], 8, "a.low_high.*low.*below high"),
    ("lhs", [Parameter("a.log_zero", low=0, high=1, log=True)], 8, "a.log_zero.*above 0"),
    ("grid", [Parameter("a.log_values", values=(-1, 1), log=True)], 8, "a.log_values.*above 0"),
    ("grid", [Parameter("a.empty", values=())], 8, "a.empty.*empty"),
    ("grid", [Parameter("a.repeat", values=(1, 1))], 8, "a.repeat.*repeat"),
    ("grid", [Parameter("a.both", values=(1, 2), low=1, high=2)], 8, "a.both.*either"),
    ("grid", [Parameter("a.neither")], 8, "a.neither.*low and high"),
    ("lhs", [Parameter("a.single", values=(1,))], 8, "a.single.*two distinct"),
    ("lhs", [Parameter("a.whole", low=0.5, high=3, integer=True)], 8, "a.whole.*whole-number"),
    ("lhs", [HAZARD, HAZARD], 8, "repeat.*nonlocal_conversion"),
    ("morris", [], 8, "at least one parameter"),
    ("morris", [HAZARD], 8, "levels must be an even"),
    ("factorial", [HAZARD], 8, "unknown design 'factorial'"),
])
def test_errors_name_the_problem(design, parameters, samples, message):
    levels = 3 if message.startswith("levels") else 4
    with pytest.raises(ValueError, match=message):
        sample(design, parameters, samples, seed=0, levels=levels)


def test_n_points_checks_like_sample():
    with pytest.raises(ValueError, match="power of 2.*32 or 64"):
        n_points("sobol", 3, samples=48)
    with pytest.raises(ValueError, match="3 parameters were given"):
        n_points("grid", 2, samples=0, parameters=[HAZARD, RATE, LEVELS])
