"""Policy levers: off is the baseline exactly, nothing before the start, scoped levers stay in scope,
and each lever moves its indicators in the documented direction."""

import sys

import numpy as np
import pytest

from sim.core.calendar import Calendar
from sim.core.catalogue import INDICATOR_NAMES
from sim.core.districts import ZONES
from sim.model import Model
from sim.policy import HISTORY_LEVERS, LEVERS, Lever, PolicySet
from sim.policy.zero_threshold_settlement import ZeroThresholdSettlement
from tests.conftest import make_scenario

BASE = {"population.scale": 1000.0, "seed": 21, "period.end": "2022-12-31"}
ZT = "policies.zero_threshold_settlement"
TA = "policies.talent_attraction"
ALL_LEVERS = [f"policies.{name}" for name in LEVERS]
PLAN_LEVERS = [name for name in LEVERS if name not in HISTORY_LEVERS]


def run(settings, replication=0, log=False):
    return Model(make_scenario({**BASE, **settings}), replication, log_events=log).run()


def col(name):
    return INDICATOR_NAMES.index(name)


def test_every_lever_has_schema_and_mechanism():
    hooks = ("adjust", "extra_arrivals", "arrival_pull", "act_on_places", "processes", "extra_school_seats",
             "reclassification_pace", "resident_based_share", "job_growth_pct")
    for name, cls in LEVERS.items():
        assert issubclass(cls, Lever) and cls.name == name
        assert cls.schema.optional and {"start", "end", "districts", "intensity"} <= set(cls.schema.fields)
        overridden = [hook for hook in hooks if getattr(cls, hook) is not getattr(Lever, hook)]
        assert overridden, f"{name} fills no hook of Lever"
        module = sys.modules[cls.__module__]
        assert module.__doc__ and "Mechanism" in module.__doc__, name


def test_lever_switches_at_month_starts_and_only_in_scope():
    sc = make_scenario({**BASE, ZT: {"start": "2021-07-15", "end": "2022-03-01", "districts": ["pingdu"],
                                     "intensity": 0.4}})
    cal = Calendar(sc.period.start, sc.period.end)
    [lever] = PolicySet(sc, cal, np.random.default_rng(0))
    assert isinstance(lever, ZeroThresholdSettlement)
    assert lever.switch_days.tolist() == [cal.day(sc.period.start.replace(month=8)), cal.day(
        sc.policies.zero_threshold_settlement.end)]
    pingdu, jimo = ZONES.index("pingdu") - 1, ZONES.index("jimo") - 1
    district = np.array([pingdu, jimo])
    assert lever.level(district, 200.0).tolist() == [0.0, 0.0]            # July: not yet
    assert lever.level(district, 212.0).tolist() == [0.4, 0.0]            # from 1 August, in Pingdu only
    assert lever.level(district, cal.day(sc.policies.zero_threshold_settlement.end)).tolist() == [0.0, 0.0]
    assert lever.next_switch(district, 0.0).tolist() == [212.0, np.inf]


@pytest.mark.parametrize("lever", ALL_LEVERS)
def test_intensity_zero_is_the_baseline_exactly(lever):
    base = run({})
    off = run({lever: {"start": "2021-03-01", "intensity": 0.0}})
    assert np.array_equal(base.values, off.values, equal_nan=True)
    assert base.events_by_type == off.events_by_type


@pytest.mark.parametrize("lever", ALL_LEVERS)
def test_nothing_changes_before_the_start(lever):
    base = run({})
    on = run({lever: {"start": "2021-07-01"}})
    before = [k for k, d in enumerate(base.dates) if d < "2021-07-01"]
    assert np.array_equal(base.values[before], on.values[before], equal_nan=True)
    assert not np.array_equal(base.values, on.values, equal_nan=True)


