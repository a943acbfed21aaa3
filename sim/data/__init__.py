"""Published facts the model is built from (``census.yaml``, ``demography.yaml``, ``migration.yaml``,
``services.yaml``, ``economy.yaml``), each with its source, and the districts' boundaries for the map
(``district_boundaries.json``, with its source and licence)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from ..core.safe_load import load_json, load_yaml


def _text(name: str) -> str:
    """The package data file ``name`` as text."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_census() -> dict:
    """The census file as a dict (read once; treat as read-only)."""
    return load_yaml(_text("census.yaml"))


@cache
def load_demography() -> dict:
    """The published fertility and mortality schedules the default hazards are fitted to (read once)."""
    return load_yaml(_text("demography.yaml"))


@cache
def load_migration() -> dict:
    """The migration evidence file as a dict (read once; treat as read-only)."""
    return load_yaml(_text("migration.yaml"))


@cache
def load_services() -> dict:
    """The public services' capacities and the cost of citizenization, with their sources (read once)."""
    return load_yaml(_text("services.yaml"))


@cache
def load_boundaries() -> dict:
    """The ten districts' simplified outer boundaries, lon/lat rings by district, with their source and licence
    (extracted once by tools/extract_boundaries.py; read once; treat as read-only)."""
    return load_json(_text("district_boundaries.json"))


@cache
def load_economy() -> dict:
    """Jobs and housing by district: the city's figures and the assumptions the defaults rest on (read once)."""
    return load_yaml(_text("economy.yaml"))


@cache
def load_places() -> dict:
    """The plan's places (new-market towns, outer new cities, county towns of the growth poles): district,
    kind, coordinates and what is known of their population, with sources (read once)."""
    return load_yaml(_text("places.yaml"))
