"""The contract every lever keeps, whatever its mechanism: nothing before its start or after its end, and
nothing outside its districts. Scope and timing live in the lever base, so these hold for every lever alike."""

import numpy as np
import pytest

from sim.core.codes import PRESENT
from sim.core.districts import ZONES
from sim.model import Model
from sim.output.formats import SUMMARY, TIMESERIES
from sim.output.run_folder import summary_rows, timeseries_rows
from sim.policy import LEVERS
from sim.policy.lever import Lever
from tests.conftest import make_scenario

BASE = {"population.scale": 1000.0, "seed": 21, "period.end": "2022-12-31"}
ALL_LEVERS = list(LEVERS)


def tables(settings: dict) -> tuple[str, str, dict]:
    """The CSV text of two replications of ``BASE`` with ``settings``, and the events by type."""
    runs = [Model(make_scenario({**BASE, **settings}), r).run() for r in range(2)]
    return (TIMESERIES.text(timeseries_rows(runs)), SUMMARY.text(summary_rows(runs)),
            [r.events_by_type for r in runs])


@pytest.fixture(scope="module")
def baseline():
    return tables({})


@pytest.mark.parametrize("lever", ALL_LEVERS)
def test_a_lever_starting_after_the_period_is_the_baseline_byte_for_byte(lever, baseline):
    assert tables({f"policies.{lever}": {"start": "2023-03-01"}}) == baseline


@pytest.mark.parametrize("lever", ALL_LEVERS)
def test_a_lever_ending_before_any_month_start_in_force_is_the_baseline(lever, baseline):
    """From 2 to 25 March 2021 no month start falls in the lever's days: it never takes effect."""
    assert tables({f"policies.{lever}": {"start": "2021-03-02", "end": "2021-03-25"}}) == baseline


def test_new_towns_upgraded_after_the_lever_ends_change_nothing(baseline):
    """The upgrades (2022 by default) come after the lever's end: no faster pace, no pull, the baseline."""
    assert tables({"policies.new_town_development": {"start": "2021-01-01", "end": "2021-06-30"}}) == baseline


@pytest.mark.parametrize("settings", [
    {"intensity": 0.7, "upgrade_dates": {"boli": "2021-02-01", "pingdu_pole": "2021-09-15", "dianbu": "2022-03-01"}},
    {"intensity": 1.0, "districts": ["jimo", "laixi"], "pace_years": 0.5},
    {"intensity": 0.3, "start": "2021-06-01", "end": "2022-06-01", "upgrade_dates": {"灵山": "2021-07-01"}},
])
def test_new_towns_at_the_baselines_own_pace_are_the_baseline_byte_for_byte(settings, baseline):
    """The lever only changes the pace of the baseline's reclassification and the pull on arrivals: at a pace
    multiplier and a pull of 1 it changes nothing, whatever its intensity, districts and dates."""
    own_pace = {"pace_multiplier": 1.0, "migrant_pull_multiplier": 1.0, "county_town_pull_multiplier": 1.0, **settings}
    assert tables({"policies.new_town_development": own_pace}) == baseline


def test_new_towns_at_intensity_zero_are_the_baseline_byte_for_byte(baseline):
    assert tables({"policies.new_town_development": {"intensity": 0.0, "pace_multiplier": 50.0,
                                                     "migrant_pull_multiplier": 5.0,
                                                     "county_town_pull_multiplier": 5.0}}) == baseline


def test_new_towns_speed_up_only_while_the_lever_is_in_force(baseline):
    early, late = "2021-06-01", "2022-06-01"
    on = tables({"policies.new_town_development": {
        "start": "2021-01-01", "end": "2021-12-31", "pace_multiplier": 200.0,
        "upgrade_dates": {"boli": early, "pingdu_pole": late}}})
    assert on != baseline
    rows = [line.split(",") for line in on[0].splitlines() if ",new_town_share," in line]
    town = {(r[0][:7], r[2]) for r in rows if r[1] == "0" and float(r[4] or 0) > 0}
    # boli's upgrade (Xihaian) speeds up June-December 2021; the pole's, after the end, never
    assert {zone for _, zone in town} == {"qingdao", "xihaian"}
    first = min(month for month, _ in town)
    assert "2021-06" <= first <= "2021-08"
    lasts = {month for month, zone in town if zone == "xihaian"}
    assert "2022-12" in lasts                 # the new-town residents stay (while they stay put)


