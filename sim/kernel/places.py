"""The plan's places as sub-zones of their districts: which residents live in one, and where newcomers settle.

A place (sim/data/places.yaml: the twelve new-market towns, the two outer new cities, the two growth poles'
county towns) is a part of one district; a resident's ``place`` is its index in ``PLACES`` or -1 (none). No
population by 镇/街道 of the 2020 census was found (docs/sources/places_search.yaml), so each place holds an
assumed share of its district's rural and of its urban residents (``population.places``, scenario
parameters): at the build, each household is drawn into a place of its zone (district, urban part) with those
shares, from the ``places`` stream alone (one uniform per household), so the other streams' draws and every
district table keep their bytes.

Newcomers to a zone (an arriving household, a household moving into a district's urban or rural part) settle
in a place of it with probability ``s_p w_p / (1 - S + sum_q s_q w_q)``: ``s_p`` the place's starting share
of the zone's residents, ``S`` their sum over the zone's places and ``w_p`` the place's pull (1 in the
baseline; the levers' ``place_pull``, the new-town lever's services and facilities): the gravity rule of the
arrivals' choice of district (``kernel.arrivals``) applied inside the district. The district's own weight as
a destination then carries the same factor ``1 - S + sum_q s_q w_q`` (``district_pull``), so that a place's
pull adds to its district's. A household keeps its place as long as it stays in its zone (births inherit the
mother's, household members share the head's) and leaves it when it moves to another zone.

Jobs: a place has no jobs of its own yet (the jobs model is being built apart); ``district_pull`` is where a
place's jobs would enter the choice.
"""

from __future__ import annotations

import numpy as np

from ..core.codes import PRESENT
from ..core.districts import DISTRICTS
from ..core.streams import keyed_uniform_pair
from ..data import load_places

_DATA = load_places()["places"]
#: the places in the data file's order; a resident's ``place`` is an index into it (-1 none)
PLACES: tuple[str, ...] = tuple(_DATA)
#: each place's Chinese name, district index, kind and seat coordinates (lon, lat)
PLACE_ZH: dict[str, str] = {p: _DATA[p]["zh"] for p in PLACES}
PLACE_DISTRICT = np.array([DISTRICTS.index(_DATA[p]["district"]) for p in PLACES], np.int8)
PLACE_KIND: dict[str, str] = {p: _DATA[p]["kind"] for p in PLACES}
PLACE_COORDINATES: dict[str, tuple[float, float]] = {p: (float(_DATA[p]["lon"]), float(_DATA[p]["lat"]))
                                                     for p in PLACES}
#: other names a scenario may use for a place: its Chinese name, with or without 镇/街道 (泊里 for ``boli``)
PLACE_ALIASES: dict[str, str] = {
    **{zh: p for p, zh in PLACE_ZH.items()},
    **{zh.removesuffix("镇").removesuffix("街道"): p for p, zh in PLACE_ZH.items()},
}
NO_PLACE = -1
#: places in one zone at most (a district's places): the width of the thresholds table
MAX_PER_DISTRICT = int(np.bincount(PLACE_DISTRICT, minlength=len(DISTRICTS)).max())
#: the indicators of ``places.csv``, in order
PLACE_INDICATORS = ("population", "urbanization_rate", "in_situ_urbanization")


def zone_shares(settings) -> np.ndarray:
    """Each place's starting share of its district's rural (column 0) and urban (column 1) residents, from
    the scenario's ``population.places``."""
    return np.array([[settings.rural_share_pct[p] / 100.0, settings.urban_share_pct[p] / 100.0]
                     for p in PLACES])


