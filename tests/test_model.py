"""The engine: exact event logs of tiny worlds, invariants every month, known answers, reproducibility."""

import math

import numpy as np
import pytest

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.catalogue import FLOWS, INDICATOR_NAMES, INDICATORS
from sim.core.codes import IDLE, LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, OCCUPIED, PRESENT
from sim.core.districts import DISTRICTS, ZONES
from sim.core.streams import Streams, keyed_uniform_pair
from sim.kernel.handlers import Handlers
from sim.kernel.hazards import total_fertility_in
from sim.kernel.ledger import recount_stock
from sim.model import Model
from tests.conftest import make_scenario, make_world

ONE_YEAR = {"period.start": "2021-01-01", "period.end": "2021-12-31"}


def col(name):
    return INDICATOR_NAMES.index(name)


def test_two_zone_world_exact_event_log(quiet_world):
    """Pingdu's rural and urban parts, two households, two hazards: the log follows the draws exactly."""
    settings = {**quiet_world, **ONE_YEAR, "seed": 3, "population.scale": 1.0,
                "behaviour.rural_to_urban.base_hazard_per_year": 1.0,
                "behaviour.rural_to_urban.same_district_share_pct": 100.0,
                "behaviour.departure.nonlocal_hazard_per_year": 0.8}
    world = make_world([
        [{"district": "pingdu", "urban": False, "hukou": LOCAL_RURAL, "age": 40.0}],
        [{"district": "pingdu", "urban": True, "hukou": NONLOCAL, "age": 30.0, "arrival_years_ago": 1.0}],
    ])
    model = Model(make_scenario(settings), 0, residents=world, log_events=True, check_invariants=True)
    result = model.run()

    # by hand: at day 0 each draws its keyed uniform (row, first redraw), a standard exponential
    # -log(1 - u); rates 1.0 and 0.8 per year (the non-local arrived a year ago: inside the departure
    # profile's first 4 years); neither crosses an age or residence threshold before 1 January, the end of the run
    u, _ = keyed_uniform_pair(Streams(3, 0).key("residents"), np.array([0, 1]), np.array([0, 0]))
    waits = -np.log1p(-u)
    when = waits / np.array([1.0, 0.8]) * DAYS_PER_YEAR
    expected = sorted((t, event, row, "pingdu", 1)
                      for t, event, row in ((when[0], "rural_to_urban", 0), (when[1], "departure", 1))
                      if t < 365.0)
    assert expected, "seed chosen so that something happens"
    assert [(pytest.approx(t), e, r, d, k) for t, e, r, d, k in result.log] == expected
    # and the state and the recorded flows agree
    pingdu = ZONES.index("pingdu")
    moved = [e for e in expected if e[1] == "rural_to_urban"]
    assert result.values[:, pingdu, col("rural_to_urban_moves")].sum() == len(moved)
    assert result.values[-1, pingdu, col("urban_population")] == (1 if moved else 0) + (
        0 if any(e[1] == "departure" for e in expected) else 1)


def test_household_moves_together_and_leaves_its_homestead(quiet_world):
    settings = {**quiet_world, **ONE_YEAR, "seed": 3, "population.scale": 1.0,
                "behaviour.rural_to_urban.base_hazard_per_year": 20.0,
                "behaviour.rural_to_urban.same_district_share_pct": 0.0}
    family = [{"district": "laixi", "urban": False, "hukou": LOCAL_RURAL, "age": 45.0},
              {"district": "laixi", "urban": False, "hukou": LOCAL_RURAL, "age": 43.0, "female": True},
              {"district": "laixi", "urban": False, "hukou": LOCAL_RURAL, "age": 12.0}]
    urbanites = [{"district": "shinan", "urban": True, "hukou": LOCAL_URBAN}]   # a destination
    world = make_world([family, urbanites], homestead=[OCCUPIED, 0])
    result = Model(make_scenario(settings), 0, residents=world, log_events=True, check_invariants=True).run()
    assert [(e[1], e[2], e[3], e[4]) for e in result.log] == [("rural_to_urban", 0, "laixi", 3)]
    assert list(world.district[:3]) == [DISTRICTS.index("shinan")] * 3   # the only other urban district
    assert world.urban[:3].all()
    assert world.hh_homestead[0] == IDLE
    laixi, shinan = ZONES.index("laixi"), ZONES.index("shinan")
    assert result.values[:, laixi, col("internal_moves_out")].sum() == 3
    assert result.values[:, shinan, col("internal_moves_in")].sum() == 3
    assert result.values[-1, 0, col("urbanization_rate")] == 100.0


