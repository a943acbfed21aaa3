"""Scenario discovery (PRIM): a box planted in a design is found, and the trajectory keeps its promises."""

import numpy as np
import pytest

from sim.experiment.discovery import chosen, peel


def planted(n: int = 2000, seed: int = 0):
    """Three parameters on [0, 1]; the cases are the points with x0 < 0.3 and x2 > 0.6 (x1 is irrelevant)."""
    X = np.random.default_rng(seed).random((n, 3))
    return X, (X[:, 0] < 0.3) & (X[:, 2] > 0.6)


def test_prim_recovers_a_planted_box():
    X, cases = planted()
    box = chosen(peel(X, cases))
    assert box.density >= 0.8 and box.coverage >= 0.7
    assert box.high[0] == pytest.approx(0.3, abs=0.06) and box.low[2] == pytest.approx(0.6, abs=0.06)
    assert box.low[1] < 0.1 and box.high[1] > 0.9                   # the irrelevant parameter is not restricted
    assert box.low[0] < 0.05 and box.high[2] > 0.95                  # nor the open ends of the relevant ones


def test_the_trajectory_peels_towards_density_and_stops_at_the_minimum_support():
    X, cases = planted()
    boxes = peel(X, cases)
    assert boxes[0].support == 1.0 and boxes[0].coverage == 1.0
    assert boxes[0].density == pytest.approx(cases.mean())
    assert all(b.support > a.support * 0.9 for a, b in zip(boxes, boxes[1:], strict=False))    # 5% at a time, about
    assert all(b.coverage <= a.coverage for a, b in zip(boxes, boxes[1:], strict=False))
    assert boxes[-2].support > 0.05 and boxes[-1].points >= 1
    assert boxes[-1].density >= boxes[0].density


def test_the_same_design_gives_the_same_boxes():
    X, cases = planted(500, seed=3)
    assert peel(X, cases) == peel(X, cases)


def test_no_case_of_interest_is_said_not_crashed():
    X, _ = planted(100)
    with pytest.raises(ValueError, match="no design point is a case of interest"):
        peel(X, np.zeros(100, bool))


def test_a_discrete_setting_is_peeled_by_its_levels():
    X = np.array([[a, b] for a in (1, 2, 3, 4) for b in np.linspace(0, 1, 25)])
    cases = X[:, 0] == 4
    box = chosen(peel(X, cases))
    assert box.low[0] == 4 and box.density == 1.0 and box.coverage == 1.0
