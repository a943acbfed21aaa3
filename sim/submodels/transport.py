"""Transport: rail in operation, new parking and roads, and public transport's share of motorized trips.

Rail kilometres follow the dated line openings (a step on the opening day);
parking spaces and road kilometres follow cumulative investment schedules
(straight lines between dated totals). The public-transport share is an index
model around an assumed 2020 share:

- bus riders scale with urban population (elasticity 0.35) and buses in
  service (0.40), and each rail opening after the start diverts 4.1% of them
  (docs/sources/literature.md: panel of 30 Chinese cities; Liu and Li 2020);
- rail riders scale with urban population (0.35) and network length
  (``rail_ridership_elasticity_network_km``, an assumption);
- other motorized trips scale with urban population
  (``other_trips_elasticity_urban_population``) and grow with car use
  (``car_trip_growth_pct_per_year``), both assumptions;

share = (bus + rail) / (bus + rail + other). The urban population comes from
the agents, so the levers reach the share through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.fields import Field, Section
from .schedule import linear, step

_ELASTICITY: dict[str, Any] = {"unit": "elasticity", "minimum": 0.0, "maximum": 5.0}

SCHEMA = Section(
    {
        "rail_operating_km": Field(
            "schedule", {"2020-12-31": 246.0, "2021-12-30": 284.0, "2022-12-26": 315.0, "2024-12-31": 352.0},
            "Urban rail in operation from each date on (each later entry is an opening).", unit="km",
            source="docs/sources/qingdao_facts.yaml transport.rail_transit_operating_km (246 km 2020-12-31; 284 km "
                   "2021-12-30, Line 1's southern section, about 38 km, the June 2022 line list's sum; 315 km "
                   "2022-12-26, Line 4; 352 km 2024-12-31)", minimum=0.0, maximum=10000.0),
        "parking_new_spaces_cumulative": Field(
            "schedule", {"2020-12-31": 0.0, "2021-12-31": 3500.0, "2022-12-31": 7000.0, "2023-12-31": 27000.0},
            "New public parking spaces built since the start, by date (straight lines in between).",
            unit="spaces",
            source="2023: over 20,000 new spaces planned (青岛早报 2023-03-02, docs/sources/qingdao_facts.yaml "
                   "transport.parking_2023); assumption for 2021 and 2022: 3,500 a year, about the plan's "
                   "10,000 over three years at an even pace, as no yearly figure was found",
            minimum=0.0, maximum=1e7),
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
        "ridership_elasticity_urban_population": Field(
            "float", 0.35, "Elasticity of bus and rail ridership to the urban population.", **_ELASTICITY,
            source="docs/sources/literature.md: transit ridership elasticities, panel of 30 Chinese cities, 2012"),
        "ridership_elasticity_bus_supply": Field(
            "float", 0.40, "Elasticity of bus ridership to buses in service.", **_ELASTICITY,
            source="docs/sources/literature.md: transit ridership elasticities, panel of 30 Chinese cities, 2012"),
        "bus_riders_diverted_per_rail_opening_pct": Field(
            "float", 4.1, "Share of bus riders a new rail line takes over.", unit="%", minimum=0.0, maximum=100.0,
            source="docs/sources/literature.md: Liu and Li 2020, Economics of Transportation 23"),
        "rail_ridership_elasticity_network_km": Field(
            "float", 1.0, "Elasticity of rail ridership to the length of the network.", **_ELASTICITY,
            source="assumption: riders in proportion to kilometres, as used for the 2020 rail share"),
        "bus_supply_growth_pct_per_year": Field(
            "float", 0.0, "Growth of buses in service.", unit="% per year", minimum=-50.0, maximum=50.0,
            source="assumption: no fleet figures found; a constant fleet"),
        "other_trips_elasticity_urban_population": Field(
            "float", 1.0, "Elasticity of the other motorized trips (cars, taxis) to the urban population.",
            **_ELASTICITY,
            source="assumption: other trips in proportion to urban residents; with ridership's 0.35 this makes "
                   "urban growth alone lower the share, a consequence worth testing in sweeps"),
        "car_trip_growth_pct_per_year": Field(
            "float", 3.0, "Growth of other motorized trips per urban resident (car ownership).",
            unit="% per year", minimum=-50.0, maximum=50.0,
            source="assumption: car ownership still rising in Chinese cities; no Qingdao trip survey found"),
    },
    doc="Transport sub-model (sim/submodels/transport.py): rail, parking, roads and public transport's share "
        "of motorized trips.",
)

INDICATORS = ("rail_transit_operating_km", "new_public_parking_spaces", "new_or_upgraded_road_km",
              "public_transport_motorized_share")


def rail_openings_after_start(schedule, dates) -> np.ndarray:
    """How many schedule entries that lengthen the network fall after the first date and by each date."""
    km = step(schedule, dates)
    return np.concatenate(([0], np.cumsum(np.diff(km) > 0)))


def public_transport_share_pct(settings, dates, urban_population: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Public transport's share of motorized trips at each date (see the module docstring)."""
    s = settings
    share0 = s.public_transport_share_2020_pct / 100.0
    rail0 = share0 * s.rail_share_of_public_transport_2020_pct / 100.0
    bus0 = share0 - rail0
    urban = urban_population / urban_population[0]
    km = step(s.rail_operating_km, dates)
    openings = rail_openings_after_start(s.rail_operating_km, dates)
    ridership = urban ** s.ridership_elasticity_urban_population
    buses = (1.0 + s.bus_supply_growth_pct_per_year / 100.0) ** years
    bus = (bus0 * ridership * buses ** s.ridership_elasticity_bus_supply
           * (1.0 - s.bus_riders_diverted_per_rail_opening_pct / 100.0) ** openings)
    rail = rail0 * ridership * (km / km[0]) ** s.rail_ridership_elasticity_network_km
    cars = (1.0 + s.car_trip_growth_pct_per_year / 100.0) ** years
    other = (1.0 - share0) * urban ** s.other_trips_elasticity_urban_population * cars
    return 100.0 * (bus + rail) / (bus + rail + other)


def fill(settings, dates, years, city: dict[str, np.ndarray], rng) -> dict[str, np.ndarray]:
    """The transport indicators for the city at every record date."""
    parking = linear(settings.parking_new_spaces_cumulative, dates)
    roads = linear(settings.road_new_or_upgraded_km_cumulative, dates)
    return {
        "rail_transit_operating_km": step(settings.rail_operating_km, dates),
        # flows: built during each month (nothing at the starting record, like the agents' flows)
        "new_public_parking_spaces": np.diff(parking, prepend=parking[0]),
        "new_or_upgraded_road_km": np.diff(roads, prepend=roads[0]),
        "public_transport_motorized_share": public_transport_share_pct(settings, dates, city["urban_population"],
                                                                       years),
    }
