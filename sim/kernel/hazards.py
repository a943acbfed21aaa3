"""The residents' competing hazards, as pure functions of state arrays.

Every function takes a ``state`` mapping of equal-length arrays (one entry per
resident considered) and a ``behaviour`` section of the scenario, and returns
the hazard per year of one event type. Hazards are held constant over each
resident's window (a month to a year; piecewise-constant, so waiting times are
exponential; see ``model``).
Forms follow ``docs/sources/literature.md``: proportional hazards
``h = h0 * prod(multipliers)``, Gompertz mortality by sex, a bell-shaped fertility
schedule, and the expected-income (Harris-Todaro) term for rural-urban moves.

State keys: ``present`` (bool), ``district`` (index), ``age_years`` (at the start of the window:
thresholds), ``mid_age_years`` (at its middle: the smooth Gompertz and
fertility terms), ``female``, ``is_head``, ``urban``, ``hukou``, ``homestead``
(the household's status), ``insurance_years``, ``talent``, ``permit``,
``resident_years`` (years since arrival; inf for natives),
``rural_destination`` (an urban household's move to a rural part is possible) and ``year`` (the calendar
year of the window, one number: a window never crosses 1 January; the fertility path reads it).
"""

from __future__ import annotations

import math

import numpy as np

from ..core.ages import FERTILE_AGES, FERTILITY_BASE_YEAR, RETIREMENT_AGE
from ..core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, value_in_year
from ..core.codes import LEASED, LOCAL_RURAL, LOCAL_URBAN, NO_HOMESTEAD, NONLOCAL, OCCUPIED, PRESENT
from .premises import may_take_permit


def only_where(mask: np.ndarray, hazard) -> np.ndarray:
    """``hazard`` (an array or one number) where ``mask`` holds, 0 elsewhere: ``np.where(mask, hazard, 0.0)``
    bit for bit, since hazards are finite and never negative, at a quarter of its cost (a multiplication)."""
    return hazard * mask


def insurance_years(res, rows, day) -> np.ndarray:
    """Years of social insurance at ``day``: employed residents accrue from ``insurance_since_day``
    until they turn 60; others hold none."""
    retire_day = res.birth_day[rows] + RETIREMENT_AGE * DAYS_PER_YEAR
    accrued = (np.minimum(day, retire_day) - res.insurance_since_day[rows]) / DAYS_PER_YEAR
    return only_where(res.employed[rows], np.maximum(accrued, 0.0))


def state_of(res, rows, day, mid_day=None) -> dict[str, np.ndarray]:
    """The arrays the hazard functions read, for ``rows`` (indices or a slice) at ``day``.

    Thresholds are judged at ``day``, the window's start, so that a threshold
    crossed inside a window takes effect at the next window; the smooth age
    terms use ``mid_day`` (one number or one per row; default ``day``).
    ``rural_destination`` is all True here: the model narrows it.
    """
    birth = res.birth_day[rows]
    return {
        "present": res.status[rows] == PRESENT,
        "district": res.district[rows],
        "age_years": (day - birth) / DAYS_PER_YEAR,
        "mid_age_years": ((day if mid_day is None else mid_day) - birth) / DAYS_PER_YEAR,
        "rural_destination": np.ones(birth.shape, bool),
        "female": res.female[rows],
        "is_head": res.is_head[rows],
        "urban": res.urban[rows],
        "hukou": res.hukou[rows],
        "homestead": res.hh_homestead[res.hh[rows]],
        "insurance_years": insurance_years(res, rows, day),
        "talent": res.talent[rows],
        "permit": res.permit[rows],
        "employed": res.employed[rows],
        "flexible": res.flexible[rows],
        "pension": res.pension[rows],
        "medical": res.medical[rows],
        "resident_years": (day - res.arrival_day[rows]) / DAYS_PER_YEAR,
    }


def next_change_day(res, rows, day: float, behaviour, until: float = np.inf) -> np.ndarray:
    """The first day after ``day`` at which a threshold in the hazards below is crossed by itself (inf: none).

    Thresholds: the fertile ages, age 60, the permit's minimum age and months
    of residence, the departure profile's stay and head's age (when not flat), and the insurance years
    that make a resident eligible for hukou conversion. Age also moves the Gompertz and fertility terms
    continuously; the engine handles that by redrawing everyone every year.

    A change on or after ``until`` may come back as inf: the engine's windows end by the next 1 January
    anyway, so only the residents who can cross a threshold before ``until`` are looked at (whole years
    of age near a threshold, arrivals near a stay's threshold, employed residents near their insurance years). Each
    candidate day is computed exactly as for everyone, so the days before ``until`` are the same.
    """
    birth = res.birth_day[rows]
    change = np.full(birth.shape, np.inf)

    def later(at, candidate):                 # candidate days of rows[at]; those not after ``day`` do not count
        change[at] = np.minimum(change[at], np.where(candidate > day, candidate, np.inf))

    departure = behaviour.departure
    ages = (*FERTILE_AGES, RETIREMENT_AGE, behaviour.residence_permit.min_age_years,
            *((departure.older_head_age_years,) if departure.older_head_multiplier != 1.0 else ()))
    near = _near_an_age(birth, day, until, ages)
    for age in ages:
        later(near, birth[near] + age * DAYS_PER_YEAR)
    arrival = res.arrival_day[rows]
    stays = (behaviour.residence_permit.min_residence_months * DAYS_PER_MONTH,
             *((departure.long_stay_years * DAYS_PER_YEAR,) if departure.long_stay_multiplier != 1.0 else ()))
    for stay_days in stays:
        # the others passed it (or are natives), or reach it only on or after ``until``
        recent = np.flatnonzero((arrival > day - stay_days - 1.0) & (arrival < until - stay_days + 1.0))
        later(recent, arrival[recent] + stay_days)
    insured_days = behaviour.hukou.min_insurance_years * DAYS_PER_YEAR
    since = res.insurance_since_day[rows]
    insured = np.flatnonzero(res.employed[rows] & (since > day - insured_days - 1.0))
    eligible_day = since[insured] + insured_days
    later(insured, np.where(eligible_day < birth[insured] + RETIREMENT_AGE * DAYS_PER_YEAR, eligible_day, np.inf))
    return change


