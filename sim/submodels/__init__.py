"""City-level sub-models that give every plan target a simulated indicator.

Each module (transport, air, health) holds its scenario settings (``SCHEMA``,
the ``submodels.<name>`` section), the indicators it fills and a ``fill``
function. They run after the agents, on the agents' monthly records: the
urban and rural populations are their link to the residents and the levers.
Their only randomness (the weather) comes from the ``submodels`` stream.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..core.calendar import DAYS_PER_YEAR
from ..core.catalogue import BY_NAME
from ..core.catalogue import INDICATOR_NAMES as ALL
from ..core.fields import Section
from . import air, health, transport

SUBMODELS = {"transport": transport, "air": air, "health": health}

SCHEMA = Section(
    {name: module.SCHEMA for name, module in SUBMODELS.items()},
    doc="City-level sub-models for the plan's targets that are not about residents (transport, air, health); "
        "their uncertain assumptions are these settings.",
)

#: indicators filled here, not by the agents' stock table
INDICATOR_NAMES: tuple[str, ...] = tuple(name for module in SUBMODELS.values() for name in module.INDICATORS)


#: indicators whose provenance the settings decide, by year: (settings, year) -> provenance
SETTINGS_PROVENANCE = {
    "new_public_parking_spaces": lambda settings, year: transport.parking_built_provenance(settings.transport, year),
}


def provenance_of(settings, indicator: str, year: int) -> str:
    """The provenance of ``indicator``'s value up to ``year`` under the scenario's ``submodels`` settings: the
    catalogue's, unless the settings decide it (built parking is ``schedule`` only where published completions
    cover the year)."""
    rule = SETTINGS_PROVENANCE.get(indicator)
    return rule(settings, year) if rule else BY_NAME[indicator].provenance


def apply(settings, rng: np.random.Generator, dates: list[str], values: np.ndarray) -> None:
    """Fill the sub-models' columns of ``values`` (dates, zones, indicators) in place, from the scenario's
    ``submodels`` section (``settings``).

    A 1-D result is the city's (zone 0; districts stay NaN), a 2-D one gives every zone.
    """
    first = dt.date.fromisoformat(dates[0]).toordinal()
    years = np.array([(dt.date.fromisoformat(d).toordinal() - first) / DAYS_PER_YEAR for d in dates])
    city = {"urban_population": values[:, 0, ALL.index("urban_population")],
            "rural_population_by_district": values[:, 1:, ALL.index("rural_population")]}
    for name, module in SUBMODELS.items():
        for indicator, series in module.fill(getattr(settings, name), dates, years, city, rng).items():
            j = ALL.index(indicator)
            if series.ndim == 1:
                values[:, 0, j] = series
            else:
                values[:, :, j] = series