#: levers that change public-service capacity alone (``Lever.resident_based_share``): nobody's life changes
CAPACITY_ONLY = [name for name, cls in LEVERS.items() if cls.resident_based_share is not Lever.resident_based_share]


#: levers that act on places' jobs alone (``Lever.job_growth_pct``): they change where newcomers and movers go,
#: not the lives of the residents present at the start
JOBS_ONLY = [name for name, cls in LEVERS.items() if cls.job_growth_pct is not Lever.job_growth_pct]


@pytest.mark.parametrize("lever", [name for name in ALL_LEVERS if name not in CAPACITY_ONLY])
def test_a_scoped_lever_leaves_other_districts_residents_alone(lever):
    """Residents present at the start outside the scope live the same lives, event for event, unless their
    household moves between districts (a flow that crosses)."""
    from sim.core.catalogue import INDICATOR_NAMES

    base = Model(make_scenario(BASE), 0, log_events=True)
    n0 = base.res.n
    start_district = base.res.district[:n0].copy()
    hh = base.res.hh[:n0].copy()
    base_result = base.run()
    base_log = base_result.log
    on_result = Model(make_scenario({**BASE, f"policies.{lever}": {"districts": ["pingdu"]}}), 0,
                      log_events=True).run()
    on_log = on_result.log
    pingdu = ZONES.index("pingdu") - 1

    def lives(log):
        events, movers = {}, set()
        for t, event, row, _, _ in log:
            if row < n0:
                events.setdefault(row, []).append((t, event))
                if event in ("rural_to_urban", "urban_to_rural"):
                    movers.add(hh[row])
        return events, movers

    base_events, base_movers = lives(base_log)
    on_events, on_movers = lives(on_log)
    outside = [r for r in range(n0) if start_district[r] != pingdu and hh[r] not in base_movers | on_movers]
    assert len(outside) > 1000
    assert all(base_events.get(r) == on_events.get(r) for r in outside)
    if lever in JOBS_ONLY:            # it acted on Pingdu's jobs, and on no other district's
        jobs = INDICATOR_NAMES.index("jobs")
        changed = base_result.values[-1, 1:, jobs] != on_result.values[-1, 1:, jobs]
        assert changed.tolist() == [d == pingdu for d in range(len(changed))]
        return
    inside = np.flatnonzero(start_district == pingdu)
    assert any(base_events.get(r) != on_events.get(r) for r in inside.tolist())      # the lever did act there


@pytest.mark.parametrize("lever", CAPACITY_ONLY)
def test_a_scoped_capacity_lever_changes_only_its_districts_services(lever):
    """Scoped to Pingdu, a lever sizing services changes no resident's events anywhere and no indicator
    outside Pingdu; inside, its services' capacity (and so some service indicator) moves."""
    from sim.core.catalogue import INDICATOR_NAMES

    base = Model(make_scenario(BASE), 0, log_events=True).run()
    on = Model(make_scenario({**BASE, f"policies.{lever}": {"districts": ["pingdu"]}}), 0, log_events=True).run()
    assert base.log == on.log
    pingdu = ZONES.index("pingdu")
    others = [z for z in range(len(ZONES)) if z not in (0, pingdu)]
    assert np.array_equal(base.values[:, others], on.values[:, others], equal_nan=True)
    services = [k for k, name in enumerate(INDICATOR_NAMES) if name.endswith(("_shortage", "_coverage"))]
    assert not np.array_equal(base.values[:, pingdu, services], on.values[:, pingdu, services], equal_nan=True)


