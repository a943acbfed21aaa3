"""The synthetic population: census marginals turned into agents in households.

Each agent stands for ``population.scale`` residents and the census is
``population.census`` (2020 by default; 2010 for backcasts, with its own totals, households, sex and age
groups: ``census_marginals``, ``age_groups``). Built to reproduce, up to
rounding to whole agents, the census district totals, the number of family
households and their persons, the persons in collective households (each such
resident is its own one-person unit; the census's 233,846 collective
households are institutions such as dormitories), the sex split and the three
age groups; and the assumed district urban shares, non-local share and hukou
urbanization rate up to one household per district. Everything is vectorised so the whole city
(10.07 million agents) builds in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..core.ages import ADULT_AGE, MAX_AGE_YEARS, OLD_AGE, RETIREMENT_AGE, WORKING_AGE
from ..core.calendar import DAYS_PER_YEAR
from ..core.codes import IDLE, LOCAL_RURAL, LOCAL_URBAN, NO_HOMESTEAD, NONLOCAL, OCCUPIED, cell_of
from ..core.districts import DISTRICTS
from ..data import load_census
from .arrivals import origin_pool_factor
from .old_age import OLD_AGE_YEARS, fitted_old_age_decline, old_age_decline, old_age_weights
from .residents import Residents

MIN_HEAD_AGE_YEARS = float(ADULT_AGE)   # household reference persons and collective residents are adults


def largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to ``shares`` that sum exactly to ``total``."""
    shares = np.asarray(shares, dtype=np.float64)
    exact = shares / shares.sum() * total
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def fill_by_persons(sizes: np.ndarray, targets: list[float]) -> np.ndarray:
    """Category of each household so that persons per category meet ``targets``.

    Households are taken in the given (already shuffled) order; a household
    goes to the category whose cumulative target its midpoint falls under, so
    each category misses its target by at most half a household.
    """
    cum = np.cumsum(sizes)
    midpoints = cum - sizes / 2.0
    bounds = np.cumsum(targets)[:-1]
    return np.searchsorted(bounds, midpoints, side="right")


