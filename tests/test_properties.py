"""Property tests: any mix of levers, dates, scopes and intensities keeps the model's invariants."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.districts import DISTRICTS
from sim.model import Model
from sim.policy import LEVERS
from tests.conftest import make_scenario

MONTH_STARTS = [f"{y}-{m:02d}-01" for y in (2021, 2022) for m in range(1, 13)]   # some after the end


def col(name):
    return INDICATOR_NAMES.index(name)


lever = st.fixed_dictionaries({
    "start": st.sampled_from(MONTH_STARTS),
    "districts": st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=4, unique=True),
    "intensity": st.floats(0.0, 1.0),
})
levers = st.dictionaries(st.sampled_from(sorted(LEVERS)), lever, max_size=len(LEVERS))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=levers, seed=st.integers(0, 2**31), replication=st.integers(0, 3))
def test_any_lever_mix_keeps_the_invariants(chosen, seed, replication):
    sc = make_scenario({"population.scale": 10000.0, "seed": seed, "period.end": "2022-03-31",
                        **{f"policies.{name}": value for name, value in chosen.items()}})
    model = Model(sc, replication, check_invariants=True)      # stock = recount, cells, no pending arrivals
    v = model.run().values
    change = np.diff(v[:, 1:, col("population")], axis=0)
    f = v[1:, 1:]
    balance = (f[..., col("births")] - f[..., col("deaths")] + f[..., col("in_migration")]
               - f[..., col("out_migration")] + f[..., col("internal_moves_in")] - f[..., col("internal_moves_out")])
    assert np.array_equal(change, balance)                    # every district's accounting closes every month
    assert np.nanmin(v) >= 0
    rates = [col(n) for n in INDICATOR_NAMES if n.endswith(("_rate", "_share")) or "coverage" in n]
    assert np.nanmax(v[:, :, rates]) <= 100.0 + 1e-9
    levels = np.array([c.level for c in model.schools.containers])
    held = model.res.view("school_district")
    assert np.array_equal(np.bincount(held[held >= 0], minlength=len(DISTRICTS)) + levels, model.schools.capacity)
