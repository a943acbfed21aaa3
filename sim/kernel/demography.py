"""The default fertility and mortality schedules as fits to the published tables of ``sim/data/demography.yaml``.

The scenario's defaults are these fits, rounded (``tests/test_demography.py`` checks that they still are):
the fertility bell's mean and sd fitted to a 2020 census age pattern, each sex's Gompertz slope to the
2000 census death rates, and its level so that the hazard gives a sourced life expectancy at birth.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, least_squares

from ..core.ages import FERTILE_AGES
from ..data import load_demography
from .hazards import fertility_weight
from .old_age import group_bounds

#: ages over which a life expectancy is integrated (survival is nil long before)
_LIFE_TABLE_AGES = np.linspace(0.0, 130.0, 130_001)


def bell_group_shares(mean_age: float, sd: float) -> np.ndarray:
    """The shares of the model's bell (``hazards.fertility_weight``) in the 5-year groups 15-19 ... 45-49."""
    return fertility_weight(np.arange(*FERTILE_AGES) + 0.5, mean_age, sd).reshape(-1, 5).sum(axis=1)


def fitted_fertility_bell() -> tuple[float, float]:
    """Mean and sd (years) of the bell whose group shares fit the census table's shares best (least squares)."""
    groups = load_demography()["fertility"]["age_pattern_asfr_per_mille"]["groups"]
    asfr = np.array(list(groups.values()), dtype=float)
    share = asfr / asfr.sum()

    def misfit(p: np.ndarray) -> np.ndarray:
        return bell_group_shares(p[0], p[1]) - share

    fit = least_squares(misfit, x0=[30.0, 5.0])
    return float(fit.x[0]), float(fit.x[1])


def fitted_gompertz_slope(sex: str) -> float:
    """Per year of age: the log-linear slope of ``sex``'s ("male"/"female") death rates over the fit ages."""
    table = load_demography()["mortality"]["death_rate_per_mille_by_sex_2000"]
    low, high = table["fit_ages"]
    mids, rates = [], []
    for label, rate in table[sex].items():
        a, b = group_bounds(label)
        if low <= a and b <= high:
            mids.append((a + b) / 2.0)
            rates.append(rate / 1000.0)
    slope, _ = np.polyfit(mids, np.log(rates), 1)
    return float(slope)


def gompertz_life_expectancy_years(level_per_year: float, slope_per_year_of_age: float) -> float:
    """Life expectancy at birth under ``level * exp(slope * age)``: the integral of survival over age."""
    a, b = level_per_year, slope_per_year_of_age
    cumulative = a * _LIFE_TABLE_AGES if b == 0 else a / b * np.expm1(b * _LIFE_TABLE_AGES)
    return float(np.trapezoid(np.exp(-cumulative), _LIFE_TABLE_AGES))


def life_expectancy_targets(male_share_at_birth: float) -> dict[str, float]:
    """e0 by sex: Qingdao's both-sex e0 split by the national sex gap, the two weighted by the share of boys
    at birth (a fraction) averaging to it."""
    m = load_demography()["mortality"]
    boys = male_share_at_birth
    gap = m["life_expectancy_sex_gap_china_2010"]["female"] - m["life_expectancy_sex_gap_china_2010"]["male"]
    male = m["life_expectancy_qingdao"]["e0"] - (1.0 - boys) * gap
    return {"male": male, "female": male + gap}


def fitted_gompertz_level(slope_per_year_of_age: float, life_expectancy_years: float) -> float:
    """The Gompertz level (per year) that gives ``life_expectancy_years`` at birth with the slope given."""
    return float(brentq(lambda a: gompertz_life_expectancy_years(a, slope_per_year_of_age) - life_expectancy_years,
                        1e-9, 1e-1, xtol=1e-15))