def exact_bernoulli(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` independent-looking flags with exactly ``k`` set, without a full permutation."""
    flags = rng.random(n) < k / max(n, 1)
    while (gap := k - int(flags.sum())) != 0:
        wrong = np.flatnonzero(~flags if gap > 0 else flags)
        flip = np.unique(wrong[rng.integers(0, len(wrong), size=abs(gap))])
        flags[flip] = gap > 0
    return flags


def age_pool(n: int, rng: np.random.Generator, old_age_decline_per_year: float | None = None,
             census: int = 2020, persons: np.ndarray | None = None) -> np.ndarray:
    """``n`` ages in years with the age-group shares of the census ``census`` exactly (or of ``persons``, the
    persons of each of its groups, a district's: ``district_marginals``).

    Within each group ages are uniform, except from 65 on, where whole years decline geometrically at
    ``old_age_decline_per_year`` up to age 100 (None: the fit to the census's own groups within 65+,
    ``old_age.fitted_old_age_decline``). 2020's groups are 0-14, 15-59, 60-64 (60+ less 65+) and 65+; 2010's
    bulletin gives 0-14, 15-64 and 65+.
    """
    decline = fitted_old_age_decline(census) if old_age_decline_per_year is None else old_age_decline_per_year
    groups = age_groups(census)
    counts = largest_remainder(np.array([g[0] for g in groups]) if persons is None else persons, n)
    parts = []
    for (_, low, high), k in zip(groups, counts, strict=True):
        if low == OLD_AGE:
            weights = old_age_weights(decline)
            whole = rng.choice(OLD_AGE_YEARS, size=k, p=weights / weights.sum())
        else:
            whole = rng.integers(low, high, size=k)
        parts.append(whole + rng.random(k))
    return np.concatenate(parts)


#: each census's age groups as (lowest age, highest age + 1): 2020's 60-64 is its 60+ less its 65+
AGE_GROUP_BOUNDS = {2020: ((0, 15), (15, 60), (60, OLD_AGE), (OLD_AGE, MAX_AGE_YEARS + 1)),
                    2010: ((0, 15), (15, OLD_AGE), (OLD_AGE, MAX_AGE_YEARS + 1))}


def age_groups(census: int) -> list[tuple[float, int, int]]:
    """The census's age groups as (persons, lowest age, highest age + 1), from block ``census_<census>``."""
    c = load_census()[f"census_{census}"]
    groups = dict(c["age_groups"])
    if census == 2020:                                  # the city's 65+ is published as a share
        groups["65+"] = c["age_65_plus_share_pct"] / 100.0 * c["total"]
    return [(float(persons), low, high)
            for persons, (low, high) in zip(_group_persons(groups, census), AGE_GROUP_BOUNDS[census], strict=True)]


def _household_sizes(n_households: int, n_persons: int, shares: dict, rng: np.random.Generator) -> np.ndarray:
    """Draw sizes from the assumed shape, then adjust them to sum to ``n_persons``."""
    values = np.array([int(k) for k in shares], dtype=np.int64)
    p = np.array(list(shares.values()), dtype=np.float64)
    sizes = rng.choice(values, size=n_households, p=p / p.sum())
    gap = n_persons - int(sizes.sum())
    while gap:
        if gap > 0:
            np.add.at(sizes, rng.integers(0, n_households, size=gap), 1)
        else:
            can_shrink = np.flatnonzero(sizes > 1)
            pick = rng.choice(can_shrink, size=min(-gap, len(can_shrink)), replace=False)
            sizes[pick] -= 1
        gap = n_persons - int(sizes.sum())
    return sizes


def _age_pools(hh_district: np.ndarray, sizes: np.ndarray, age_persons: dict[int, np.ndarray], population,
               rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(which residents, as a mask; their shuffled ages) for each district with its own age structure, then
    for the other districts together with the rest of the city's (one pool for the whole city when none has
    its own). Each pool is shuffled once, so any run of it is a random sample."""
    census = population.census
    decline = old_age_decline(population)
    district = np.repeat(hh_district, sizes)
    n = len(district)
    city = largest_remainder(np.array([g[0] for g in age_groups(census)]), n)
    own_counts = []
    for d, persons in sorted(age_persons.items()):
        mask = district == d
        k = int(mask.sum())
        counts = largest_remainder(persons, k)
        own_counts.append(counts)
        yield mask, rng.permutation(age_pool(k, rng, decline, census,
                                             counts.astype(np.float64)).astype(np.float32))
    mask = np.ones(n, bool)             # the districts without their own ages (np.isin takes 30 times longer here)
    for d in age_persons:
        mask &= district != d
    del district
    counts = city - sum(own_counts, np.zeros_like(city))
    if np.any(counts < 0):
        raise ValueError("the districts' own age groups exceed the city's")
    yield mask, rng.permutation(age_pool(int(mask.sum()), rng, decline, census,
                                         None if not age_persons else counts.astype(np.float64)).astype(np.float32))


def _urban_shares_by_district(own: dict[int, float], sizes: np.ndarray, hh_district: np.ndarray,
                              hh_urban: np.ndarray, rural_share: float, city_nonlocal: float,
                              local_rural_share: float) -> np.ndarray:
    """Shares (non-local, local rural, local urban) of each district's urban residents when districts ``own``
    have a non-local share (%) of their own: theirs met in their urban part (their rural part keeps the
    city's ``rural_share``), the other districts' urban parts sharing the rest of ``city_nonlocal`` persons;
    local urban residents hold a rural hukou in the city's proportion ``local_rural_share``."""
    n = len(DISTRICTS)
    persons = np.bincount(hh_district, weights=sizes, minlength=n)
    urban = np.bincount(hh_district, weights=np.where(hh_urban, sizes, 0), minlength=n)
    rural = persons - urban
    nonlocal_urban = np.zeros(n)
    mine = np.zeros(n, bool)
    for d, pct in own.items():
        nonlocal_urban[d] = min(max(pct / 100.0 * persons[d] - rural_share * rural[d], 0.0), urban[d])
        mine[d] = True
    rest = city_nonlocal - (nonlocal_urban[mine] + rural_share * rural[mine]).sum() - rural_share * rural[~mine].sum()
    share = np.divide(nonlocal_urban, urban, out=np.zeros(n), where=urban > 0)
    share[~mine] = min(max(rest, 0.0), urban[~mine].sum()) / max(urban[~mine].sum(), 1.0)
    return np.column_stack([share, local_rural_share * (1.0 - share), (1.0 - local_rural_share) * (1.0 - share)])


def expected_growth(scenario) -> float:
    """Rows to reserve per starting agent: arrivals and births over the period, with a margin.

    Rows are never reused, so a run adds one row per arrival and birth; reserving them up front
    avoids growing 10-million-row arrays (a 1.5x copy) in the middle of a whole-city run.
    """
    years = ((scenario.period.end - scenario.period.start).days + 1) / DAYS_PER_YEAR
    births_per_year = 0.012      # above the default crude birth rate of about 0.0085 (2021-2023)
    m = scenario.behaviour.in_migration
    rate = max([m.rate_per_year, *m.rate_by_year.values()])     # the highest of the path's years
    # times the largest origin pool factor of the period's years (exactly 1 at elasticity 0)
    rate *= max(origin_pool_factor(m, y) for y in range(scenario.period.start.year, scenario.period.end.year + 1))
    return 1.0 + 1.15 * (rate + births_per_year) * years + 0.01


def census_marginals(census: int) -> dict:
    """The persons the build reproduces, from block ``census_<census>`` of census.yaml.

    Keys: ``total``, ``districts`` (in ``DISTRICTS`` order), ``collective`` (persons in collective
    households), ``family_households`` and ``female``. The 2010 bulletin gives the districts in 10,000s (on
    today's boundaries) and the persons in family households rather than in collective ones: these are the
    total less the family persons. Each census's own figures; its age structure is its own (``age_groups``).
    """
    c = load_census()[f"census_{census}"]
    if census == 2020:
        return {"total": c["total"], "districts": [c["districts"][d]["population"] for d in DISTRICTS],
                "collective": c["persons_in_collective_households"], "family_households": c["family_households"],
                "female": c["female"]}
    return {"total": c["total"], "districts": [round(c["districts_wan"][d] * 10_000) for d in DISTRICTS],
            "collective": c["total"] - c["persons_in_family_households"],
            "family_households": c["family_households"], "female": c["female"]}


def census_reference_date(census: int) -> dt.date:
    """The reference date (标准时点) of the census ``census``: its counts are of that day."""
    return load_census()[f"census_{census}"]["reference_date"]


def census_ageing_days(scenario) -> int:
    """Days from the reference date of the census ``population.census`` to ``period.start``: the residents are
    built that much older than their census ages (61 days from 2020-11-01 to the default 2021-01-01; none for a
    backcast from 2010-11-01). Nobody dies, is born or moves in between: the census's residents are aged only."""
    return (scenario.period.start - census_reference_date(scenario.population.census)).days


def rest_of_city(published: dict[int, np.ndarray], city, weights: np.ndarray) -> np.ndarray:
    """Per district (rows in ``DISTRICTS`` order): the published figure where a district has one, and the rest
    of the ``city``'s figure shared in proportion to ``weights`` among the others (so the city's is kept)."""
    city = np.asarray(city, np.float64)
    out = np.zeros((len(weights), *city.shape))
    own = np.zeros(len(weights), bool)
    for d, value in published.items():
        out[d], own[d] = value, True
    rest = city - out[own].sum(axis=0)
    if np.any(rest < 0):
        raise ValueError("the districts' published figures exceed the city's")
    others = np.where(own, 0.0, np.asarray(weights, np.float64))
    out[~own] = np.multiply.outer(others[~own] / others.sum(), rest)
    return out


def _group_persons(groups: dict, census: int) -> np.ndarray:
    """Persons by the groups of ``age_groups(census)`` from a bulletin's groups (2020's 60-64 is 60+ less 65+)."""
    if census == 2020:
        return np.array([groups["0-14"], groups["15-59"], groups["60+"] - groups["65+"], groups["65+"]], np.float64)
    return np.array([groups["0-14"], groups["15-64"], groups["65+"]], np.float64)


def district_marginals(census: int, own_bulletins: bool) -> dict:
    """The districts' own census figures (``census_<census>.district_detail`` of census.yaml) where published
    and ``own_bulletins`` is set: ``collective`` and ``family_households`` (districts with figures, persons or
    households) and ``age_persons`` (district index: persons by ``age_groups``)."""
    detail = load_census()[f"census_{census}"].get("district_detail", {}) if own_bulletins else {}
    index = {name: DISTRICTS.index(name) for name in detail}
    total = census_marginals(census)["districts"]
    age_persons = {}
    for name, d in index.items():
        if "age_groups" in detail[name]:
            g = detail[name]["age_groups"]
        elif "age_shares_pct" in detail[name]:
            g = {k: v / 100.0 * total[d] for k, v in detail[name]["age_shares_pct"].items()}
        else:
            continue
        age_persons[d] = _group_persons(g, census)
    return {"collective": {index[n]: v["persons_in_collective_households"] for n, v in detail.items()
                           if "persons_in_collective_households" in v},
            "family_households": {index[n]: v["family_households"] for n, v in detail.items()
                                  if "family_households" in v},
            "age_persons": age_persons}


def starting_agents(population) -> int:
    """Agents at the start: the census total over ``population.scale``, at least one per district."""
    total = census_marginals(population.census)["total"]
    return max(int(round(total / float(population.scale))), len(DISTRICTS))


def build_population(scenario, rng: np.random.Generator, helper_thread: bool = False) -> Residents:
    """Build the agents of the census ``population.census`` for ``scenario.population``.

    Parameters
    ----------
    scenario : a validated Scenario; only ``population`` and ``period`` are read. The census ages are those
        at its reference date, aged to ``period.start`` (``census_ageing_days``).
    rng : the replication's ``population`` stream.
    helper_thread : reserve the model's arrays on a second thread while the draws run
        (``Residents.reserved``); the numbers do not depend on it.
    """
    p = scenario.population
    c = census_marginals(p.census)
    n_total = starting_agents(p)
    district_pop = np.array(c["districts"], dtype=np.float64)
    own = district_marginals(p.census, p.district_census_bulletins)
    n_d = largest_remainder(district_pop, n_total)
    n_coll = largest_remainder(rest_of_city(own["collective"], c["collective"], n_d),
                               int(round(c["collective"] / c["total"] * n_total)))
    n_family = n_d - n_coll
    n_hh = largest_remainder(rest_of_city(own["family_households"], c["family_households"], n_family),
                             int(round(c["family_households"] / c["total"] * n_total)))
    n_hh = np.clip(n_hh, np.minimum(n_family, 1), n_family)
    growth = expected_growth(scenario)
    capacity = int(n_total * growth) + 16, int((n_hh.sum() + n_coll.sum()) * growth) + 16
    if helper_thread:
        helper = ThreadPoolExecutor(1, thread_name_prefix="sim-build")
        reserving = helper.submit(Residents.reserved, *capacity)
        helper.shutdown(wait=False)           # the thread ends with its task

    # households, district by district: family ones of assumed shape, then collective singles
    size_parts: list[np.ndarray] = []
    district: list[np.ndarray] = []
    collective: list[np.ndarray] = []
    for d in range(len(DISTRICTS)):
        if n_hh[d]:
            s = _household_sizes(int(n_hh[d]), int(n_family[d]), p.family_household_size_shares_pct, rng)
            size_parts.append(s)
            district.append(np.full(len(s), d, np.int8))
            collective.append(np.zeros(len(s), bool))
        size_parts.append(np.ones(n_coll[d], np.int64))
        district.append(np.full(n_coll[d], d, np.int8))
        collective.append(np.ones(n_coll[d], bool))
    sizes = np.concatenate(size_parts)
    hh_district = np.concatenate(district)
    hh_collective = np.concatenate(collective)
    n_households = len(sizes)

    # residence (urban/rural) per household, filled to each district's person target in random order
    order = rng.permutation(n_households)
    district_in_order = hh_district[order]
    hh_urban = np.zeros(n_households, bool)
    for d, name in enumerate(DISTRICTS):
        idx = order[district_in_order == d]
        total = float(sizes[idx].sum())
        urban_target = p.district_urbanization_rate_pct[name] / 100.0 * total
        hh_urban[idx] = fill_by_persons(sizes[idx], [urban_target, total - urban_target]) == 0

    # hukou: city-wide targets (non-local share, hukou urbanization rate) applied with the same
    # shares in every district (but those given a non-local share of their own); rural residents with a
    # local hukou hold a rural one
    n_persons = float(sizes.sum())
    rural_persons = float(sizes[~hh_urban].sum())
    urban_persons = n_persons - rural_persons
    rural_nonlocal = p.nonlocal_share_of_rural_residents_pct / 100.0 * rural_persons
    urban_nonlocal = min(max(p.nonlocal_share_pct / 100.0 * n_persons - rural_nonlocal, 0.0), urban_persons)
    locals_total = n_persons - rural_nonlocal - urban_nonlocal
    urban_local_rural = min(max((1.0 - p.hukou_urbanization_rate_pct / 100.0) * locals_total
                                - (rural_persons - rural_nonlocal), 0.0), urban_persons - urban_nonlocal)
    urban_shares = np.array([urban_nonlocal, urban_local_rural,
                             urban_persons - urban_nonlocal - urban_local_rural]) / max(urban_persons, 1.0)
    rural_shares = np.array([rural_nonlocal, rural_persons - rural_nonlocal]) / max(rural_persons, 1.0)
    by_district = np.tile(urban_shares, (len(DISTRICTS), 1))
    own_nonlocal = {DISTRICTS.index(name): pct for name, pct in p.district_nonlocal_share_pct.items()
                    if pct is not None}
    if own_nonlocal:
        by_district = _urban_shares_by_district(own_nonlocal, sizes, hh_district, hh_urban, rural_shares[0],
                                                p.nonlocal_share_pct / 100.0 * n_persons,
                                                urban_local_rural / max(urban_persons - urban_nonlocal, 1.0))
    hh_hukou = np.zeros(n_households, np.int8)
    urban_in_order = hh_urban[order]
    for d in range(len(DISTRICTS)):
        for is_urban, shares, codes in ((True, by_district[d], [NONLOCAL, LOCAL_RURAL, LOCAL_URBAN]),
                                        (False, rural_shares, [NONLOCAL, LOCAL_RURAL])):
            idx = order[(district_in_order == d) & (urban_in_order == is_urban)]
            persons = float(sizes[idx].sum())
            cat = fill_by_persons(sizes[idx], list(shares * persons))
            hh_hukou[idx] = np.array(codes, np.int8)[cat]
    del order, district_in_order, urban_in_order

    # homesteads: local rural households hold one (occupied when they live on it);
    # non-local households may hold one in their home village (idle while away)
    homestead = np.full(n_households, NO_HOMESTEAD, np.int8)
    local_rural = hh_hukou == LOCAL_RURAL
    homestead[local_rural & ~hh_urban] = OCCUPIED
    homestead[local_rural & hh_urban] = IDLE
    nonlocal_hh = hh_hukou == NONLOCAL
    homestead[nonlocal_hh & (rng.random(n_households) < p.nonlocal_homestead_share_pct / 100.0)] = IDLE

    # residents: ages with exact group counts, a district with its own bulletin's and the others the rest of
    # the city's; reference persons and collective residents are adults
    n = int(sizes.sum())
    first = np.cumsum(sizes) - sizes
    is_first = np.zeros(n, bool)
    is_first[first] = True
    source = np.empty(n, np.int32 if n < 2**31 else np.int64)   # the pool entry filling each resident slot
    pools: list[np.ndarray] = []
    for group, pool in _age_pools(hh_district, sizes, own["age_persons"], p, rng):
        heads = group & is_first                         # masks, not index arrays: the whole city's memory
        n_heads = int(heads.sum())
        adults = np.flatnonzero(pool >= MIN_HEAD_AGE_YEARS)
        if len(adults) < n_heads:
            raise ValueError("the census age groups leave too few adults to head every household")
        take = adults[:n_heads]                          # in shuffled order: a random choice of adults
        del adults
        taken = np.zeros(len(pool), bool)
        taken[take] = True
        offset = sum(len(q) for q in pools)
        source[heads] = offset + take
        del heads, take
        # the others in random order: the pool's untaken entries begin with the children passed over while
        # the heads were taken, which in pool order would crowd into the first districts' households
        rest = np.flatnonzero(~taken)
        del taken
        rng.shuffle(rest)                                # in place: as permutation's draws, without a copy
        rest += offset
        group &= ~is_first
        source[group] = rest
        del rest, group
        pools.append(pool)
    pool = pools[0] if len(pools) == 1 else np.concatenate(pools)
    del pools, is_first
    pool_female = exact_bernoulli(n, int(round(c["female"] / c["total"] * n)), rng)
    ages = pool[source]
    ages += np.float32(census_ageing_days(scenario) / DAYS_PER_YEAR)      # from the census date to the start
    female = pool_female[source]
    del pool, pool_female, source

    # the model's arrays are filled attribute by attribute, dropping temporaries as we go, so that the
    # whole city builds within the memory budget
    residents = reserving.result() if helper_thread else Residents(*capacity)
    _, rows = residents.add_households(
        sizes, collective=hh_collective, homestead=homestead,
        homestead_district=np.where(hh_hukou == LOCAL_RURAL, hh_district, -1),
        district=np.repeat(hh_district, sizes), urban=np.repeat(hh_urban, sizes),
        hukou=np.repeat(hh_hukou, sizes), female=female, birth_day=-ages * np.float32(DAYS_PER_YEAR))
    del female
    nonlocal_res = residents.hukou[rows] == NONLOCAL
    residents.hukou_district[rows] = np.where(nonlocal_res, np.int8(-1), residents.district[rows])
    years_resident = rng.exponential(p.nonlocal_mean_years_resident, size=n).astype(np.float32)
    residents.arrival_day[rows] = np.where(nonlocal_res, -years_resident * np.float32(DAYS_PER_YEAR), -np.inf)
    # an insurance record: residents 16+ in insured work accrue years until 60 (retirees keep theirs);
    # years so far are uniform between none and the whole working life (in Qingdao, for non-locals)
    employed = (ages >= WORKING_AGE) & (rng.random(n, np.float32) < p.employed_share_pct / 100.0)
    residents.employed[rows] = employed
    insurance_cap = np.minimum(ages, np.float32(RETIREMENT_AGE)) - np.float32(WORKING_AGE)
    np.copyto(insurance_cap, np.minimum(insurance_cap, years_resident), where=nonlocal_res)
    del years_resident
    np.clip(insurance_cap, 0.0, None, out=insurance_cap)
    insurance_cap *= rng.random(n, np.float32)            # years of insurance at the start (or at 60)
    # insured continuously since this day: accrual runs to the start, or to the 60th birthday if earlier
    since = np.minimum(residents.birth_day[rows] + np.float32(RETIREMENT_AGE * DAYS_PER_YEAR), np.float32(0.0))
    since -= insurance_cap * np.float32(DAYS_PER_YEAR)
    residents.insurance_since_day[rows] = np.where(employed, since, np.float32(0.0))
    del since
    del insurance_cap, employed
    residents.talent[rows] = nonlocal_res & (ages >= ADULT_AGE) & (ages < RETIREMENT_AGE) & (
        rng.random(n, np.float32) < p.talent_share_of_nonlocal_adults_pct / 100.0)
    residents.permit[rows] = nonlocal_res & (ages >= WORKING_AGE) & (
        rng.random(n, np.float32) < p.residence_permit_share_pct / 100.0)
    # insurance enrolment in Qingdao: locals hold the residents' medical insurance; employees are enrolled
    # by their employer; flexible workers may enrol in the employees' pension only with an urban hukou
    employed = residents.employed[rows]
    flexible = employed & (rng.random(n, np.float32) < p.flexible_worker_share_pct / 100.0)
    residents.flexible[rows] = flexible
    residents.pension[rows] = employed & (~flexible | (residents.hukou[rows] == LOCAL_URBAN))
    residents.medical[rows] = ~nonlocal_res | (employed & ~flexible)
    residents.cell[rows] = cell_of(residents.district[rows].astype(np.int16), residents.urban[rows],
                                   residents.hukou[rows], residents.permit[rows])
    return residents