def test_zero_threshold_moves_hukou_rate_much_more_than_residents_rate():
    gains_hukou, gains_residents = [], []
    for replication in range(3):
        base = run({}, replication)
        on = run({ZT: {"start": "2021-01-01"}}, replication)
        gains_hukou.append(on.values[-1, 0, col("hukou_urbanization_rate")]
                           - base.values[-1, 0, col("hukou_urbanization_rate")])
        gains_residents.append(on.values[-1, 0, col("urbanization_rate")]
                               - base.values[-1, 0, col("urbanization_rate")])
        assert on.values[:, 0, col("hukou_conversions")].sum() > base.values[:, 0, col("hukou_conversions")].sum()
    assert min(gains_hukou) > 1.0                           # points of hukou urbanization, every replication
    assert abs(np.mean(gains_residents)) < np.mean(gains_hukou) / 5


def test_stronger_intensity_converts_more():
    conversions = [run({ZT: {"intensity": i}}).values[:, 0, col("hukou_conversions")].sum()
                   for i in (0.25, 1.0)]
    assert conversions[1] > conversions[0]


@pytest.mark.parametrize("lever", ALL_LEVERS)
@pytest.mark.parametrize("intensity", [0.5, 1.0])
def test_invariants_hold_with_a_lever(lever, intensity):
    sc = make_scenario({**BASE, lever: {"intensity": intensity, "districts": ["jimo", "laixi"]}})
    Model(sc, 0, check_invariants=True).run()          # raises on any broken invariant


def test_talent_attraction_brings_the_expected_graduates_where_it_acts():
    """With the base in-migration off, arrivals are the graduates: about
    20,000 a year times the districts' share of urban residents, only there."""
    scope = ["laoshan", "licang"]
    sc = make_scenario({**BASE, "population.scale": 100.0, "behaviour.in_migration.rate_per_year": 0.0,
                        TA: {"districts": scope}})
    model = Model(sc, 0)
    urban = model.stock[:, 1].sum(axis=(1, 2))
    share = sum(urban[ZONES.index(z) - 1] for z in scope) / urban.sum()
    result = model.run()
    arrivals = result.values[:, 1:, col("in_migration")].sum(axis=0) / 100.0          # agents
    expected = 20000 / 100.0 * 2 * share                                                # two years
    inside = sum(arrivals[ZONES.index(z) - 1] for z in scope)
    assert arrivals.sum() == inside
    assert abs(inside - expected) < 4 * np.sqrt(expected)


def test_talent_attraction_keeps_and_settles_talent_households():
    """Without graduate arrivals, only retention and settling act: fewer departures, more conversions."""
    departures, conversions = [], []
    for replication in range(3):
        base = run({}, replication)
        on = run({TA: {"graduate_arrivals_per_year": 0.0, "retention_departure_multiplier": 0.3,
                       "conversion_hazard_multiplier": 2.0}}, replication)
        departures.append(on.events_by_type["departure"] - base.events_by_type["departure"])
        conversions.append(on.events_by_type["hukou_conversion"] - base.events_by_type["hukou_conversion"])
    assert np.mean(departures) < 0 and np.mean(conversions) > 0


def test_talent_graduates_arrive_only_in_scope():
    sc = make_scenario({**BASE, "behaviour.in_migration.rate_per_year": 0.0,
                        TA: {"districts": ["shinan"], "graduate_arrivals_per_year": 50000.0}})
    result = Model(sc, 0).run()
    arrivals = result.values[:, 1:, col("in_migration")].sum(axis=0)
    shinan = ZONES.index("shinan") - 1
    assert arrivals[shinan] > 0 and arrivals.sum() == arrivals[shinan]


HR = "policies.homestead_reform"


def test_homestead_reform_lifts_lock_in_and_lets_idle_homes():
    moves, conversions, leased = [], [], []
    for replication in range(3):
        base = run({}, replication)
        on = run({HR: {"lease_demand_hazard_per_year": 0.02}}, replication)
        moves.append(on.events_by_type["rural_to_urban"] - base.events_by_type["rural_to_urban"])
        conversions.append(on.events_by_type["hukou_conversion"] - base.events_by_type["hukou_conversion"])
        assert base.events_by_type["homestead_lease"] == 0 and base.values[:, :, col("homesteads_leased")].max() == 0
        leases = on.events_by_type["homestead_lease"]
        assert leases > 0
        # every lease lets one homestead, which stays let: the leased count is the number of leases
        assert on.values[-1, 0, col("homesteads_leased")] == leases * 1000.0
        leased.append(leases)
    assert np.mean(moves) > 0 and np.mean(conversions) > 0


