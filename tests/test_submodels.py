"""The city sub-models (transport, air, health): schedules, formulas by hand, randomness, scenario handling."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.core.catalogue import BY_NAME, INDICATOR_NAMES, INDICATORS
from sim.core.districts import ZONES
from sim.model import Model
from sim.output.scorecard import run_scorecard, score
from sim.scenario import ScenarioError, load_scenario
from sim.submodels import air, health, provenance_of, transport
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


def test_rail_steps_on_the_opening_day():
    s = settings("transport")
    out = transport.fill(s, DATES, YEARS, {"urban_population": np.ones(len(DATES))}, None)
    assert out["rail_transit_operating_km"].tolist() == [246, 246, 284, 284, 315, 315]   # Line 1 south, Line 4


MONTH_ENDS = ["2020-12-31"] + [(dt.date(2021 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
                               for m in range(1, 37)]


def test_parking_built_follows_the_plan_at_the_delivery_share_and_never_exceeds_it():
    s = settings("transport")
    flows = transport.fill(s, MONTH_ENDS, np.zeros(len(MONTH_ENDS)), {"urban_population": np.ones(37)}, None)
    built, planned = flows["new_public_parking_spaces"], flows["new_public_parking_spaces_planned"]
    assert built[0] == planned[0] == 0                   # nothing at the starting record
    assert planned.sum() == pytest.approx(33333.0) and planned[1:13].sum() == pytest.approx(6667.0)
    assert built.sum() == pytest.approx(0.75 * 33333.0)  # no completion published: the assumed delivery share
    assert np.all(np.cumsum(built) <= np.cumsum(planned) + 1e-9)
    assert flows["new_or_upgraded_road_km"].sum() == pytest.approx(300.0)


def test_published_completions_come_first_then_the_delivery_share():
    s = settings("transport", parking_built_spaces_cumulative={"2020-12-31": 0, "2021-12-31": 6000},
                 parking_delivery_pct_of_planned=50.0)
    built, planned = transport.parking_cumulative(s, ["2021-06-30", "2021-12-31", "2022-12-31", "2023-12-31"])
    assert built[0] == pytest.approx(6000 * (D("2021-06-30") - D("2020-12-31")).days / 365)
    assert built[1:].tolist() == pytest.approx([6000.0, 6000 + 0.5 * (13333 - 6667), 6000 + 0.5 * (33333 - 6667)])
    assert np.all(built <= planned)


@pytest.mark.parametrize("built, match", [
    ({"2020-12-31": 0, "2021-12-31": 9000}, "9000 spaces built by 2021-12-31 exceed the 6667 planned"),
    ({"2021-06-30": 5000}, "5000 spaces built by 2020-12-31 exceed the 0 planned"),   # flat before its first date
])
def test_built_beyond_planned_is_refused_in_one_line(built, match):
    with pytest.raises(ScenarioError, match=match) as err:
        make_scenario({"submodels.transport.parking_built_spaces_cumulative": built})
    assert err.value.field == "submodels.transport.parking_built_spaces_cumulative"
    assert "\n" not in str(err.value)


def test_the_parking_verdict_counts_built_spaces_only():
    """A plan of 33,333 spaces of which none is delivered misses the 10,000: planned is never scored as built."""
    target = {t.id: t for t in scenario_targets(make_scenario({}))}["new_public_parking_spaces"]
    assert target.indicator == "new_public_parking_spaces"
    for delivery, status in ((0.0, "missed"), (75.0, "met")):
        s = settings("transport", parking_delivery_pct_of_planned=delivery)
        built = transport.fill(s, MONTH_ENDS, np.zeros(37), {"urban_population": np.ones(37)}, None)[
            "new_public_parking_spaces"]
        assert score(target, np.full(10, built.sum())).status == status
    assert BY_NAME["new_public_parking_spaces"].provenance == "assumption"       # no completion found after 2020
    assert BY_NAME["new_public_parking_spaces_planned"].provenance == "schedule"
    assert "never counted as built" in BY_NAME["new_public_parking_spaces"].provenance_note


def share_2023(**values) -> float:
    """The public-transport share at the end of 2023 with 3% more urban residents than at the start."""
    s = settings("transport", **values)
    urban = np.array([1.0, 1.0, 1.01, 1.02, 1.02, 1.03]) * 7.7e6
    return float(transport.public_transport_share_pct(s, DATES, urban, YEARS)[-1])


def test_transit_share_by_hand():
    s = settings("transport", cars_per_1000_growth_pct_per_year=2.0, bus_supply_growth_pct_per_year=5.0)
    urban = np.array([1.0, 1.0, 1.02, 1.03, 1.03, 1.05]) * 7.7e6
    share = transport.public_transport_share_pct(s, DATES, urban, YEARS)
    assert share[0] == pytest.approx(55.0)
    k, t = 5, YEARS[5]                          # end of 2023: 315 km
    bus0, rail0, car0 = 0.55 * 0.66, 0.55 * 0.34, 0.45
    density = 1.05 / 1.0045 ** t
    v_bus = math.log(bus0) + 0.40 / (1 - bus0) * t * math.log(1.05) + 0.1 / 0.45 * math.log(density)
    v_rail = math.log(rail0) + 1.0 / (1 - rail0) * math.log(315 / 246) + 0.1 / 0.45 * math.log(density)
    v_car = math.log(car0) + 0.5 / (1 - car0) * t * math.log(1.02)
    e = [math.exp(v) for v in (v_bus, v_rail, v_car)]
    assert share[k] == pytest.approx(100 * (e[0] + e[1]) / sum(e))


def test_transit_share_constant_without_change():
    s = settings("transport", rail_operating_km={"2020-12-31": 246}, cars_per_1000_growth_pct_per_year=0.0,
                 built_up_area_growth_pct_per_year=0.0)
    share = transport.public_transport_share_pct(s, DATES, np.full(len(DATES), 7.7e6), YEARS)
    assert share == pytest.approx(np.full(len(DATES), 55.0))


def test_transit_share_directions():
    """More rail and buses and a denser city raise the share; more cars lower it; urban growth alone (denser at the
    same built-up area) raises it rather than lowering it by construction."""
    base = share_2023()
    assert share_2023(rail_operating_km={"2020-12-31": 246, "2022-12-26": 400}) > base
    assert share_2023(rail_operating_km={"2020-12-31": 246}) < base
    assert share_2023(bus_supply_growth_pct_per_year=3.0) > base
    assert share_2023(cars_per_1000_growth_pct_per_year=8.0) < base < share_2023(cars_per_1000_growth_pct_per_year=2.0)
    assert share_2023(built_up_area_growth_pct_per_year=3.0) < base          # the same residents, spread thinner
    s = settings("transport", rail_operating_km={"2020-12-31": 246}, cars_per_1000_growth_pct_per_year=0.0,
                 built_up_area_growth_pct_per_year=0.0)
    grown = transport.public_transport_share_pct(s, DATES, np.linspace(7.7e6, 8.0e6, len(DATES)), YEARS)
    assert np.all(np.diff(grown) > 0)


def test_a_new_line_takes_riders_from_buses_and_cars_alike():
    """The logit's cross-elasticity: the two openings cut bus trips by a few per cent (Liu and Li: 4.1% a line)."""
    s = settings("transport", cars_per_1000_growth_pct_per_year=0.0, built_up_area_growth_pct_per_year=0.0)
    shares = transport.mode_shares(s, DATES, np.full(len(DATES), 7.7e6), YEARS)
    bus_change = shares["bus"][-1] / shares["bus"][0] - 1.0
    car_change = shares["car"][-1] / shares["car"][0] - 1.0
    assert bus_change == pytest.approx(car_change) and -0.09 < bus_change < -0.03
    assert sum(shares.values()) == pytest.approx(np.ones(len(DATES)))


