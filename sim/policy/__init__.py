"""The policy levers, one module per lever (mechanism, parameters, evidence in its docstring): the plan's,
and levers of history (``HISTORY_LEVERS``) that replay past rules in backcasts.

Each module has ``SCHEMA`` (its ``policies.<name>`` section, built by
``lever.lever_section``) and at least one of these hooks: ``adjust(rates,
state, level, settings, behaviour)``, which changes the residents' hazards in
place where its per-resident ``level`` (the intensity in force where they
live) is above 0; ``extra_arrivals(rng, level_by_district, stock,
settings, scenario, start_day, end_day)``, returning an
``arrivals.ArrivalBatch`` of households that arrive because of it;
``arrival_weights(lever, day)``, multipliers on each district's weight as a
destination of arrivals; ``month_start(model, lever, day)``, called at
every month start before the redraw, to act on places (new-town upgrades);
and ``processes(model, lever)``, SimPy generators started with the run
(postings).
"""

from __future__ import annotations

from . import (
    flexible_worker_pension,
    homestead_reform,
    new_town_development,
    pre_2018_settlement,
    public_services,
    rural_talent_service,
    talent_attraction,
    zero_threshold_settlement,
)
from .lever import ActiveLever

#: lever name (the YAML key under ``policies:``) -> module
LEVERS = {
    "zero_threshold_settlement": zero_threshold_settlement,
    "homestead_reform": homestead_reform,
    "talent_attraction": talent_attraction,
    "rural_talent_service": rural_talent_service,
    "public_services": public_services,
    "flexible_worker_pension": flexible_worker_pension,
    "new_town_development": new_town_development,
    # last, so that it scales the conversion hazards the plan's levers leave
    "pre_2018_settlement": pre_2018_settlement,
}

#: levers of history, not of the plan (no what-if file in scenarios/levers/; docs/model.md 7.10)
HISTORY_LEVERS = ("pre_2018_settlement",)


def active_levers(scenario, calendar) -> list[ActiveLever]:
    """The scenario's levers that are switched on (present with intensity above 0) and in force at some
    month start of the period, in registry order.

    A lever at intensity 0, or one whose days hold no month start of the period, is left out entirely, so
    the run is the baseline's, byte for byte.
    """
    out = []
    for name, module in LEVERS.items():
        settings = getattr(scenario.policies, name)
        if settings is not None and settings.intensity > 0:
            lever = ActiveLever(name, module, settings, calendar)
            if lever.ever_in_force:
                out.append(lever)
    return out
