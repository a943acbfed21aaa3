"""The origin pool of arrivals (docs/model.md 7.8): its index by hand, its effect on the month's arrivals, its
switch-off, its validation, and the provenance of its default and of the baseline's path."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim import cli
from sim.core.calendar import ORIGIN_POOL_REFERENCE_YEAR
from sim.core.catalogue import INDICATOR_NAMES
from sim.core.districts import DISTRICTS
from sim.data import load_migration
from sim.kernel import arrivals
from sim.runner import run_once
from sim.scenario import ScenarioError, load_scenario, validate
from sim.scenario.schema import IN_MIGRATION
from tests.conftest import make_scenario
from tests.test_arrivals import stock

ROOT = Path(__file__).resolve().parents[1]
ELASTICITY = "behaviour.in_migration.origin_pool_elasticity"
CHANGE = "behaviour.in_migration.origin_pool_change_pct_per_year"
PATH = "behaviour.in_migration.origin_pool_change_pct_by_year"
#: the earliest back-test cut-off (docs/calibration.md: back-tests cut off at 2016-2018)
EARLIEST_CUTOFF = 2016


def in_migration(settings: dict | None = None):
    return make_scenario(settings).behaviour.in_migration


# -- the index by hand ----------------------------------------------------------------------------------------


def test_the_factor_is_exactly_one_in_the_reference_year():
    assert ORIGIN_POOL_REFERENCE_YEAR == 2020
    for settings in ({}, {CHANGE: -5.0, ELASTICITY: 2.0}, {PATH: {"2015": 3.0, "2020": -7.0, "2021": -2.0}}):
        m = in_migration(settings)
        assert arrivals.origin_pool_index(m, 2020) == 1.0
        assert arrivals.origin_pool_factor(m, 2020) == 1.0


def test_the_change_compounds_from_2020_in_both_directions():
    m = in_migration({CHANGE: -2.0})
    assert arrivals.origin_pool_index(m, 2018) == pytest.approx(1.0 / 0.98 ** 2, rel=1e-14)   # before: divides
    assert arrivals.origin_pool_index(m, 2019) == pytest.approx(1.0 / 0.98, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2021) == pytest.approx(0.98, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2023) == pytest.approx(0.98 ** 3, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2010) == pytest.approx(0.98 ** -10, rel=1e-14)


def test_the_elasticity_is_the_power_of_the_index():
    m = in_migration({CHANGE: -2.0, ELASTICITY: 1.5})
    assert arrivals.origin_pool_factor(m, 2023) == pytest.approx(0.98 ** 4.5, rel=1e-14)
    assert arrivals.origin_pool_factor(m, 2015) == pytest.approx(0.98 ** -7.5, rel=1e-14)


def test_a_year_path_overrides_the_constant_from_its_year_on():
    m = in_migration({CHANGE: -2.0, PATH: {"2022": -5.0, "2024": 1.0}})
    assert arrivals.origin_pool_change_pct_in(m, 2021) == -2.0
    assert [arrivals.origin_pool_change_pct_in(m, y) for y in (2022, 2023, 2024, 2030)] == [-5.0, -5.0, 1.0, 1.0]
    assert arrivals.origin_pool_index(m, 2021) == pytest.approx(0.98, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2023) == pytest.approx(0.98 * 0.95 ** 2, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2025) == pytest.approx(0.98 * 0.95 ** 2 * 1.01 ** 2, rel=1e-14)
    assert arrivals.origin_pool_index(m, 2017) == pytest.approx(0.98 ** -3, rel=1e-14)   # years before: the constant
    # a path year before 2020 changes the backcast's years from it on, and 2020's own step: 2014 is 2015's
    # step (-2%) and 2016-2020's (+1% each) below 2020
    back = in_migration({CHANGE: -2.0, PATH: {"2016": 1.0}})
    assert arrivals.origin_pool_index(back, 2014) == pytest.approx(1.0 / (0.98 * 1.01 ** 5), rel=1e-14)
    assert arrivals.origin_pool_index(back, 2021) == pytest.approx(1.01, rel=1e-14)


def test_the_default_factors():
    """The defaults (-1.79% a year) and the baseline's path (-2.76% a year from 2021), as docs/model.md 7.8 gives
    them."""
    m = in_migration()
    assert [round(arrivals.origin_pool_factor(m, y), 3) for y in (2010, 2015, 2020, 2021, 2023)] == \
        [1.198, 1.095, 1.0, 0.982, 0.947]
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml").behaviour.in_migration
    assert [round(arrivals.origin_pool_factor(base, y), 3) for y in (2010, 2015, 2020, 2021, 2022, 2023)] == \
        [1.198, 1.095, 1.0, 0.972, 0.946, 0.919]


# -- the month's arrivals -------------------------------------------------------------------------------------


def draw_years(settings: dict, years: range, seed: int = 7) -> int:
    """Households arriving over ``years`` to a fixed city of 100,000 residents, one draw a year from one stream."""
    s = make_scenario(settings)
    table = stock({DISTRICTS.index("shinan"): (0, 60000), DISTRICTS.index("pingdu"): (20000, 20000)})
    rng = np.random.default_rng(seed)
    return sum(len(arrivals.draw_base(rng, s.behaviour.in_migration, s.population, table, 0.0, 365.25, year))
               for year in years)


def test_a_shrinking_pool_gives_fewer_arrivals_by_the_factor():
    """-5% a year against a flat pool over 2021-2030, the same seed: the expected ratio is the mean factor,
    sum_y 0.95^(y - 2020) / 10 = 0.7623; the counts are Poisson (about 17,000 households flat), so the ratio is
    within 4 standard deviations of it."""
    years = range(2021, 2031)
    flat = draw_years({CHANGE: 0.0}, years)
    shrinking = draw_years({CHANGE: -5.0}, years)
    expected = sum(0.95 ** (y - 2020) for y in years) / len(years)
    sd = expected * math.sqrt(1.0 / flat + 1.0 / shrinking)
    assert shrinking < flat
    assert abs(shrinking / flat - expected) < 4 * sd, (shrinking / flat, expected, sd)


def test_a_shrinking_pool_gives_fewer_arrivals_over_a_run():
    """The whole model, 2021-2022, the same seed: fewer arrivals in the city (zone 0) with the pool shrinking."""
    settings = {"population.scale": 2000.0, "period.end": "2022-12-31", "outputs.plots": False}
    j = INDICATOR_NAMES.index("in_migration")
    totals = [float(run_once(make_scenario({**settings, CHANGE: change}), 0, threads=1).values[:, 0, j].sum())
              for change in (0.0, -5.0)]
    assert totals[1] < totals[0]


def test_at_elasticity_zero_the_pool_is_skipped(monkeypatch):
    """Not computed at all (so not a multiplication by a factor that happens to be 1), whatever its settings: the
    draws are those of a run without a pool (the golden variant 'baseline.yaml without the origin pool' holds
    their bytes)."""
    table = stock({DISTRICTS.index("shinan"): (0, 6000), DISTRICTS.index("pingdu"): (2000, 2000)})

    def batch(settings):
        s = make_scenario(settings)
        return arrivals.draw_base(np.random.default_rng(3), s.behaviour.in_migration, s.population, table, 0.0,
                                  3652.5, 2030)

    plain = batch({ELASTICITY: 0.0})

    def refuse(*args):
        raise AssertionError("the origin pool was computed at elasticity 0")

    monkeypatch.setattr(arrivals, "origin_pool_index", refuse)
    off = batch({ELASTICITY: 0.0, CHANGE: -40.0, PATH: {"2025": 30.0}})
    assert arrivals.origin_pool_factor(make_scenario({ELASTICITY: 0.0}).behaviour.in_migration, 2030) == 1.0
    for name in ("times", "sizes", "district", "urban", "age", "female", "talent", "employed", "flexible"):
        assert np.array_equal(getattr(plain, name), getattr(off, name)), name


def test_the_pool_draws_nothing_from_the_streams():
    """The factor only scales the Poisson mean: with the same count the same draws follow (a pool of exactly the
    same size as a flat one gives the same batch), so the arrivals stream keeps its order."""
    table = stock({DISTRICTS.index("shinan"): (0, 6000)})
    s_flat = make_scenario({CHANGE: 0.0})
    s_pool = make_scenario({CHANGE: -3.0})
    a = arrivals.draw_base(np.random.default_rng(5), s_flat.behaviour.in_migration, s_flat.population, table, 0.0,
                           365.25, 2021)
    b = arrivals.draw_base(np.random.default_rng(5), s_pool.behaviour.in_migration, s_pool.population, table, 0.0,
                           365.25, 2020)              # 2020: the factor is exactly 1
    assert np.array_equal(a.times, b.times) and np.array_equal(a.age, b.age)


# -- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "value", "field", "match"), [
    (ELASTICITY, 3.0, ELASTICITY, r"between 0 and 2, got 3"),
    (ELASTICITY, -0.5, ELASTICITY, r"between 0 and 2, got -0.5"),
    (ELASTICITY, "lots", ELASTICITY, r"expected a number"),
    (CHANGE, -60.0, CHANGE, r"between -50 and 50, got -60"),
    (PATH, {"2022": -70.0}, PATH + ".2022", r"between -50 and 50, got -70"),
    (PATH, {"20x1": 1.0}, PATH, r"a year"),
    (PATH, [2021, -2.0], PATH, r"expected a mapping"),
])
def test_a_bad_value_is_refused_naming_the_field(setting, value, field, match):
    data: dict = {"behaviour": {"in_migration": {setting.rsplit(".", 1)[1]: value}}}
    with pytest.raises(ScenarioError, match=match) as info:
        validate(data)
    assert info.value.field == field
    assert "\n" not in str(info.value)


def test_a_bad_value_on_the_command_line_exits_2(capsys, tmp_path):
    code = cli.main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--set", f"{ELASTICITY}=2.5",
                     "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and ELASTICITY in err and "between 0 and 2" in err, err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))


# -- provenance -----------------------------------------------------------------------------------------------


def pool_data() -> dict:
    return load_migration()["origin_pool"]


def census(year: int) -> dict:
    (entry,) = [c for c in pool_data()["censuses"] if c["year"] == year]
    return entry


def change_pct(first: int, last: int) -> float:
    return 100.0 * ((census(last)["rural"] / census(first)["rural"]) ** (1.0 / (last - first)) - 1.0)


def test_the_default_is_derived_only_from_data_dated_2010_or_before():
    """The entries the default change uses describe 2010 or earlier and were published before the earliest
    back-test cut-off; the schema's default is their change, rounded."""
    default = pool_data()["default_change"]
    assert default["uses"] == [2000, 2010]
    for year in default["uses"]:
        entry = census(year)
        assert entry["year"] <= 2010
        assert entry["published"].year < EARLIEST_CUTOFF
        assert "for_forecasts_from" not in entry
        for key in ("publisher", "title", "url", "quote"):
            assert entry[key], (year, key)
    value = round(change_pct(*default["uses"]), 2)
    assert value == default["change_pct_per_year"] == IN_MIGRATION.fields["origin_pool_change_pct_per_year"].default
    assert value == -1.79