def _near_an_age(birth: np.ndarray, day: float, until: float, ages) -> np.ndarray | slice:
    """Positions of the residents whose age can reach one of ``ages`` after ``day`` and before ``until``
    (all of them when ``until`` is not finite): whole years of age at ``day`` within the window's length
    below a threshold, one year of slack on each side for rounding."""
    if not np.isfinite(until):
        return slice(None)
    span_years = (until - day) / DAYS_PER_YEAR
    table = np.zeros(256, bool)                 # by whole years of age, 0-255
    for age in ages:
        table[max(math.floor(age - span_years) - 1, 0):max(math.ceil(age) + 1, 0)] = True
    whole = np.clip((day - birth) / DAYS_PER_YEAR, 0, len(table) - 1).astype(np.intp)
    return np.flatnonzero(table[whole])


def death_hazard_per_year(state, behaviour) -> np.ndarray:
    """Gompertz for each sex: ``level * exp(slope * age)``, with women's level and slope where ``female``."""
    m = behaviour.mortality
    female = state["female"]
    level = np.where(female, m.female_gompertz_level_per_year, m.male_gompertz_level_per_year)
    slope = np.where(female, m.female_gompertz_slope_per_year_of_age, m.male_gompertz_slope_per_year_of_age)
    return only_where(state["present"], level * np.exp(slope * state["mid_age_years"]))


def fertility_weight(age_years: np.ndarray, mean_age: float, sd: float) -> np.ndarray:
    """Bell-shaped age pattern, normalised to sum to 1 over single years of age 15..49."""
    mids = np.arange(*FERTILE_AGES) + 0.5
    norm = np.exp(-0.5 * ((mids - mean_age) / sd) ** 2).sum()
    return np.exp(-0.5 * ((age_years - mean_age) / sd) ** 2) / norm


def total_fertility_in(fertility, year: int) -> float:
    """The total fertility rate of ``year``: the path's (``total_fertility_rate_by_year``) for the year or the
    latest listed year before it; before the path's first year or without a path, ``total_fertility_rate``
    changed by ``total_fertility_rate_change_pct_per_year`` each year after ``FERTILITY_BASE_YEAR``."""
    trend = fertility.total_fertility_rate * (
        1.0 + fertility.total_fertility_rate_change_pct_per_year / 100.0) ** max(year - FERTILITY_BASE_YEAR, 0)
    return value_in_year(fertility.total_fertility_rate_by_year, year, trend)


def birth_hazard_per_year(state, behaviour) -> np.ndarray:
    """Women 15-49: ``TFR(year) * weight(age)``, so that summed over ages 15-49 it gives the year's TFR."""
    f = behaviour.fertility
    age = state["age_years"]
    fertile = state["present"] & state["female"] & (age >= FERTILE_AGES[0]) & (age < FERTILE_AGES[1])
    return only_where(fertile, total_fertility_in(f, int(state["year"]))
                      * fertility_weight(state["mid_age_years"], f.mean_age_at_birth_years, f.sd_age_at_birth_years))


def departure_hazard_per_year(state, behaviour) -> np.ndarray:
    """Reference persons only (the household leaves together); non-locals leave more often.

    A non-local household's hazard is ``nonlocal_hazard_per_year`` times a duration profile (``long_stay_multiplier``
    once the head has lived ``long_stay_years`` in Qingdao; fitted to the stock of migrants' stays,
    ``calibration.stays``) times an age profile (``older_head_multiplier`` from ``older_head_age_years``).
    Both are thresholds judged at the window's start (``next_change_day``). A flat profile (multiplier 1) is
    skipped, so it costs nothing and changes no number.
    """
    d = behaviour.departure
    nonlocal_ = state["hukou"] == NONLOCAL
    h = np.where(nonlocal_, d.nonlocal_hazard_per_year, d.local_hazard_per_year)
    if d.long_stay_multiplier != 1.0:
        h = h * np.where(nonlocal_ & (state["resident_years"] >= d.long_stay_years), d.long_stay_multiplier, 1.0)
    if d.older_head_multiplier != 1.0:
        h = h * np.where(nonlocal_ & (state["age_years"] >= d.older_head_age_years), d.older_head_multiplier, 1.0)
    return only_where(state["present"] & state["is_head"], h)


