"""The city sub-models (transport, air, health): schedules, formulas by hand, randomness, scenario handling."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.core.catalogue import INDICATOR_NAMES, INDICATORS
from sim.core.districts import ZONES
from sim.model import Model
from sim.output.scorecard import run_scorecard
from sim.scenario import ScenarioError, load_scenario
from sim.submodels import air, health, transport
from sim.submodels.schedule import linear, step
from sim.targets import scenario_targets
from tests.conftest import make_scenario

D = dt.date.fromisoformat
DATES = ["2020-12-31", "2021-06-30", "2021-12-31", "2022-12-25", "2022-12-26", "2023-12-31"]
YEARS = np.array([(D(d) - D(DATES[0])).days / 365.25 for d in DATES])


def settings(section: str, **values):
    sc = make_scenario({f"submodels.{section}.{k}": v for k, v in values.items()})
    return getattr(sc.submodels, section)


def test_step_and_linear_schedules():
    sched = {D("2021-01-01"): 10.0, D("2022-01-01"): 30.0}
    dates = ["2020-12-31", "2021-01-01", "2021-07-02", "2022-01-01", "2023-01-01"]
    assert step(sched, dates).tolist() == [10.0, 10.0, 10.0, 30.0, 30.0]      # first value before the first date
    half = 10.0 + 20.0 * (D("2021-07-02") - D("2021-01-01")).days / 365
    assert linear(sched, dates).tolist() == pytest.approx([10.0, 10.0, half, 30.0, 30.0])


def test_rail_steps_on_the_opening_day_and_counts_openings():
    s = settings("transport")
    out = transport.fill(s, DATES, YEARS, {"urban_population": np.ones(len(DATES))}, None)
    assert out["rail_transit_operating_km"].tolist() == [246, 246, 284, 284, 315, 315]   # Line 1 south, Line 4
    assert transport.rail_openings_after_start(s.rail_operating_km, DATES).tolist() == [0, 0, 1, 1, 2, 2]


def test_parking_flows_sum_to_the_schedule():
    s = settings("transport")
    dates = ["2020-12-31"] + [(dt.date(2021 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
                              for m in range(1, 37)]
    flows = transport.fill(s, dates, np.zeros(len(dates)), {"urban_population": np.ones(len(dates))}, None)
    parking = flows["new_public_parking_spaces"]
    assert parking[0] == 0                       # nothing built at the starting record
    assert parking.sum() == pytest.approx(27000.0)
    assert parking[1:13].sum() == pytest.approx(3500.0)
    assert flows["new_or_upgraded_road_km"].sum() == pytest.approx(300.0)


def test_transit_share_by_hand():
    s = settings("transport", car_trip_growth_pct_per_year=2.0, bus_supply_growth_pct_per_year=5.0)
    urban = np.array([1.0, 1.0, 1.02, 1.03, 1.03, 1.05]) * 7.7e6
    share = transport.public_transport_share_pct(s, DATES, urban, YEARS)
    assert share[0] == pytest.approx(55.0)
    k = 5                                         # end of 2023: two openings (Line 1 south, Line 4), 315 km
    u, t = 1.05, YEARS[k]
    bus = 0.55 * 0.66 * u ** 0.35 * 1.05 ** (t * 0.40) * (1 - 0.041) ** 2
    rail = 0.55 * 0.34 * u ** 0.35 * (315 / 246)
    other = 0.45 * u * 1.02 ** t
    assert share[k] == pytest.approx(100 * (bus + rail) / (bus + rail + other))


def test_transit_share_constant_without_change():
    s = settings("transport", rail_operating_km={"2020-12-31": 246}, car_trip_growth_pct_per_year=0.0)
    share = transport.public_transport_share_pct(s, DATES, np.full(len(DATES), 7.7e6), YEARS)
    assert share == pytest.approx(np.full(len(DATES), 55.0))


def test_good_days_by_hand():
    s = settings("air")
    from scipy.stats import norm

    sigma = 0.55
    expected = 100 * norm.cdf((math.log(75) - (math.log(30) - sigma ** 2 / 2)) / sigma) * 0.94
    assert air.good_days_pct(s, np.array([30.0]))[0] == pytest.approx(expected)
    assert air.good_days_pct(s, np.array([20.0]))[0] > expected > air.good_days_pct(s, np.array([40.0]))[0]


def test_weather_one_draw_per_year_after_the_first():
    years = np.array([2020, 2021, 2021, 2022, 2023])
    a = air.weather_factors(years, 8.0, np.random.default_rng(1))
    b = air.weather_factors(years, 8.0, np.random.default_rng(1))
    assert a.tolist() == b.tolist()
    assert a[0] == 1.0 and a[1] == a[2] and len(set(a[1:].tolist())) == 3
    assert air.weather_factors(years, 0.0, np.random.default_rng(1)).tolist() == [1.0] * 5
    many = air.weather_factors(np.arange(2020, 22021), 8.0, np.random.default_rng(2))[1:]
    assert many.mean() == pytest.approx(1.0, abs=4 * 0.08 / math.sqrt(len(many)))      # mean-one factor
    assert many.std() == pytest.approx(0.08, rel=0.05)


def test_emission_controls_raise_good_days_without_weather():
    s = settings("air", weather_sd_pct=0.0)
    out = air.fill(s, DATES, YEARS, {"urban_population": np.full(len(DATES), 7.7e6)}, np.random.default_rng(0))
    good = out["urban_air_good_days_rate"]
    assert np.all(np.diff(good) > 0)
    assert good[0] == pytest.approx(air.good_days_pct(s, np.array([30.0]))[0])


def test_critical_care_weighted_by_rural_residents():
    s = settings("health", critical_care_in_place_from={"pingdu": "2022-01-01"})
    rural = np.zeros((2, 10))
    rural[:, 8], rural[:, 9], rural[:, 6] = 600.0, 300.0, 100.0        # pingdu, laixi, jimo
    cov = health.critical_care_coverage_pct(s.critical_care_in_place_from, ["2021-12-31", "2022-01-31"], rural)
    assert cov[0, 0] == pytest.approx(10.0) and cov[1, 0] == pytest.approx(70.0)    # jimo; jimo + pingdu
    assert cov[1, 1 + 8] == 100.0 and cov[1, 1 + 9] == 0.0
    assert np.isnan(cov[:, 1]).all()                                                 # shinan: nobody rural


@pytest.mark.parametrize("value, match", [
    ({}, "mapping of dates"),
    ([1, 2], "mapping of dates"),
    ({"soon": 3}, "dates as keys"),
    ({"2021-02-30": 3}, "no such day"),
    ({"2021-12-31": -5}, "between 0 and"),
    ({"2021-12-31": "many"}, "a number"),
])
def test_bad_schedules_name_the_field(value, match):
    with pytest.raises(ScenarioError, match=match) as err:
        make_scenario({"submodels.health.cross_region_settlement_coverage_pct": value})
    assert err.value.field.startswith("submodels.health.cross_region_settlement_coverage_pct")


def test_a_schedule_is_replaced_whole_by_extends_and_set(tmp_path):
    (tmp_path / "base.yaml").write_text("submodels: {transport: {rail_operating_km: {2020-12-31: 246, "
                                        "2022-12-26: 315}}}\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nsubmodels: {transport: {rail_operating_km: "
                                         "{2021-06-30: 300}}}\n", encoding="utf-8")
    child = load_scenario(tmp_path / "child.yaml")
    assert dict(child.submodels.transport.rail_operating_km) == {D("2021-06-30"): 300.0}
    over = load_scenario(tmp_path / "base.yaml", ["submodels.transport.rail_operating_km={2020-12-31: 1}"])
    assert dict(over.submodels.transport.rail_operating_km) == {D("2020-12-31"): 1.0}


def test_every_target_is_scored_and_submodels_follow_the_scenario():
    base = make_scenario({"population.scale": 5000.0})
    plan = make_scenario({"population.scale": 5000.0,
                          "submodels.health.critical_care_in_place_from": {"pingdu": "2022-12-31",
                                                                           "laixi": "2022-12-31"},
                          "submodels.health.cross_region_settlement_coverage_pct": {"2020-12-31": 70,
                                                                                     "2023-06-30": 100}})
    runs = {name: [Model(sc, r).run() for r in range(2)] for name, sc in (("base", base), ("plan", plan))}
    rows, unscored = run_scorecard(scenario_targets(plan), runs["plan"])
    assert unscored == [] and len(rows) == len(scenario_targets(plan))
    by = {r.target: r for r in rows}
    assert by["rural_critical_care_30min_coverage"].status == "met (2 replications)"      # too few for p_meet
    assert by["cross_region_medical_settlement_coverage"].mean == pytest.approx(100.0)
    base_rows = {r.target: r for r in run_scorecard(scenario_targets(base), runs["base"])[0]}
    assert base_rows["rural_critical_care_30min_coverage"].mean < 100.0
    # the weather is the sub-models' only randomness: replications differ, scenarios share it
    j = INDICATOR_NAMES.index("urban_air_good_days_rate")
    assert runs["base"][0].values[-1, 0, j] != runs["base"][1].values[-1, 0, j]
    city_only = [INDICATOR_NAMES.index(i.name) for i in INDICATORS if i.city_only]
    assert np.isnan(runs["base"][0].values[:, 1:, city_only]).all() and len(ZONES) == 11