def test_the_later_data_is_marked_for_forecasts_and_used_only_from_2021():
    forecast = pool_data()["forecast_change"]
    later = [c for c in pool_data()["censuses"] if c["year"] > 2010]
    assert later and all(c["for_forecasts_from"] == 2021 for c in later)
    assert forecast["from_year"] == 2021 and forecast["uses"] == [2010, 2020]
    assert round(change_pct(*forecast["uses"]), 2) == forecast["change_pct_per_year"] == -2.76
    for name in ("baseline.yaml", "plan_2021_2023.yaml"):
        path = dict(load_scenario(ROOT / "scenarios" / name).behaviour.in_migration.origin_pool_change_pct_by_year)
        assert path == {"2021": forecast["change_pct_per_year"]}, name
    # the backcast inherits the path but never reaches it; the schema's default has no path
    backcast = load_scenario(ROOT / "scenarios" / "backcast_2010_2020.yaml")
    assert backcast.period.end.year < forecast["from_year"]
    assert IN_MIGRATION.fields["origin_pool_change_pct_by_year"].default == {}


def test_the_censuses_agree_with_each_other():
    """The 2000 figure is the 2010 bulletin's rural population plus its fall; the 2020 bulletin's fall leads back
    to the 2010 figure."""
    assert census(2000)["rural"] == 674149546 + 133237289
    assert census(2020)["rural"] + 164361984 == census(2010)["rural"]
