"""The departure duration profile's fit to a stock of elapsed stays (sim/calibration/stays.py)."""

import math

import numpy as np
import pytest

from sim.calibration import stays
from sim.data import load_migration
from tests.conftest import make_scenario


def stock_share_over(years: float, before: float, after: float, threshold: float, growth: float = 0.0) -> float:
    """Share of a stock with elapsed stay over ``years``, integrated numerically (not the fit's closed form):
    the density of elapsed stays is the survival times exp(-growth t)."""
    t = np.linspace(0.0, 400.0, 800_001)
    hazard = np.where(t < threshold, before, after) + growth
    density = np.exp(-np.concatenate(([0.0], np.cumsum((hazard[1:] + hazard[:-1]) / 2 * np.diff(t)))))
    return float(np.trapezoid(np.where(t >= years, density, 0.0), t) / np.trapezoid(density, t))


def test_the_fit_reproduces_the_published_shares():
    fit = stays.fitted_profile()
    for years, share in load_migration()["stays_2009"]["share_staying_over_years"].items():
        got = stock_share_over(float(years), fit["before_per_year"], fit["after_per_year"], fit["threshold_years"])
        assert got == pytest.approx(share, abs=2e-4)
    assert fit["before_per_year"] > fit["after_per_year"] > 0          # higher in the first years, declining


def test_a_growing_inflow_is_read_as_lower_hazards():
    steady, growing = stays.fitted_profile(), stays.fitted_profile(0.03)
    assert growing["before_per_year"] == pytest.approx(steady["before_per_year"] - 0.03)
    assert growing["long_stay_multiplier"] < steady["long_stay_multiplier"]
    got = stock_share_over(10.0, growing["before_per_year"], growing["after_per_year"], 4.0, growth=0.03)
    assert got == pytest.approx(0.19, abs=2e-4)


def test_the_schema_defaults_are_the_fit():
    d = make_scenario().behaviour.departure
    fit = stays.fitted_profile()
    assert d.long_stay_years == fit["threshold_years"]
    assert d.long_stay_multiplier == round(fit["long_stay_multiplier"], 3)


def test_a_constant_hazard_is_recovered():
    """Shares of an exponential stock, exp(-h t), give h back on both sides of the threshold."""
    h = 0.12
    before, after = stays.fit_two_piece(4.0, math.exp(-4 * h), 10.0, math.exp(-10 * h))
    assert before == pytest.approx(h, rel=1e-9) and after == pytest.approx(h, rel=1e-12)


def test_shares_that_do_not_fall_are_refused():
    with pytest.raises(ValueError, match="must fall with the years"):
        stays.fit_two_piece(4.0, 0.2, 10.0, 0.3)


def test_the_starting_non_locals_stays_have_the_source_s_mean():
    assert make_scenario().population.nonlocal_mean_years_resident == load_migration()["stays_2009"]["mean_stay_years"]
