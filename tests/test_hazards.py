"""Hazard formulas against values computed by hand."""

import math

import numpy as np
import pytest

from sim.core.codes import IDLE, LOCAL_RURAL, LOCAL_URBAN, NO_HOMESTEAD, NONLOCAL, OCCUPIED
from sim.kernel import hazards
from tests.conftest import make_scenario, make_world


def state(**columns):
    """A state mapping of equal-length arrays with neutral defaults."""
    n = len(next(iter(columns.values())))
    base = {
        "present": np.ones(n, bool), "age_years": np.full(n, 30.0), "female": np.zeros(n, bool),
        "is_head": np.ones(n, bool), "urban": np.ones(n, bool), "hukou": np.full(n, LOCAL_URBAN),
        "homestead": np.full(n, NO_HOMESTEAD), "insurance_years": np.zeros(n), "talent": np.zeros(n, bool),
        "permit": np.zeros(n, bool), "resident_years": np.full(n, np.inf), "year": 2021,
    }
    base.update({k: v if k == "year" else np.asarray(v) for k, v in columns.items()})
    if "mid_age_years" not in columns:
        base["mid_age_years"] = base["age_years"]
    base.setdefault("rural_destination", np.ones(n, bool))
    return base


@pytest.fixture(scope="module")
def behaviour():
    return make_scenario().behaviour


def test_gompertz_death_hazard_by_sex(behaviour):
    s = state(age_years=[0.0, 50.0, 50.0, 80.0], present=[True, True, True, False],
              female=[False, False, True, True])
    h = hazards.death_hazard_per_year(s, behaviour)
    # men 3.014e-05 * exp(0.0954 * 50) = 3.014e-05 * 117.9192 = 0.00355409; women 1.187e-05 * exp(5.08) = 0.00190839
    assert h[0] == pytest.approx(3.014e-05)
    assert h[1] == pytest.approx(3.014e-05 * math.exp(4.77), rel=1e-12)
    assert h[2] == pytest.approx(1.187e-05 * math.exp(5.08), rel=1e-12)
    assert h[2] < h[1]                      # women's hazard is lower at 50
    assert h[3] == 0.0                      # absent residents are not at risk


def test_fertility_sums_to_tfr_over_ages_15_to_49(behaviour):
    ages = np.arange(10, 60) + 0.5
    s = state(age_years=ages, female=np.ones(len(ages), bool), year=2020)
    h = hazards.birth_hazard_per_year(s, behaviour)
    assert h.sum() == pytest.approx(1.30, rel=1e-12)       # in 2020: the census rate
    assert (h[ages < 15] == 0).all() and (h[ages >= 50] == 0).all()
    assert h.argmax() == list(ages).index(28.5)
    # by hand at age 30.5: 1.30 * exp(-0.5 * (1.74 / 4.75)^2) / sum_k exp(-0.5 * ((k + 0.5 - 28.76) / 4.75)^2)
    mids = np.arange(15, 50) + 0.5
    norm = sum(math.exp(-0.5 * ((m - 28.76) / 4.75) ** 2) for m in mids)
    assert h[list(ages).index(30.5)] == pytest.approx(1.30 * math.exp(-0.5 * (1.74 / 4.75) ** 2) / norm)
    men = hazards.birth_hazard_per_year(state(age_years=[30.0], female=[False]), behaviour)
    assert men[0] == 0.0


@pytest.mark.parametrize("year, tfr", [(2015, 1.30), (2020, 1.30), (2021, 1.30 * 0.937), (2022, 0.95),
                                       (2023, 0.95), (2024, 0.8), (2030, 0.8)])
def test_fertility_sums_to_the_year_s_rate_of_the_path(year, tfr):
    """The path's rate for its year and the years after until the next listed one; before it, the 2020 rate
    with its yearly change (-6.3%) after 2020."""
    b = make_scenario({"behaviour.fertility.total_fertility_rate_by_year": {2022: 0.95, 2024: 0.8}}).behaviour
    ages = np.arange(10, 60) + 0.5
    h = hazards.birth_hazard_per_year(state(age_years=ages, female=np.ones(len(ages), bool), year=year), b)
    assert h.sum() == pytest.approx(tfr, rel=1e-12)