def test_homestead_leases_never_exceed_the_idle_stock(quiet_world):
    """A district with two idle homesteads and eight would-be renters: two leases, then none."""
    from sim.core.codes import IDLE, LOCAL_RURAL, LOCAL_URBAN
    from tests.conftest import make_world

    settings = {**quiet_world, "period.end": "2021-12-31", "population.scale": 1.0,
                HR: {"lease_demand_hazard_per_year": 1.0}}
    owners = [[{"district": "pingdu", "urban": True, "hukou": LOCAL_RURAL}] for _ in range(2)]
    renters = [[{"district": "pingdu", "urban": True, "hukou": LOCAL_URBAN}] for _ in range(8)]
    world = make_world(owners + renters, homestead=[IDLE, IDLE] + [0] * 8)
    world.hh_homestead_district[:2] = ZONES.index("pingdu") - 1
    model = Model(make_scenario(settings), 0, residents=world, log_events=True, check_invariants=True)
    result = model.run()
    leases = [e for e in result.log if e[1] == "homestead_lease"]
    assert len(leases) == 2
    assert result.values[-1, 0, col("homesteads_leased")] == 2
    assert result.values[-1, 0, col("homesteads_idle")] == 0
    assert result.values[:, 0, col("urban_to_rural_moves")].sum() == 2


NT = "policies.new_town_development"


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_new_town_upgrade_speeds_reclassification_from_its_date_in_scope(replication):
    """The lever adds no one-off reclassification: from each upgrade it raises its town's pace, and the part
    it adds is counted as new-town residents, in Pingdu only."""
    settings = {NT: {"districts": ["pingdu"], "pace_multiplier": 200.0,
                     "upgrade_dates": {"nancun": "2021-05-10", "xinhe": "2021-05-01", "mingcun": "2022-02-01",
                                       "pingdu_pole": "2022-02-01"}}}
    base, on = run({}, replication), run(settings, replication)
    pingdu = ZONES.index("pingdu")
    in_situ, base_in_situ = (r.values[:, :, col("in_situ_urbanization")] for r in (on, base))
    k = on.dates.index("2021-05-31")
    # before the first upgrade the pace is the baseline's, and so is every number
    assert np.array_equal(on.values[:k], base.values[:k], equal_nan=True)
    assert base_in_situ[:, pingdu].sum() > 0                        # the baseline reclassifies too
    assert in_situ[k:, pingdu].sum() > 3 * base_in_situ[k:, pingdu].sum()
    share = on.values[:, :, col("new_town_share")]                 # % of the city's residents
    assert (base.values[:, :, col("new_town_share")] == 0).all()
    first = min(np.flatnonzero(share[:, pingdu] > 0))
    # Xinhe on 1 May acts from May (a few agents a month at this scale: the first may fall in June)
    assert on.dates[first] in ("2021-05-31", "2021-06-30")
    assert share[:, [z for z in range(1, len(ZONES)) if z != pingdu]].sum() == 0   # only where it acts
    assert np.allclose(share[:, 0], share[:, 1:].sum(axis=1)) and share[-1, 0] > 0
    town = share[-1, pingdu] / 100 * on.values[-1, 0, col("population")]
    assert town <= in_situ[:, pingdu].sum() - base_in_situ[:, pingdu].sum() + 12 * 1000.0
    rate = col("urbanization_rate")
    assert on.values[-1, pingdu, rate] > base.values[-1, pingdu, rate] + 1.0