def test_hukou_conversion_converts_the_household_and_drops_permits(quiet_world):
    settings = {**quiet_world, **ONE_YEAR, "population.scale": 1.0,
                "behaviour.hukou.nonlocal_conversion_hazard_per_year": 50.0}
    members = [{"district": "licang", "hukou": NONLOCAL, "age": 35.0, "talent": True, "permit": True,
                "arrival_years_ago": 3.0},
               {"district": "licang", "hukou": NONLOCAL, "age": 8.0, "arrival_years_ago": 3.0}]
    world = make_world([members])
    result = Model(make_scenario(settings), 0, residents=world, log_events=True, check_invariants=True).run()
    assert [(e[1], e[4]) for e in result.log] == [("hukou_conversion", 2)]
    assert list(world.hukou[:2]) == [LOCAL_URBAN, LOCAL_URBAN] and not world.permit[:2].any()
    assert result.values[-1, 0, col("hukou_urbanization_rate")] == 100.0
    assert result.values[:, 0, col("hukou_conversions")].sum() == 2


def test_not_eligible_means_no_conversion(quiet_world):
    settings = {**quiet_world, **ONE_YEAR, "population.scale": 1.0,
                "behaviour.hukou.nonlocal_conversion_hazard_per_year": 50.0}
    world = make_world([[{"district": "licang", "hukou": NONLOCAL, "age": 35.0, "employed": False}]])
    result = Model(make_scenario(settings), 0, residents=world, log_events=True).run()
    assert result.log == []


def test_insurance_threshold_makes_eligible_from_the_next_month(quiet_world):
    # employed with 1.5 years of insurance on 1 January: eligible (2 years) from 1 July
    settings = {**quiet_world, **ONE_YEAR, "population.scale": 1.0,
                "behaviour.hukou.nonlocal_conversion_hazard_per_year": 50.0}
    world = make_world([[{"district": "licang", "hukou": NONLOCAL, "age": 35.0, "employed": True,
                          "insurance_years": 1.5}]])
    result = Model(make_scenario(settings), 0, residents=world, log_events=True).run()
    assert len(result.log) == 1
    day = result.log[0][0]
    july_first = 181.0      # 2021-07-01
    assert july_first <= day < july_first + 62     # 50 a year: within a month or two


def test_constant_hazard_survival_known_answer(quiet_world):
    """Death at a constant 0.5 a year: survivors after t years ~ N exp(-0.5 t), within 4 binomial sd."""
    n, h = 20000, 0.5
    settings = {**quiet_world, "period.start": "2021-01-01", "period.end": "2023-12-31", "population.scale": 1.0,
                **{f"behaviour.mortality.{sex}_gompertz_{what}": value for sex in ("male", "female")
                   for what, value in (("level_per_year", h), ("slope_per_year_of_age", 0.0))}}
    world = make_world([[{"district": "shibei", "age": 30.0}] for _ in range(n)])
    result = Model(make_scenario(settings), 0, residents=world, log_events=True).run()
    for k, date in enumerate(result.dates):
        if date.endswith("-12-31") and k > 0:
            years = int(date[:4]) - 2020
            p = math.exp(-h * years)
            sd = math.sqrt(n * p * (1 - p))
            assert abs(result.values[k, 0, col("population")] - n * p) < 4 * sd, date
    # waiting times: the mean death time within the first year is that of a truncated exponential
    first_year = np.array([e[0] for e in result.log if e[0] < 365.0]) / 365.0
    t = 365.0 / DAYS_PER_YEAR
    expected_mean = 1 / h - t * math.exp(-h * t) / (1 - math.exp(-h * t))
    se = first_year.std() / math.sqrt(len(first_year))
    assert abs(first_year.mean() * 365.0 / DAYS_PER_YEAR - expected_mean) < 4 * se


