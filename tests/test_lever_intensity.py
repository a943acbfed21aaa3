"""Every lever's effects scale with its intensity as documented (no effect jumps to most of its size at any
intensity above 0), and every lever effect's range in uncertainty mode says where it comes from (issue 16
item 7).

The effect of a lever at intensity ``i`` is measured on the indicator its mechanism moves, as the change
from the same scenario without the lever (same seed: common random numbers), at ``i`` = 0.001, 0.25, 0.5
and 1: it must grow with ``i``, stay below a small share of its full size at 0.001, and be roughly in
proportion in between (hazards make counts concave in ``i``: a hazard twice as large does not empty the
pool twice as fast).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.fields import Field
from sim.model import Model
from sim.policy import LEVERS, Lever
from sim.policy.lever import sourced, uncertain
from sim.scenario import load_scenario
from sim.scenario import uncertainty as unc
from tests.conftest import make_scenario

ROOT = Path(__file__).resolve().parents[1]
SEARCH = ROOT / "docs" / "sources" / "lever_effects_search.yaml"
BASE = {"population.scale": 200.0, "seed": 21, "period.end": "2022-12-31"}
INTENSITIES = (0.001, 0.25, 0.5, 1.0)


def _events(name):
    return lambda model: float(model.result.events_by_type[name])


def _final(indicator):
    k = INDICATOR_NAMES.index(indicator)
    return lambda model: float(model.result.values[-1, 0, k])


def _total(indicator):
    k = INDICATOR_NAMES.index(indicator)
    return lambda model: float(np.nansum(model.result.values[:, 0, k]))


def _service_capacity(model) -> float:
    """Every service's capacity at the end, summed over districts, agents: a count in thousands at scale 200,
    where the shortages the capacity leaves move in steps of a few agents."""
    return float(model.services.capacity.sum())


#: lever -> (its own settings besides the intensity, the measure, the sign of the lever's effect on it);
#: a few effects are set larger than their defaults so that a scale of 200 sees them above chance
CASES = {
    "zero_threshold_settlement": ({}, _events("hukou_conversion"), +1),
    "homestead_reform": ({}, _final("homesteads_leased"), +1),
    "talent_attraction": ({}, _events("arrival"), +1),
    "rural_talent_service": ({"rural_move_multiplier": 0.5}, _events("rural_to_urban"), -1),
    "public_services": ({}, _events("medical_enrolment"), +1),
    "flexible_worker_pension": ({}, _events("pension_enrolment"), +1),
    "new_town_development": ({}, _total("in_situ_urbanization"), +1),
    "pre_2018_settlement": ({}, _events("hukou_conversion"), -1),
    # summed over the city, allocating by residents gives less capacity than the hukou rule in 2021-22 (hukou
    # residents grow faster than residents, by conversions) while moving it to the districts whose residents
    # grow, which narrows their shortages (tests/test_services.py): its effect on the total is negative
    "resident_based_services": ({}, _service_capacity, -1),
    "industry_development": ({}, _final("jobs"), +1),
}


def run_model(settings: dict) -> Model:
    """The scenario's replication 0, run; its result in ``model.result``."""
    model = Model(make_scenario({**BASE, **settings}), 0)
    model.result = model.run()
    return model


def run(settings: dict):
    return run_model(settings).result


@pytest.fixture(scope="module")
def baseline():
    return run_model({})


def test_every_lever_is_measured():
    assert set(CASES) == set(LEVERS)


@pytest.mark.parametrize("lever", list(CASES))
def test_the_effect_grows_with_the_intensity_from_nothing(lever, baseline):
    own, measure, sign = CASES[lever]
    effect = {i: sign * (measure(run_model({f"policies.{lever}": {**own, "intensity": i}})) - measure(baseline))
              for i in INTENSITIES}
    tiny, quarter, half, full = (effect[i] for i in INTENSITIES)
    assert full >= 20, (lever, effect)                         # the measure sees the lever at all
    assert abs(tiny) <= 0.02 * full, (lever, effect)           # no jump at 0.001
    assert 0 < quarter < half < full, (lever, effect)          # grows with the intensity
    assert 0.08 * full <= quarter <= 0.6 * full, (lever, effect)    # roughly in proportion
    assert 0.25 * full <= half <= 0.85 * full, (lever, effect)


def test_posted_staff_are_in_proportion_to_the_intensity():
    """Rural talent service: a posting carries the intensity's share of its staff."""
    staff = _total("rural_service_staff")
    sizes = {i: staff(run_model({"policies.rural_talent_service": {"intensity": i}})) for i in (0.001, 0.5, 1.0)}
    assert sizes[1.0] > 0
    assert sizes[0.5] == pytest.approx(0.5 * sizes[1.0]) and sizes[0.001] == pytest.approx(0.001 * sizes[1.0])


def test_a_weak_pension_lever_does_not_undo_public_services():
    """Flexible workers' pensions at a small intensity beside public services at full: permit holders enrol at
    the higher of the two hazards, so adding the weak lever adds enrolments (before 2026-12-02 its hazard
    replaced public services' one, and the pair enrolled fewer than public services alone)."""
    services = {"policies.public_services": {"intensity": 1.0}}
    alone = run(services).events_by_type["pension_enrolment"]
    both = run({**services, "policies.flexible_worker_pension": {"intensity": 0.001}}).events_by_type[
        "pension_enrolment"]
    assert alone > 0 and both >= alone


