"""The synthetic population reproduces the census marginals it is built from."""

import numpy as np
import pytest

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.codes import IDLE, LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, OCCUPIED
from sim.core.districts import DISTRICTS
from sim.core.streams import Streams
from sim.data import load_census
from sim.kernel.old_age import fitted_old_age_decline
from sim.kernel.population import (
    age_groups,
    age_pool,
    build_population,
    census_ageing_days,
    exact_bernoulli,
    fill_by_persons,
    largest_remainder,
)
from tests.conftest import make_scenario

CENSUS = load_census()["census_2020"]


@pytest.fixture(scope="module")
def world():
    sc = make_scenario({"population.scale": 100.0})
    return sc, build_population(sc, Streams(sc.seed, 0)["population"])


def test_largest_remainder_sums_exactly():
    counts = largest_remainder(np.array([1.0, 1.0, 1.0]), 10)
    assert counts.sum() == 10 and sorted(counts) == [3, 3, 4]


def test_fill_by_persons_misses_by_at_most_half_a_household():
    sizes = np.array([3, 1, 2, 4, 1, 2, 5, 1])
    cat = fill_by_persons(sizes, [9.0, 10.0])
    assert abs(sizes[cat == 0].sum() - 9.0) <= sizes.max() / 2


def test_exact_bernoulli_count():
    flags = exact_bernoulli(10001, 4321, np.random.default_rng(3))
    assert flags.sum() == 4321


def test_district_totals(world):
    _, res = world
    n = np.bincount(res.view("district"), minlength=len(DISTRICTS))
    expected = np.array([CENSUS["districts"][d]["population"] for d in DISTRICTS]) / 100.0
    assert n.sum() == round(CENSUS["total"] / 100)
    assert np.abs(n - expected).max() <= 1.0


def test_households_and_collective_persons(world):
    _, res = world
    coll = res.hh_collective[: res.n_households]
    sizes = np.bincount(res.view("hh"), minlength=res.n_households)
    family = ~coll
    assert family.sum() == pytest.approx(CENSUS["family_households"] / 100, abs=5)
    assert sizes[family].sum() == pytest.approx(CENSUS["persons_in_family_households"] / 100, abs=5)
    assert sizes[coll].sum() == pytest.approx(CENSUS["persons_in_collective_households"] / 100, abs=5)
    assert (sizes[coll] == 1).all()
    assert sizes[family].mean() == pytest.approx(2.55, abs=0.01)


def test_age_groups_and_sex_exact(world):
    """At the census date (the residents are built aged to the period start, 61 days later)."""
    sc, res = world
    n = res.n
    age = -(res.view("birth_day") + census_ageing_days(sc)) / DAYS_PER_YEAR
    for (low, high), key in (((0, 15), "0-14"), ((15, 60), "15-59"), ((60, 200), "60+")):
        count = ((age >= low) & (age < high)).sum()
        assert count == pytest.approx(CENSUS["age_groups"][key] / CENSUS["total"] * n, abs=1.0), key
    assert (age >= 65).mean() * 100 == pytest.approx(CENSUS["age_65_plus_share_pct"], abs=0.01)
    assert res.view("female").sum() == round(CENSUS["female"] / CENSUS["total"] * n)


def test_reference_persons_are_adults(world):
    _, res = world
    heads = res.hh_head[: res.n_households]
    assert (-res.birth_day[heads] / DAYS_PER_YEAR >= 18).all()
    assert res.view("is_head").sum() == res.n_households


def test_urban_shares_and_hukou_split(world):
    sc, res = world
    district, urban, hukou = res.view("district"), res.view("urban"), res.view("hukou")
    assert urban.mean() * 100 == pytest.approx(CENSUS["urbanization_rate_pct"], abs=0.05)
    for d, name in enumerate(DISTRICTS):
        rate = urban[district == d].mean() * 100
        assert rate == pytest.approx(sc.population.district_urbanization_rate_pct[name], abs=0.1), name
    assert (hukou == NONLOCAL).mean() * 100 == pytest.approx(20.0, abs=0.05)
    local = hukou != NONLOCAL
    assert (hukou[local] == LOCAL_URBAN).mean() * 100 == pytest.approx(50.0, abs=0.05)
    assert ((hukou == NONLOCAL) & ~urban).sum() / (~urban).sum() * 100 == pytest.approx(5.0, abs=0.1)
    assert not ((hukou == LOCAL_URBAN) & ~urban).any()     # rural residents with a local hukou hold a rural one