def test_a_faster_pace_urbanizes_the_levers_districts_only():
    """Direction: a faster pace raises in-situ urbanization and the urbanization rate where the lever acts;
    elsewhere reclassification keeps its own draws (one generator per district) and barely moves."""
    lever = {NT: {"districts": ["jimo", "laixi"], "migrant_pull_multiplier": 1.0}}
    slow, fast = ({NT: {**lever[NT], "pace_multiplier": m}} for m in (2.0, 40.0))
    for replication in range(2):
        a, b = run(slow, replication), run(fast, replication)
        in_situ = [r.values[:, :, col("in_situ_urbanization")].sum(axis=0) for r in (a, b)]
        rate = [r.values[-1, :, col("urbanization_rate")] for r in (a, b)]
        for d in ("jimo", "laixi"):
            z = ZONES.index(d)
            assert in_situ[1][z] > 1.5 * in_situ[0][z] and rate[1][z] > rate[0][z] + 0.25
        for d in ("laoshan", "xihaian", "chengyang", "jiaozhou", "pingdu"):
            z = ZONES.index(d)
            assert abs(in_situ[1][z] - in_situ[0][z]) <= 0.25 * in_situ[0][z] + 2000.0
            assert abs(rate[1][z] - rate[0][z]) < 0.5


def test_reclassification_rate_zero_reclassifies_nothing_and_a_district_multiplier_scales_its_pace():
    none = run({"behaviour.reclassification.rate_pct_per_year": 0.0})
    assert none.values[:, :, col("in_situ_urbanization")].sum() == 0
    doubled = run({"behaviour.reclassification.district_multiplier": {"pingdu": 4.0}})
    base = run({})
    pingdu, laixi = ZONES.index("pingdu"), ZONES.index("laixi")
    totals = [r.values[:, :, col("in_situ_urbanization")].sum(axis=0) for r in (base, doubled)]
    assert totals[1][pingdu] > 2.5 * totals[0][pingdu]
    assert totals[1][laixi] == pytest.approx(totals[0][laixi], rel=0.25)
    for z in (ZONES.index(d) for d in ("shinan", "shibei", "licang")):      # fully urban: nothing to do
        assert totals[0][z] == 0


def test_new_town_upgrade_moves_nobody():
    on = Model(make_scenario({**BASE, NT: {"districts": ["jimo"]}}), 0, log_events=True, check_invariants=True)
    result = on.run()
    assert result.values[:, :, col("in_situ_urbanization")].sum() > 0
    # reclassification is not a move: no extra move events, and the accounting (tested elsewhere) closes
    assert all(e[1] != "rural_to_urban" or e[4] > 0 for e in result.log)


def test_new_town_upgrade_pulls_migrants():
    gains = []
    for replication in range(3):
        pull = {NT: {"districts": ["laixi"], "pace_multiplier": 1.0, "migrant_pull_multiplier": 3.0}}
        base, on = run({}, replication), run(pull, replication)
        z = ZONES.index("laixi")
        gains.append(on.values[:, z, col("in_migration")].sum() - base.values[:, z, col("in_migration")].sum())
    assert np.mean(gains) > 0


def test_new_town_pull_adds_arrivals_only_with_a_total_pull_elasticity():
    """At total_pull_elasticity 0 Laixi's pull takes arrivals from the other districts (the city's total is
    unchanged in the months the lever's pull is in force, a draw of the same Poisson mean); at 1 it adds them."""
    lever = {NT: {"districts": ["laixi"], "pace_multiplier": 1.0, "migrant_pull_multiplier": 3.0,
                  "county_town_pull_multiplier": 3.0}}
    added = {0.0: [], 1.0: []}
    for replication in range(3):
        for elasticity in added:
            total = {"behaviour.in_migration.total_pull_elasticity": elasticity}
            base, on = run(total, replication), run({**total, **lever}, replication)
            added[elasticity].append(on.values[:, 0, col("in_migration")].sum()
                                     - base.values[:, 0, col("in_migration")].sum())
    assert np.mean(added[1.0]) > np.mean(added[0.0]) + 2 * 1000.0        # more than two households' worth


RT = "policies.rural_talent_service"