def test_good_days_by_hand():
    s = settings("air")
    from scipy.stats import norm

    sigma, o3_sd = 0.55, 0.36
    p_pm = 1 - norm.cdf((math.log(75) - (math.log(30) - sigma ** 2 / 2)) / sigma)
    p_o3 = 1 - norm.cdf((math.log(160) - (math.log(150) - norm.ppf(0.9) * o3_sd)) / o3_sd)
    assert air.pm25_exceedance_share(s, np.array([30.0]))[0] == pytest.approx(p_pm)
    assert air.ozone_exceedance_share(s, np.array([150.0]))[0] == pytest.approx(p_o3)
    expected = 100 * (1 - p_pm) * (1 - p_o3) * 0.98                              # independent by default
    assert air.good_days_pct(s, np.array([p_pm]), np.array([p_o3]))[0] == pytest.approx(expected)


def test_good_days_fall_with_either_pollutant_and_the_correlation_counts_shared_days_once():
    s = settings("air")
    pm = air.pm25_exceedance_share(s, np.array([20.0, 30.0, 40.0]))
    o3 = air.ozone_exceedance_share(s, np.array([130.0, 150.0, 170.0]))
    assert np.all(np.diff(pm) > 0) and np.all(np.diff(o3) > 0)
    good = air.good_days_pct(s, pm[1], o3)
    assert np.all(np.diff(good) < 0) and np.all(np.diff(air.good_days_pct(s, pm, o3[1])) < 0)
    together = air.good_days_pct(settings("air", pm25_ozone_exceedance_correlation=1.0), pm[1], o3[1])
    apart = air.good_days_pct(settings("air", pm25_ozone_exceedance_correlation=-1.0), pm[1], o3[1])
    assert together == pytest.approx(100 * (1 - max(pm[1], o3[1])) * 0.98)      # bad days coincide
    assert apart == pytest.approx(100 * (1 - pm[1] - o3[1]) * 0.98)              # never on the same day
    assert apart < good[1] < together


