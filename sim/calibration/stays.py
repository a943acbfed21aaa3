"""The departure duration profile fitted to a stock of migrants' elapsed stays (``sim/data/migration.yaml``).

In a stationary stock (a steady inflow, each arrival staying with survival ``S``), the elapsed stays of those
present have density ``S(t) / integral S``, so the share staying over ``t`` years is
``P(t) = integral_t^inf S / integral_0^inf S``. With a hazard ``h1`` before ``threshold`` years and ``h2``
after, ``P(10) / P(4) = exp(-h2 (10 - 4))`` fixes ``h2`` in closed form and ``P(4)`` then fixes ``h1``
(``(1 - exp(-h1 T)) / h1 = (1 - P(T)) / P(T) * exp(-h1 T) / h2``, one root). An inflow growing at ``g`` a
year weighs stays by ``exp(-g t)``, the same as hazards higher by ``g``: the fitted ones less ``g`` are the
hazards. The schema's ``behaviour.departure.long_stay_multiplier`` is ``h2 / h1`` of this fit.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

from ..data import load_migration


def fit_two_piece(threshold_years: float, share_over_threshold: float, later_years: float,
                  share_over_later: float, inflow_growth_per_year: float = 0.0) -> tuple[float, float]:
    """Hazards per year (before, after ``threshold_years``) whose stationary stock has the two shares."""
    if not (0.0 < share_over_later < share_over_threshold < 1.0 and later_years > threshold_years > 0.0):
        raise ValueError("the shares must fall with the years, strictly between 0 and 1")
    after = math.log(share_over_threshold / share_over_later) / (later_years - threshold_years)
    odds = (1.0 - share_over_threshold) / share_over_threshold

    def gap(before: float) -> float:
        early = -math.expm1(-before * threshold_years) / before
        return early - odds * math.exp(-before * threshold_years) / after

    before = brentq(gap, 1e-9, 50.0)
    return before - inflow_growth_per_year, after - inflow_growth_per_year


def fitted_profile(inflow_growth_per_year: float = 0.0) -> dict[str, float]:
    """The fit to ``stays_2009``: the hazards before and after 4 years and their ratio (the multiplier)."""
    s = load_migration()["stays_2009"]["share_staying_over_years"]
    (t1, p1), (t2, p2) = sorted((float(k), float(v)) for k, v in s.items())
    before, after = fit_two_piece(t1, p1, t2, p2, inflow_growth_per_year)
    return {"threshold_years": t1, "before_per_year": before, "after_per_year": after,
            "long_stay_multiplier": after / before}