def test_every_lever_says_how_its_effects_scale():
    for cls in LEVERS.values():
        assert "Intensity:" in (sys.modules[cls.__module__].__doc__ or ""), cls.name


# -- where the ranges come from -------------------------------------------------------------------------
def _found() -> dict:
    return yaml.safe_load(SEARCH.read_text(encoding="utf-8"))["found"]


def test_there_are_ranges_to_check():
    assert len(unc.LEVER_FIELDS) >= 15
    assert any(not spec.range_source.startswith("assumption") for _, _, spec in unc.LEVER_FIELDS)


@pytest.mark.parametrize(("lever", "path", "spec"), unc.LEVER_FIELDS,
                         ids=[f"{lever}.{path}" for lever, path, _ in unc.LEVER_FIELDS])
def test_every_range_is_a_citation_or_an_assumption_said_so(lever, path, spec):
    """A range either starts "assumption" and says what was searched, or cites an entry of the search record
    that names its page and quotes or states what it gives; and the default lies inside it."""
    low, high = spec.effect_range
    assert low <= spec.default <= high
    source = spec.range_source
    cited = re.findall(re.escape("docs/sources/lever_effects_search.yaml") + r" (\w+)", source)
    if source.startswith("assumption"):
        assert "searched:" in source and not cited, source
        return
    assert cited, f"{lever}.{path}: a range not stated as an assumption must cite its entry"
    found = _found()
    for key in cited:
        entry = found[key]
        text = yaml.safe_dump(entry, allow_unicode=True)
        assert "url" in text and ("quote" in text or "gives" in text), key
        assert f"{lever}.{path}" in entry["use"], (key, entry["use"])


def test_a_sourced_range_must_hold_its_default_and_name_its_source():
    spec = Field("float", 2.0, "x", unit="multiplier", minimum=1.0, maximum=10.0, source="assumption")
    assert sourced(spec, 1.0, 3.0, "a study").effect_range == (1.0, 3.0)
    with pytest.raises(ValueError, match="must hold the default"):
        sourced(spec, 2.5, 3.0, "a study")
    with pytest.raises(ValueError, match="must hold the default"):
        sourced(spec, 1.0, 11.0, "a study")
    with pytest.raises(ValueError, match="needs its source"):
        sourced(spec, 1.0, 3.0, " ")
    assert uncertain(spec, searched="x").range_source.startswith("assumption: 50% to 150%")


def test_without_uncertainty_mode_a_scenario_with_sourced_ranges_is_run_as_is():
    """Off (the default): the plan, whose levers carry sourced ranges, draws nothing: chance only."""
    plan = load_scenario(ROOT / "scenarios" / "plan_2021_2023.yaml", ["population.scale=2000"])
    assert unc.for_replication(plan, 0) == (plan, None) and unc.kind(plan) == "chance only"


def test_the_table_of_lever_effects_in_the_model_description_is_the_schemas():
    """docs/model.md section 7.10 carries the generated table (regenerate with
    ``python -m sim.scenario.docs --lever-effects``)."""
    from sim.scenario.docs import render_lever_effects

    table = render_lever_effects()
    assert len(table.splitlines()) == len(unc.LEVER_FIELDS) + 6
    assert table in (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def test_extra_seats_are_in_proportion_to_the_intensity():
    """Public services' seats: the full intensity's share rounded up, and ``i`` times those to the nearest
    seat (not the share ``i * pct`` rounded up, which gave every district a seat at any intensity)."""
    from sim.core.calendar import Calendar
    from sim.policy import PolicySet

    seats = np.array([0, 7, 95, 1000, 2003, 40, 300, 12, 5, 250])

    def added(intensity: float) -> np.ndarray:
        sc = make_scenario({**BASE, "policies.public_services": {"intensity": intensity}})
        [lever] = PolicySet(sc, Calendar(sc.period.start, sc.period.end), np.random.default_rng(0))
        return lever.extra_school_seats(seats)

    full = np.ceil(seats * 0.10)
    assert np.array_equal(added(1.0), full)                          # the shipped scenarios' seats
    assert added(0.001).sum() == 0
    assert np.abs(added(0.5) - 0.5 * full).max() <= 0.5
    assert (added(0.25) <= added(0.5)).all() and (added(0.5) <= added(1.0)).all()


@pytest.mark.parametrize("lever", [name for name, cls in LEVERS.items()
                                   if cls.hazard_subjects is not Lever.hazard_subjects])
def test_a_levers_subjects_hold_everyone_whose_hazards_it_changes(lever):
    """A switch redraws only the lever's ``hazard_subjects``: no one else's hazards may change under it (else
    a resident would keep a window drawn with the wrong hazards)."""
    from sim.kernel.hazards import EVENT_HAZARDS, state_of

    model = Model(make_scenario({**BASE, "population.scale": 500.0,
                                 f"policies.{lever}": {"intensity": 1.0}}), 0)
    res, day = model.res, 0.0
    rows = np.arange(res.n)
    state = state_of(res, rows, day)
    state["rural_destination"] = np.ones(res.n, bool)
    state["year"] = np.array(model.calendar.year_of(day))
    rates = {name: hazard(state, model.scheduler.behaviour) for name, hazard in EVENT_HAZARDS}
    before = {name: rate.copy() for name, rate in rates.items()}
    [active] = list(model.policies)
    active.adjust(rates, state, np.ones(res.n))
    changed = np.zeros(res.n, bool)
    for name in rates:
        changed |= rates[name] != before[name]
    subjects = active.hazard_subjects(state)
    assert changed.any() and not (changed & ~subjects).any()