def test_the_air_defaults_come_near_2018s_published_good_days():
    """2018: PM2.5 34 ug/m3 and 85.0% good days (央广网 2019-01-16); ozone at the national 2018 level, 153."""
    s = settings("air")
    pm, o3 = air.pm25_exceedance_share(s, np.array([34.0])), air.ozone_exceedance_share(s, np.array([153.0]))
    assert air.good_days_pct(s, pm, o3)[0] == pytest.approx(85.0, abs=2.0)


def test_ozone_controls_and_summer_heat_move_ozone_and_not_pm25():
    urban = {"urban_population": np.full(len(DATES), 7.7e6)}
    calm = {"weather_sd_pct": 0.0, "summer_temperature_sd_c": 0.0}
    base = air.fill(settings("air", **calm), DATES, YEARS, urban, np.random.default_rng(0))
    controlled = air.fill(settings("air", vocs_nox_reduction_pct_per_year=3.0, **calm), DATES, YEARS, urban,
                          np.random.default_rng(0))
    assert controlled["pm25_annual_mean"].tolist() == base["pm25_annual_mean"].tolist()
    assert base["ozone_8h_p90"].tolist() == [150.0] * len(DATES)
    assert controlled["ozone_8h_p90"][-1] == pytest.approx(150 * 0.97 ** (YEARS[-1] * 0.5))
    assert np.all(controlled["ozone_exceedance_day_share"][1:] < base["ozone_exceedance_day_share"][1:])
    assert np.all(controlled["urban_air_good_days_rate"][1:] > base["urban_air_good_days_rate"][1:])
    # a hot summer: the temperature draw (the second set of draws) raises ozone by the slope
    hot = air.fill(settings("air", weather_sd_pct=0.0), DATES, YEARS, urban, np.random.default_rng(5))
    z = np.random.default_rng(5).standard_normal(6)[3:]                    # after the three PM2.5 draws
    years = np.array([int(d[:4]) for d in DATES])
    expected = 150 + 6.0 * 0.8 * np.concatenate(([0.0], z))[np.searchsorted(np.unique(years), years)]
    assert hot["ozone_8h_p90"] == pytest.approx(expected)


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
    s = settings("air", weather_sd_pct=0.0, summer_temperature_sd_c=0.0)
    out = air.fill(s, DATES, YEARS, {"urban_population": np.full(len(DATES), 7.7e6)}, np.random.default_rng(0))
    good = out["urban_air_good_days_rate"]
    assert np.all(np.diff(good) > 0) and np.all(np.diff(out["pm25_annual_mean"]) < 0)
    start = air.good_days_pct(s, air.pm25_exceedance_share(s, np.array([30.0])),
                              air.ozone_exceedance_share(s, np.array([150.0])))[0]
    assert good[0] == pytest.approx(start)


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
    rows, unscored = run_scorecard(scenario_targets(plan), runs["plan"],
                                   provenance=lambda t: provenance_of(plan.submodels, t.indicator, t.year))
    assert unscored == [] and len(rows) == len(scenario_targets(plan))
    by = {r.target: r for r in rows}
    assert by["new_public_parking_spaces"].provenance == "assumption"           # built after 2020 is assumed
    assert by["rail_transit_operating_km"].provenance == "schedule"
    assert by["rural_critical_care_30min_coverage"].status == "met (2 replications)"      # too few for p_meet
    assert by["cross_region_medical_settlement_coverage"].mean == pytest.approx(100.0)
    base_rows = {r.target: r for r in run_scorecard(scenario_targets(base), runs["base"])[0]}
    assert base_rows["rural_critical_care_30min_coverage"].mean < 100.0
    # the weather is the sub-models' only randomness: replications differ, scenarios share it
    j = INDICATOR_NAMES.index("urban_air_good_days_rate")
    assert runs["base"][0].values[-1, 0, j] != runs["base"][1].values[-1, 0, j]
    city_only = [INDICATOR_NAMES.index(i.name) for i in INDICATORS if i.city_only]
    assert np.isnan(runs["base"][0].values[:, 1:, city_only]).all() and len(ZONES) == 11