def test_rural_postings_follow_their_schedule():
    settings = {RT: {"start": "2021-03-01", "end": "2022-03-01", "districts": ["pingdu", "shinan"],
                     "intensity": 0.5, "posting_months": 12, "postings_per_year": 2}}
    result = run(settings)
    staff = result.values[:, :, col("rural_service_staff")]
    pingdu, shinan = ZONES.index("pingdu"), ZONES.index("shinan")
    by_date = dict(zip(result.dates, staff[:, pingdu].tolist(), strict=True))
    # postings of 0.5 * 300 begin on 1 March and 1 September 2021 (none from 1 March 2022, the end) and
    # last a year: 150 from March, 300 from September, 150 again from March 2022, none from September
    assert by_date["2021-02-28"] == 0 and by_date["2021-03-31"] == 150 and by_date["2021-08-31"] == 150
    assert by_date["2021-09-30"] == 300 and by_date["2022-02-28"] == 300
    assert by_date["2022-03-31"] == 150 and by_date["2022-08-31"] == 150 and by_date["2022-09-30"] == 0
    assert (staff[:, shinan] == 0).all()                       # a fully urban district gets no posting
    assert np.array_equal(staff[:, 0], staff[:, 1:].sum(axis=1))


def test_rural_service_keeps_villagers():
    moves = []
    for replication in range(3):
        base = run({}, replication)
        on = run({RT: {"rural_move_multiplier": 0.5}}, replication)
        moves.append(on.events_by_type["rural_to_urban"] - base.events_by_type["rural_to_urban"])
    assert np.mean(moves) < 0


FP = "policies.flexible_worker_pension"


@pytest.mark.parametrize("replication", [0, 1, 2])
def test_flexible_worker_pension_raises_non_hukou_coverage_only_after_it_starts(replication):
    base, on = run({}, replication), run({FP: {"start": "2021-07-01"}}, replication)
    cov = col("pension_coverage_non_hukou")
    assert base.events_by_type["pension_enrolment"] == 0
    assert on.events_by_type["pension_enrolment"] > 0
    june = base.dates.index("2021-06-30")
    assert np.array_equal(base.values[: june + 1, :, cov], on.values[: june + 1, :, cov])
    assert on.values[-1, 0, cov] > base.values[-1, 0, cov] + 5.0
    # coverage is a share: never above 100, and enrolment never touches medical insurance
    assert np.nanmax(on.values[:, :, cov]) <= 100.0
    med = col("medical_insurance_coverage_non_hukou")
    assert np.allclose(on.values[: june + 1, 0, med], base.values[: june + 1, 0, med])


def test_only_flexible_workers_without_urban_hukou_enrol():
    from sim.core.codes import NONLOCAL
    sc = make_scenario({**BASE, FP: {"enrolment_hazard_per_year": 50.0}})
    model = Model(sc, 0, log_events=True)
    result = model.run()
    enrolled = [row for _, event, row, _, _ in result.log if event == "pension_enrolment"]
    res = model.res
    assert enrolled and all(res.flexible[r] and res.employed[r] for r in enrolled)
    assert all(res.hukou[r] == NONLOCAL or res.pension[r] for r in enrolled)


PS = "policies.public_services"


def seats_held(model):
    res = model.res
    held = res.view("school_district")
    return np.bincount(held[held >= 0], minlength=len(ZONES) - 1)


def test_school_seats_start_near_the_national_share_and_never_overflow():
    model = Model(make_scenario(BASE), 0)
    result = model.run()
    share = result.values[:, 0, col("migrant_children_public_school_share")]
    assert share[0] == pytest.approx(90.5, abs=3.0)
    # every seat is either held or free in its container, and the containers never exceed the seats
    levels = np.array([c.level for c in model.schools.containers])
    assert (levels >= 0).all()
    assert np.array_equal(seats_held(model) + levels, model.schools.capacity)


def test_public_services_open_schools_and_insurance_within_the_seats():
    gains = {"migrant_children_public_school_share": [], "medical_insurance_coverage_non_hukou": [],
             "residence_permit_share": []}
    for replication in range(3):
        base = run({}, replication)
        model = Model(make_scenario({**BASE, PS: {"start": "2021-03-01"}}), replication)
        on = model.run()
        for name in gains:
            gains[name].append(on.values[-1, 0, col(name)] - base.values[-1, 0, col(name)])
        levels = np.array([c.level for c in model.schools.containers])
        assert np.array_equal(seats_held(model) + levels, model.schools.capacity)   # extra seats all opened
        assert on.events_by_type["medical_enrolment"] > 0 and base.events_by_type["medical_enrolment"] == 0
    for name, values in gains.items():
        assert np.mean(values) > 0, name