class PlaceChoice:
    """Where a newcomer to a zone settles: cumulative thresholds by (district, urban) over its places.

    ``thresholds[d, u, k]`` is the probability of settling in one of the zone's first ``k + 1`` places and
    ``ids[d, u, k]`` the place (-1 past the zone's places, with threshold 0); a uniform ``x`` names the first
    ``k`` with ``x < thresholds[d, u, k]``, or none.
    """

    def __init__(self, shares: np.ndarray) -> None:
        self.shares = shares
        n_d = len(DISTRICTS)
        self.ids = np.full((n_d, 2, MAX_PER_DISTRICT), NO_PLACE, np.int8)
        self.thresholds = np.zeros((n_d, 2, MAX_PER_DISTRICT))
        self.pull = np.ones(len(PLACES))
        slot = np.zeros(n_d, np.int64)
        self._slot = np.zeros(len(PLACES), np.int64)
        for p, d in enumerate(PLACE_DISTRICT.tolist()):
            self._slot[p] = slot[d]
            self.ids[d, :, slot[d]] = p
            slot[d] += 1
        self.set_pull(None)

    def set_pull(self, pull: np.ndarray | None) -> None:
        """Take the places' pull (None: 1 everywhere) and recompute the thresholds."""
        self.pull = np.ones(len(PLACES)) if pull is None else np.asarray(pull, float)
        weight = self.shares * self.pull[:, None]                          # (places, 2)
        total = 1.0 - np.zeros((len(DISTRICTS), 2))
        np.add.at(total, PLACE_DISTRICT, weight - self.shares)
        self.thresholds[:] = 0.0
        for p, d in enumerate(PLACE_DISTRICT.tolist()):
            self.thresholds[d, :, self._slot[p]] = weight[p] / total[d]
        self.thresholds = np.cumsum(self.thresholds, axis=2) * (self.ids >= 0)
        #: each district's weight factor as a destination of arrivals (its residents' mean pull)
        self.district_factor = total.mean(axis=1)
        self._lists = (self.thresholds.tolist(), self.ids.tolist())

    def district_pull(self) -> np.ndarray | None:
        """The factor on each district's weight as a destination that its places' pull adds (None: none)."""
        if (self.pull == 1.0).all():
            return None
        return self.district_factor

    def one(self, district: int, urban: int, x: float) -> int:
        """The place a newcomer to (``district``, ``urban``) settles in for the uniform ``x`` (O(places of a
        district)): the handlers' scalar path."""
        thresholds, ids = self._lists[0][district][urban], self._lists[1][district][urban]
        for k in range(MAX_PER_DISTRICT):
            if ids[k] < 0:
                break
            if x < thresholds[k]:
                return ids[k]
        return NO_PLACE

    def many(self, district: np.ndarray, urban: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``one`` for arrays."""
        district, urban = district.astype(np.int64), urban.astype(np.int64)
        below = x[:, None] < self.thresholds[district, urban]               # (n, places)
        first = np.argmax(below, axis=1)
        found = below[np.arange(len(x)), first]
        return np.where(found, self.ids[district, urban, first], NO_PLACE).astype(np.int8)


def assign_at_build(res, shares: np.ndarray, rng: np.random.Generator) -> None:
    """Give each household of the starting population a place of its zone (or none), one uniform per
    household from ``rng`` (the ``places`` stream); its members share it."""
    n_hh = res.n_households
    if n_hh == 0 or not shares.any():
        return
    x = rng.random(n_hh)
    heads = res.hh_head[:n_hh]
    choice = PlaceChoice(shares)
    place = choice.many(res.district[heads], res.urban[heads], x)
    res.place[: res.n] = place[res.hh[: res.n]]


def assign_arrivals(res, choice: PlaceChoice, first_rows: np.ndarray, key: int, day: float) -> None:
    """Settle arriving households (``first_rows``, their first members) in a place of their zone: one uniform
    per household keyed by (``key``, household, ``day``), so no other stream's draws change."""
    if len(first_rows) == 0:
        return
    households = res.hh[first_rows]
    x, _ = keyed_uniform_pair(key, households, np.full(len(households), int(day)))
    place = choice.many(res.district[first_rows], res.urban[first_rows], x)
    if not (place >= 0).any():
        return
    rows, owner = res.linked_members(first_rows)
    res.place[rows] = place[owner]


def place_counts(res, begin: int, end: int) -> np.ndarray:
    """Present residents by (place, urban) over rows ``begin:end`` (flattened, ``2 * len(PLACES)``): integers,
    so passes add."""
    rows = np.flatnonzero(res.place[begin:end] >= 0) + begin
    rows = rows[res.status[rows] == PRESENT]
    return np.bincount(res.place[rows].astype(np.int64) * 2 + res.urban[rows],
                       minlength=2 * len(PLACES)).astype(np.int64)


def place_values(res, map_, in_situ: np.ndarray, scale: float, chunk: int) -> np.ndarray:
    """The month-end indicators of every place (``PLACE_INDICATORS``): persons, the urban share (%, NaN with
    nobody) and the persons reclassified urban in the month (``in_situ``, agents), from passes of ``chunk`` rows
    handed to ``map_`` (integer counts: the same sums in any order)."""
    counts = sum(map_(lambda begin: place_counts(res, begin, min(begin + chunk, res.n)), range(0, res.n, chunk)),
                 np.zeros(2 * len(PLACES), np.int64)).reshape(len(PLACES), 2)
    population = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        urban = np.where(population > 0, 100.0 * counts[:, 1] / np.maximum(population, 1), np.nan)
    return np.stack([population * scale, urban, in_situ * scale], axis=1)