def test_the_policy_set_calls_hooks_only_while_and_where_a_lever_is_in_force(monkeypatch):
    """A lever filling every hook, in force from July 2021 to February 2022 in Pingdu only: each hook is asked
    only at month starts in those days, and the intensity it is handed is 0 outside Pingdu."""
    import sim.policy.policy_set as policy_set
    from sim.policy.zero_threshold_settlement import ZeroThresholdSettlement

    calls: list[tuple[str, float, np.ndarray]] = []

    class Spy(ZeroThresholdSettlement):
        def adjust(self, rates, state, level):
            calls.append(("adjust", -1.0, np.unique(state["district"][level > 0])))

        def extra_arrivals(self, level, stock, start_day, end_day):
            calls.append(("extra_arrivals", start_day, np.flatnonzero(level)))

        def arrival_pull(self, level, day):
            calls.append(("arrival_pull", day, np.flatnonzero(level)))

        def act_on_places(self, places, level, day):
            calls.append(("act_on_places", day, np.flatnonzero(level)))

    monkeypatch.setitem(policy_set.LEVERS, "zero_threshold_settlement", Spy)
    model = Model(make_scenario({**BASE, "policies.zero_threshold_settlement": {
        "start": "2021-07-01", "end": "2022-03-01", "districts": ["pingdu"]}}), 0)
    model.run()
    [lever] = model.policies
    first, last = lever.switch_days
    pingdu = [ZONES.index("pingdu") - 1]
    assert {name for name, _, _ in calls} == {"adjust", "extra_arrivals", "arrival_pull", "act_on_places"}
    for name, day, where in calls:
        assert where.tolist() == pingdu, name
        if day >= 0:
            assert first <= day < last, name
    days = sorted({day for name, day, _ in calls if name == "act_on_places"})
    assert days == [d for d in model.calendar.month_starts.tolist() if first <= d < last]


#: the levers that name the residents whose hazards they can change (``Lever.hazard_subjects``)
WITH_SUBJECTS = [name for name, cls in LEVERS.items() if cls.hazard_subjects is not Lever.hazard_subjects]


def test_some_lever_names_its_subjects():
    assert "zero_threshold_settlement" in WITH_SUBJECTS


@pytest.mark.parametrize("lever_name", WITH_SUBJECTS)
def test_a_lever_changes_no_hazard_outside_its_subjects(lever_name):
    """A lever's switch ends only its ``hazard_subjects``' windows, so its ``adjust`` must leave every other
    resident's hazards as they were (at full intensity, everywhere, on a month of the run)."""
    from sim.kernel.hazards import EVENT_HAZARDS, state_of

    model = Model(make_scenario({**BASE, f"policies.{lever_name}": {"intensity": 1.0}}), 0)
    lever = next(lever for lever in model.policies if lever.name == lever_name)
    rows = np.arange(model.res.n)
    day = 200.0
    state = state_of(model.res, rows, day)
    state["rural_destination"] = np.ones(len(rows), bool)
    state["year"] = np.array(2021)
    subjects = lever.hazard_subjects(state)
    assert subjects is not None
    rates = {name: hazard(state, model.scenario.behaviour) for name, hazard in EVENT_HAZARDS}
    before = {name: rate.copy() for name, rate in rates.items()}
    lever.adjust(rates, state, np.ones(len(rows)))
    assert subjects.any() and not subjects.all()
    assert any(not np.array_equal(rates[n], before[n]) for n in rates)          # it does change someone's
    assert all(np.array_equal(rates[n][~subjects], before[n][~subjects]) for n in rates)


def test_a_lever_starting_in_mid_year_redraws_its_subjects_alone(monkeypatch):
    """Zero-threshold settlement starting on 1 April redraws the urban households' reference persons without
    an urban hukou that month, not the whole city (everyone is redrawn on 1 January anyway)."""
    from sim.kernel.scheduler import Scheduler

    redrawn: dict[float, int] = {}
    redraw = Scheduler.redraw

    def counted(self, rows, day):
        redrawn[day] = len(rows)
        return redraw(self, rows, day)
    monkeypatch.setattr(Scheduler, "redraw", counted)
    model = Model(make_scenario({**BASE, "policies.zero_threshold_settlement": {
        "intensity": 1.0, "start": "2021-04-01"}}), 0)
    present = int((model.res.view("status") == PRESENT).sum())
    model.run()
    april = float(model.calendar.month_starts[3])
    may = float(model.calendar.month_starts[4])
    assert redrawn[april] > 2 * redrawn[may]                   # the lever's subjects were redrawn
    assert redrawn[april] < 0.5 * present                      # but not everyone
