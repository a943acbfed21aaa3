"""The default fertility and mortality hazards are the fits to the published schedules (sim/data/demography.yaml)
that their sources say, and give what those schedules give: the year's TFR, the sourced life expectancy."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernel import demography, hazards
from sim.kernel.hazards import total_fertility_in
from tests.conftest import make_scenario


@pytest.fixture(scope="module")
def behaviour():
    return make_scenario().behaviour


def test_the_fertility_bell_is_the_fit_to_the_census_age_pattern(behaviour):
    mean, sd = demography.fitted_fertility_bell()
    f = behaviour.fertility
    assert f.mean_age_at_birth_years == pytest.approx(mean, abs=0.005)
    assert f.sd_age_at_birth_years == pytest.approx(sd, abs=0.005)
    shares = demography.bell_group_shares(mean, sd)
    assert shares.argmax() == 2 and shares[2] > 0.35            # 25-29 carries most births, as in the table


def test_the_2020_rate_and_the_yearly_change_reproduce_the_national_trend(behaviour):
    """1.30 in 2020; the change is the 2017-2020 decline of the national TFR (1.58 -> 1.30) a year."""
    f = behaviour.fertility
    years = {int(y): v for y, v in demography.load_demography()["fertility"]["national_tfr_trend"]["years"].items()}
    assert f.total_fertility_rate == years[2020]
    assert f.total_fertility_rate_change_pct_per_year == pytest.approx(
        100.0 * ((years[2020] / years[2017]) ** (1 / 3) - 1.0), abs=0.05)
    path = [total_fertility_in(f, y) for y in range(2018, 2025)]
    assert path[:3] == [1.30, 1.30, 1.30]                       # 2020 and (the backcast's assumption) before
    assert np.all(np.diff(path[2:]) < 0) and path[5] == pytest.approx(1.30 * 0.937 ** 3)


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023])
def test_births_per_woman_year_summed_over_ages_are_the_year_s_rate(behaviour, year):
    """On the hazard level: the births of one woman at each single year of age 15-49 sum to TFR(year)."""
    ages = np.arange(15, 50) + 0.5
    n = len(ages)
    state = {"present": np.ones(n, bool), "female": np.ones(n, bool), "age_years": ages, "mid_age_years": ages,
             "year": year}
    assert hazards.birth_hazard_per_year(state, behaviour).sum() == pytest.approx(
        total_fertility_in(behaviour.fertility, year), rel=1e-12)


@pytest.mark.parametrize("sex", ["male", "female"])
def test_the_gompertz_slopes_are_the_fits_to_the_census_death_rates(behaviour, sex):
    m = behaviour.mortality
    assert getattr(m, f"{sex}_gompertz_slope_per_year_of_age") == pytest.approx(
        demography.fitted_gompertz_slope(sex), abs=5e-5)


@pytest.mark.parametrize("sex", ["male", "female"])
def test_life_expectancy_of_the_default_hazards_is_the_sourced_one(behaviour, sex):
    """Within 0.02 years (the rounding of the defaults to four digits) of Qingdao's 80.9 split by sex."""
    m = behaviour.mortality
    e0 = demography.gompertz_life_expectancy_years(getattr(m, f"{sex}_gompertz_level_per_year"),
                                                   getattr(m, f"{sex}_gompertz_slope_per_year_of_age"))
    target = demography.life_expectancy_targets(behaviour.fertility.male_share_at_birth_pct / 100.0)[sex]
    assert e0 == pytest.approx(target, abs=0.02)


def test_women_outlive_men_and_the_sexes_average_to_qingdao_s_life_expectancy(behaviour):
    m, boys = behaviour.mortality, behaviour.fertility.male_share_at_birth_pct / 100.0
    men = demography.gompertz_life_expectancy_years(m.male_gompertz_level_per_year,
                                                    m.male_gompertz_slope_per_year_of_age)
    women = demography.gompertz_life_expectancy_years(m.female_gompertz_level_per_year,
                                                      m.female_gompertz_slope_per_year_of_age)
    assert women - men == pytest.approx(77.37 - 72.38, abs=0.05)
    assert boys * men + (1 - boys) * women == pytest.approx(80.9, abs=0.02)


def test_life_expectancy_of_a_constant_hazard_is_its_inverse():
    """The integration itself: a hazard of 0.1 a year at every age gives 10 years (survival to 130 is nil)."""
    assert demography.gompertz_life_expectancy_years(0.1, 0.0) == pytest.approx(10.0, rel=1e-5)
