"""Public services sized to residents (``kernel.services``), the allocation rule as a lever
(``resident_based_services``) and the public cost of citizenization (``kernel.citizenization_cost``): the
direction of the rule, the accounting of places and costs, and what the baseline keeps."""

import numpy as np
import pytest

from sim.core.catalogue import BY_NAME, INDICATOR_NAMES
from sim.core.districts import ZONES
from sim.kernel import citizenization_cost
from sim.kernel.services import COVERAGE, SERVICES, SHORTAGE, rule_factor
from sim.model import Model
from sim.output.formats import SUMMARY, TIMESERIES
from sim.output.run_folder import summary_rows, timeseries_rows
from sim.scenario import ScenarioError
from tests.conftest import make_scenario

#: a growing city (more arrivals than the calibrated rate): residents outgrow the hukou population
BASE = {"population.scale": 1000.0, "seed": 7, "behaviour.in_migration.rate_per_year": 0.06}
BY_RESIDENTS = {"policies.resident_based_services": {"start": "2021-01-01", "intensity": 1.0}}
CITY = ZONES.index("qingdao")
COST_FIELDS = [name for name in INDICATOR_NAMES if name.startswith("citizenization_cost")]
SERVICE_FIELDS = [*SHORTAGE.values(), *COVERAGE.values()]


def run(settings: dict | None = None, replication: int = 0):
    model = Model(make_scenario({**BASE, **(settings or {})}), replication)
    return model, model.run()


def series(result, name: str, zone: int = CITY) -> np.ndarray:
    return result.values[:, zone, INDICATOR_NAMES.index(name)]


@pytest.fixture(scope="module")
def baseline():
    return run()


@pytest.fixture(scope="module")
def by_residents():
    return run(BY_RESIDENTS)


def test_the_new_indicators_are_declared_as_simulated():
    assert set(SERVICE_FIELDS) <= set(INDICATOR_NAMES) and len(COST_FIELDS) == 6
    for name in SERVICE_FIELDS + COST_FIELDS:
        assert BY_NAME[name].provenance == "simulated" and BY_NAME[name].zh


def test_the_rule_blends_the_growth_of_hukou_and_of_all_residents():
    hukou_now, hukou_start = np.array([100, 90]), np.array([100, 100])
    now, start = np.array([120, 90]), np.array([100, 100])
    assert rule_factor(hukou_now, hukou_start, now, start, np.zeros(2)).tolist() == [1.0, 0.9]
    assert rule_factor(hukou_now, hukou_start, now, start, np.ones(2)).tolist() == [1.2, 0.9]
    assert rule_factor(hukou_now, hukou_start, now, start, np.full(2, 0.5)).tolist() == pytest.approx([1.1, 0.9])


def test_allocation_by_residents_narrows_the_shortage(baseline, by_residents):
    """In a growing city residents grow faster than the hukou population, so capacity that follows residents
    leaves fewer unserved in all; and in every district and service given more capacity by the rule, no more
    are short (the residents and so the demand are the same in both runs)."""
    (model_base, base), (model_on, on) = baseline, by_residents
    assert series(on, "population")[-1] > series(on, "population")[0]
    total = [sum(series(r, SHORTAGE[s])[-1] for s in SERVICES) for r in (base, on)]
    assert total[1] < total[0]
    assert series(on, "clinic_care_shortage")[-1] < series(base, "clinic_care_shortage")[-1]
    assert series(on, "clinic_care_coverage")[-1] > series(base, "clinic_care_coverage")[-1]
    a, b = model_base.services, model_on.services
    assert np.array_equal(a.demand, b.demand)
    more = b.capacity >= a.capacity
    assert more.any() and b.capacity.sum() > a.capacity.sum()
    assert ((b.demand - b.served)[more] <= (a.demand - a.served)[more]).all()


def test_the_shortage_falls_with_the_intensity(baseline, by_residents):
    _, half = run({"policies.resident_based_services": {"start": "2021-01-01", "intensity": 0.5}})
    base, full = baseline[1], by_residents[1]
    clinic = [series(r, "clinic_care_shortage")[-1] for r in (base, half, full)]
    assert clinic[0] > clinic[1] > clinic[2]