def rural_to_urban_hazard_per_year(state, behaviour) -> np.ndarray:
    """Rural households: ``base * (income ratio / reference)^elasticity * lock-in * age``.

    The income term is the expected-income gap of Harris and Todaro (1970);
    living on one's own homestead multiplies by the land lock-in (Giles and Mu).
    """
    r = behaviour.rural_to_urban
    h = r.base_hazard_per_year * (r.income_ratio / r.reference_income_ratio) ** r.income_elasticity
    h = h * np.where(state["homestead"] == OCCUPIED, r.homestead_lockin_multiplier, 1.0)
    h = h * np.where(state["age_years"] >= RETIREMENT_AGE, r.older_head_multiplier, 1.0)
    return only_where(state["present"] & state["is_head"] & ~state["urban"], h)


def urban_to_rural_hazard_per_year(state, behaviour) -> np.ndarray:
    """Urban households: local rural hukou holders return to their village; others rarely move out.

    Only where the destination district has a rural part (``rural_destination``).
    """
    u = behaviour.urban_to_rural
    returning = (state["hukou"] == LOCAL_RURAL) & (state["homestead"] != LEASED)   # a leased home is let
    h = np.where(returning, u.return_hazard_per_year, u.other_hazard_per_year)
    return only_where(state["present"] & state["is_head"] & state["urban"] & state["rural_destination"], h)


def hukou_eligible(state, behaviour) -> np.ndarray:
    """Eligibility under the 2020 rules: an urban resident without an urban Qingdao hukou, with
    enough years of social insurance or (when ``talent_exempt``) talent status."""
    k = behaviour.hukou
    qualifies = state["insurance_years"] >= k.min_insurance_years
    if k.talent_exempt:
        qualifies = qualifies | state["talent"]
    return state["present"] & state["urban"] & (state["hukou"] != LOCAL_URBAN) & qualifies


def conversion_base_hazard_per_year(state, behaviour) -> np.ndarray:
    """What an eligible household's conversion hazard would be: origin-specific base times the
    homestead penalty (Gu et al. 2020). Shared with the levers that widen eligibility."""
    k = behaviour.hukou
    h = np.where(state["hukou"] == NONLOCAL, k.nonlocal_conversion_hazard_per_year,
                 k.local_rural_conversion_hazard_per_year)
    return h * np.where(state["homestead"] != NO_HOMESTEAD, k.homestead_multiplier, 1.0)


def hukou_conversion_hazard_per_year(state, behaviour) -> np.ndarray:
    """Eligible reference persons convert at ``conversion_base_hazard_per_year``."""
    return only_where(state["is_head"] & hukou_eligible(state, behaviour),
                      conversion_base_hazard_per_year(state, behaviour))


def permit_hazard_per_year(state, behaviour) -> np.ndarray:
    """Non-local residents old enough and resident long enough, without a permit yet."""
    r = behaviour.residence_permit
    eligible = (state["present"] & may_take_permit(state["hukou"], state["permit"])
                & (state["age_years"] >= r.min_age_years)
                & (state["resident_years"] * 12.0 >= r.min_residence_months))
    return only_where(eligible, r.uptake_hazard_per_year)


def homestead_lease_hazard_per_year(state, behaviour) -> np.ndarray:
    """No homestead market in the 2020 rules: only the homestead-reform lever opens one (``policy``).

    Appended last, so that a zero here leaves every other draw of the baseline exactly as it was.
    """
    return np.zeros(len(state["present"]))


def pension_enrolment_hazard_per_year(state, behaviour) -> np.ndarray:
    """Under the 2020 rules employees are enrolled by their employer and flexible workers without an urban
    hukou may not enrol: no enrolment events. The flexible-worker-pension lever opens them (``policy``)."""
    return np.zeros(len(state["present"]))


def medical_enrolment_hazard_per_year(state, behaviour) -> np.ndarray:
    """Under the 2020 rules non-local residents are insured in Qingdao only through an employer: no enrolment
    events. The public-services lever opens enrolment to permit holders (``policy``)."""
    return np.zeros(len(state["present"]))


#: the residents' competing events, in a fixed order (the order is part of the random draws)
EVENT_HAZARDS = (
    ("death", death_hazard_per_year),
    ("birth", birth_hazard_per_year),
    ("departure", departure_hazard_per_year),
    ("rural_to_urban", rural_to_urban_hazard_per_year),
    ("urban_to_rural", urban_to_rural_hazard_per_year),
    ("hukou_conversion", hukou_conversion_hazard_per_year),
    ("residence_permit", permit_hazard_per_year),
    ("homestead_lease", homestead_lease_hazard_per_year),
    ("pension_enrolment", pension_enrolment_hazard_per_year),
    ("medical_enrolment", medical_enrolment_hazard_per_year),
)
EVENT_NAMES = tuple(name for name, _ in EVENT_HAZARDS)
