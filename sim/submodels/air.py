"""Air: the share of good-air days in the urban area (市区空气质量良好率), from PM2.5 and ozone modelled apart.

PM2.5 is the winter problem and ozone the summer one, and the plan acts on
them with different measures (深化细颗粒物与臭氧协同控制; 加强移动源污染管控), so
each has its own level, trend and weather:

- PM2.5: the annual mean falls by a steady share each year under emission
  controls (Zhang et al. 2019, PNAS: most of 2013-17's fall came from them),
  rises weakly with the urban population (Wang et al. 2018, Energy Policy 123:
  a weak term) and varies with the weather (a mean-one lognormal factor per
  calendar year). Daily values are lognormal around the annual mean.
- Ozone: the 90th percentile of the daily maximum 8-hour mean (O3-8h-90per,
  the national assessment metric) falls with VOC and NOx controls (the
  precursors' yearly fall times an elasticity) and rises with a hot summer
  (a normal temperature anomaly per calendar year times a slope in ug/m3 per
  degree). Daily values are lognormal with that 90th percentile.

A day is good when daily PM2.5 is at most its AQI-100 limit, ozone at most
its own, and no other pollutant (spring dust's PM10, mostly) exceeds:

    good days % = 100 * (1 - p_pm - p_o3 + p_both) * (1 - other / 100),
    p_both = p_pm * p_o3 + rho * sqrt(p_pm (1 - p_pm) p_o3 (1 - p_o3))

with ``rho`` the correlation of the two exceedance events (0: independent;
clipped so that p_both is a probability). The weather comes from the
``submodels`` stream: first one PM2.5 draw per calendar year after the first,
then one summer-temperature draw per such year, both in year order, so
scenarios run with the same seed share their weather. The first record's
calendar year (the starting state) has no draw: its values are the 2020 ones.
"""

from __future__ import annotations

import numpy as np

from ..core.fields import Field, Section