def test_the_rule_changes_who_is_served_not_what_residents_do(baseline, by_residents):
    (_, base), (_, on) = baseline, by_residents
    others = [k for k, name in enumerate(INDICATOR_NAMES) if name not in SERVICE_FIELDS + COST_FIELDS
              and name not in ("school_seat_shortage", "migrant_children_public_school_share")]
    assert np.array_equal(base.values[:, :, others], on.values[:, :, others], equal_nan=True)
    assert base.events_by_type == on.events_by_type


def test_services_settings_leave_the_residents_histories_alone(baseline):
    _, base = baseline
    _, other = run({"services.capacity.preschool_places_pct": 40.0, "services.capacity.eldercare_take_up_pct": 90.0,
                    "services.cost.housing_yuan": 1.0, "services.cost.housing_low_yuan": 0.5})
    others = [k for k, name in enumerate(INDICATOR_NAMES) if name not in SERVICE_FIELDS + COST_FIELDS]
    assert np.array_equal(base.values[:, :, others], other.values[:, :, others], equal_nan=True)
    assert series(other, "preschool_place_shortage")[-1] > series(base, "preschool_place_shortage")[-1]
    assert series(other, "eldercare_bed_shortage")[-1] > series(base, "eldercare_bed_shortage")[-1]


def test_served_plus_shortage_is_demand_and_served_never_exceeds_capacity():
    """After every month: served + shortage = demand, served <= capacity, the containers' free places are
    capacity - served, and non-hukou residents are served only where every hukou resident was."""
    model = Model(make_scenario({**BASE, **BY_RESIDENTS, "period.end": "2022-12-31"}), 0)
    s = model.services
    checked = []

    def check():
        free = np.array([[c.level for c in row] for row in s.containers])
        stocks = s.stocks()
        for name in SERVICES:
            assert np.array_equal(stocks[f"{name}_served"] + stocks[SHORTAGE[name]], stocks[f"{name}_demand"])
        assert (s.served <= s.capacity).all() and (s.served >= 0).all() and (s.served <= s.demand).all()
        assert np.array_equal(free, s.capacity - s.served)
        hukou_unserved = (s.demand - s.demand_nonlocal) - (s.served - s.served_nonlocal)
        assert (s.served_nonlocal <= s.demand_nonlocal).all()
        assert ((s.served_nonlocal == 0) | (hukou_unserved == 0)).all()
        checked.append(s.capacity.copy())

    result = model.run(on_month=check)
    assert len(checked) == 24 and not np.array_equal(checked[0], checked[-1])     # the rounds resized them
    scale = model.scenario.population.scale
    for name in SERVICES:
        shortage = series(result, SHORTAGE[name])
        assert shortage[-1] == pytest.approx((s.demand - s.served)[SERVICES.index(name)].sum() * scale)
        assert series(result, COVERAGE[name])[-1] == pytest.approx(
            100.0 * s.served[SERVICES.index(name)].sum() / s.demand[SERVICES.index(name)].sum())


def test_the_cost_is_the_newly_covered_times_the_unit_costs(baseline):
    """By district and month: each service's central cost is its newly covered times its unit cost; the total is
    their sum; the low total uses the low unit costs, the high one the factor."""
    model, result = baseline
    cost = model.scenario.services.cost
    conversions = result.values[:, 1:, INDICATOR_NAMES.index("hukou_conversions")]

    def by(name):
        return result.values[:, 1:, INDICATOR_NAMES.index(name)]

    assert np.allclose(by("citizenization_cost_social_security"), conversions * cost.social_security_yuan)
    assert np.allclose(by("citizenization_cost_housing"), conversions * cost.housing_yuan)
    schooled = by("citizenization_cost_schooling") / cost.schooling_yuan
    assert np.allclose(schooled, np.round(schooled)) and schooled.sum() > 0        # whole children, some
    assert np.allclose(by("citizenization_cost"), by("citizenization_cost_schooling")
                       + by("citizenization_cost_social_security") + by("citizenization_cost_housing"))
    low = (conversions * (cost.social_security_low_yuan + cost.housing_low_yuan) + schooled * cost.schooling_low_yuan)
    assert np.allclose(by("citizenization_cost_low"), low)
    assert np.allclose(by("citizenization_cost_high"), by("citizenization_cost") * cost.high_factor)
    city = result.values[:, CITY, INDICATOR_NAMES.index("citizenization_cost")]
    assert np.allclose(city, by("citizenization_cost").sum(axis=1))
    assert (by("citizenization_cost_low") <= by("citizenization_cost")).all()
    months = [d[5:7] for d in result.dates]
    schooling_months = {months[t] for t in np.flatnonzero(by("citizenization_cost_schooling").sum(axis=1))}
    assert schooling_months == {"09"}                  # places are handed out at the enrolment round only