def test_homesteads_permits_and_hukou_districts(world):
    _, res = world
    hh = res.view("hh")
    homestead = res.hh_homestead[hh]
    local_rural = res.view("hukou") == LOCAL_RURAL
    assert (homestead[local_rural & ~res.view("urban")] == OCCUPIED).all()
    assert (homestead[local_rural & res.view("urban")] == IDLE).all()
    nonlocal_ = res.view("hukou") == NONLOCAL
    assert (res.view("hukou_district")[nonlocal_] == -1).all()
    assert (res.view("hukou_district")[~nonlocal_] == res.view("district")[~nonlocal_]).all()
    adults = nonlocal_ & (-res.view("birth_day") / DAYS_PER_YEAR >= 16)
    assert res.view("permit")[adults].mean() == pytest.approx(0.5, abs=0.02)
    assert not res.view("permit")[~nonlocal_].any()


def test_scenario_overrides_the_assumed_shares():
    sc = make_scenario({"population.scale": 500.0, "population.nonlocal_share_pct": 30.0,
                        "population.district_urbanization_rate_pct": {"pingdu": 60.0}})
    res = build_population(sc, Streams(sc.seed, 0)["population"])
    assert (res.view("hukou") == NONLOCAL).mean() * 100 == pytest.approx(30.0, abs=0.2)
    pingdu = res.view("district") == DISTRICTS.index("pingdu")
    assert res.view("urban")[pingdu].mean() * 100 == pytest.approx(60.0, abs=0.3)


def test_age_pool_shape():
    ages = age_pool(100000, np.random.default_rng(0))
    assert ages.min() >= 0 and ages.max() < 101
    assert (ages >= 65).mean() * 100 == pytest.approx(14.2, abs=0.01)


def test_a_2010_build_has_2010_s_own_age_structure():
    """The 2010 bulletin: 0-14 13.44%, 15-64 76.30%, 65+ 10.26% (before: 2020's shares, 15.4% and 14.2%)."""
    ages = age_pool(100000, np.random.default_rng(0), census=2010)
    assert (ages < 15).mean() * 100 == pytest.approx(13.44, abs=0.01)
    assert ((ages >= 15) & (ages < 65)).mean() * 100 == pytest.approx(76.30, abs=0.01)
    assert (ages >= 65).mean() * 100 == pytest.approx(10.26, abs=0.01)
    sc = make_scenario({"population.scale": 2000.0, "population.census": 2010, "period.start": "2010-11-01",
                        "period.end": "2011-12-31"})
    res = build_population(sc, Streams(1, 0)["population"])
    age = -res.view("birth_day") / DAYS_PER_YEAR
    assert (age >= 65).mean() * 100 == pytest.approx(10.26, abs=0.2)


def test_same_seed_same_population():
    sc = make_scenario({"population.scale": 2000.0})
    a = build_population(sc, Streams(1, 0)["population"])
    b = build_population(sc, Streams(1, 0)["population"])
    c = build_population(sc, Streams(2, 0)["population"])
    assert np.array_equal(a.view("birth_day"), b.view("birth_day"))
    assert not np.array_equal(a.view("birth_day"), c.view("birth_day"))


def test_arrays_reserved_on_a_helper_thread_hold_the_same_population():
    """``Residents.reserved`` fills every array with what its unused rows hold: a build on a helper thread
    gives the same arrays, capacity included, as one without."""
    from sim.kernel.residents import HOUSEHOLD_FIELDS, RESIDENT_FIELDS

    sc = make_scenario({"population.scale": 2000.0})
    plain = build_population(sc, Streams(1, 0)["population"])
    helped = build_population(sc, Streams(1, 0)["population"], helper_thread=True)
    assert (plain.n, plain.n_households) == (helped.n, helped.n_households)
    for name in (*RESIDENT_FIELDS, *HOUSEHOLD_FIELDS):
        assert np.array_equal(getattr(plain, name), getattr(helped, name), equal_nan=True), name


def test_the_census_is_aged_from_its_date_to_the_period_start():
    """2020-11-01 to 2021-01-01 is 61 days: the same draws, every resident born 61 days earlier (relative to the
    start) than in a run that starts on the census date; the 2010 backcast starts on its census date."""
    at_census = make_scenario({"population.scale": 1000.0, "period.start": "2020-11-01"})
    default = make_scenario({"population.scale": 1000.0})
    assert census_ageing_days(default) == 61 and census_ageing_days(at_census) == 0
    assert census_ageing_days(make_scenario({"population.census": 2010, "period.start": "2010-11-01",
                                             "period.end": "2020-10-31"})) == 0
    a, b = (build_population(sc, Streams(1, 0)["population"]).view("birth_day") for sc in (at_census, default))
    assert len(a) == len(b) and np.abs((a - b) - 61.0).max() < 0.02