SCHEMA = Section(
    {
        "pm25_2020_annual_mean_ug_m3": Field(
            "float", 30.0, "Annual mean PM2.5 in the urban area at the start.", unit="ug/m3",
            minimum=1.0, maximum=500.0,
            source="assumption guided by docs/sources/submodels_search.yaml air: the 2020 annual value was not "
                   "found; 34 ug/m3 in 2018 (央广网 2019-01-16), 36 in the first half of 2020 (winter included; "
                   "市生态环境局 2020-08-04), 24 in October 2020, and Shandong's PM2.5 fell 11.5% in 2020"),
        "pm25_daily_log_sd": Field(
            "float", 0.55, "Spread of daily PM2.5 around the annual mean (sd of its logarithm).",
            unit="log units", minimum=0.05, maximum=3.0,
            source="assumption: typical of daily PM2.5 series in northern Chinese coastal cities"),
        "good_day_pm25_limit_ug_m3": Field(
            "float", 75.0, "Daily PM2.5 at which the air quality index reaches 100 (the good-day limit).",
            unit="ug/m3", minimum=1.0, maximum=500.0,
            source="HJ 633-2012 (环境空气质量指数技术规定): 24-hour PM2.5 of 75 ug/m3 is AQI 100"),
        "emission_control_reduction_pct_per_year": Field(
            "float", 4.0, "Yearly fall of the annual mean PM2.5 from emission controls.", unit="% per year",
            minimum=-50.0, maximum=50.0,
            source="assumption guided by docs/sources/literature.md: national population-weighted PM2.5 fell 32% in "
                   "2013-17 (about 9% a year), mostly from emission controls; slower once the easy gains are "
                   "taken"),
        "urbanization_elasticity": Field(
            "float", 0.1, "Elasticity of the annual mean PM2.5 to the urban population.", unit="elasticity",
            minimum=-5.0, maximum=5.0,
            source="assumption guided by docs/sources/literature.md (Wang et al. 2018): urbanization is a weak term"),
        "weather_sd_pct": Field(
            "float", 8.0, "Year-to-year variation of the annual mean PM2.5 from the weather (coefficient of "
                          "variation).", unit="%", minimum=0.0, maximum=100.0,
            source="assumption: no Qingdao series found; a few micrograms in a year of about 30"),
        "ozone_2020_p90_ug_m3": Field(
            "float", 150.0, "Ozone at the start: the 90th percentile of the daily maximum 8-hour mean over the year "
                            "(O3-8h-90per).", unit="ug/m3", minimum=1.0, maximum=500.0,
            source="assumption guided by docs/sources/submodels_search.yaml air: Qingdao's annual value was not "
                   "found; 148 ug/m3 in October 2020 (信网 2020-11-18), a national 153 in 2018 (环境科学 2021), and "
                   "Shandong's ozone fell 8.5% in 2020"),
        "ozone_daily_log_sd": Field(
            "float", 0.36, "Spread of the daily maximum 8-hour ozone over the year (sd of its logarithm).",
            unit="log units", minimum=0.05, maximum=3.0,
            source="assumption: a median near 95 ug/m3 under a 90th percentile of 150 (low winter, high summer "
                   "days), which puts about 7% of days above 160"),
        "good_day_ozone_limit_ug_m3": Field(
            "float", 160.0, "Daily maximum 8-hour ozone at which the air quality index reaches 100.", unit="ug/m3",
            minimum=1.0, maximum=1000.0,
            source="HJ 633-2012 (环境空气质量指数技术规定): 8-hour ozone of 160 ug/m3 is AQI 100"),
        "vocs_nox_reduction_pct_per_year": Field(
            "float", 0.0, "Yearly fall of the emissions of ozone's precursors (VOCs and NOx) from their controls.",
            unit="% per year", minimum=-50.0, maximum=50.0,
            source="assumption: no precursor trend in the baseline (ozone rose in 2015-2019 and fell in 2020, "
                   "docs/sources/submodels_search.yaml air); the plan scenario sets the national target"),
        "ozone_elasticity_precursors": Field(
            "float", 0.5, "Elasticity of ozone's 90th percentile to the precursors' emissions.", unit="elasticity",
            minimum=-5.0, maximum=5.0,
            source="assumption: ozone falls less than in proportion to VOCs and NOx (in VOC-limited city air a NOx "
                   "cut alone can raise it, which a negative value expresses)"),
        "ozone_temperature_slope_ug_m3_per_c": Field(
            "float", 6.0, "Rise of ozone's 90th percentile per degree of summer temperature above the usual.",
            unit="ug/m3 per C", minimum=0.0, maximum=50.0,
            source="docs/sources/submodels_search.yaml air.ozone_temperature: May-September 2018-2020 in Beijing, "
                   "10.6 ug/(m3 C) at urban sites, 5.2 in the outer suburbs (环境科学研究); Qingdao's sea air taken "
                   "near the lower end (assumption)"),
        "summer_temperature_sd_c": Field(
            "float", 0.8, "Year-to-year variation of the summer (May-September) temperature (sd).", unit="C",
            minimum=0.0, maximum=10.0,
            source="assumption: no Qingdao series found; a summer a degree warmer or cooler than usual is common"),
        "pm25_ozone_exceedance_correlation": Field(
            "float", 0.0, "Correlation of a day's PM2.5 exceedance and its ozone exceedance (0: independent).",
            unit="correlation", minimum=-1.0, maximum=1.0,
            source="assumption: independence; the two fall in different seasons (PM2.5 in winter, ozone in "
                   "summer), so the truth is nearer the disjoint bound, which at the start's levels adds under "
                   "half a point of good days"),
        "other_pollutant_exceedance_days_pct": Field(
            "float", 2.0, "Share of days made not good by pollutants other than PM2.5 and ozone (spring dust's "
                          "PM10, mostly).", unit="%", minimum=0.0, maximum=100.0,
            source="assumption checked on 2018 (docs/sources/submodels_search.yaml air): with 2018's PM2.5 of 34 "
                   "ug/m3 and the ozone defaults the model gives about 86% good days against the 85.0% published"),
    },
    doc="Air sub-model (sim/submodels/air.py): PM2.5 and ozone apart, and the share of good-air days.",
)

INDICATORS = ("urban_air_good_days_rate", "pm25_annual_mean", "ozone_8h_p90", "ozone_exceedance_day_share")


def weather_factors(years_of_dates: np.ndarray, sd_pct: float, rng) -> np.ndarray:
    """A mean-one lognormal weather factor per calendar year after the first, 1 for the first (the start)."""
    calendar_years = np.unique(years_of_dates)
    sigma = np.log1p((sd_pct / 100.0) ** 2) ** 0.5
    z = rng.standard_normal(len(calendar_years) - 1)       # one draw per year, in year order
    factors = np.concatenate(([1.0], np.exp(sigma * z - sigma ** 2 / 2.0)))
    return factors[np.searchsorted(calendar_years, years_of_dates)]


