"""Air: the share of good-air days in the urban area (市区空气质量良好率), driven by emission controls.

The annual mean PM2.5 falls by a steady share each year under emission
controls (Zhang et al. 2019, PNAS: most of 2013-17's fall came from them),
rises weakly with the urban population (Wang et al. 2018, Energy Policy 123:
urbanization is a weak term), and varies from year to year with the weather
(a lognormal factor per calendar year, drawn from the ``submodels`` stream,
so scenarios compared with the same seed share their weather). Daily
concentrations are taken as lognormal around the annual mean; a day is good
when PM2.5 is at most the AQI-100 limit and no other pollutant (ozone in
summer) exceeds:

good days % = 100 * P(daily PM2.5 <= limit) * (1 - other exceedance share).

The calendar year of the first record (the starting state) has no weather
draw: its mean is the assumed 2020 value.
"""

from __future__ import annotations

import numpy as np

from ..core.fields import Field, Section

SCHEMA = Section(
    {
        "pm25_2020_annual_mean_ug_m3": Field(
            "float", 30.0, "Annual mean PM2.5 in the urban area at the start.", unit="ug/m3",
            minimum=1.0, maximum=500.0,
            source="assumption: the 2020 annual value was not found (docs/sources/qingdao_facts.yaml air_quality); the "
                   "monthly bulletins give 24 ug/m3 in October 2020 and 21 in April 2024, and winter months "
                   "are higher"),
        "pm25_daily_log_sd": Field(
            "float", 0.55, "Spread of daily PM2.5 around the annual mean (sd of its logarithm).",
            unit="log units", minimum=0.05, maximum=3.0,
            source="assumption: typical of daily PM2.5 series in northern Chinese coastal cities"),
        "good_day_pm25_limit_ug_m3": Field(
            "float", 75.0, "Daily PM2.5 at which the air quality index reaches 100 (the good-day limit).",
            unit="ug/m3", minimum=1.0, maximum=500.0,
            source="HJ 633-2012 (环境空气质量指数技术规定): 24-hour PM2.5 of 75 ug/m3 is AQI 100"),
        "other_pollutant_exceedance_days_pct": Field(
            "float", 6.0, "Share of days made not good by other pollutants (mostly summer ozone).", unit="%",
            minimum=0.0, maximum=100.0,
            source="assumption: ozone is the main cause of non-good days in Qingdao's summers; no count found"),
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
            "float", 8.0, "Year-to-year variation of the annual mean from the weather (coefficient of variation).",
            unit="%", minimum=0.0, maximum=100.0,
            source="assumption: no Qingdao series found; a few micrograms in a year of about 30"),
    },
    doc="Air sub-model (sim/submodels/air.py): the share of good-air days.",
)

INDICATORS = ("urban_air_good_days_rate",)


def weather_factors(years_of_dates: np.ndarray, sd_pct: float, rng) -> np.ndarray:
    """A mean-one lognormal weather factor per calendar year after the first, 1 for the first (the start)."""
    calendar_years = np.unique(years_of_dates)
    sigma = np.log1p((sd_pct / 100.0) ** 2) ** 0.5
    z = rng.standard_normal(len(calendar_years) - 1)       # one draw per year, in year order
    factors = np.concatenate(([1.0], np.exp(sigma * z - sigma ** 2 / 2.0)))
    return factors[np.searchsorted(calendar_years, years_of_dates)]


def good_days_pct(settings, annual_mean_ug_m3: np.ndarray) -> np.ndarray:
    """Good days given the annual mean PM2.5, daily values lognormal around it."""
    from scipy.special import ndtr  # here, not at import: the scenario schema imports this module

    s = settings.pm25_daily_log_sd
    mu = np.log(annual_mean_ug_m3) - s ** 2 / 2.0
    clean = ndtr((np.log(settings.good_day_pm25_limit_ug_m3) - mu) / s)
    return 100.0 * clean * (1.0 - settings.other_pollutant_exceedance_days_pct / 100.0)


def fill(settings, dates, years, city: dict[str, np.ndarray], rng) -> dict[str, np.ndarray]:
    """The good-days rate for the city at every record date (a year-end value is that year's rate)."""
    urban = city["urban_population"] / city["urban_population"][0]
    calendar_years = np.array([int(d[:4]) for d in dates])
    pm25 = (settings.pm25_2020_annual_mean_ug_m3
            * (1.0 - settings.emission_control_reduction_pct_per_year / 100.0) ** years
            * urban ** settings.urbanization_elasticity
            * weather_factors(calendar_years, settings.weather_sd_pct, rng))
    return {"urban_air_good_days_rate": good_days_pct(settings, pm25)}