def test_the_seats_a_lever_opens_close_at_its_end():
    """Extra seats from March to December 2021: at the end the free ones close at once, the held ones as their
    children give them back; a closing seat is never handed out again, so by the end of 2022 the capacity is
    the baseline's plus the lever's seats still held, every seat held or free."""
    base = Model(make_scenario(BASE), 0)
    base.run()
    model = Model(make_scenario({**BASE, PS: {"start": "2021-03-01", "end": "2021-12-31",
                                              "extra_school_seats_pct": 100.0}}), 0)
    opened = model.schools.capacity.copy()
    assert model.schools.lever_seats[0][1].sum() > 0
    model.run()
    assert np.array_equal(base.schools.capacity, opened)
    assert np.array_equal(model.schools.capacity - model.schools.closing, opened)
    assert (model.schools.closing <= model.schools.lever_seats[0][1]).all()
    levels = np.array([c.level for c in model.schools.containers])
    assert np.array_equal(seats_held(model) + levels, model.schools.capacity)


def test_a_round_seats_eligible_children_in_row_order_up_to_the_free_seats():
    """The vectorised round against the rule child by child: give back the seats of those who left, then
    each eligible child (permit-holding head) in row order takes a seat while its district has one."""
    from sim.core.codes import NONLOCAL, PRESENT
    from sim.kernel.schooling import school_children

    # no spare seats and every eligible non-local with a permit, so that the round falls short somewhere (the
    # guard below)
    model = Model(make_scenario({**BASE, "period.end": "2021-12-31", "behaviour.schooling.spare_seat_pct": 0.0,
                                 "population.residence_permit_share_pct": 100.0}), 0)
    model.run()
    res, schools = model.res, model.schools
    day = model.calendar.end_day + 300.0            # a year on: some children aged out, others turned six
    seat = res.view("school_district").copy()
    free = [int(c.level) for c in schools.containers]
    children = school_children(res, day)
    for i in range(res.n):                          # by hand, child by child
        if seat[i] >= 0 and not (children[i] and seat[i] == res.district[i]):
            free[seat[i]] += 1
            seat[i] = -1
    shortage = [0] * len(free)
    for i in range(res.n):
        head = res.hh_head[res.hh[i]]
        if children[i] and seat[i] < 0 and head >= 0 and res.permit[head]:
            d = int(res.district[i])
            if free[d] >= 1:
                free[d] -= 1
                seat[i] = d
            else:
                shortage[d] += 1
    assert (res.status[: res.n][children] == PRESENT).all() and (res.hukou[: res.n][children] == NONLOCAL).all()
    model.env.process(schools._round(day))
    model.env.run()
    assert np.array_equal(res.view("school_district"), seat)
    assert schools.shortage.tolist() == shortage and sum(shortage) > 0
    assert [int(c.level) for c in schools.containers] == free


def test_seats_a_lever_opens_on_the_day_of_a_round_count_in_that_round():
    """public_services starting on 1 September opens schooling to every non-hukou child that day: without
    extra seats the round falls short; with them (opened the same day) it does not."""
    def september_shortage(extra_pct):
        settings = {**BASE, "period.end": "2021-09-30",
                    PS: {"start": "2021-09-01", "extra_school_seats_pct": extra_pct}}
        model = Model(make_scenario(settings), 0)
        result = model.run()
        levels = np.array([c.level for c in model.schools.containers])
        assert np.array_equal(seats_held(model) + levels, model.schools.capacity)
        return result.values[-1, 0, col("school_seat_shortage")]

    assert september_shortage(0.0) > 0
    assert september_shortage(100.0) == 0


def test_more_seats_fewer_shortages():
    few = run({PS: {"extra_school_seats_pct": 0.0}})
    many = run({PS: {"extra_school_seats_pct": 100.0}})
    short = col("school_seat_shortage")
    assert many.values[-1, 0, short] < few.values[-1, 0, short]