def summer_temperature_anomalies_c(years_of_dates: np.ndarray, sd_c: float, rng) -> np.ndarray:
    """A normal summer-temperature anomaly (degrees) per calendar year after the first, 0 for the first."""
    calendar_years = np.unique(years_of_dates)
    z = rng.standard_normal(len(calendar_years) - 1)       # one draw per year, in year order
    anomalies = np.concatenate(([0.0], sd_c * z))
    return anomalies[np.searchsorted(calendar_years, years_of_dates)]


def exceedance_share(level: np.ndarray, log_sd: float, limit: float, quantile_z: float = 0.0) -> np.ndarray:
    """The share of days above ``limit`` when daily values are lognormal with log-sd ``log_sd`` and their
    quantile at standard-normal ``quantile_z`` is ``level`` (0: the median; for a mean, ``log_sd / 2``: a
    lognormal's mean lies that far above its median in log units)."""
    from scipy.special import ndtr  # here, not at import: the scenario schema imports this module

    log_median = np.log(level) - quantile_z * log_sd
    return 1.0 - ndtr((np.log(limit) - log_median) / log_sd)


#: the standard-normal 90th percentile, for ozone's assessment metric
Z90 = 1.2815515655446004


def pm25_exceedance_share(settings, annual_mean_ug_m3: np.ndarray) -> np.ndarray:
    """Share of days with PM2.5 above the good-day limit, daily values lognormal around the annual mean."""
    s = settings.pm25_daily_log_sd
    return exceedance_share(annual_mean_ug_m3, s, settings.good_day_pm25_limit_ug_m3, quantile_z=s / 2.0)


def ozone_exceedance_share(settings, p90_ug_m3: np.ndarray) -> np.ndarray:
    """Share of days with 8-hour ozone above the good-day limit, daily values lognormal with that 90th
    percentile."""
    return exceedance_share(p90_ug_m3, settings.ozone_daily_log_sd, settings.good_day_ozone_limit_ug_m3, Z90)


def good_days_pct(settings, p_pm: np.ndarray, p_o3: np.ndarray) -> np.ndarray:
    """Good days given the two exceedance shares, their correlation and the other pollutants' share."""
    rho = settings.pm25_ozone_exceedance_correlation
    both = p_pm * p_o3 + rho * np.sqrt(p_pm * (1.0 - p_pm) * p_o3 * (1.0 - p_o3))
    both = np.clip(both, np.maximum(0.0, p_pm + p_o3 - 1.0), np.minimum(p_pm, p_o3))
    return 100.0 * (1.0 - p_pm - p_o3 + both) * (1.0 - settings.other_pollutant_exceedance_days_pct / 100.0)


def fill(settings, dates, years, city: dict[str, np.ndarray], rng) -> dict[str, np.ndarray]:
    """The air indicators for the city at every record date (a year-end value is that year's)."""
    s = settings
    urban = city["urban_population"] / city["urban_population"][0]
    calendar_years = np.array([int(d[:4]) for d in dates])
    pm25 = (s.pm25_2020_annual_mean_ug_m3
            * (1.0 - s.emission_control_reduction_pct_per_year / 100.0) ** years
            * urban ** s.urbanization_elasticity
            * weather_factors(calendar_years, s.weather_sd_pct, rng))
    precursors = (1.0 - s.vocs_nox_reduction_pct_per_year / 100.0) ** years
    ozone = np.maximum(s.ozone_2020_p90_ug_m3 * precursors ** s.ozone_elasticity_precursors
                       + s.ozone_temperature_slope_ug_m3_per_c
                       * summer_temperature_anomalies_c(calendar_years, s.summer_temperature_sd_c, rng), 1.0)
    p_pm, p_o3 = pm25_exceedance_share(s, pm25), ozone_exceedance_share(s, ozone)
    return {"urban_air_good_days_rate": good_days_pct(s, p_pm, p_o3), "pm25_annual_mean": pm25,
            "ozone_8h_p90": ozone, "ozone_exceedance_day_share": 100.0 * p_o3}
