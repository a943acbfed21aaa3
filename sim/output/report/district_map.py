"""The district map: a choropleth of the ten districts drawn from the shipped boundaries with matplotlib alone
(no GIS stack, no download; sim/data/district_boundaries.json with its source and licence).

Longitude is scaled by the cosine of Qingdao's latitude (an equirectangular projection, true to scale at the
city's centre), which is enough for a city 150 km across. Each district is labelled with its value; a district
without a value is hatched grey, never coloured as if it were zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ...core.districts import DISTRICTS
from ...data import load_boundaries, load_places
from ..formats import fmt_human
from . import fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: the latitude the projection is true at (Qingdao's centre, degrees)
LATITUDE_DEG = 36.3
#: the districts' short Chinese names on the map (the full names are in the legend of the other charts)
SHORT_ZH = {"shinan": "市南", "shibei": "市北", "licang": "李沧", "laoshan": "崂山", "xihaian": "西海岸",
            "chengyang": "城阳", "jimo": "即墨", "jiaozhou": "胶州", "pingdu": "平度", "laixi": "莱西"}
#: the small central districts' labels, out at sea with a leader line to the district (lon, lat)
_LABEL_OFFSHORE = {"shinan": (120.52, 35.93), "shibei": (120.18, 36.02), "licang": (120.22, 36.16)}


def rings(district: str) -> list[np.ndarray]:
    """The district's outer rings, (x, y) with x = longitude x cos(latitude)."""
    scale = math.cos(math.radians(LATITUDE_DEG))
    return [np.asarray(r, float) * (scale, 1.0) for r in load_boundaries()["districts"][district]]


def label_point(district: str) -> tuple[float, float]:
    """The centroid of the district's largest ring, where its value is written (or its leader line points)."""
    ring = max(rings(district), key=_area)
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    return float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)), float(((y + np.roll(y, -1)) * cross).sum() / (6 * a))


#: each kind of place's marker on the map
PLACE_MARKERS = {"new_market_town": ("^", "new-market town", "新市镇"),
                 "outer_new_city": ("*", "outer new city", "新城"), "county_town": ("s", "county town", "县城")}


def places_on_map() -> tuple[dict[str, tuple[float, float, str]], list[str]]:
    """The plan's places to draw, ``name -> (x, y, kind)``, and the names left out: a place is drawn only where
    its coordinates (an approximation, sim/data/places.yaml) fall inside its own district's boundary, so that no
    town is shown in the wrong district."""
    from matplotlib.path import Path as Ring

    scale = math.cos(math.radians(LATITUDE_DEG))
    drawn, left_out = {}, []
    for name, place in load_places()["places"].items():
        point = (place["lon"] * scale, place["lat"])
        if any(Ring(ring).contains_point(point) for ring in rings(place["district"])):
            drawn[name] = (point[0], point[1], place["kind"])
        else:
            left_out.append(name)
    return drawn, left_out


def draw_places(ax: Axes) -> None:
    """The plan's places as markers by kind, with a legend and a note of those left out."""
    drawn, left_out = places_on_map()
    for kind, (marker, en, zh) in PLACE_MARKERS.items():
        points = [(x, y) for x, y, k in drawn.values() if k == kind]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.scatter(xs, ys, marker=marker, s=28, c="#212121", edgecolors="white", linewidths=0.5, zorder=3,
                       label=fonts.label(en, zh))
    if drawn:
        ax.legend(loc="lower right", fontsize=6, frameon=False)
    if left_out:
        ax.text(0.0, 0.0, f"{len(left_out)} place(s) not drawn: coordinates to verify", transform=ax.transAxes,
                fontsize=6, color="#616161", va="bottom")


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def choropleth(ax: Axes, values: Mapping[str, float], title: str, unit: str, diverging: bool = False,
               digits: int | None = 1, places: bool = False) -> None:
    """Colour each district by ``values`` (NaN or absent: hatched grey) on ``ax``, with a colour bar in ``unit``.
    ``diverging``: a blue-red scale centred on zero (changes), else a sequential one (levels). Values are
    written with ``digits`` decimals (None: as counts, 12,300). ``places``: the plan's places drawn too."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize, TwoSlopeNorm
    from matplotlib.patches import Polygon
    from matplotlib.ticker import FuncFormatter

    shown = np.array([values.get(d, math.nan) for d in DISTRICTS], float)
    have = ~np.isnan(shown)
    if diverging:
        reach = float(np.nanmax(np.abs(shown))) if have.any() else 1.0
        reach = reach if reach > 0 else 1.0
        norm: Normalize = TwoSlopeNorm(0.0, -reach, reach)
        cmap = colormaps["RdBu_r"]
    else:
        low, high = (float(np.nanmin(shown)), float(np.nanmax(shown))) if have.any() else (0.0, 1.0)
        norm = Normalize(low, high if high > low else low + 1.0)
        cmap = colormaps["YlGnBu"]
    for district, value in zip(DISTRICTS, shown, strict=True):
        known = not math.isnan(value)
        for ring in rings(district):
            ax.add_patch(Polygon(ring, closed=True, facecolor=cmap(norm(value)) if known else "#e0e0e0",
                                 edgecolor="white", linewidth=0.8, hatch=None if known else "///"))
        sign = "+" if diverging and known and value > 0 else ""
        number = ("n/a" if not known else sign + fmt_human(value) if digits is None
                  else f"{sign}{value:.{digits}f}")
        text = f"{SHORT_ZH[district] if fonts.cjk_font() else district}\n{number}"
        at = label_point(district)
        offshore = _LABEL_OFFSHORE.get(district)
        where = (offshore[0] * math.cos(math.radians(LATITUDE_DEG)), offshore[1]) if offshore else at
        ax.annotate(text, at, xytext=where, ha="center", va="center", fontsize=7,
                    arrowprops={"arrowstyle": "-", "lw": 0.6, "color": "#424242"} if offshore else None,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    if places:
        draw_places(ax)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7, pad=0.02)
    bar.set_label(unit, fontsize=8)
    if digits is None:
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_human(v)))
