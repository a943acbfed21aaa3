"""Arrivals' pull: the total's response to the levers' pull and the urban-share term of district choice."""

import numpy as np
import pytest

from sim.core.districts import DISTRICTS
from sim.kernel import arrivals
from sim.kernel.ledger import STOCK_SHAPE
from tests.conftest import make_scenario

SHINAN, PINGDU = DISTRICTS.index("shinan"), DISTRICTS.index("pingdu")


def stock(urban_by_district: dict[int, tuple[int, int]]) -> np.ndarray:
    """A stock table with (rural, urban) local-urban residents without a permit in the given districts."""
    table = np.zeros(STOCK_SHAPE, np.int64)
    for d, (rural, urban) in urban_by_district.items():
        table[d, 0, 0, 0], table[d, 1, 0, 0] = rural, urban
    return table


def draw(settings: dict, table: np.ndarray, pull=None, seed: int = 1, days: float = 3652.5):
    s = make_scenario(settings)
    return arrivals.draw_base(np.random.default_rng(seed), s.behaviour.in_migration, s.population, table, 0.0,
                              days, 2021, pull)


def test_total_pull_multiplier_by_hand():
    m = make_scenario({"behaviour.in_migration.total_pull_elasticity": 2.0}).behaviour.in_migration
    weights = np.zeros((len(DISTRICTS), 2))
    weights[SHINAN, 1], weights[PINGDU, 1] = 3.0, 1.0
    pull = np.ones(len(DISTRICTS))
    pull[PINGDU] = 3.0
    # mean pull over the weights: (3 * 1 + 1 * 3) / 4 = 1.5; squared 2.25
    assert arrivals.total_pull_multiplier(m, weights, pull) == pytest.approx(2.25)
    assert arrivals.total_pull_multiplier(m, weights, None) == 1.0
    flat = make_scenario().behaviour.in_migration
    assert arrivals.total_pull_multiplier(flat, weights, pull) == 1.0


def test_at_elasticity_zero_a_pull_redirects_arrivals_and_adds_none():
    table = stock({SHINAN: (0, 5000), PINGDU: (2500, 2500)})
    pull = np.ones(len(DISTRICTS))
    pull[PINGDU] = 4.0
    plain, pulled = draw({}, table), draw({}, table, pull)
    assert len(plain) == len(pulled)                      # the same Poisson draw: the total is unchanged
    assert (pulled.district == PINGDU).sum() > (plain.district == PINGDU).sum()


def test_at_elasticity_one_a_pull_adds_arrivals():
    """Pingdu holds 5/12 of the urban weight (and all the rural); a pull of 4 there raises the mean pull by
    far more than sampling error over ten years of arrivals to 10,000 residents."""
    table = stock({SHINAN: (0, 5000), PINGDU: (2500, 2500)})
    pull = np.ones(len(DISTRICTS))
    pull[PINGDU] = 4.0
    settings = {"behaviour.in_migration.total_pull_elasticity": 1.0}
    counts = [(len(draw(settings, table, seed=k)), len(draw(settings, table, pull, seed=k))) for k in range(5)]
    plain, pulled = (np.mean(c) for c in zip(*counts, strict=True))
    weights = arrivals.type_weights(table, 1.0)
    mean_pull = (weights * pull[:, None]).sum() / weights.sum()
    assert pulled / plain == pytest.approx(mean_pull, rel=0.05)


def test_urban_pull_by_hand_and_its_direction():
    table = stock({SHINAN: (0, 3000), PINGDU: (3000, 1000)})
    # city urban share 4000 / 7000; Shinan 1, Pingdu 0.25
    pull = arrivals.urban_pull(table, 1.0)
    assert pull[SHINAN] == pytest.approx(1.0 / (4 / 7)) and pull[PINGDU] == pytest.approx(0.25 / (4 / 7))
    assert np.all(pull[[d for d in range(len(DISTRICTS)) if d not in (SHINAN, PINGDU)]] == 0.0)
    plain = draw({}, table)
    pulled = draw({"behaviour.in_migration.urban_pull_elasticity": 1.0}, table)
    assert len(plain) == len(pulled)                      # redirects only
    share = lambda b: float(np.mean(b.district[b.urban] == SHINAN))    # noqa: E731
    assert share(pulled) > share(plain)
