"""Scenarios: the schema of every setting, validation, loading and reference docs.

Typical use::

    from sim.scenario import load_scenario
    sc = load_scenario("scenarios/baseline.yaml", overrides=["seed=7"])
    sc.behaviour.hukou.min_insurance_years

The loading and validation names are imported on first use, so that the light
modules of this package (``fields``, ``districts``) can be imported by the
policy levers, which the schema itself is built from, without a cycle.
"""

from __future__ import annotations

from importlib import import_module

from .districts import DISTRICTS

_LAZY = {"load_scenario": "load", "scenario_files": "load", "Scenario": "validation",
         "ScenarioError": "validation", "validate": "validation"}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DISTRICTS", "Scenario", "ScenarioError", "load_scenario", "scenario_files", "validate"]
