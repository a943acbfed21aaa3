"""Scenarios: the schema of every setting, validation, loading and reference docs.

Typical use::

    from sim.scenario import load_scenario
    sc = load_scenario("scenarios/baseline.yaml", overrides=["seed=7"])
    sc.behaviour.hukou.min_insurance_years
"""

from .load import load_scenario, scenario_files
from .schema import DISTRICTS
from .validate import Scenario, ScenarioError, validate

__all__ = ["DISTRICTS", "Scenario", "ScenarioError", "load_scenario", "scenario_files", "validate"]