def test_departure_hazard_by_hukou_and_head(behaviour):
    s = state(hukou=[NONLOCAL, LOCAL_URBAN, NONLOCAL], is_head=[True, True, False], resident_years=[1.0, np.inf, 1.0])
    assert list(hazards.departure_hazard_per_year(s, behaviour)) == [0.205, 0.004, 0.0]


def test_longer_stays_mean_fewer_departures(behaviour):
    """Non-local heads past long_stay_years (4) leave at 0.786 of the base; locals keep theirs whatever
    their stay (inf: born here)."""
    s = state(hukou=[NONLOCAL] * 4 + [LOCAL_URBAN], resident_years=[0.5, 3.99, 4.0, np.inf, np.inf])
    h = hazards.departure_hazard_per_year(s, behaviour)
    assert h.tolist() == pytest.approx([0.205, 0.205, 0.205 * 0.786, 0.205 * 0.786, 0.004], rel=1e-12)
    assert h[2] < h[1]


def test_older_heads_profile_is_flat_by_default_and_applies_from_its_age():
    flat = make_scenario().behaviour
    s = state(hukou=[NONLOCAL, NONLOCAL, LOCAL_URBAN], age_years=[30.0, 70.0, 70.0], resident_years=[1.0, 1.0, 1.0])
    assert hazards.departure_hazard_per_year(s, flat).tolist() == [0.205, 0.205, 0.004]
    older = make_scenario({"behaviour.departure.older_head_multiplier": 2.0,
                           "behaviour.departure.older_head_age_years": 55.0}).behaviour
    s = state(hukou=[NONLOCAL] * 3 + [LOCAL_URBAN], age_years=[54.9, 55.0, 70.0, 70.0],
              resident_years=[1.0, 1.0, 10.0, 1.0])
    assert hazards.departure_hazard_per_year(s, older).tolist() == pytest.approx([0.205, 0.41, 0.41 * 0.786, 0.004])


def test_a_flat_duration_profile_gives_the_constant_hazard_and_no_threshold():
    b = make_scenario({"behaviour.departure.long_stay_multiplier": 1.0}).behaviour
    s = state(hukou=[NONLOCAL, NONLOCAL], resident_years=[1.0, 9.0])
    assert hazards.departure_hazard_per_year(s, b).tolist() == [0.205, 0.205]
    world = make_world([[{"district": "shinan", "hukou": NONLOCAL, "age": 30.5, "arrival_years_ago": 3.5}]])
    at_four_years = 0.5 * 365.25
    shaped = hazards.next_change_day(world, np.arange(1), 0.0, make_scenario().behaviour)
    flat = hazards.next_change_day(world, np.arange(1), 0.0, b)
    assert shaped[0] == pytest.approx(at_four_years) and flat[0] > at_four_years


def test_rural_to_urban_hand_computed():
    b = make_scenario({"behaviour.rural_to_urban.income_ratio": 2.4}).behaviour
    s = state(urban=[False, False, False, True], homestead=[NO_HOMESTEAD, OCCUPIED, OCCUPIED, NO_HOMESTEAD],
              age_years=[40.0, 40.0, 65.0, 40.0], hukou=[LOCAL_RURAL] * 4)
    h = hazards.rural_to_urban_hazard_per_year(s, b)
    # 0.05 * (2.4 / 2.0)^1 = 0.06; * 0.83 lock-in = 0.0498; * 0.3 for a head of 60+ = 0.01494
    assert h == pytest.approx([0.06, 0.0498, 0.01494, 0.0])


def test_urban_to_rural_return_versus_other(behaviour):
    s = state(hukou=[LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, LOCAL_RURAL, LOCAL_RURAL],
              urban=[True, True, True, False, True], rural_destination=[True, True, True, True, False])
    # no rural part in the destination district (a fully urban one): no move
    assert list(hazards.urban_to_rural_hazard_per_year(s, behaviour)) == [0.015, 0.002, 0.002, 0.0, 0.0]


def test_thresholds_at_window_start_smooth_terms_at_middle(behaviour):
    s = state(age_years=[49.9], mid_age_years=[50.4], female=[True])
    assert hazards.birth_hazard_per_year(s, behaviour)[0] > 0        # fertile at the start of the window
    d = hazards.death_hazard_per_year(state(age_years=[50.0], mid_age_years=[51.0]), behaviour)
    assert d[0] == pytest.approx(3.014e-05 * math.exp(0.0954 * 51.0))      # a man: male_gompertz_*


