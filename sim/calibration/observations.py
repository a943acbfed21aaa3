"""What Qingdao actually did, as the model's indicators on dates: the targets of calibration and back-tests.

From ``sim/data/census.yaml`` (each figure with its source there):

- the 2020 census (reference date 2020-11-01, compared with the model's record
  of 2020-10-31, the last day of the backcast): total population, the
  urbanization rate, and the ten district populations;
- the statistical yearly estimates of 2014-2019 (year end), **only where they
  agree with the censuses**: an urbanization rate is used when it lies within
  ``CONSISTENT_PP`` (1.5 points) of the straight line from the 2010 to the
  2020 census; 2015-2018 are (1.3, 0.8, 0.8 and 0.7 points below it), 2014 is
  not (1.8 below). The yearly population estimates are not used: the 2020
  census revised the level up by about 6% (2019: 9.50 million, 2020: 10.07
  million; census.yaml's note), so they would pull the fit away from both
  censuses.

That screen uses the 2020 census, which nobody had before November 2020. What
a back-test with an earlier cut-off may see is what was published by then
(``observations(known_by=year)``): the 2010 census and every yearly estimate up
to the cut-off as published, urbanization rates and the populations that are
not derived, with no screen (nothing known then contradicted them); never the
2020 census nor anything chosen with it.

Each observation carries a scale ``sd`` for the objective: the accuracy one
may ask of the model on it (an assumption, stated in docs/calibration.md),
so that rates in points and populations in persons add up sensibly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.districts import CITY, DISTRICTS
from ..data import load_census

#: a yearly urbanization estimate is used when within this many points of the census-to-census line
CONSISTENT_PP = 1.5
#: objective scales (assumptions): half a point of urbanization, 1% of the city, 3% of a district
SD_RATE_PP = 0.5
SD_CITY_SHARE = 0.01
SD_DISTRICT_SHARE = 0.03


@dataclass(frozen=True)
class Observation:
    name: str            # e.g. "census_2020:population:qingdao"
    date: dt.date        # the model record compared with it (a month end)
    zone: str
    indicator: str
    value: float
    sd: float
    source: str

    @property
    def year(self) -> int:
        return self.date.year


def _census_line(census: dict, year_end: dt.date) -> float:
    """The urbanization rate on a straight line between the 2010 and 2020 censuses."""
    a, b = census["census_2010"], census["census_2020"]
    t0 = dt.date.fromisoformat(str(a["reference_date"]))
    t1 = dt.date.fromisoformat(str(b["reference_date"]))
    share = (year_end - t0).days / (t1 - t0).days
    return a["urbanization_rate_pct"] + share * (b["urbanization_rate_pct"] - a["urbanization_rate_pct"])


#: the last year whose figures were all published before the 2020 census's results (May 2021): a cut-off
#: before it cannot have seen that census
CENSUS_2020_KNOWN_FROM = 2020


def observations(known_by: int | None = None) -> tuple[Observation, ...]:
    """Every usable observation, in date order, as a modeller knowing the data published up to the year
    ``known_by`` would choose them (None: everything known today)."""
    census = load_census()
    if known_by is not None and known_by < CENSUS_2020_KNOWN_FROM:
        return _published_by(census, known_by)
    c = census["census_2020"]
    date = dt.date.fromisoformat(str(c["reference_date"])) - dt.timedelta(days=1)
    out = []
    for row in census["yearly_estimates"]["series"]:
        rate = row.get("urbanization_rate_pct")
        year_end = dt.date(row["year"], 12, 31)
        if rate is None or abs(rate - _census_line(census, year_end)) > CONSISTENT_PP:
            continue
        out.append(_estimate(census, row, "urbanization_rate", float(rate), SD_RATE_PP))
    out.append(Observation(f"census_2020:population:{CITY}", date, CITY, "population", float(c["total"]),
                           SD_CITY_SHARE * c["total"], c["source"]))
    out.append(Observation(f"census_2020:urbanization_rate:{CITY}", date, CITY, "urbanization_rate",
                           float(c["urbanization_rate_pct"]), SD_RATE_PP, c["source"]))
    for d in DISTRICTS:
        value = float(c["districts"][d]["population"])
        out.append(Observation(f"census_2020:population:{d}", date, d, "population", value,
                               SD_DISTRICT_SHARE * value, c["districts_source"]))
    return tuple(sorted(out, key=lambda o: (o.date, o.name)))


def _published_by(census: dict, year: int) -> tuple[Observation, ...]:
    """The yearly estimates of ``year`` or earlier as published: every urbanization rate, and every population
    not derived by us (a row's ``derived`` names what was computed)."""
    out = []
    for row in census["yearly_estimates"]["series"]:
        if row["year"] > year:
            continue
        if row.get("urbanization_rate_pct") is not None:
            out.append(_estimate(census, row, "urbanization_rate", float(row["urbanization_rate_pct"]), SD_RATE_PP))
        derived = row.get("derived")
        if row.get("population_wan") is not None and derived not in (True, "population"):
            persons = float(row["population_wan"]) * 10_000
            out.append(_estimate(census, row, "population", persons, SD_CITY_SHARE * persons))
    return tuple(sorted(out, key=lambda o: (o.date, o.name)))


def _estimate(census: dict, row: dict, indicator: str, value: float, sd: float) -> Observation:
    return Observation(f"estimate_{row['year']}:{indicator}:{CITY}", dt.date(row["year"], 12, 31), CITY, indicator,
                       value, sd, census["yearly_estimates"]["source"])


def known_then_and_after(year: int | None) -> tuple[Observation, ...]:
    """What a fit with the cut-off ``year`` may use (``observations(known_by=year)`` up to ``year``) and what
    judges it (every observation known today after ``year``), in date order."""
    if year is None:
        return observations()
    fit = until(observations(known_by=year), year)
    later = tuple(o for o in observations() if o.year > year)
    return tuple(sorted(fit + later, key=lambda o: (o.date, o.name)))


def until(observations_: tuple[Observation, ...], year: int | None) -> tuple[Observation, ...]:
    """The observations of ``year`` or earlier (all when ``year`` is None)."""
    return tuple(o for o in observations_ if year is None or o.year <= year)


def within(observations_: tuple[Observation, ...], scenario) -> tuple[Observation, ...]:
    """The observations a run of ``scenario`` can be compared with (dated inside its records)."""
    first = scenario.period.start - dt.timedelta(days=1)
    return tuple(o for o in observations_ if first <= o.date <= scenario.period.end)
