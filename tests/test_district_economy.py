"""Jobs and housing by district (``kernel.district_economy``) and the industry lever (``industry_development``):
direction tests (jobs draw arrivals and movers; a housing shortage lowers settlement), the accounting of
dwellings and jobs, the switch back to the model without them, bad input and the lever at intensity 0."""

from pathlib import Path

import numpy as np
import pytest

from sim.core.catalogue import BY_NAME, INDICATOR_NAMES
from sim.core.districts import DISTRICTS, ZONES
from sim.kernel.district_economy import MONTHS_PER_YEAR, pull_from
from sim.model import Model
from sim.output.formats import SUMMARY, TIMESERIES
from sim.output.run_folder import summary_rows, timeseries_rows
from sim.scenario import ScenarioError
from tests.conftest import make_scenario, run_main

BASE = {"population.scale": 500.0, "seed": 11, "period.end": "2022-12-31"}
XIHAIAN = DISTRICTS.index("xihaian")
JIMO = DISTRICTS.index("jimo")
NEW = ("jobs", "working_age_residents", "job_availability", "urban_dwellings", "vacant_urban_dwellings",
       "housing_shortage", "housing_cost_index")


def model(settings: dict | None = None, **kwargs) -> Model:
    return Model(make_scenario({**BASE, **(settings or {})}), 0, **kwargs)


def series(result, name: str, zone: str = "qingdao") -> np.ndarray:
    return result.values[:, ZONES.index(zone), INDICATOR_NAMES.index(name)]


def total(result, name: str, zone: str = "qingdao") -> float:
    return float(np.nansum(series(result, name, zone)))


@pytest.fixture(scope="module")
def baseline():
    return model(check_invariants=True).run()


@pytest.fixture(scope="module")
def xihaian_boom():
    return model({"economy.jobs.growth_pct_per_year": {"xihaian": 12.0}}).run()


def test_the_indicators_are_declared():
    for name in NEW:
        assert name in BY_NAME and BY_NAME[name].zh and BY_NAME[name].en


def test_more_job_growth_in_a_district_draws_more_arrivals_there(baseline, xihaian_boom):
    assert total(xihaian_boom, "jobs", "xihaian") > total(baseline, "jobs", "xihaian")
    assert total(xihaian_boom, "in_migration", "xihaian") > 1.02 * total(baseline, "in_migration", "xihaian")
    # the pull redirects: the other districts together receive fewer
    others = [d for d in DISTRICTS if d != "xihaian"]
    assert sum(total(xihaian_boom, "in_migration", d) for d in others) < \
        sum(total(baseline, "in_migration", d) for d in others)


def test_more_job_growth_in_a_district_draws_more_internal_movers(baseline, xihaian_boom):
    assert total(xihaian_boom, "internal_moves_in", "xihaian") > total(baseline, "internal_moves_in", "xihaian")


def test_a_district_without_jobs_draws_no_arrivals_and_no_movers_from_elsewhere():
    """No jobs in Laoshan: its expected income and so its pull are 0, so no arrival and no rural-to-urban mover
    leaving another district goes there (the handler reads the month's pull)."""
    result = model({"economy.jobs.jobs_per_employed_resident": {"laoshan": 0.0},
                    "behaviour.rural_to_urban.same_district_share_pct": 0.0,      # every mover leaves
                    "behaviour.urban_to_rural.return_hazard_per_year": 0.0,       # no returns to a hukou home
                    "behaviour.urban_to_rural.other_hazard_per_year": 0.0}).run()
    assert total(result, "in_migration", "laoshan") == 0 < total(result, "in_migration", "licang")
    assert total(result, "internal_moves_in", "laoshan") == 0 < total(result, "internal_moves_in", "licang")


def test_a_housing_shortage_lowers_hukou_conversions():
    """No vacancy, no completions and renewal taking a fifth of Jimo's dwellings a year: the urban households
    outgrow the dwellings, and fewer convert there than when settlement does not need a home."""
    tight = {"economy.housing.vacancy_pct_at_start": {"jimo": 0.0},
             "economy.housing.completions_pct_per_year": {"jimo": 0.0},
             "economy.housing.demolished_pct_per_year": {"jimo": 20.0}}
    short = model(tight).run()
    free = model({**tight, "economy.housing.settlement_needs_home": False}).run()
    assert series(short, "housing_shortage", "jimo")[-1] > 0
    assert total(short, "hukou_conversions", "jimo") < 0.9 * total(free, "hukou_conversions", "jimo")
    others = total(short, "hukou_conversions") - total(short, "hukou_conversions", "jimo")
    assert others == pytest.approx(total(free, "hukou_conversions") - total(free, "hukou_conversions", "jimo"),
                                   rel=0.05)