def test_the_plan_at_intensity_zero_writes_the_baselines_bytes():
    """Every lever of the plan present but at intensity 0: the CSV is the baseline's, byte for byte (with the
    plan's health-service schedules and its ozone controls set back to the baseline's: they are not levers)."""
    from sim.output.formats import TIMESERIES
    from sim.output.run_folder import summary_rows, timeseries_rows
    from sim.scenario import load_scenario

    root = __import__("pathlib").Path(__file__).resolve().parents[1] / "scenarios"
    small = ["population.scale=2000", "period.end=2021-12-31"]
    services = ["submodels.health.critical_care_in_place_from.pingdu=null",
                "submodels.health.critical_care_in_place_from.laixi=null",
                "submodels.health.cross_region_settlement_coverage_pct={2020-12-31: 70}",
                "submodels.air.vocs_nox_reduction_pct_per_year=0"]
    plan = load_scenario(root / "plan_2021_2023.yaml",
                         small + services + [f"policies.{n}.intensity=0" for n in PLAN_LEVERS])
    base = load_scenario(root / "baseline.yaml", small + [f"replications={plan.replications}"])
    assert all(getattr(plan.policies, n) is not None for n in PLAN_LEVERS)
    assert all(getattr(plan.policies, n) is None for n in HISTORY_LEVERS)      # history is not the plan's
    plan_runs = [Model(plan, r).run() for r in range(2)]
    base_runs = [Model(base, r).run() for r in range(2)]
    assert TIMESERIES.text(timeseries_rows(plan_runs)) == \
        TIMESERIES.text(timeseries_rows(base_runs))
    assert list(summary_rows(plan_runs)) == list(summary_rows(base_runs))


def test_lease_income_is_the_rent_of_the_leased_homesteads():
    on = run({HR: {"lease_demand_hazard_per_year": 0.05, "annual_rent_yuan": 12000.0}})
    leased = on.values[:, :, col("homesteads_leased")]
    income = on.values[:, :, col("homestead_lease_income")]
    assert income[-1, 0] > 0
    assert np.allclose(income[1:], leased[1:] * 1000.0)        # 12,000 a year = 1,000 yuan a month each
    assert (run({}).values[:, :, col("homestead_lease_income")] == 0).all()


def test_public_services_permits_grow_from_nothing_with_the_intensity():
    """Permits from arrival are given in proportion to the intensity (at 0.001 the lever took 13% more
    permits in a year than the baseline before 2026-12-02: the six-month wait was dropped for any intensity
    above 0); at full intensity the newly eligible take them at the multiplier, as those past the wait."""
    base = {"population.scale": 500, "period.end": "2021-12-31", "seed": 3}

    def permits(intensity: float) -> int:
        extra = {} if intensity == 0 else {"policies.public_services": {"intensity": intensity}}
        return Model(make_scenario({**base, **extra}), 0).run().events_by_type["residence_permit"]

    none, tiny, tenth, full = permits(0.0), permits(0.001), permits(0.1), permits(1.0)
    assert abs(tiny - none) <= 0.01 * none            # 605 and 605 when written
    assert none < tenth < full                        # 648 and 1131
    assert tenth - none < 0.2 * (full - none)


def test_public_services_opens_schools_in_proportion_to_the_intensity():
    """Children without a permit are admitted at the lever's intensity (a keyed share of households), not
    all of them at any intensity above 0: the public-school share of migrant children grows from the
    baseline's."""
    base = {"population.scale": 500, "period.end": "2021-12-31", "seed": 3}
    k = INDICATOR_NAMES.index("migrant_children_public_school_share")

    def share(intensity: float) -> float:
        extra = {} if intensity == 0 else {"policies.public_services": {"intensity": intensity}}
        return float(Model(make_scenario({**base, **extra}), 0).run().values[-1, 0, k])

    none, tiny, half, full = share(0.0), share(0.001), share(0.5), share(1.0)
    assert abs(tiny - none) < 1.0                     # 79.2% and 79.2% (79.5% before 2026-12-02, when the
                                                      # share of seats was rounded up: one extra seat each)
    assert none + 2.0 < half < full - 2.0             # 85.8% and 91.7%