def test_hukou_eligibility_under_2020_rules(behaviour):
    s = state(hukou=[NONLOCAL, NONLOCAL, NONLOCAL, LOCAL_RURAL, LOCAL_URBAN, NONLOCAL],
              insurance_years=[2.0, 1.99, 0.0, 3.0, 5.0, 5.0],
              talent=[False, False, True, False, False, False],
              urban=[True, True, True, True, True, False])
    assert list(hazards.hukou_eligible(s, behaviour)) == [True, False, True, True, False, False]
    no_talent = make_scenario({"behaviour.hukou.talent_exempt": False}).behaviour
    assert not hazards.hukou_eligible(s, no_talent)[2]


def test_hukou_conversion_hazard_with_homestead_penalty(behaviour):
    s = state(hukou=[NONLOCAL, NONLOCAL, LOCAL_RURAL], insurance_years=[3.0, 3.0, 3.0],
              homestead=[NO_HOMESTEAD, IDLE, IDLE])
    # 0.04; 0.04 * 0.88 = 0.0352; 0.06 * 0.88 = 0.0528
    assert hazards.hukou_conversion_hazard_per_year(s, behaviour) == pytest.approx([0.04, 0.0352, 0.0528])


def test_permit_needs_age_and_six_months(behaviour):
    s = state(hukou=[NONLOCAL, NONLOCAL, NONLOCAL, NONLOCAL, LOCAL_URBAN],
              age_years=[30.0, 15.9, 30.0, 30.0, 30.0], resident_years=[1.0, 1.0, 0.49, 1.0, 1.0],
              permit=[False, False, False, True, False])
    assert list(hazards.permit_hazard_per_year(s, behaviour)) == [0.5, 0.0, 0.0, 0.0, 0.0]


def test_event_names_fixed_order():
    # the order is part of the random draws: changing it changes every seeded result
    assert hazards.EVENT_NAMES == ("death", "birth", "departure", "rural_to_urban", "urban_to_rural",
                                   "hukou_conversion", "residence_permit", "homestead_lease",
                                   "pension_enrolment", "medical_enrolment")


def test_no_homestead_market_or_pension_enrolment_under_2020_rules(behaviour):
    s = state(age_years=[30.0, 40.0])
    assert hazards.homestead_lease_hazard_per_year(s, behaviour).tolist() == [0.0, 0.0]
    assert hazards.pension_enrolment_hazard_per_year(s, behaviour).tolist() == [0.0, 0.0]
    assert hazards.medical_enrolment_hazard_per_year(s, behaviour).tolist() == [0.0, 0.0]


def test_owners_of_a_leased_homestead_do_not_return(behaviour):
    from sim.core.codes import LEASED
    s = state(hukou=[LOCAL_RURAL, LOCAL_RURAL], homestead=[IDLE, LEASED])
    assert hazards.urban_to_rural_hazard_per_year(s, behaviour).tolist() == [0.015, 0.002]


def test_next_change_day_up_to_a_horizon_matches_the_full_search():
    """Looking only at the residents who can cross a threshold before ``until`` changes no day before it:
    a built population with recent arrivals and insurance, at month starts over three years."""
    from sim.model import Model

    scenario = make_scenario({"population.scale": 500.0, "seed": 4})
    model = Model(scenario, 0)
    res, cal = model.res, model.calendar
    rows = np.arange(res.n)
    res.arrival_day[rows] = np.where(np.arange(res.n) % 7 == 0, -np.float32(200.0) * (rows % 11), -np.inf)
    looked_at = 0
    for day in cal.month_starts[:-1][::5]:
        until = cal.next_year_start(day)
        full = hazards.next_change_day(res, rows, float(day), scenario.behaviour)
        capped = hazards.next_change_day(res, rows, float(day), scenario.behaviour, until)
        before = full < until
        assert np.array_equal(capped[before], full[before])
        assert (capped[~before] >= until).all()
        assert np.array_equal(cal.review_boundary(full, day), cal.review_boundary(capped, day))
        looked_at += before.sum()
    assert looked_at > 0