def district_age_shares(world, name):
    """A district's age shares at the census date (the residents are built aged to the period start)."""
    sc, res = world
    age = -(res.view("birth_day") + census_ageing_days(sc)) / DAYS_PER_YEAR
    here = age[res.view("district") == DISTRICTS.index(name)]
    return {"0-14": (here < 15).mean() * 100, "15-59": ((here >= 15) & (here < 60)).mean() * 100,
            "60+": (here >= 60).mean() * 100, "65+": (here >= 65).mean() * 100}, len(here)


@pytest.mark.parametrize("name", ["shibei", "laixi"])
def test_a_district_with_its_own_bulletin_has_its_age_structure(world, name):
    """Shibei's and Laixi's 2020 bulletins: their four age shares exactly, up to one agent per group."""
    _, res = world
    detail = CENSUS["district_detail"][name]
    published = detail.get("age_shares_pct") or {k: v / CENSUS["districts"][name]["population"] * 100
                                                 for k, v in detail["age_groups"].items()}
    shares, n = district_age_shares(world, name)
    for key, pct in published.items():
        assert shares[key] == pytest.approx(pct, abs=100.0 / n * 1.01), key


def test_shibei_has_its_households_and_the_others_the_rest_of_the_city(world):
    _, res = world
    heads = res.hh_head[: res.n_households]
    district = res.district[heads]
    coll = res.hh_collective[: res.n_households]
    sizes = np.bincount(res.view("hh"), minlength=res.n_households)
    shibei = district == DISTRICTS.index("shibei")
    assert sizes[shibei & ~coll].mean() == pytest.approx(1044173 / 433277, abs=0.01)      # 2.41
    assert sizes[shibei & coll].sum() == pytest.approx(52706 / 100, abs=1)
    rest = (CENSUS["persons_in_family_households"] - 1044173) / (CENSUS["family_households"] - 433277)   # 2.57
    assert sizes[~shibei & ~coll].mean() == pytest.approx(rest, abs=0.01)


def test_districts_without_a_bulletin_share_the_rest_of_the_city_s_ages(world):
    """Each takes the city's age shares less Shibei's and Laixi's (0-14: 15.71%), within sampling error;
    before, children passed over for heads crowded into the first districts (Shinan 44% aged 0-14)."""
    _, res = world
    own = {"shibei": 151498, "laixi": 0.1441 * 720103}
    rest_pct = (CENSUS["age_groups"]["0-14"] - sum(own.values())) / (
        CENSUS["total"] - sum(CENSUS["districts"][d]["population"] for d in own)) * 100
    for name in DISTRICTS:
        if name not in own:
            shares, n = district_age_shares(world, name)
            assert shares["0-14"] == pytest.approx(rest_pct, abs=4 * np.sqrt(rest_pct * (100 - rest_pct) / n)), name


def test_without_the_bulletins_every_district_has_the_city_s_ages():
    sc = make_scenario({"population.scale": 200.0, "population.district_census_bulletins": False})
    res = build_population(sc, Streams(sc.seed, 0)["population"])
    city = CENSUS["age_groups"]["0-14"] / CENSUS["total"] * 100
    for name in DISTRICTS:
        shares, n = district_age_shares((sc, res), name)
        assert shares["0-14"] == pytest.approx(city, abs=4 * np.sqrt(city * (100 - city) / n)), name


def test_a_district_s_own_non_local_share_is_met_and_the_city_s_kept():
    """No district's share is published: a scenario's (Chengyang 35%, Pingdu by its Chinese name 8%) is met
    within half a household per part, and the other districts share the rest of the city's 20%."""
    sc = make_scenario({"population.scale": 200.0,
                        "population.district_nonlocal_share_pct": {"chengyang": 35.0, "平度": 8.0}})
    res = build_population(sc, Streams(sc.seed, 0)["population"])
    nonlocal_, district = res.view("hukou") == NONLOCAL, res.view("district")
    for name, pct in (("chengyang", 35.0), ("pingdu", 8.0)):
        here = district == DISTRICTS.index(name)
        assert nonlocal_[here].mean() * 100 == pytest.approx(pct, abs=12 / here.sum() * 100), name
    assert nonlocal_.mean() * 100 == pytest.approx(20.0, abs=0.05)
    others = ~np.isin(district, [DISTRICTS.index("chengyang"), DISTRICTS.index("pingdu")])
    assert 18.0 < nonlocal_[others].mean() * 100 < 22.0
    assert (res.view("hukou")[~nonlocal_] == LOCAL_URBAN).mean() * 100 == pytest.approx(50.0, abs=0.1)


