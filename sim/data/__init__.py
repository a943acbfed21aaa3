"""Published facts the model is built from (``census.yaml``, ``demography.yaml``, ``migration.yaml``,
``services.yaml``, ``economy.yaml``), each with its source, and the districts' boundaries for the map
(``district_boundaries.json``, with its source and licence)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from ..core.safe_load import load_json, load_yaml


@cache
def load_census() -> dict:
    """The census file as a dict (read once; treat as read-only)."""
    return load_yaml(files(__package__).joinpath("census.yaml").read_text(encoding="utf-8"))


@cache
def load_demography() -> dict:
    """The published fertility and mortality schedules the default hazards are fitted to (read once)."""
    return load_yaml(files(__package__).joinpath("demography.yaml").read_text(encoding="utf-8"))


@cache
def load_migration() -> dict:
    """The migration evidence file as a dict (read once; treat as read-only)."""
    return load_yaml(files(__package__).joinpath("migration.yaml").read_text(encoding="utf-8"))


@cache
def load_services() -> dict:
    """The public services' capacities and the cost of citizenization, with their sources (read once)."""
    return load_yaml(files(__package__).joinpath("services.yaml").read_text(encoding="utf-8"))


@cache
def load_boundaries() -> dict:
    """The ten districts' simplified outer boundaries, lon/lat rings by district, with their source and licence
    (extracted once by tools/extract_boundaries.py; read once; treat as read-only)."""
    return load_json(files(__package__).joinpath("district_boundaries.json").read_text(encoding="utf-8"))


@cache
def load_economy() -> dict:
    """Jobs and housing by district: the city's figures and the assumptions the defaults rest on (read once)."""
    return load_yaml(files(__package__).joinpath("economy.yaml").read_text(encoding="utf-8"))


@cache
def load_places() -> dict:
    """The plan's places (new-market towns, outer new cities, county towns of the growth poles): district,
    kind, coordinates and what is known of their population, with sources (read once)."""
    return load_yaml(files(__package__).joinpath("places.yaml").read_text(encoding="utf-8"))