def test_invariants_and_district_accounting_every_month():
    """Baseline at a coarse scale: the stock equals a recount every month (checked inside), and each
    district's change equals births - deaths + arrivals - departures + moves in - moves out."""
    sc = make_scenario({"population.scale": 1000.0, "seed": 5, "period.end": "2022-12-31"})
    model = Model(sc, 0, check_invariants=True)
    result = model.run()
    v = result.values
    change = np.diff(v[:, :, col("population")], axis=0)
    flows = v[1:]
    balance = (flows[:, :, col("births")] - flows[:, :, col("deaths")] + flows[:, :, col("in_migration")]
               - flows[:, :, col("out_migration")] + flows[:, :, col("internal_moves_in")]
               - flows[:, :, col("internal_moves_out")])
    assert np.array_equal(change, balance)
    assert np.nanmin(v) >= 0
    # the city is the sum of its districts for every stock and flow (the sub-models' are the city's alone)
    persons = [col(i.name) for i in INDICATORS if i.kind != "rate" and not i.city_only]
    assert np.isnan(v[:, 1:, [col(i.name) for i in INDICATORS if i.city_only]]).all()
    assert np.array_equal(v[:, 0, persons], v[:, 1:, persons].sum(axis=1))
    # every present resident is in exactly one household's member list
    res = model.res
    seen = np.zeros(res.n, int)
    for h in range(res.n_households):
        for i in res.members(h):
            seen[i] += 1
    present = res.view("status") == PRESENT
    assert (seen[present] == 1).all() and (seen[~present] == 0).all()
    assert recount_stock(res).sum() == present.sum()
    # every household with members has a present reference person
    heads = res.hh_head[: res.n_households]
    has_members = np.array([bool(res.members(h)) for h in range(res.n_households)])
    assert (res.status[heads[has_members]] == PRESENT).all()
    assert all(res.is_head[heads[has_members]])
    assert set(FLOWS) <= set(INDICATOR_NAMES)


def test_same_seed_same_numbers_other_seed_other_numbers():
    def run(seed, replication=0):
        sc = make_scenario({"population.scale": 2000.0, "seed": seed, "period.end": "2021-12-31"})
        return Model(sc, replication).run()
    a, b, c, d = run(1), run(1), run(2), run(1, replication=1)
    assert a.dates == b.dates
    assert np.array_equal(a.values, b.values, equal_nan=True)
    assert not np.array_equal(a.values, c.values, equal_nan=True)
    assert not np.array_equal(a.values, d.values, equal_nan=True)


def test_residents_keep_their_draws_when_others_change(quiet_world):
    """Common random numbers resident by resident: adding arrivals (more rows, more draws) leaves the
    deaths of the residents present at the start exactly as they were."""
    base = {"population.scale": 2000.0, "seed": 9, "period.end": "2021-12-31",
            "behaviour.mortality.male_gompertz_level_per_year": 0.001,
            "behaviour.mortality.female_gompertz_level_per_year": 0.001}
    def deaths_of_starting_residents(in_rate):
        sc = make_scenario({**base, "behaviour.in_migration.rate_per_year": in_rate})
        model = Model(sc, 0, log_events=True)
        n0 = model.res.n
        return [(t, row) for t, event, row, _, _ in model.run().log if event == "death" and row < n0]
    quiet = deaths_of_starting_residents(0.0)
    busy = deaths_of_starting_residents(0.2)
    assert quiet and quiet == busy


def test_events_processed_counts_resident_events_and_month_ends(quiet_world):
    settings = {**quiet_world, **ONE_YEAR, "population.scale": 1.0}
    world = make_world([[{"district": "jimo", "age": 30.0}]])
    result = Model(make_scenario(settings), 0, residents=world).run()
    assert result.events_processed == 12          # nothing happens: only the twelve month ends
    assert sum(result.events_by_type.values()) == 0


