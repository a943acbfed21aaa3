"""Arrivals from outside Qingdao: the month's households, drawn together, then added as residents.

The base stream is a Poisson number of households proportional to the
population and to the origin pool's size relative to 2020 (gravity: flows grow
with the origin's mass as with the destination's), at uniform times in the
month, with sizes, zones (gravity: a district draws arrivals of each type in
proportion to its residents of that type) and attributes from
``behaviour.in_migration``. Levers may add batches of
their own (talent attraction's graduates); every batch becomes residents with
status ARRIVING, who join the city at their time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..core.ages import RETIREMENT_AGE, WORKING_AGE
from ..core.calendar import DAYS_PER_YEAR, ORIGIN_POOL_REFERENCE_YEAR, value_in_year
from ..core.codes import ARRIVING, IDLE, NONLOCAL
from ..core.districts import DISTRICTS


@dataclass
class ArrivalBatch:
    """Households arriving in one month: per household ``times``, ``sizes``, ``district``, ``urban``,
    ``homestead``; per person ``age``, ``female``, ``talent``, ``employed``, ``flexible``."""

    times: np.ndarray
    sizes: np.ndarray
    district: np.ndarray
    urban: np.ndarray
    homestead: np.ndarray
    age: np.ndarray
    female: np.ndarray
    talent: np.ndarray
    employed: np.ndarray
    flexible: np.ndarray

    @classmethod
    def empty(cls) -> ArrivalBatch:
        flags = {"urban", "female", "talent", "employed", "flexible"}
        whole = {"sizes", "district", "homestead"}
        return cls(**{f.name: np.zeros(0, bool if f.name in flags else np.int64 if f.name in whole else float)
                      for f in fields(cls)})

    def __len__(self) -> int:
        return len(self.times)


def concat(batches: list[ArrivalBatch]) -> ArrivalBatch:
    return ArrivalBatch(**{f.name: np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(ArrivalBatch)})


def type_weights(stock: np.ndarray, exponent: float) -> np.ndarray:
    """Gravity weights (district, urban 0/1): residents of that type raised to ``exponent``."""
    by_type = stock.sum(axis=(2, 3)).astype(np.float64)
    return np.where(by_type > 0, by_type ** exponent, 0.0)


def arrival_rate_in(in_migration, year: int) -> float:
    """Arrivals per resident in ``year``: the path's (``rate_by_year``) for the year or the latest listed year
    before it; ``rate_per_year`` before the path's first year or without a path."""
    return value_in_year(in_migration.rate_by_year, year, in_migration.rate_per_year)


def origin_pool_change_pct_in(in_migration, year: int) -> float:
    """The origin pool's change in ``year`` (% over the year before): the path's
    (``origin_pool_change_pct_by_year``) for the year or the latest listed year before it;
    ``origin_pool_change_pct_per_year`` before the path's first year or without a path."""
    return value_in_year(in_migration.origin_pool_change_pct_by_year, year,
                         in_migration.origin_pool_change_pct_per_year)


def origin_pool_index(in_migration, year: int) -> float:
    """The origin pool's size in ``year`` over its size in ``ORIGIN_POOL_REFERENCE_YEAR`` (exactly 1 there).

    Each year's change (``origin_pool_change_pct_in``) compounds from the reference year in both directions:
    after it, ``prod_{k=ref+1..year} (1 + change(k)/100)``; before it, 1 over ``prod_{k=year+1..ref}`` of the
    same (the change of year k takes the pool from year k - 1 to year k).
    """
    ref = ORIGIN_POOL_REFERENCE_YEAR
    steps = range(ref + 1, year + 1) if year > ref else range(year + 1, ref + 1)
    product = 1.0
    for k in steps:
        product *= 1.0 + origin_pool_change_pct_in(in_migration, k) / 100.0
    return product if year >= ref else 1.0 / product


def origin_pool_factor(in_migration, year: int) -> float:
    """The month's arrivals' multiplier for the origin pool of ``year``: ``origin_pool_index`` raised to
    ``origin_pool_elasticity`` (a gravity model's origin mass; one national pool, so the sum over origins
    ``sum_o w_o (pool_o(year) / pool_o(ref))^elasticity`` has one term, ``w`` 1). Exactly 1 at elasticity 0."""
    elasticity = in_migration.origin_pool_elasticity
    if elasticity == 0.0:
        return 1.0
    return origin_pool_index(in_migration, year) ** elasticity


def total_pull_multiplier(in_migration, weights: np.ndarray, pull: np.ndarray | None) -> float:
    """The month's total arrivals' multiplier: the levers' ``pull`` on districts averaged over the destination
    ``weights`` (district, urban), raised to ``total_pull_elasticity``. At 0 (the default) the pull only
    redirects arrivals (a production-constrained gravity model); at 1 a district's pull adds its arrivals
    rather than taking them from the others (unconstrained)."""
    elasticity = in_migration.total_pull_elasticity
    if pull is None or elasticity == 0.0 or weights.sum() <= 0:
        return 1.0
    mean_pull = float((weights * pull[:, None]).sum() / weights.sum())
    return mean_pull ** elasticity


