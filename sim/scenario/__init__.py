"""Scenarios: the schema of every setting, validation, loading and reference docs.

Typical use::

    from sim.scenario import load_scenario
    sc = load_scenario("scenarios/baseline.yaml", overrides=["seed=7"])
    sc.behaviour.hukou.min_insurance_years

The field DSL the schema is written in lives in ``sim.core.fields``, so the policy levers and sub-models
that the schema is assembled from never import this package.
"""

from __future__ import annotations

from .load import load_scenario, scenario_files, setting_origins
from .validation import Scenario, ScenarioError, inert_levers, validate

__all__ = ["Scenario", "ScenarioError", "inert_levers", "load_scenario", "scenario_files", "setting_origins",
           "validate"]
