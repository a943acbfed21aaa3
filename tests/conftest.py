"""Shared helpers: scenarios from dotted settings, and tiny hand-built worlds."""

from __future__ import annotations

import numpy as np
import pytest

from sim import cli
from sim.core.calendar import DAYS_PER_YEAR
from sim.core.codes import NO_HOMESTEAD, cell_of
from sim.core.districts import DISTRICTS
from sim.kernel.residents import Residents
from sim.scenario import validate

#: every behavioural hazard off: tests switch on only what they look at
QUIET_WORLD = {
    "behaviour.fertility.total_fertility_rate": 0.0,
    "behaviour.mortality.male_gompertz_level_per_year": 0.0,
    "behaviour.mortality.female_gompertz_level_per_year": 0.0,
    "behaviour.in_migration.rate_per_year": 0.0,
    "behaviour.departure.nonlocal_hazard_per_year": 0.0,
    "behaviour.departure.local_hazard_per_year": 0.0,
    "behaviour.rural_to_urban.base_hazard_per_year": 0.0,
    "behaviour.urban_to_rural.return_hazard_per_year": 0.0,
    "behaviour.urban_to_rural.other_hazard_per_year": 0.0,
    "behaviour.hukou.nonlocal_conversion_hazard_per_year": 0.0,
    "behaviour.hukou.local_rural_conversion_hazard_per_year": 0.0,
    "behaviour.residence_permit.uptake_hazard_per_year": 0.0,
}


def make_scenario(settings: dict | None = None, **top):
    """A validated scenario from dotted keys, e.g. ``{"population.scale": 1000}``."""
    data: dict = {}
    for dotted, value in {**(settings or {}), **top}.items():
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    data.setdefault("name", "test")
    return validate(data)


def make_world(households: list[list[dict]], homestead: list[int] | None = None) -> Residents:
    """Residents from explicit households: each member a dict of attributes.

    Keys: ``district`` (name), ``urban``, ``hukou``, ``age`` (years at the start), ``female``,
    ``permit``, ``employed``, ``insurance_years``, ``talent``, ``arrival_years_ago``.
    """
    res = Residents(capacity=64, household_capacity=16)
    for h, members in enumerate(households):
        n = len(members)
        district = np.array([DISTRICTS.index(m["district"]) for m in members], np.int8)
        hukou = np.array([m.get("hukou", 0) for m in members], np.int8)
        urban = np.array([m.get("urban", True) for m in members])
        permit = np.array([m.get("permit", False) for m in members])
        ins = np.array([m.get("insurance_years", 0.0) for m in members])
        arrival = np.array([-m["arrival_years_ago"] * DAYS_PER_YEAR if "arrival_years_ago" in m else -np.inf
                            for m in members])
        res.add_households(
            np.array([n]), homestead=(homestead[h] if homestead else NO_HOMESTEAD),
            district=district, urban=urban, hukou=hukou,
            hukou_district=np.where(hukou == 2, -1, district), permit=permit,
            female=np.array([m.get("female", False) for m in members]),
            birth_day=np.array([-m.get("age", 30.0) * DAYS_PER_YEAR for m in members]),
            arrival_day=arrival, insurance_since_day=-ins * DAYS_PER_YEAR,
            employed=np.array([m.get("employed", False) for m in members]),
            talent=np.array([m.get("talent", False) for m in members]),
        )
    rows = slice(0, res.n)
    assert np.array_equal(res.cell[rows], cell_of(res.district[rows].astype(np.int16), res.urban[rows],
                                                  res.hukou[rows], res.permit[rows]))
    return res


@pytest.fixture
def quiet_world():
    return dict(QUIET_WORLD)


def run_main(capsys, *args) -> tuple[int, str, str]:
    """The command line in this process: its exit code, standard output and standard error."""
    code = cli.main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