def test_derived_indicators_by_hand():
    """Conversions split by origin, permit share and role shares, recomputed from the other indicators."""
    result = Model(make_scenario({"population.scale": 2000.0, "period.end": "2021-12-31"}), 0).run()
    v = result.values
    assert np.array_equal(v[:, :, col("hukou_conversions")], v[:, :, col("hukou_conversions_from_nonlocal")]
                          + v[:, :, col("hukou_conversions_from_local_rural")])
    assert v[:, :, col("hukou_conversions_from_local_rural")].sum() > 0
    share = 100 * v[:, :, col("residence_permit_holders")] / v[:, :, col("non_hukou_population")]
    assert np.allclose(v[:, :, col("residence_permit_share")], share)
    roles = v[:, 0, col("main_centre_share")] + v[:, 0, col("sub_centre_share")] + v[:, 0, col("growth_pole_share")]
    assert np.allclose(roles, 100.0)
    pingdu, jimo = ZONES.index("pingdu"), ZONES.index("jimo")
    assert np.allclose(v[:, pingdu, col("growth_pole_share")], 100 * v[:, pingdu, col("population")] / v[:, 0, 0])
    assert (v[:, jimo, col("growth_pole_share")] == 0).all()


def test_chunks_and_threads_change_no_number(monkeypatch):
    """The plan (every lever) in one pass on one thread, and in passes of 500 rows (1,500 rows a month-start
    scan, 500 events a prefetch block) on three threads: the same indicators and the same event log, event
    by event."""
    import sim.kernel.parallel
    import sim.kernel.recorder
    import sim.kernel.scheduler
    from sim.scenario import load_scenario

    scenario = load_scenario("scenarios/plan_2021_2023.yaml",
                             overrides=["population.scale=2000", "period.end=2022-06-30"])

    def run(chunk, threads):
        monkeypatch.setattr(sim.kernel.scheduler, "REDRAW_CHUNK", chunk)
        monkeypatch.setattr(sim.kernel.scheduler, "PREFETCH_EVENTS", chunk)
        monkeypatch.setattr(sim.kernel.parallel, "SCAN_CHUNK", 3 * chunk)
        monkeypatch.setattr(sim.kernel.recorder, "PERSON_CHUNK", chunk)
        model = Model(scenario, 0, log_events=True, threads=threads)
        assert model.res.n > 4 * 500          # several passes in the chunked run
        return model.run()

    whole, chunked = run(1 << 30, 1), run(500, 3)
    assert whole.log and whole.log == chunked.log
    assert np.array_equal(whole.values, chunked.values, equal_nan=True)
    assert whole.events_by_type == chunked.events_by_type


def test_other_processes_see_every_earlier_event_and_no_later_one():
    """Residents' events are applied without a SimPy step of their own while no other process is due:
    a process waking at any instant, on a month start or inside a month, finds exactly the events
    before it applied."""
    model = Model(make_scenario({"population.scale": 2000.0, "period.end": "2021-06-30"}), 0, log_events=True)
    seen = []

    def watcher():
        for day in (0.0, 10.5, 31.0, 40.25, 59.999, 100.0, 150.75):
            yield model.env.timeout(day - model.env.now)
            seen.append((day, len(model.log)))
    model.env.process(watcher())
    log = model.run().log
    assert len(log) > 200
    for day, applied in seen:
        assert all(t < day for t, *_ in log[:applied]), day
        assert all(t > day for t, *_ in log[applied:]), day
    assert 0 < seen[1][1] < seen[3][1] < seen[-1][1] < len(log)


