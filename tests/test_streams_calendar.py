"""Named random streams and the model calendar."""

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from sim.core.calendar import Calendar, months
from sim.core.streams import STREAM_NAMES, Streams, keyed_uniform_pair, keyed_uniform_pair_one


def test_streams_are_independent_and_reproducible():
    a, b = Streams(42, 0), Streams(42, 0)
    draws = {name: a[name].random(3) for name in STREAM_NAMES}
    assert all(np.array_equal(draws[name], b[name].random(3)) for name in STREAM_NAMES)
    values = [tuple(v) for v in draws.values()]
    assert len(set(values)) == len(values)             # every stream differs
    assert not np.array_equal(Streams(42, 1)["arrivals"].random(3), Streams(42, 0)["arrivals"].random(3))
    assert len({Streams(42, 0).key(name) for name in STREAM_NAMES}) == len(STREAM_NAMES)


def test_stream_seed_is_seedsequence_spawn_key():
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(2, 1)))).random()
    assert Streams(7, 2)["arrivals"].random() == expected   # 'arrivals' is stream 1


def test_unknown_stream_names_the_known_ones():
    with pytest.raises(KeyError, match="residents"):
        Streams(1, 0)["weather"]


def test_keyed_draws_depend_only_on_key_row_and_counter():
    key = Streams(3, 0).key("residents")
    rows = np.array([5, 17, 123456789])
    counters = np.array([0, 4, 2])
    high, low = keyed_uniform_pair(key, rows, counters)
    # the same resident, drawn alone or among others, and in plain Python: the same numbers
    alone = keyed_uniform_pair(key, rows[1:2], counters[1:2])
    assert alone[0][0] == high[1] and alone[1][0] == low[1]
    assert [keyed_uniform_pair_one(key, int(r), int(c)) for r, c in zip(rows, counters, strict=True)] == \
        list(zip(high.tolist(), low.tolist(), strict=True))
    # another counter or key: other numbers
    assert keyed_uniform_pair(key, rows, counters + 1)[0].tolist() != high.tolist()
    assert keyed_uniform_pair(key + 1, rows, counters)[0].tolist() != high.tolist()


def test_keyed_draws_are_uniform_and_uncorrelated():
    n = 200_000
    high, low = keyed_uniform_pair(Streams(1, 0).key("residents"), np.arange(n), np.zeros(n, np.uint32))
    for u in (high, low):
        assert ((u >= 0) & (u < 1)).all()
        assert stats.kstest(u, "uniform").pvalue > 0.001      # fixed key: a deterministic check
    assert abs(np.corrcoef(high, low)[0, 1]) < 0.01
    assert abs(np.corrcoef(high[:-1], high[1:])[0, 1]) < 0.01      # neighbouring residents
    _, again = keyed_uniform_pair(Streams(1, 0).key("residents"), np.arange(n), np.ones(n, np.uint32))
    assert abs(np.corrcoef(low, again)[0, 1]) < 0.01                # successive redraws of one resident


def test_months_of_the_plan_period():
    spans = months(dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    assert len(spans) == 36
    assert spans[1] == (dt.date(2021, 2, 1), dt.date(2021, 2, 28))
    assert spans[-1][1] == dt.date(2023, 12, 31)


def test_review_boundary_rounds_up_to_month_starts_and_caps_at_new_year():
    cal = Calendar(dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    assert cal.month_starts[:3].tolist() == [0.0, 31.0, 59.0]
    assert cal.year_starts.tolist() == [365.0, 730.0]
    change = np.array([10.0, 31.0, 400.0, np.inf])
    # a change inside January takes effect on 1 February; one on 1 February at once; any later one is
    # capped at the next 1 January, when everyone is redrawn
    assert cal.review_boundary(change, 0.0).tolist() == [31.0, 31.0, 365.0, 365.0]
    assert cal.review_boundary(np.array([np.inf]), 400.0).tolist() == [730.0]