@pytest.mark.parametrize("setting, value, match", [
    ("air.pm25_ozone_exceedance_correlation", 1.5, "between -1"),
    ("air.ozone_2020_p90_ug_m3", 0, "between 1"),
    ("air.vocs_nox_reduction_pct_per_year", "fast", "a number"),
    ("transport.parking_delivery_pct_of_planned", 120, "between 0"),
    ("transport.cars_per_1000_growth_pct_per_year", None, "a number"),
    ("transport.parking_planned_spaces_cumulative", {"2021-12-31": -1}, "between 0"),
])
def test_bad_sub_model_settings_are_refused_in_one_line_naming_the_field(setting, value, match):
    with pytest.raises(ScenarioError, match=match) as err:
        make_scenario({f"submodels.{setting}": value})
    assert err.value.field.startswith(f"submodels.{setting}") and "\n" not in str(err.value)


def test_the_new_indicators_say_where_their_values_come_from():
    """Planned parking follows the announced programmes (schedule); built parking, PM2.5 and ozone rest on assumed
    levels (assumption), and each says why."""
    marks = {name: BY_NAME[name].provenance for name in ("new_public_parking_spaces", "pm25_annual_mean",
                                                          "ozone_8h_p90", "ozone_exceedance_day_share",
                                                          "new_public_parking_spaces_planned")}
    assert marks == {"new_public_parking_spaces": "assumption", "pm25_annual_mean": "assumption",
                     "ozone_8h_p90": "assumption", "ozone_exceedance_day_share": "assumption",
                     "new_public_parking_spaces_planned": "schedule"}
    assert all(BY_NAME[name].provenance_note and BY_NAME[name].city_only for name in marks)
    filled = set(transport.INDICATORS) | set(air.INDICATORS) | set(health.INDICATORS)
    assert filled <= set(INDICATOR_NAMES)


def test_the_plan_scenario_cuts_ozone_with_the_same_weather():
    """The plan's ozone measures (the national VOC and NOx target as a setting) lower ozone against the baseline,
    with the same draws: the weather is shared."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    urban = {"urban_population": np.full(len(DATES), 7.7e6)}
    out = {name: air.fill(load_scenario(root / "scenarios" / f"{name}.yaml").submodels.air, DATES, YEARS, urban,
                          np.random.default_rng(3)) for name in ("baseline", "plan_2021_2023")}
    assert out["plan_2021_2023"]["pm25_annual_mean"].tolist() == out["baseline"]["pm25_annual_mean"].tolist()
    assert np.all(out["plan_2021_2023"]["ozone_8h_p90"][1:] < out["baseline"]["ozone_8h_p90"][1:])


def test_built_parking_is_an_assumption_until_published_completions_cover_the_year():
    default = make_scenario({}).submodels
    assert provenance_of(default, "new_public_parking_spaces", 2023) == "assumption"    # no completion after 2020
    counted = make_scenario({"submodels.transport.parking_built_spaces_cumulative": {
        "2020-12-31": 0, "2021-12-31": 5000, "2022-12-31": 10000, "2023-12-31": 20000}}).submodels
    assert provenance_of(counted, "new_public_parking_spaces", 2023) == "schedule"
    assert provenance_of(counted, "new_public_parking_spaces", 2024) == "assumption"
    assert provenance_of(counted, "urbanization_rate", 2023) == "simulated"                # the catalogue's
    target = {t.id: t for t in scenario_targets(make_scenario({}))}["new_public_parking_spaces"]
    assert score(target, np.full(10, 20000.0), provenance="schedule").provenance == "schedule"
    assert score(target, np.full(10, 20000.0)).provenance == "assumption"
