"""The default fertility and mortality hazards are the fits to the published schedules (sim/data/demography.yaml)
that their sources say, and give what those schedules give: the year's TFR, the sourced life expectancy."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.codes import LOCAL_URBAN, cell_of
from sim.core.districts import DISTRICTS
from sim.kernel import demography, hazards
from sim.kernel.hazards import total_fertility_in
from sim.kernel.residents import Residents
from sim.model import Model
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


def test_simulated_births_per_woman_year_sum_to_the_year_s_rate(quiet_world):
    """At scale: 350,000 women spread evenly over ages 15-50 (10,000 to each year of age), nothing but births in
    2021. Births per woman-year of age, summed over the 35 years of age, are the year's rate 1.30 * 0.937 =
    1.218, within 4 Poisson sd and 0.5% for the engine's constant hazard over each window (the expectation
    integrates the bell over each woman's year)."""
    per_year_of_age, years_of_age = 10_000, 35
    n = per_year_of_age * years_of_age
    ages = 15.0 + (np.arange(n) + 0.5) / per_year_of_age
    world = Residents(n + n // 20, n + n // 20)
    world.add_households(np.ones(n, np.int64), district=np.int8(DISTRICTS.index("shibei")), urban=True,
                         hukou=np.int8(LOCAL_URBAN), hukou_district=np.int8(DISTRICTS.index("shibei")),
                         female=True, birth_day=-ages * DAYS_PER_YEAR, arrival_day=-np.inf)
    rows = slice(0, n)
    world.cell[rows] = cell_of(world.district[rows].astype(np.int16), world.urban[rows], world.hukou[rows],
                               world.permit[rows])
    settings = {**quiet_world, "period.start": "2021-01-01", "period.end": "2021-12-31", "population.scale": 1.0}
    del settings["behaviour.fertility.total_fertility_rate"]              # the default rate and its trend
    scenario = make_scenario(settings)
    births = Model(scenario, 0, residents=world).run().events_by_type["birth"]
    tfr = total_fertility_in(scenario.behaviour.fertility, 2021)
    steps = (np.arange(50) + 0.5) / 50.0                                  # each woman's year in fiftieths
    exposure = (ages[::100, None] + steps[None, :]).ravel()               # every 100th woman stands for 100
    state = {"present": np.ones(exposure.size, bool), "female": np.ones(exposure.size, bool),
             "age_years": exposure, "mid_age_years": exposure, "year": 2021}
    expected = 100 * hazards.birth_hazard_per_year(state, scenario.behaviour).sum() / len(steps)
    assert expected == pytest.approx(per_year_of_age * tfr, rel=0.01)     # the rate, less the edge at 15
    assert abs(births - expected) < 4 * np.sqrt(expected) + 0.005 * expected
    assert births / per_year_of_age == pytest.approx(tfr, rel=0.03)      # births per woman-year, summed over ages