def test_completions_narrow_a_shortage():
    tight = {"behaviour.in_migration.rate_per_year": 0.08, "economy.housing.vacancy_pct_at_start": {"jimo": 0.0}}
    none = model({**tight, "economy.housing.completions_pct_per_year": {"jimo": 0.0}}).run()
    built = model({**tight, "economy.housing.completions_pct_per_year": {"jimo": 5.0}}).run()
    assert series(built, "housing_shortage", "jimo")[-1] < series(none, "housing_shortage", "jimo")[-1]


def test_dwellings_are_the_start_plus_completions_and_reclassified_less_demolitions():
    m = model({"economy.housing.demolished_pct_per_year": {"shinan": 1.0, "pingdu": 0.5}})
    e = m.economy
    start = e.dwellings_start.copy()
    m.run()
    assert np.allclose(e.dwellings, start + e.completed + e.reclassified - e.demolished, rtol=0, atol=1e-9)
    months = len(m.calendar.month_spans)
    assert np.allclose(e.completed, start * 0.02 * months / MONTHS_PER_YEAR)
    assert e.demolished[DISTRICTS.index("shinan")] == pytest.approx(start[DISTRICTS.index("shinan")] * 0.01
                                                                     * months / MONTHS_PER_YEAR)
    assert e.reclassified[DISTRICTS.index("pingdu")] > 0        # villages recoded urban keep their homes


def test_vacancy_and_shortage_are_exclusive_and_never_negative(baseline):
    tight = model({"behaviour.in_migration.rate_per_year": 0.08,
                   "economy.housing.vacancy_pct_at_start": dict.fromkeys(DISTRICTS, 0.0),
                   "economy.housing.completions_pct_per_year": dict.fromkeys(DISTRICTS, 0.0)}).run()
    for result in (baseline, tight):
        vacant = result.values[:, 1:, INDICATOR_NAMES.index("vacant_urban_dwellings")]
        short = result.values[:, 1:, INDICATOR_NAMES.index("housing_shortage")]
        assert (vacant >= 0).all() and (short >= 0).all()
        assert ((vacant == 0) | (short == 0)).all()
    assert (tight.values[-1, 1:, INDICATOR_NAMES.index("housing_shortage")] > 0).any()


def test_jobs_follow_the_growth_path_exactly():
    m = model({"economy.jobs.growth_pct_per_year": {"laixi": 5.0, "shinan": -3.0}})
    start = m.economy.jobs.copy()
    m.run()
    months = len(m.calendar.month_spans)
    growth = np.full(len(DISTRICTS), 2.4)
    growth[DISTRICTS.index("laixi")], growth[DISTRICTS.index("shinan")] = 5.0, -3.0
    assert np.allclose(m.economy.jobs, start * (1 + growth / 100) ** (months / MONTHS_PER_YEAR), rtol=1e-12)


def test_a_shift_by_year_changes_every_districts_growth_from_its_year():
    m = model({"economy.jobs.growth_shift_pct_by_year": {"2022": -2.0}})
    start = m.economy.jobs.copy()
    m.run()
    assert np.allclose(m.economy.jobs, start * 1.024 * 1.004, rtol=1e-12)      # 2021 at 2.4%, 2022 at 0.4%


def test_the_pull_is_relative_and_falls_with_cost():
    expected, weights = np.array([0.5, 1.0, 1.0]), np.array([1.0, 1.0, 2.0])
    pull = pull_from(expected, np.ones(3), weights, 1.0, 0.5)
    assert pull == pytest.approx(expected / (expected * weights).sum() * weights.sum())
    costly = pull_from(np.ones(3), np.array([1.0, 2.0, 1.0]), weights, 1.0, 0.5)
    assert costly[1] < 1.0 < costly[0]
    assert pull_from(expected, np.ones(3), weights, 0.0, 0.0) == pytest.approx(np.ones(3))