def test_zero_threshold_settlement_raises_the_cost_of_citizenization(baseline):
    _, base = baseline
    _, zero = run({"policies.zero_threshold_settlement": {"start": "2021-01-01", "intensity": 1.0}})
    assert series(zero, "hukou_conversions").sum() > series(base, "hukou_conversions").sum()
    for name in ("citizenization_cost", "citizenization_cost_low", "citizenization_cost_high"):
        assert series(zero, name).sum() > series(base, name).sum()


def test_allocation_by_residents_adds_compulsory_seats_where_children_outgrow_them():
    """Schools open to every migrant child with no spare seat and many arriving families: the baseline leaves
    children without a seat; allocation by residents opens seats as the district's residents grow, so fewer."""
    tight = {"behaviour.schooling.spare_seat_pct": 0.0, "behaviour.schooling.permit_required": False,
             "behaviour.in_migration.rate_per_year": 0.08, "period.end": "2022-12-31"}
    model_base, base = run(tight)
    model_on, on = run({**tight, **BY_RESIDENTS})
    assert series(base, "school_seat_shortage")[-1] > 0
    assert series(on, "school_seat_shortage")[-1] < series(base, "school_seat_shortage")[-1]
    assert model_on.schools.rule_seats.sum() > 0 and model_base.schools.sizing is None
    held = model_on.schools.capacity - np.array([c.level for c in model_on.schools.containers])
    assert (held >= 0).all()


def test_the_lever_at_intensity_zero_is_the_baseline_byte_for_byte():
    def tables(settings):
        runs = [Model(make_scenario({**BASE, "period.end": "2021-12-31", **settings}), r).run() for r in range(2)]
        return TIMESERIES.text(timeseries_rows(runs)), SUMMARY.text(summary_rows(runs))
    assert tables({"policies.resident_based_services": {"intensity": 0.0}}) == tables({})


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("services.capacity.preschool_places_pct", -5, "services.capacity.preschool_places_pct"),
    ("services.capacity.eldercare_take_up_pct", 120, "services.capacity.eldercare_take_up_pct"),
    ("services.cost.schooling_yuan", "a lot", "services.cost.schooling_yuan"),
    ("services.cost.housing_low_yuan", 20000.0, "must not exceed services.cost.housing_yuan"),
    ("services.capacity.clinic_capacty_pct", 90, "clinic_capacity_pct"),
])
def test_bad_service_settings_are_one_line_errors_naming_the_field(setting, value, words):
    with pytest.raises(ScenarioError) as err:
        make_scenario({setting: value})
    message = str(err.value)
    assert words in message and "\n" not in message


def test_the_unit_costs_come_from_the_data_file_with_their_sources():
    from sim.data import load_services
    data = load_services()
    for service in citizenization_cost.COST_SERVICES:
        unit = data["cost"]["per_person_yuan"][service]
        field = citizenization_cost.SCHEMA.fields[f"{service}_yuan"]
        assert field.default == unit["central"] and "中国社会科学院" in field.source
        assert unit["low"] <= unit["central"]
    assert "url" in data["cost"]["study"] and "quote" in data["cost"]["study"]
    for entry in ("preschool", "high_school", "eldercare"):
        assert {"publisher", "url", "quote", "assumption"} <= set(data["capacity"][entry])


def test_a_bad_cost_on_the_command_line_stops_the_run_with_exit_2(capsys, tmp_path):
    from pathlib import Path

    from tests.conftest import run_main

    baseline = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    code, out, err = run_main(capsys, "run", baseline, "--set", "services.cost.schooling_low_yuan=20000",
                              "--out", tmp_path)
    assert code == 2 and not list(tmp_path.iterdir())
    [line] = err.strip().splitlines()
    assert "services.cost.schooling_low_yuan" in line and "must not exceed services.cost.schooling_yuan" in line