def test_a_2010_build_has_jiaozhou_s_and_shibei_s_own_2010_figures():
    sc = make_scenario({"population.scale": 200.0, "population.census": 2010, "period.start": "2010-11-01",
                        "period.end": "2011-12-31"})
    res = build_population(sc, Streams(1, 0)["population"])
    age, district = -res.view("birth_day") / DAYS_PER_YEAR, res.view("district")
    for name, young, old in (("jiaozhou", 15.83, 10.70), ("shibei", 10.28, 11.35)):
        here = age[district == DISTRICTS.index(name)]
        tolerance = 100.0 / len(here) * 1.01                               # one agent per group
        assert (here < 15).mean() * 100 == pytest.approx(young, abs=tolerance + 0.01), name
        assert (here >= 65).mean() * 100 == pytest.approx(old, abs=tolerance + 0.01), name
    heads = res.hh_head[: res.n_households]
    sizes = np.bincount(res.view("hh"), minlength=res.n_households)
    jiaozhou = (res.district[heads] == DISTRICTS.index("jiaozhou")) & ~res.hh_collective[: res.n_households]
    assert sizes[jiaozhou].mean() == pytest.approx(799600 / 266700, abs=0.02)                  # 3.00


@pytest.mark.parametrize(("census", "start"), [(2020, "2020-11-01"), (2010, "2010-11-01")])
def test_the_built_ages_within_65_plus_have_the_census_s_group_shares(census, start):
    """At scale 100, built on the census date (no ageing), the 80+ share of the 65+ is the table's (2020: the 2015
    sample's 22.60%, a proxy; 2010: the 2010 census's 21.76%) within four binomial standard errors, and the ages
    of 65 and over are drawn at the decline fitted to that census's table, not the other's."""
    groups = load_census()[f"census_{census}"]["age_65_plus_groups"]["groups"]
    expected = groups["80+"] / sum(groups.values())
    sc = make_scenario({"population.scale": 100.0, "population.census": census, "period.start": start})
    assert census_ageing_days(sc) == 0
    res = build_population(sc, Streams(sc.seed, 0)["population"])
    age = -res.view("birth_day") / DAYS_PER_YEAR
    old = age[age >= 65]
    assert len(old) > 8000
    share = (old >= 80).mean()
    assert share == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / len(old)))
    # the pool a district without its own ages draws from: the census's fit, not the other census's
    mine, other = (fitted_old_age_decline(census), fitted_old_age_decline({2020: 2010, 2010: 2020}[census]))
    pool = age_pool(200_000, np.random.default_rng(5), census=census)
    assert np.array_equal(pool, age_pool(200_000, np.random.default_rng(5), mine, census=census))
    assert not np.array_equal(pool, age_pool(200_000, np.random.default_rng(5), other, census=census))


def test_an_old_age_decline_given_draws_the_same_ages_as_before_the_fit():
    """A scenario's own value is used as it was (0.08 was the default until the fit): the same draws, and a steeper
    decline leaves fewer residents over 80."""
    sc = make_scenario({"population.scale": 2000.0, "population.old_age_decline_per_year": 0.08})
    steep = make_scenario({"population.scale": 2000.0, "population.old_age_decline_per_year": 0.16})
    ages = -build_population(sc, Streams(1, 0)["population"]).view("birth_day") / DAYS_PER_YEAR
    steep_ages = -build_population(steep, Streams(1, 0)["population"]).view("birth_day") / DAYS_PER_YEAR
    pool = age_pool(1000, np.random.default_rng(3), 0.08)
    years = np.arange(65, 101)
    weights = np.exp(-0.08 * (years - 65))       # the draw as written before the fit
    rng = np.random.default_rng(3)
    counts = largest_remainder(np.array([g[0] for g in age_groups(2020)]), 1000)
    parts = [rng.integers(0, 15, counts[0]) + rng.random(counts[0]), rng.integers(15, 60, counts[1]) + rng.random(
        counts[1]), rng.integers(60, 65, counts[2]) + rng.random(counts[2])]
    parts.append(rng.choice(years, size=counts[3], p=weights / weights.sum()) + rng.random(counts[3]))
    assert np.array_equal(pool, np.concatenate(parts))
    assert (steep_ages >= 80).mean() < 0.6 * (ages >= 80).mean()