def test_economy_disabled_is_the_model_without_it():
    off = model({"economy.enabled": False})
    assert off.economy is None and off.scheduler.economy is None and off.handlers.destination_pull is None
    result = off.run()
    for name in ("jobs", "urban_dwellings", "housing_shortage"):
        assert (series(result, name) == 0).all()
    assert np.isnan(series(result, "housing_cost_index")).all()


def test_neutral_elasticities_and_no_home_condition_move_nobody():
    """With both elasticities 0 and settlement not needing a home, the economy only records: every resident's
    life is the one without it, event for event."""
    neutral = {"economy.jobs.income_elasticity": 0.0, "economy.housing.cost_elasticity": 0.0,
               "economy.housing.settlement_needs_home": False}
    on = model(neutral, log_events=True).run()
    off = model({"economy.enabled": False}, log_events=True).run()
    assert on.log == off.log


def test_a_citywide_job_slowdown_lowers_arrivals_when_the_total_responds():
    slow = {"economy.jobs.growth_shift_pct_by_year": {"2021": -12.0},
            "economy.jobs.total_arrivals_elasticity": 2.0}
    assert total(model(slow).run(), "in_migration") < total(model().run(), "in_migration")


def test_industry_development_adds_jobs_in_its_districts(baseline):
    lever = {"policies.industry_development": {"districts": ["xihaian", "jimo"], "intensity": 1.0}}
    result = model(lever).run()
    assert series(result, "jobs", "jimo")[-1] > series(baseline, "jobs", "jimo")[-1]
    assert series(result, "jobs", "laixi")[-1] == series(baseline, "jobs", "laixi")[-1]
    assert total(result, "in_migration", "xihaian") > total(baseline, "in_migration", "xihaian")


def test_industry_development_at_intensity_zero_is_the_baseline_byte_for_byte():
    def tables(settings):
        runs = [Model(make_scenario({**BASE, "period.end": "2021-12-31", **settings}), r).run() for r in range(2)]
        return TIMESERIES.text(timeseries_rows(runs)), SUMMARY.text(summary_rows(runs))
    assert tables({"policies.industry_development": {"intensity": 0.0}}) == tables({})


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("economy.jobs.growth_pct_per_year", {"xihaian": "fast"}, "economy.jobs.growth_pct_per_year.xihaian"),
    ("economy.jobs.growth_pct_per_year", {"atlantis": 3.0}, "atlantis"),
    ("economy.housing.vacancy_pct_at_start", {"jimo": 95.0}, "economy.housing.vacancy_pct_at_start.jimo"),
    ("economy.housing.cost_elasticity", -1.0, "economy.housing.cost_elasticity"),
    ("economy.enabled", "maybe", "economy.enabled"),
    ("economy.jobs.income_elasticty", 1.0, "income_elasticity"),
    ("economy.jobs.growth_shift_pct_by_year", {"next year": 1.0}, "economy.jobs.growth_shift_pct_by_year"),
])
def test_bad_economy_settings_are_one_line_errors_naming_the_field(setting, value, words):
    with pytest.raises(ScenarioError) as err:
        make_scenario({setting: value})
    message = str(err.value)
    assert words in message and "\n" not in message


def test_a_bad_economy_setting_on_the_command_line_exits_2(capsys, tmp_path):
    baseline = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    code, _, err = run_main(capsys, "run", baseline, "--set", "economy.jobs.income_elasticity=-2",
                            "--out", tmp_path)
    assert code == 2 and not list(tmp_path.iterdir())
    [line] = err.strip().splitlines()
    assert "economy.jobs.income_elasticity" in line


def test_the_defaults_come_from_the_data_file_with_their_sources():
    from sim.data import load_economy
    from sim.kernel.district_economy import JOBS
    data = load_economy()
    assert JOBS.fields["growth_pct_per_year"].default["pingdu"] == data["jobs"]["growth_pct_per_year"]
    assert {"publisher", "url", "quote", "assumption"} <= set(data["jobs"])
    low, high = data["jobs"]["city_employed_2010_wan"], data["jobs"]["city_employed_2015_wan"]
    assert round(100 * ((high / low) ** 0.2 - 1), 1) == data["jobs"]["growth_pct_per_year"]
