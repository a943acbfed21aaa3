"""The backcast from the 2010 census: the 2010 build, the backcast scenario, the pre-2018 settlement lever,
and the checks that keep the 2020 path as it was."""

from pathlib import Path

import numpy as np
import pytest

from sim.core.calendar import Calendar
from sim.core.catalogue import INDICATOR_NAMES
from sim.core.codes import LOCAL_RURAL, LOCAL_URBAN, NONLOCAL
from sim.core.districts import DISTRICTS
from sim.core.streams import Streams
from sim.data import load_census
from sim.kernel.population import build_population, census_marginals, largest_remainder
from sim.model import Model
from sim.output.formats import TIMESERIES
from sim.output.run_folder import timeseries_rows
from sim.policy import PolicySet
from sim.policy.pre_2018_settlement import Pre2018Settlement
from sim.scenario import ScenarioError, load_scenario
from tests.conftest import make_scenario

BACKCAST = Path(__file__).resolve().parents[1] / "scenarios" / "backcast_2010_2020.yaml"
C2010 = load_census()["census_2010"]
C2020 = load_census()["census_2020"]
SCALE = 5000.0
PS = "policies.pre_2018_settlement"


def col(name):
    return INDICATOR_NAMES.index(name)


@pytest.fixture(scope="module")
def backcast():
    return load_scenario(BACKCAST, [f"population.scale={SCALE}", "outputs.plots=false"])


@pytest.fixture(scope="module")
def world(backcast):
    return build_population(backcast, Streams(backcast.seed, 0)["population"])


# -- the 2010 build -------------------------------------------------------------------------------------

def test_2010_build_matches_the_census_marginals(world):
    n = round(C2010["total"] / SCALE)                      # as the 2020 build rounds
    district = world.view("district")
    assert len(district) == n
    wan = np.array([C2010["districts_wan"][d] for d in DISTRICTS])
    counts = np.bincount(district, minlength=len(DISTRICTS))
    assert np.array_equal(counts, largest_remainder(wan, n))
    assert np.abs(counts - wan / wan.sum() * n).max() < 1.0
    # 2010's own households and sex (the 2010 bulletin), none of 2020's shares
    coll = world.hh_collective[: world.n_households]
    sizes = np.bincount(world.view("hh"), minlength=world.n_households)
    collective_share = 1 - C2010["persons_in_family_households"] / C2010["total"]       # 9.7%; 8.1% in 2020
    assert sizes[coll].sum() == round(collective_share * n)
    assert sizes[coll].sum() != round(C2020["persons_in_collective_households"] / C2020["total"] * n)
    assert world.view("female").sum() == round(C2010["female"] / C2010["total"] * n)
    assert world.view("female").sum() != round(C2020["female"] / C2020["total"] * n)
    assert abs((~coll).sum() - C2010["family_households"] / C2010["total"] * n) <= 1
    assert sizes[~coll].mean() == pytest.approx(C2010["avg_family_household_size"], abs=0.01)


def test_2010_build_meets_the_scenarios_urban_shares(backcast, world):
    rates = backcast.population.district_urbanization_rate_pct
    wan = C2010["districts_wan"]
    weighted = sum(wan[d] * rates[d] for d in DISTRICTS) / sum(wan.values())
    assert weighted == pytest.approx(C2010["urbanization_rate_pct"], abs=0.01)    # the file's derivation
    district, urban = world.view("district"), world.view("urban")
    sizes = np.bincount(world.view("hh"), minlength=world.n_households)
    biggest = sizes.max()
    expected = 0.0
    for d, name in enumerate(DISTRICTS):                      # half a household per district at most
        here = district == d
        assert abs(urban[here].sum() - rates[name] / 100 * here.sum()) <= biggest / 2, name
        expected += rates[name] / 100 * here.sum()
    assert abs(urban.sum() - expected) <= biggest / 2 * len(DISTRICTS)
    assert abs(urban.mean() * 100 - C2010["urbanization_rate_pct"]) < 1.0
    hukou = world.view("hukou")
    assert (hukou == NONLOCAL).mean() * 100 == pytest.approx(12.0, abs=0.5)
    local = hukou != NONLOCAL
    assert (hukou[local] == LOCAL_URBAN).mean() * 100 == pytest.approx(45.0, abs=0.5)


