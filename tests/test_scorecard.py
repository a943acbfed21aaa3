"""The plan's targets and the scorecard: values, overrides, statuses at their boundaries, numbers by hand."""

import dataclasses

import numpy as np
import pytest

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.districts import ZONES
from sim.model import Model
from sim.output.formats import MET_P, MISSED_P, status
from sim.output.scorecard import score, simulated_values
from sim.output.yearly import yearly_values
from sim.scenario import ScenarioError, validate
from sim.targets import plan_targets, scenario_targets
from tests.conftest import make_scenario

BY_ID = {t.id: t for t in plan_targets()}


def test_every_quantified_target_of_the_plan():
    assert set(BY_ID) == {
        "urbanization_rate", "urban_air_good_days_rate", "public_transport_motorized_share",
        "new_public_parking_spaces", "new_or_upgraded_road_km", "rail_transit_operating_km",
        "rural_critical_care_30min_coverage", "cross_region_medical_settlement_coverage"}
    assert BY_ID["urbanization_rate"].value == 77 and "77%" in BY_ID["urbanization_rate"].zh
    assert BY_ID["urban_air_good_days_rate"].value == 86
    assert BY_ID["new_public_parking_spaces"].cumulative_from == 2021
    # numbers our copy of the plan lost stay missing, never invented
    assert BY_ID["rail_transit_operating_km"].value is None and BY_ID["new_or_upgraded_road_km"].value is None
    assert all(t.year == 2023 and t.zh and t.en for t in plan_targets())


def test_scenario_sets_and_removes_target_values():
    sc = make_scenario({"targets": {"rail_transit_operating_km": 300, "urbanization_rate": None}})
    targets = {t.id: t for t in scenario_targets(sc)}
    assert targets["rail_transit_operating_km"].value == 300.0
    assert targets["urbanization_rate"].value is None
    assert targets["urban_air_good_days_rate"].value == 86.0


@pytest.mark.parametrize(("data", "match", "field"), [
    ({"targets": {"rail_transit_km": 300}}, r"did you mean 'rail_transit_operating_km'", "targets.rail_transit_km"),
    ({"targets": {"urbanization_rate": -1}}, r"between 0 and", "targets.urbanization_rate"),
    ({"targets": {"urbanization_rate": "high"}}, r"expected a number", "targets.urbanization_rate"),
])
def test_bad_target_values(data, match, field):
    with pytest.raises(ScenarioError, match=match) as info:
        validate(data)
    assert info.value.field == field


def test_score_by_hand():
    row = score(BY_ID["urbanization_rate"], np.array([76.0, 77.0, 78.0, 79.0]))
    assert row.mean == 77.5
    assert row.p05 == pytest.approx(76.15)            # linear percentile: 76 + 0.05 * 3
    assert row.p95 == pytest.approx(78.85)
    assert row.p_meet == 0.75 and row.status == "at risk"     # 77, 78, 79 meet ">= 77"


@pytest.mark.parametrize(("p_meet", "expected"), [
    (1.0, "met"), (MET_P, "met"), (0.89, "at risk"), (0.5, "at risk"), (0.11, "at risk"), (MISSED_P, "missed"),
    (0.0, "missed"), (None, "no target value")])
def test_status_boundaries(p_meet, expected):
    assert status(p_meet) == expected


def test_comparators_and_targets_without_a_value():
    at_most = dataclasses.replace(BY_ID["urbanization_rate"], comparator="<=", value=77.0)
    assert score(at_most, np.array([77.0, 78.0])).p_meet == 0.5
    exactly = dataclasses.replace(BY_ID["urbanization_rate"], comparator="==", value=77.0)
    assert score(exactly, np.array([77.0, 77.0, 76.0, 77.0])).p_meet == 0.75
    missing = score(BY_ID["rail_transit_operating_km"], np.array([300.0, 310.0]))
    assert missing.p_meet is None and missing.status == "no target value" and missing.mean == 305.0
    # a value-less target is scored without met_by, which refuses it rather than comparing with None
    with pytest.raises(ValueError, match="rail_transit_operating_km"):
        BY_ID["rail_transit_operating_km"].met_by(300.0)


def test_simulated_values_of_stocks_and_of_targets_counted_over_the_plan():
    yearly = [{2021: {"x": 1.0, "u": 76.0}, 2022: {"x": 2.0, "u": 77.0}, 2023: {"x": 4.0, "u": 78.0}},
              {2021: {"x": 2.0, "u": 76.5}, 2022: {"x": 2.0, "u": 77.5}, 2023: {"x": 2.0, "u": 76.9}}]
    level = dataclasses.replace(BY_ID["urbanization_rate"], indicator="u")
    over_plan = dataclasses.replace(BY_ID["new_public_parking_spaces"], indicator="x")
    assert simulated_values(level, yearly).tolist() == [78.0, 76.9]
    assert simulated_values(over_plan, yearly).tolist() == [7.0, 6.0]
    assert simulated_values(dataclasses.replace(level, year=2030), yearly) is None
    assert simulated_values(dataclasses.replace(level, indicator="nope"), yearly) is None


def test_scoring_a_run():
    sc = make_scenario({"population.scale": 2000.0})
    results = [Model(sc, r).run() for r in range(3)]
    city = ZONES.index("qingdao")
    yearly = [{year: dict(zip(INDICATOR_NAMES, values[city], strict=True))
               for year, values in yearly_values(r).items()} for r in results]
    row = score(BY_ID["urbanization_rate"], simulated_values(BY_ID["urbanization_rate"], yearly))
    ends = [r.values[-1, city, INDICATOR_NAMES.index("urbanization_rate")] for r in results]
    assert row.mean == pytest.approx(np.mean(ends))
    assert row.status == status(np.mean([e >= 77 for e in ends]))
