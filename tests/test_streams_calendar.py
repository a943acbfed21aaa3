"""Named random streams and the model calendar."""

import datetime as dt

import numpy as np
import pytest

from sim.calendar import Calendar, months
from sim.streams import STREAM_NAMES, Streams


def test_streams_are_independent_and_reproducible():
    a, b = Streams(42, 0), Streams(42, 0)
    draws = {name: a[name].random(3) for name in STREAM_NAMES}
    assert all(np.array_equal(draws[name], b[name].random(3)) for name in STREAM_NAMES)
    values = [tuple(v) for v in draws.values()]
    assert len(set(values)) == len(values)             # every stream differs
    assert not np.array_equal(Streams(42, 1)["timing"].random(3), Streams(42, 0)["timing"].random(3))


def test_stream_seed_is_seedsequence_spawn_key():
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(2, 1)))).random()
    assert Streams(7, 2)["timing"].random() == expected   # 'timing' is stream 1


def test_unknown_stream_names_the_known_ones():
    with pytest.raises(KeyError, match="timing"):
        Streams(1, 0)["weather"]


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