def test_2020_marginals_are_the_census_numbers():
    m = census_marginals(2020)
    assert m["total"] == C2020["total"] == sum(m["districts"])
    assert (m["collective"], m["family_households"], m["female"]) == (
        C2020["persons_in_collective_households"], C2020["family_households"], C2020["female"])


# -- the backcast scenario ------------------------------------------------------------------------------

def test_backcast_runs_to_the_2020_census(backcast):
    assert backcast.name == "backcast_2010_2020" and backcast.population.census == 2010
    assert (str(backcast.period.start), str(backcast.period.end)) == ("2010-11-01", "2020-10-31")
    lever = backcast.policies.pre_2018_settlement
    assert (str(lever.start), str(lever.end), lever.intensity) == ("2010-11-01", "2018-03-01", 1.0)
    result = Model(backcast, 0).run()
    assert result.dates[-1] == "2020-10-31"
    end = result.values[-1, 0]
    print(f"backcast at scale {SCALE:g}: population {end[col('population')]:,.0f} on 2020-10-31, "
          f"urbanization {end[col('urbanization_rate')]:.2f}% (census 2020: 10,071,722; 76.34%)")
    assert 8e6 < end[col("population")] < 12e6
    assert 60.0 < end[col("urbanization_rate")] < 90.0


def test_the_2020_path_is_unchanged():
    """The default census is 2020; naming it explicitly writes the same bytes."""
    small = {"population.scale": SCALE, "period.end": "2021-12-31"}
    default = [Model(make_scenario(small), r).run() for r in range(2)]
    explicit = [Model(make_scenario({**small, "population.census": 2020}), r).run() for r in range(2)]
    assert TIMESERIES.text(timeseries_rows(default)) == \
        TIMESERIES.text(timeseries_rows(explicit))
    assert default[0].agents_start == round(C2020["total"] / SCALE)


# -- the pre-2018 settlement lever ----------------------------------------------------------------------

def test_lever_multiplies_both_conversion_hazards_by_the_power_of_its_level():
    hukou = np.array([NONLOCAL, LOCAL_RURAL, NONLOCAL, LOCAL_RURAL, LOCAL_URBAN])
    level = np.array([1.0, 1.0, 0.5, 0.0, 1.0])
    base = np.array([0.04, 0.06, 0.04, 0.06, 0.0])
    rates = {"hukou_conversion": base.copy()}
    scenario = make_scenario({PS: {"conversion_hazard_multiplier": 0.4}})
    [lever] = PolicySet(scenario, Calendar(scenario.period.start, scenario.period.end), np.random.default_rng(0))
    assert isinstance(lever, Pre2018Settlement)
    lever.adjust(rates, {"hukou": hukou}, level)
    assert np.allclose(rates["hukou_conversion"], base * 0.4 ** level)


def test_lever_at_intensity_zero_is_no_lever():
    small = {"population.scale": SCALE, "seed": 7, "period.end": "2022-12-31"}
    without = Model(make_scenario(small), 0).run()
    off = Model(make_scenario({**small, PS: {"start": "2021-01-01", "intensity": 0.0}}), 0).run()
    assert np.array_equal(without.values, off.values, equal_nan=True)
    assert without.events_by_type == off.events_by_type


def test_lever_at_full_intensity_converts_fewer():
    small = {"population.scale": 2000.0, "seed": 11, "period.end": "2022-12-31"}
    for replication in range(3):
        without = Model(make_scenario(small), replication).run().values[:, 0, col("hukou_conversions")].sum()
        stricter = Model(make_scenario({**small, PS: {"start": "2021-01-01"}}), replication).run()
        assert stricter.values[:, 0, col("hukou_conversions")].sum() < without, replication


# -- validation -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("settings, field, match", [
    ({"population.census": 1990}, "population.census", r"must be one of 2020, 2010"),
    ({"population.census": 2010, "period.start": "2010-10-01"}, "period.start", r"between 2010-11-01"),
    ({"period.start": "2015-01-01"}, "period.start", r"on or after 2020-11-01, the reference date of the 2020"),
    ({"population.census": 2020, "period.start": "2020-10-01"}, "period.start", r"on or after 2020-11-01"),
])
def test_a_start_before_the_census_is_refused(settings, field, match):
    with pytest.raises(ScenarioError, match=match) as info:
        make_scenario(settings)
    assert info.value.field == field


def test_a_2010_census_may_start_in_2015():
    assert make_scenario({"population.census": 2010, "period.start": "2015-01-01"}).period.start.year == 2015