def urban_pull(stock: np.ndarray, elasticity: float) -> np.ndarray:
    """Each district's pull from its urban share over the city's, raised to ``elasticity``: the Harris-Todaro
    expected income with the urban share standing for the chance of an urban job (redirects, adds none)."""
    by_type = stock.sum(axis=(2, 3)).astype(np.float64)
    residents = by_type.sum(axis=1)
    city = by_type[:, 1].sum() / max(by_type.sum(), 1.0)
    share = np.divide(by_type[:, 1], residents, out=np.zeros(len(residents)), where=residents > 0)
    return (share / city) ** elasticity if city > 0 else np.ones(len(residents))


def draw_base(rng: np.random.Generator, in_migration, population, stock: np.ndarray, start_day: float,
              end_day: float, year: int, pull: np.ndarray | None = None,
              place_pull: np.ndarray | None = None, rate_multiplier: float = 1.0) -> ArrivalBatch:
    """The month's arrivals of ``behaviour.in_migration`` (drawn in a fixed order from ``rng``), with the
    shares of ``population`` (employment, flexible work, homesteads), at the arrival rate of ``year`` (the
    month's: ``arrival_rate_in``) times the origin pool's factor of ``year`` (``origin_pool_factor``: a
    deterministic multiplier on the Poisson mean, so the draws keep their order; at elasticity 0 it is exactly
    1 and the draws are those without a pool).

    ``pull`` multiplies each district's destination weight (levers such as new-town development) and, by
    ``total_pull_multiplier``, the month's total; ``urban_pull`` multiplies the weights when its elasticity is
    not 0. Both elasticities at 0 (the defaults) leave the draws as they were without them.

    ``place_pull`` multiplies each district's destination weight too, without changing the total (the jobs and
    housing of ``district_economy``); ``rate_multiplier`` multiplies the Poisson mean (its city-wide job
    availability; exactly 1 by default).
    """
    m = in_migration
    p = population
    size_values = np.array([int(k) for k in m.household_size_shares_pct], np.int64)
    size_p = np.array(list(m.household_size_shares_pct.values()), np.float64)
    size_p = size_p / size_p.sum()
    mean_size = float((size_values * size_p).sum())
    weights = type_weights(stock, m.destination_population_exponent)
    weights = weights * np.array([m.district_attraction[d] for d in DISTRICTS])[:, None]
    rate = arrival_rate_in(m, year) * total_pull_multiplier(m, weights, pull) * origin_pool_factor(m, year)
    if rate_multiplier != 1.0:
        rate *= rate_multiplier
    if pull is not None:
        weights = weights * pull[:, None]
    if place_pull is not None:
        weights = weights * place_pull[:, None]
    if m.urban_pull_elasticity != 0.0:
        weights = weights * urban_pull(stock, m.urban_pull_elasticity)[:, None]
    expected = rate * stock.sum() / mean_size * (end_day - start_day) / DAYS_PER_YEAR
    count = int(rng.poisson(expected))
    times = start_day + rng.random(count) * (end_day - start_day)
    if count == 0:
        return ArrivalBatch.empty()
    sizes = rng.choice(size_values, size=count, p=size_p)
    urban = rng.random(count) < m.urban_share_pct / 100.0
    district = np.empty(count, np.int64)
    for u in (0, 1):
        w = weights[:, u]
        sel = np.flatnonzero(urban == bool(u))
        if w.sum() == 0:       # no zone of this type: fall back to the other type
            urban[sel] = not u
            w = weights[:, 1 - u]
        district[sel] = rng.choice(len(DISTRICTS), size=len(sel), p=w / w.sum())
    n = int(sizes.sum())
    member = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # position within household
    adult = member < 2
    age = np.where(adult, np.clip(rng.normal(m.adult_age_mean_years, m.adult_age_sd_years, n), WORKING_AGE, 80),
                   rng.random(n) * 15.0)
    homestead = np.where(rng.random(count) < p.nonlocal_homestead_share_pct / 100.0, IDLE, 0)
    employed = adult & (age < RETIREMENT_AGE) & (rng.random(n) < p.employed_share_pct / 100.0)
    female = rng.random(n) < m.female_share_pct / 100.0
    talent = adult & (age < RETIREMENT_AGE) & (rng.random(n) < m.talent_share_pct / 100.0)
    flexible = employed & (rng.random(n) < p.flexible_worker_share_pct / 100.0)
    return ArrivalBatch(times, sizes, district, urban, homestead, age, female, talent, employed, flexible)


def add(res, batch: ArrivalBatch) -> np.ndarray:
    """Add the batch's households as residents with status ARRIVING; return each household's first row."""
    sizes = batch.sizes.astype(np.int64)
    arrival = np.repeat(batch.times, sizes)
    _, rows = res.add_households(
        sizes, homestead=batch.homestead, district=np.repeat(batch.district, sizes),
        urban=np.repeat(batch.urban, sizes), hukou=NONLOCAL, hukou_district=-1, female=batch.female,
        birth_day=arrival - batch.age * DAYS_PER_YEAR, arrival_day=arrival, insurance_since_day=arrival,
        employed=batch.employed, talent=batch.talent, flexible=batch.flexible,
        pension=batch.employed & ~batch.flexible, medical=batch.employed & ~batch.flexible,
    )
    res.status[rows] = ARRIVING
    return rows.start + np.cumsum(sizes) - sizes
