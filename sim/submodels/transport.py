"""Transport: rail in operation, public parking built and planned, new roads, and public transport's share
of motorized trips from a mode-choice model.

Rail kilometres follow the dated line openings (a step on the opening day).
Parking has two schedules: the spaces PLANNED (announced programmes) and the
spaces known to be BUILT (published completions); past the last published
completion, built spaces follow the planned ones at an assumed delivery
share, so built never exceeds planned and the plan's "10,000 new spaces" is
scored on built spaces only. Road kilometres follow a cumulative schedule.

The public-transport share is a multinomial logit of bus, rail and car (other
motorized trips) whose utilities move with the logarithm of each driver's
index (its value over the start's):

    V_bus  = ln(bus0)  + b_bus  * ln(buses)  + b_den * ln(density)
    V_rail = ln(rail0) + b_rail * ln(km)     + b_den * ln(density)
    V_car  = ln(car0)  + b_car  * ln(cars per 1000 residents)

so the shares at the start are the assumed 2020 ones exactly (the constants
are calibrated to them), and each coefficient is an elasticity of that mode's
trips at the start's shares divided by one minus its share (the logit's own
elasticity, b * (1 - s)). Density is the agents' urban residents over a
built-up area that grows at its own pace: urbanization that fills the city
raises the share, none of it lowers the share by construction. A new line
draws riders from buses and cars in proportion to their shares (the logit's
cross-elasticity), which is what the per-line diversion of the literature
measures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from ..core.catalogue import ASSUMPTION, SCHEDULE
from ..core.fields import Field, Section
from .schedule import linear, step

_ELASTICITY: dict[str, Any] = {"unit": "elasticity", "minimum": 0.0, "maximum": 5.0}
_GROWTH: dict[str, Any] = {"unit": "% per year", "minimum": -50.0, "maximum": 50.0}

SCHEMA = Section(
    {
        "rail_operating_km": Field(
            "schedule", {"2020-12-31": 246.0, "2021-12-30": 284.0, "2022-12-26": 315.0, "2024-12-31": 352.0},
            "Urban rail in operation from each date on (each later entry is an opening).", unit="km",
            source="docs/sources/qingdao_facts.yaml transport.rail_transit_operating_km (246 km 2020-12-31; 284 km "
                   "2021-12-30, Line 1's southern section, about 38 km, the June 2022 line list's sum; 315 km "
                   "2022-12-26, Line 4; 352 km 2024-12-31)", minimum=0.0, maximum=10000.0),
        "parking_planned_spaces_cumulative": Field(
            "schedule", {"2020-12-31": 0.0, "2021-12-31": 6667.0, "2022-12-31": 13333.0, "2023-12-31": 33333.0},
            "New public parking spaces PLANNED since the start, by date (straight lines in between); never "
            "scored as built.", unit="spaces",
            source="docs/sources/submodels_search.yaml parking: 2021-2022 a third each of the programme of over "
                   "20,000 new public spaces in three years announced in January 2020 (信网 2020-01-15, "
                   "市住房城乡建设局; the even spread is an assumption); 2023: over 20,000 new spaces planned "
                   "(青岛早报 2023-03-02)",
            minimum=0.0, maximum=1e7),
        "parking_built_spaces_cumulative": Field(
            "schedule", {"2020-12-31": 0.0},
            "New public parking spaces known to be BUILT since the start, by date (published completions; straight "
            "lines in between). Past the last entry, built spaces follow the planned ones at "
            "parking_delivery_pct_of_planned.", unit="spaces",
            source="docs/sources/submodels_search.yaml parking: no count of spaces completed in 2021, 2022 or 2023 "
                   "was found, so the only entry is the start",
            minimum=0.0, maximum=1e7),
        "parking_delivery_pct_of_planned": Field(
            "float", 75.0,
            "Share of the planned spaces that get built, for the dates after the last published completion.",
            unit="%", minimum=0.0, maximum=100.0,
            source="assumption guided by docs/sources/submodels_search.yaml parking_2017: of the over 10,000 spaces "
                   "planned for 2017, 5,400 were built and 1,800 more structurally complete by the end of August "
                   "(青岛日报 2017-09-14), about 72% by two thirds of the year"),
        "road_new_or_upgraded_km_cumulative": Field(
            "schedule", {"2020-12-31": 0.0, "2023-12-31": 300.0},
            "New or upgraded urban roads since the start, by date (straight lines in between).", unit="km",
            source="assumption: no Qingdao figure found and the plan's number is missing in our copy; 100 km "
                   "a year stands in as an order of magnitude; set your own schedule",
            minimum=0.0, maximum=1e5),
        "public_transport_share_2020_pct": Field(
            "float", 55.0, "Public transport's share of motorized trips at the start.", unit="%",
            source="assumption: no annual value found (docs/sources/qingdao_facts.yaml "
                   "transport.public_transport_share); "
                   "set below the plan's 60% for 2023 and the 61% single-day peak reported in 2024",
            minimum=1.0, maximum=99.0),
        "rail_share_of_public_transport_2020_pct": Field(
            "float", 34.0, "Rail's share of public-transport trips at the start.", unit="%",
            source="assumption derived from docs/sources/qingdao_facts.yaml: 2024 rail 528.84 and bus 711.22 million "
                   "trips on 352 km; scaled to 246 km in proportion to length, rail is about 34% of the 2020 total",
            minimum=0.0, maximum=100.0),
        "ridership_elasticity_bus_supply": Field(
            "float", 0.40, "Elasticity of bus trips to buses in service (at the start's shares).", **_ELASTICITY,
            source="docs/sources/literature.md: transit ridership elasticities, panel of 30 Chinese cities, 2012"),
        "rail_ridership_elasticity_network_km": Field(
            "float", 1.0, "Elasticity of rail trips to the length of the network (at the start's shares).",
            **_ELASTICITY,
            source="assumption: riders in proportion to kilometres, as used for the 2020 rail share; the logit then "
                   "takes a new line's riders from buses in proportion to their share, about 6% of bus trips for "
                   "Line 1 south and Line 4 together, near the 4.1% per line of Liu and Li 2020 "
                   "(docs/sources/literature.md)"),
        "transit_elasticity_urban_density": Field(
            "float", 0.1, "Elasticity of public-transport trips to urban density (urban residents per km2 of "
                          "built-up area, at the start's shares).", **_ELASTICITY,
            source="assumption guided by Ewing and Cervero 2010 (docs/sources/submodels_search.yaml "
                   "mode_choice): the built environment's elasticities of travel are all small (at most 0.39) and "
                   "density's the weakest"),
        "built_up_area_growth_pct_per_year": Field(
            "float", 0.45, "Growth of the built-up area (建成区面积), the denominator of urban density.", **_GROWTH,
            source="docs/sources/submodels_search.yaml built_up_area: 762 km2 at the end of 2021, 3.4 km2 more "
                   "than a year before (青岛新闻网 2022-10-21, the national urban-construction yearbook): 0.45% a "
                   "year"),
        "bus_supply_growth_pct_per_year": Field(
            "float", 0.0, "Growth of buses in service.", **_GROWTH,
            source="assumption: no fleet figures found; a constant fleet"),
        "cars_per_1000_growth_pct_per_year": Field(
            "float", 5.0, "Growth of private cars per 1000 residents (car ownership).", **_GROWTH,
            source="assumption guided by docs/sources/submodels_search.yaml car_ownership: over 2 million cars in "
                   "mid-2017 (公安部交管局, 半岛网 2017-07-26); no later Qingdao count found; ownership still rising"),
        "car_trip_elasticity_car_ownership": Field(
            "float", 0.5, "Elasticity of car (other motorized) trips to cars per 1000 residents (at the start's "
                          "shares).", **_ELASTICITY,
            source="assumption: a new car is used for part of its owner's trips; car ownership is the strongest "
                   "predictor of driving in Shen, Chen and Pan 2016 (docs/sources/submodels_search.yaml "
                   "mode_choice), which gives no elasticity"),
    },
    doc="Transport sub-model (sim/submodels/transport.py): rail, parking built and planned, roads and public "
        "transport's share of motorized trips (a bus, rail and car logit).",
)

INDICATORS = ("rail_transit_operating_km", "new_public_parking_spaces", "new_public_parking_spaces_planned",
              "new_or_upgraded_road_km", "public_transport_motorized_share")


def last_completion(settings) -> dt.date:
    """The day of the built schedule's last entry (published completions up to it; the plan's share after)."""
    return max(settings.parking_built_spaces_cumulative)


def parking_built_beyond_planned(settings) -> str | None:
    """Why the built schedule cannot be (a published completion above the spaces planned by its date), or None.

    Both schedules are straight lines between their entries, so comparing them at every entry of either
    compares them everywhere; past the last completion built spaces follow the plan at a share of at most 100%.
    """
    built, planned = settings.parking_built_spaces_cumulative, settings.parking_planned_spaces_cumulative
    dates = sorted(set(built) | set(planned))
    last = last_completion(settings)
    for day, b, p in zip(dates, linear(built, dates), linear(planned, dates), strict=True):
        if day <= last and b > p + 1e-9:
            return f"{b:g} spaces built by {day} exceed the {p:g} planned by then (parking_planned_spaces_cumulative)"
    return None


def parking_built_provenance(settings, year: int) -> str:
    """Where the built spaces up to the end of ``year`` come from: published completions (``schedule``) when the
    built schedule reaches that day, else partly the assumed delivery share (``assumption``)."""
    last = last_completion(settings)
    return SCHEDULE if last >= dt.date(year, 12, 31) else ASSUMPTION


def parking_cumulative(settings, dates) -> tuple[np.ndarray, np.ndarray]:
    """Spaces (built, planned) since the start at each date: built from the published completions up to the last
    one, then that count plus ``parking_delivery_pct_of_planned`` of the spaces planned after it."""
    planned = linear(settings.parking_planned_spaces_cumulative, dates)
    built = linear(settings.parking_built_spaces_cumulative, dates)
    last = last_completion(settings)
    after = np.array([dt.date.fromisoformat(d) > last for d in dates])
    planned_at_last = linear(settings.parking_planned_spaces_cumulative, [last])[0]
    delivered = built + settings.parking_delivery_pct_of_planned / 100.0 * (planned - planned_at_last)
    return np.where(after, delivered, built), planned


def mode_shares(settings, dates, urban_population: np.ndarray, years: np.ndarray) -> dict[str, np.ndarray]:
    """Shares (0-1) of motorized trips by ``bus``, ``rail`` and ``car`` at each date (the module docstring's
    logit)."""
    s = settings
    share0 = s.public_transport_share_2020_pct / 100.0
    rail0 = share0 * s.rail_share_of_public_transport_2020_pct / 100.0
    start = {"bus": share0 - rail0, "rail": rail0, "car": 1.0 - share0}
    km = step(s.rail_operating_km, dates)
    density = (urban_population / urban_population[0]) / (1.0 + s.built_up_area_growth_pct_per_year / 100.0) ** years
    log_index = {
        "buses": years * np.log1p(s.bus_supply_growth_pct_per_year / 100.0),
        "km": np.log(km / km[0]),
        "density": np.log(density),
        "cars": years * np.log1p(s.cars_per_1000_growth_pct_per_year / 100.0),
    }
    # each coefficient: the mode's elasticity at the start's shares over one minus its share; density moves bus and
    # rail together against cars, so its coefficient divides by one minus the public-transport share
    b_density = s.transit_elasticity_urban_density / (1.0 - share0)
    terms = {
        "bus": s.ridership_elasticity_bus_supply / (1.0 - start["bus"]) * log_index["buses"]
        + b_density * log_index["density"],
        "rail": s.rail_ridership_elasticity_network_km / (1.0 - start["rail"]) * log_index["km"]
        + b_density * log_index["density"],
        "car": s.car_trip_elasticity_car_ownership / (1.0 - start["car"]) * log_index["cars"],
    }
    with np.errstate(divide="ignore"):                                  # a mode with no share at the start keeps none
        utility = {mode: np.log(start[mode]) + terms[mode] for mode in start}
    top = np.maximum.reduce(list(utility.values()))
    weight = {mode: np.exp(v - top) for mode, v in utility.items()}
    total = sum(weight.values())
    return {mode: w / total for mode, w in weight.items()}


def public_transport_share_pct(settings, dates, urban_population: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Public transport's (bus and rail) share of motorized trips at each date, in %."""
    shares = mode_shares(settings, dates, urban_population, years)
    return 100.0 * (shares["bus"] + shares["rail"])


def fill(settings, dates, years, city: dict[str, np.ndarray], rng) -> dict[str, np.ndarray]:
    """The transport indicators for the city at every record date."""
    built, planned = parking_cumulative(settings, dates)
    roads = linear(settings.road_new_or_upgraded_km_cumulative, dates)
    return {
        "rail_transit_operating_km": step(settings.rail_operating_km, dates),
        # flows: built (or planned) during each month (nothing at the starting record, like the agents' flows)
        "new_public_parking_spaces": np.diff(built, prepend=built[0]),
        "new_public_parking_spaces_planned": np.diff(planned, prepend=planned[0]),
        "new_or_upgraded_road_km": np.diff(roads, prepend=roads[0]),
        "public_transport_motorized_share": public_transport_share_pct(settings, dates, city["urban_population"],
                                                                       years),
    }
