"""The plan's places as sub-zones of their districts (issue 16, item 5): the data file, the residents' place, the
place table of a run folder, the new-town lever acting on its places, and bad input."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from sim import cli
from sim.core.catalogue import INDICATOR_NAMES
from sim.core.codes import PRESENT
from sim.core.districts import DISTRICTS, ZONES
from sim.data import load_places
from sim.kernel.places import (
    PLACE_COORDINATES,
    PLACE_DISTRICT,
    PLACE_INDICATORS,
    PLACE_KIND,
    PLACES,
    PlaceChoice,
    zone_shares,
)
from sim.model import Model
from sim.output.formats import PLACES_TABLE
from sim.output.run_folder import place_rows, timeseries_rows, write_run
from sim.policy import new_town_development
from sim.policy.new_town_development import UPGRADED
from tests.conftest import make_scenario

ROOT = Path(__file__).resolve().parents[1]
BASE = {"population.scale": 1000.0, "seed": 21, "period.end": "2022-12-31"}
NT = "policies.new_town_development"
POPULATION, URBAN, IN_SITU = (PLACE_INDICATORS.index(n) for n in ("population", "urbanization_rate",
                                                                   "in_situ_urbanization"))


def model(settings=None, replication=0, **kwargs) -> Model:
    return Model(make_scenario({**BASE, **(settings or {})}), replication, **kwargs)


# -- the data file ---------------------------------------------------------------------------------


def test_every_place_has_a_district_a_kind_and_a_seat_inside_qingdao():
    data = load_places()
    assert data["source"].strip()
    for place in PLACES:
        entry = data["places"][place]
        assert entry["district"] in DISTRICTS and entry["zh"]
        assert PLACE_KIND[place] in ("new_market_town", "outer_new_city", "county_town")
        lon, lat = PLACE_COORDINATES[place]
        assert 119.5 <= lon <= 121.0 and 35.5 <= lat <= 37.1, place     # Qingdao's bounding box


def test_the_plans_twelve_towns_and_two_outer_new_cities_are_places():
    plan = (ROOT / "docs/sources/plan_zh.txt").read_text(encoding="utf-8")
    towns = re.search(r"高起点建设(.*?)等特色化发展的新市镇", plan).group(1).split("、")
    assert len(towns) == 12
    zh = {load_places()["places"][p]["zh"]: p for p in PLACES}
    for town in towns:
        matches = [p for name, p in zh.items() if name.startswith(town)]
        assert len(matches) == 1 and PLACE_KIND[matches[0]] == "new_market_town", town
    assert "董家口港城" in plan and "蓝谷海洋科学城" in plan
    assert {PLACE_KIND["dongjiakou"], PLACE_KIND["blue_valley"]} == {"outer_new_city"}
    assert DISTRICTS[PLACE_DISTRICT[PLACES.index("dongjiakou")]] == "xihaian"
    assert DISTRICTS[PLACE_DISTRICT[PLACES.index("blue_valley")]] == "jimo"


def test_the_lever_reads_its_places_from_the_data_file():
    assert not hasattr(new_town_development, "PLACES") or new_town_development.PLACES is PLACES  # one source
    assert set(UPGRADED) == {p for p in PLACES if PLACE_KIND[p] != "outer_new_city"}
    assert "pingdu_pole" in UPGRADED and "boli" in UPGRADED


# -- the place choice ------------------------------------------------------------------------------


def test_the_choice_draws_a_zones_places_at_their_shares_and_the_pull_tilts_it():
    shares = zone_shares(make_scenario({}).population.places)
    choice = PlaceChoice(shares)
    x = (np.arange(200_000) + 0.5) / 200_000
    pingdu = DISTRICTS.index("pingdu")
    for urban in (0, 1):
        got = choice.many(np.full(len(x), pingdu), np.full(len(x), urban, bool), x)
        for p in np.flatnonzero(PLACE_DISTRICT == pingdu):
            assert np.mean(got == p) == pytest.approx(shares[p, urban], abs=1e-4)
        assert set(np.unique(got).tolist()) <= {-1, *np.flatnonzero(PLACE_DISTRICT == pingdu).tolist()}
        assert all(choice.one(pingdu, urban, float(v)) == g for v, g in zip(x[::997], got[::997], strict=True))
    pole = PLACES.index("pingdu_pole")
    pull = np.ones(len(PLACES))
    pull[pole] = 3.0
    choice.set_pull(pull)
    got = choice.many(np.full(len(x), pingdu), np.ones(len(x), bool), x)
    s = shares[PLACE_DISTRICT == pingdu, 1]
    assert np.mean(got == pole) == pytest.approx(3 * shares[pole, 1] / (1 + 2 * shares[pole, 1]), abs=1e-4)
    assert np.mean(got == pole) > shares[pole, 1] and s.sum() < 1


# -- residents -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_run():
    m = model(check_invariants=True)
    result = m.run()
    return m, result


def _consistent(res) -> None:
    rows = np.flatnonzero((res.view("status") == PRESENT) & (res.view("place") >= 0))
    assert len(rows) > 0
    assert (res.district[rows] == PLACE_DISTRICT[res.place[rows]]).all()      # a place's residents live there
    present = np.flatnonzero(res.view("status") == PRESENT)
    hh, place = res.hh[present], res.place[present]
    order = np.lexsort((place, hh))
    hh, place = hh[order], place[order]
    same = hh[1:] == hh[:-1]
    assert (place[1:][same] == place[:-1][same]).all()        # a household lives in one place (or none)


def test_the_starting_residents_place_is_in_their_district_and_shared_by_their_household():
    m = model()
    _consistent(m.res)
    res = m.res
    shares = zone_shares(m.scenario.population.places)
    present = res.view("status") == PRESENT
    for p in (PLACES.index("pingdu_pole"), PLACES.index("boli")):
        d = PLACE_DISTRICT[p]
        for urban in (0, 1):
            zone = present & (res.view("district") == d) & (res.view("urban") == urban)
            assert np.mean(res.view("place")[zone] == p) == pytest.approx(shares[p, urban], abs=0.04)


def test_after_a_run_every_places_residents_live_in_its_district(baseline_run):
    m, _ = baseline_run
    _consistent(m.res)
    born = np.flatnonzero((m.res.view("birth_day") > 0) & (m.res.view("status") == PRESENT))
    mothers_place = m.res.place[m.res.hh_head[m.res.hh[born]]]
    assert (m.res.place[born] >= 0).any()                       # newborns inherit their household's place
    heads_present = m.res.status[m.res.hh_head[m.res.hh[born]]] == PRESENT
    assert (m.res.place[born][heads_present] == mothers_place[heads_present]).all()
    arrived = np.flatnonzero((m.res.view("arrival_day") > 0) & (m.res.view("status") == PRESENT))
    assert (m.res.place[arrived] >= 0).any()                    # arrivals settle in places too


def test_a_places_population_adds_up_within_its_district(baseline_run):
    _, result = baseline_run
    places = result.places
    assert places.shape == (len(result.dates), len(PLACES), len(PLACE_INDICATORS))
    population = result.values[:, :, INDICATOR_NAMES.index("population")]
    urban = result.values[:, :, INDICATOR_NAMES.index("urban_population")]
    for d, district in enumerate(DISTRICTS):
        inside = PLACE_DISTRICT == d
        z = ZONES.index(district)
        total = places[:, inside, POPULATION].sum(axis=1)
        assert (total <= population[:, z]).all()
        town_urban = np.nansum(places[:, inside, POPULATION] * places[:, inside, URBAN] / 100, axis=1)
        assert (town_urban <= urban[:, z] + 1e-6).all()
    assert (places[:, :, POPULATION] > 0).all()
    # the month's reclassified persons of a district's places are within its own
    in_situ = result.values[:, :, INDICATOR_NAMES.index("in_situ_urbanization")]
    for d, district in enumerate(DISTRICTS):
        assert (places[:, PLACE_DISTRICT == d, IN_SITU].sum(axis=1) <= in_situ[:, ZONES.index(district)]).all()


def test_the_district_tables_do_not_depend_on_the_places():
    """Places are drawn from their own stream and ride on the moves' spare uniforms: without any place the
    district tables are the same bytes."""
    none = {"population.places.rural_share_pct": dict.fromkeys(PLACES, 0.0),
            "population.places.urban_share_pct": dict.fromkeys(PLACES, 0.0)}
    a, b = model().run(), model(none).run()
    assert list(timeseries_rows([a])) == list(timeseries_rows([b]))
    assert (b.places[:, :, POPULATION] == 0).all() and (a.places[:, :, POPULATION] > 0).all()


# -- the new-town lever ----------------------------------------------------------------------------


def test_the_lever_speeds_reclassification_in_its_places_only():
    settings = {NT: {"districts": ["pingdu"], "pace_multiplier": 200.0, "migrant_pull_multiplier": 1.0,
                     "county_town_pull_multiplier": 1.0,
                     "upgrade_dates": {"nancun": "2021-03-01", "xinhe": "2021-03-01", "mingcun": "2021-03-01"}}}
    on = model(settings)
    result = on.run()
    base = model().run()
    towns = [PLACES.index(p) for p in ("nancun", "xinhe", "mingcun")]
    others = [p for p in range(len(PLACES)) if p not in towns]
    extra = result.places[:, :, IN_SITU].sum(axis=0) - base.places[:, :, IN_SITU].sum(axis=0)
    assert (extra[towns] > 0).all()
    assert result.places[:, towns, IN_SITU].sum() > 5 * base.places[:, towns, IN_SITU].sum()
    # elsewhere the reclassification keeps its pace: within noise of the baseline (the households differ a
    # little, as the towns' newly urban residents move and are replaced differently)
    assert abs(extra[others].sum()) <= 0.3 * base.places[:, others, IN_SITU].sum() + 10 * 1000.0
    # every resident the lever made urban lives in an upgraded town (a household that moves leaves it)
    res = on.res
    town_rows = np.flatnonzero(res.view("new_town") & (res.view("status") == PRESENT))
    assert len(town_rows) > 0 and np.isin(res.place[town_rows], towns).all()
    # the towns' urban share rises above the baseline's
    assert (result.places[-1, towns, URBAN] > base.places[-1, towns, URBAN] + 10).all()


def test_a_county_towns_services_pull_newcomers_to_it():
    gains = []
    for replication in range(2):
        settings = {NT: {"districts": ["laixi"], "pace_multiplier": 1.0, "migrant_pull_multiplier": 1.0,
                         "county_town_pull_multiplier": 4.0, "upgrade_dates": {"laixi_pole": "2021-01-01"}}}
        on, base = model(settings, replication).run(), model({}, replication).run()
        pole = PLACES.index("laixi_pole")
        gains.append(on.places[-1, pole, POPULATION] - base.places[-1, pole, POPULATION])
        # reclassification untouched: a county town's measure is services, not a faster pace
        assert on.values[:, :, INDICATOR_NAMES.index("new_town_share")].sum() == 0
    assert np.mean(gains) > 0


# -- the run folder --------------------------------------------------------------------------------


def test_the_run_folder_holds_the_place_table(tmp_path, baseline_run):
    m, result = baseline_run
    folder = write_run(m.scenario, [result], tmp_path)
    with (folder / PLACES_TABLE.file).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == PLACES_TABLE.columns
    assert {r["place"] for r in rows} == set(PLACES)
    assert {r["indicator"] for r in rows} == set(PLACE_INDICATORS)
    assert all(r["district"] == DISTRICTS[PLACE_DISTRICT[PLACES.index(r["place"])]] for r in rows)
    assert len(rows) == len(list(place_rows([result])))
    assert {r["date"] for r in rows} == set(result.dates)


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("population:\n  places:\n    rural_share_pct: {atlantis: 5}\n",
     ("population.places.rural_share_pct", "atlantis")),
    ("policies:\n  new_town_development:\n    upgrade_dates: {qingdao_pole: 2022-01-01}\n",
     ("policies.new_town_development.upgrade_dates", "qingdao_pole")),
    ("policies:\n  new_town_development:\n    upgrade_dates: {blue_valley: 2022-01-01}\n",
     ("policies.new_town_development.upgrade_dates", "blue_valley")),
    ("population:\n  places:\n    urban_share_pct: {pingdu_pole: 90, nancun: 20}\n",
     ("population.places.urban_share_pct", "pingdu", "100%")),
], ids=["unknown place", "unknown upgraded place", "outer new city not upgraded", "over 100%"])
def test_a_bad_place_in_a_scenario_exits_2_with_one_line_naming_the_field(capsys, tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n{text}", encoding="utf-8")
    code = cli.main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*"))


def test_a_place_may_be_named_in_chinese():
    scenario = make_scenario({"population.places.rural_share_pct": {"泊里": 11.0, "南村镇": 9.0}})
    assert scenario.population.places.rural_share_pct["boli"] == 11.0
    assert scenario.population.places.rural_share_pct["nancun"] == 9.0