def test_run_once_frees_its_model_before_returning(monkeypatch):
    """The model refers to itself through its SimPy processes and schools: run_once collects it, so a sweep
    worker's memory does not grow run by run (automatic collection is switched off here to show it)."""
    import gc
    import weakref

    import sim.runner

    made = []

    class Recorded(Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    monkeypatch.setattr(sim.runner, "Model", Recorded)
    scenario = make_scenario({"population.scale": 5000.0, "period.end": "2021-03-31"})
    gc.disable()
    try:
        result = sim.runner.run_once(scenario, 0)
        assert made and made[0]() is None
        assert result.values.shape[0] == 4
    finally:
        gc.enable()


def test_time_order_is_the_stable_order_with_and_without_ties():
    from sim.kernel.scheduler import time_order

    rng = np.random.default_rng(5)
    distinct = rng.random(10_000) * 31.0
    assert np.array_equal(time_order(distinct), np.argsort(distinct, kind="stable"))
    tied = np.round(distinct, 1)                       # many ties: their order must follow position
    assert np.array_equal(time_order(tied), np.argsort(tied, kind="stable"))
    assert not np.array_equal(np.argsort(tied), np.argsort(tied, kind="stable"))   # the fast sort alone would not


@pytest.mark.parametrize("path", ["scenarios/plan_2021_2023.yaml", "scenarios/baseline.yaml"])
def test_events_applied_together_give_what_one_by_one_gives(path, monkeypatch):
    """Permits, enrolments, deaths, departures, hukou conversions and arrivals of households with no other
    event in the month are applied together (``apply_together``); a run that logs events applies every
    event by its handler, in time order. The two give the same indicators and the same counts of events
    applied, school rounds and the levers' postings included (the plan has both), and the rural-to-urban
    moves that choose another district by its urban residents see the counts of their own time
    (``urban_ahead``: without it the baseline's golden bytes change)."""
    from sim.kernel import scheduler
    from sim.scenario import load_scenario

    # many moves to other districts, so that some draws fall near a district's boundary in the choice
    scenario = load_scenario(path, overrides=["population.scale=100", "period.end=2021-12-31",
                                              "behaviour.rural_to_urban.same_district_share_pct=0",
                                              "behaviour.rural_to_urban.base_hazard_per_year=0.3"])
    together, ahead = [], []
    apply_together = Handlers.apply_together
    urban_ahead = scheduler.urban_ahead

    def counted(self, times, rows, kinds):
        applied, change = apply_together(self, times, rows, kinds)
        together.append(sum(applied.values()))
        return applied, change

    def told(*args):
        told_ahead = urban_ahead(*args)
        ahead.extend(any(v) for v in told_ahead.values())
        return told_ahead
    monkeypatch.setattr(Handlers, "apply_together", counted)
    monkeypatch.setattr(scheduler, "urban_ahead", told)
    fast = Model(scenario, 0).run()
    assert sum(together) > 5_000                # the path was taken, and often
    assert sum(ahead) > 1000                    # moves were told of counts applied ahead of them
    together.clear()
    one_by_one = Model(scenario, 0, log_events=True).run()
    assert sum(together) == 0
    assert np.array_equal(fast.values, one_by_one.values, equal_nan=True)
    assert fast.events_by_type == one_by_one.events_by_type


def _yearly_with_path(setting: str, path: dict, indicator: str):
    """The city's yearly ``indicator`` without and with ``setting`` set to ``path``, on the same seed: two
    functions of the year."""
    settings = {"population.scale": 200, "period.end": "2023-12-31", "seed": 5}
    runs = [Model(make_scenario({**settings, **extra}), 0).run() for extra in ({}, {setting: path})]
    j = INDICATOR_NAMES.index(indicator)

    def total(result, year):
        months = [i for i, d in enumerate(result.dates) if str(d).startswith(str(year))]
        return float(result.values[months, 0, j].sum())

    return [lambda year, r=r: total(r, year) for r in runs]


def test_a_fertility_path_changes_the_births_of_its_years_only():
    """Twice the rate in 2022 and back in 2023: 2021 is the same, draw for draw (common random numbers), and
    2022 has about twice the births (the women are nearly the same ones)."""
    fertility = make_scenario().behaviour.fertility
    base, doubled = _yearly_with_path("behaviour.fertility.total_fertility_rate_by_year",
                                      {2022: 2 * total_fertility_in(fertility, 2022),
                                       2023: total_fertility_in(fertility, 2023)}, "births")
    assert doubled(2021) == base(2021)
    assert base(2022) > 200                                    # enough agents' births for the ratio below
    assert 1.8 < doubled(2022) / base(2022) < 2.2


def test_an_arrival_path_changes_the_arrivals_of_its_years_only():
    """Twice the arrival rate in 2022, back in 2023: 2021 is the same draw for draw, 2022 has about twice the
    arrivals."""
    rate = make_scenario().behaviour.in_migration.rate_per_year
    base, doubled = _yearly_with_path("behaviour.in_migration.rate_by_year", {2022: 2 * rate, 2023: rate},
                                      "in_migration")
    assert doubled(2021) == base(2021)
    assert 1.85 < doubled(2022) / base(2022) < 2.15
