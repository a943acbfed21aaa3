"""The scenario schema: every setting, its unit, default and source.

Defaults that no published source gives are marked ``assumption:`` with the
reasoning; each is a scenario parameter so that it can be overridden, swept
and calibrated. Sources refer to the project's copies of the references: the plan's text
``docs/sources/plan_zh.txt``, the facts with their sources ``docs/sources/qingdao_facts.yaml`` and the
literature notes ``docs/sources/literature.md``; the figures the model reads are copied from them into
``sim/data``.
"""

from __future__ import annotations

from typing import Any

from ..core.ages import FERTILITY_BASE_YEAR
from ..core.calendar import ORIGIN_POOL_REFERENCE_YEAR
from ..core.districts import DISTRICT_ALIASES, DISTRICTS
from ..core.fields import Field, MapOf, Section
from ..kernel import citizenization_cost, district_economy, services
from ..kernel.places import PLACE_ALIASES, PLACE_KIND, PLACES
from ..policy import LEVERS
from ..submodels import SCHEMA as SUBMODELS
from ..targets import plan_targets

#: names a scenario may use for itself (they become folder names under results/)
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
#: a calendar year as a key (a fertility path's)
YEAR_PATTERN = r"(19|20|21)[0-9][0-9]"

#: the censuses a starting population can be built from (blocks ``census_<year>`` of sim/data/census.yaml)
CENSUSES = (2020, 2010)

_PCT: dict[str, Any] = {"unit": "%", "minimum": 0.0, "maximum": 100.0}
_HAZARD: dict[str, Any] = {"unit": "per year", "minimum": 0.0, "maximum": 50.0}
_MULT: dict[str, Any] = {"unit": "multiplier", "minimum": 0.0, "maximum": 100.0}
#: the source of the migrants' stays (the departure profile's fit, the starting non-locals' years in Qingdao)
_STAYS = ("《中国流动人口发展报告2010》 (国家人口计生委, via 新华网 2010-06-27, "
          "fashion.ifeng.com/news/detail_2010_06/27/1678238_0.shtml; sim/data/migration.yaml stays_2009): "
          "'有一半的人停留时间超过4年,近19%的人停留时间超过10年'")

PERIOD = Section(
    {
        "start": Field("date", "2021-01-01", "First day simulated; must be the first day of a month, not before "
                       "the reference date of the census in population.census (2020-11-01 or 2010-11-01). The "
                       "starting population is that census whatever the start.",
                       source="the plan's span, 2021-2023 by the evidence in docs/sources/qingdao_facts.yaml "
                              "(plan.years)",
                       minimum="2010-11-01", maximum="2100-12-01"),
        "end": Field("date", "2023-12-31", "Last day simulated; must be the last day of a month.",
                     source="the plan's span, 2021-2023 (plan.years)",
                     minimum="2010-11-30", maximum="2100-12-31"),
    },
    doc="The simulated calendar period. The initial population is the census of population.census.",
)

POPULATION = Section(
    {
        "scale": Field("float", 100.0, "Residents each agent stands for (1 = every resident an agent, 10.07 million).",
                       unit="persons per agent", minimum=1.0, maximum=100000.0),
        "census": Field("int", 2020, "Which census (year) the starting population is built from.",
                        choices=CENSUSES,
                        source="sim/data/census.yaml: census_2020 (7th census) or census_2010 (6th census: its own "
                               "totals, households, sex and age groups, docs/model.md section 5)"),
        "district_urbanization_rate_pct": MapOf(
            DISTRICTS,
            Field("float", None, "Share of a district's residents living in its urban part.", **_PCT),
            default={"shinan": 100.0, "shibei": 100.0, "licang": 100.0, "laoshan": 86.07,
                     "chengyang": 88.86, "xihaian": 79.58, "jimo": 62.86, "jiaozhou": 64.72,
                     "pingdu": 48.94, "laixi": 51.72},
            doc="Urban share of each district's residents at the start.",
            unit="%", aliases=DISTRICT_ALIASES,
            source="assumption: no district rates are published for 2020; the three old core districts (Shinan, "
                   "Shibei, Licang) are taken as fully urban and the others ranked by their urban character, then "
                   "scaled together so that the city total is the census 76.34%",
        ),
        "district_census_bulletins": Field(
            "bool", True, "Districts with their own census bulletin take its age structure, family households "
                          "and persons in collective households; the others share the rest of the city's "
                          "(false: every district the city's shares).",
            source="sim/data/census.yaml census_2020.district_detail: 市北区 (age, households) and 莱西市 (age) "
                   "bulletins of the 2020 census; no other district's was found (docs/sources/"
                   "migration_search.yaml); census_2010.district_detail: 胶州市's 2010 bulletin and 市北区's "
                   "2010 shares"),
        "nonlocal_share_pct": Field(
            "float", 20.0, "Share of residents without a Qingdao hukou at the start.", **_PCT,
            source="assumption: the 2020 hukou population is not published; the registered population was "
                   "7.70 million in 2012 against 8.72 million residents in 2010 (about 12% non-local), and "
                   "in-migration since then raised the non-local share"),
        "district_nonlocal_share_pct": MapOf(
            DISTRICTS,
            Field("float", None, "Share of the district's residents without a Qingdao hukou (null: the city's).",
                  **_PCT),
            default=dict.fromkeys(DISTRICTS), nullable=True, aliases=DISTRICT_ALIASES,
            doc="A district's own non-local share at the start; the districts left null share the rest of the "
                "city's nonlocal_share_pct, so the city's share is kept.",
            unit="%",
            source="none by default: no district's 人户分离 / 流动人口 figure of the 2020 census was found "
                   "(docs/sources/migration_search.yaml); a value is a scenario's assumption"),
        "nonlocal_share_of_rural_residents_pct": Field(
            "float", 5.0, "Share of rural residents without a Qingdao hukou.", **_PCT,
            source="assumption: migrants settle mostly in towns and cities"),
        "hukou_urbanization_rate_pct": Field(
            "float", 50.0, "Urban-hukou holders over all local-hukou residents at the start (户籍人口城镇化率).",
            **_PCT,
            source="assumption: if the 4.07 million 'rural population' of the 2019 village-structure report is "
                   "the registered rural population and the registered total is about 8 million, the hukou "
                   "rate is about 50%"),
        "residence_permit_share_pct": Field(
            "float", 50.0, "Share of non-local residents aged 16+ holding a residence permit at the start.",
            **_PCT, source="assumption: residence-permit counts not found (docs/sources/qingdao_facts.yaml "
                           "policy_history)"),
        "nonlocal_mean_years_resident": Field(
            "float", 5.3, "Mean years non-local residents have lived in Qingdao at the start (exponential).",
            unit="years", minimum=0.0, maximum=50.0,
            source="the mean stay of working-age migrants in five large cities in 2009, "
                   "'劳动年龄人口平均在流入地停留时间为5.3年', " + _STAYS + "; an exponential of that mean has "
                   "47% over 4 years and 15% over 10 (the report: 50% and 19%); assumption: Qingdao's alike"),
        "employed_share_pct": Field(
            "float", 75.0, "Share of residents aged 16+ with a social-insurance record (accruing until 60).",
            **_PCT, source="assumption: typical urban employment-to-population ratio"),
        "flexible_worker_share_pct": Field(
            "float", 25.0, "Share of residents with an insurance record who are flexible workers (灵活就业).",
            **_PCT, source="assumption: no Qingdao figure; national reports put flexible workers near a quarter "
                           "of employment"),
        "old_age_decline_per_year": Field(
            "float", None, "Rate at which the number of residents falls with each year of age above 65; leave it out "
                           "for the fit to the census's own ages within 65+.",
            unit="per year of age", minimum=0.0, maximum=1.0,
            source="left out: fitted by least squares (sim/kernel/old_age.py) to the shares of the groups within "
                   "65+ of the census in population.census (sim/data/census.yaml age_65_plus_groups): 2020 gives "
                   "0.0911, from Qingdao's 2015 1% sample survey (80+ 247,900 of 1,097,100; 青岛市统计局), a proxy "
                   "five years early, since no split within 65+ of the 2020 census was found for Qingdao, Shandong or "
                   "China; 2010 gives 0.0940, from the 2010 census (80+ 194,500 of 893,900, the same release). The "
                   "geometric form from 65 to 100 is an assumption: it gives 90+ 6.4% of the 65+ at 0.094, China's "
                   "2010 census 1.7% (docs/sources/demography_search.yaml, old_age_groups)"),
        "talent_share_of_nonlocal_adults_pct": Field(
            "float", 25.0, "Share of non-local adults with tertiary education (talent status).", **_PCT,
            source="assumption: no Qingdao figure; talent status makes hukou conversion eligible under the "
                   "2018 rules"),
        "nonlocal_homestead_share_pct": Field(
            "float", 60.0, "Share of non-local households holding a homestead in their home village.", **_PCT,
            source="assumption: most migrants come from rural areas (NBS migrant worker report 2023)"),
        "family_household_size_shares_pct": MapOf(
            ("1", "2", "3", "4", "5", "6"),
            Field("float", None, "Weight of a family-household size.", **_PCT),
            default={"1": 22.0, "2": 31.0, "3": 25.0, "4": 11.0, "5": 7.0, "6": 4.0},
            doc="Shape of the family-household size distribution; sizes are then adjusted so that households "
                "and persons match the census exactly (mean 2.55).",
            unit="%",
            weights=True,
            source="assumption: the census gives only the mean size 2.55; the shape follows an ageing "
                   "city with many one- and two-person households",
        ),
        "places": Section({
            "rural_share_pct": MapOf(
                PLACES, Field("float", None, "Share of the district's rural residents living in the place.", **_PCT),
                default={**{p: 7.0 for p, kind in PLACE_KIND.items() if kind == "new_market_town"},
                         "dongjiakou": 3.0, "blue_valley": 5.0, "pingdu_pole": 5.0, "laixi_pole": 5.0},
                doc="Each place's share of its district's rural residents at the start (the places of one "
                    "district may hold at most 100% of it together).", unit="%", aliases=PLACE_ALIASES,
                source="assumption: the 2020 census by 镇/街道 was searched and not found (docs/sources/"
                       "places_search.yaml); a town is one of the 11 to 17 towns and sub-districts of its "
                       "county-level district and most of its residents rural, about 7% of the district's rural "
                       "residents; the outer new cities and county towns are mostly urban; sweep it"),
            "urban_share_pct": MapOf(
                PLACES, Field("float", None, "Share of the district's urban residents living in the place.", **_PCT),
                default={**{p: 1.0 for p, kind in PLACE_KIND.items() if kind == "new_market_town"},
                         "dongjiakou": 2.0, "blue_valley": 8.0, "pingdu_pole": 45.0, "laixi_pole": 45.0},
                doc="Each place's share of its district's urban residents at the start (the places of one "
                    "district may hold at most 100% of it together).", unit="%", aliases=PLACE_ALIASES,
                source="assumption: not found (docs/sources/places_search.yaml); a town's seat (镇区) is a small "
                       "part of its district's urban residents; a county town (平度城区, 莱西城区) about half of "
                       "its county's; 蓝谷 (鳌山卫, 温泉) and 董家口 a few percent; sweep it"),
        }, doc="The plan's places (sim/data/places.yaml) as sub-zones of their districts: the assumed shares of "
               "each district's rural and urban residents who live in them at the start (no population by town "
               "was found)."),
    },
    doc="The synthetic population built from a census (sim/data/census.yaml); the shares below are those at the "
        "start.",
)

def year_path(what: str, constant: str, meaning: str, unit: str, maximum: float, example: str,
              missing: str, minimum: float = 0.0) -> MapOf:
    """A setting's path by year (``core.calendar.value_in_year``): empty by default, the ``constant`` setting
    then holding every year; ``missing`` says why no path is the default."""
    return MapOf(
        None, Field("float", None, meaning, unit=unit, minimum=minimum, maximum=maximum),
        default={},
        doc=f"A path of {what}: each year listed has its own value, a year not listed the value of the latest "
            f"listed year before it, and the years before the first listed one (all of them, when none is "
            f"listed) {constant}. {example}",
        unit=unit, key_name="<year>", key_pattern=YEAR_PATTERN,
        source=f"none by default (every year {constant}): {missing}; a path is a scenario's assumption")


FERTILITY = Section(
    {
        "total_fertility_rate": Field(
            "float", 1.30, f"Births per woman over ages 15-49 at the rates of {FERTILITY_BASE_YEAR} (and of every "
            "year before it).", unit="births per woman", minimum=0.0, maximum=8.0,
            source="China's 2020 census TFR, 1.3 (NBS, 2021-05-11; sim/data/demography.yaml): no Qingdao or "
                   "Shandong 2020 figure was found; Qingdao's crude birth rate (8.60 per mille in 2011, "
                   "registered) was below Shandong's (11.97), so the national level is if anything high for "
                   "Qingdao. Before 2020 the same rate holds (an assumption of the backcast)"),
        "total_fertility_rate_change_pct_per_year": Field(
            "float", -6.3, f"Yearly change of the total fertility rate after {FERTILITY_BASE_YEAR}: the rate of "
            f"year y is total_fertility_rate * (1 + change/100)^(y - {FERTILITY_BASE_YEAR}).", unit="% per year",
            minimum=-50.0, maximum=50.0,
            source="assumption: extends the national 2017-2020 decline of the TFR, 1.58 -> 1.30 (Population "
                   "Health Metrics 2022, Table 8: (1.30/1.58)^(1/3) - 1 = -6.3% a year; sim/data/demography.yaml) "
                   "past 2020; Shandong's crude birth rate fell faster (17.54 -> 8.56 per mille, 2017-2020). "
                   "It gives 1.22, 1.14 and 1.07 for 2021-2023"),
        "total_fertility_rate_by_year": year_path(
            "the total fertility rate", "follow total_fertility_rate and its yearly change",
            "Total fertility of the year.", "births per woman",
            8.0, "Births in a year sum, per woman living through ages 15-49 at that year's rates, to the year's "
                 "rate (e.g. {2022: 1.0, 2023: 0.9}).",
            "no yearly series of Qingdao's fertility was found (docs/sources/demography_search.yaml)"),
        "mean_age_at_birth_years": Field(
            "float", 28.76, "Centre of the bell-shaped age pattern of fertility.", unit="years", minimum=15.0,
            maximum=49.0,
            source="fitted (least squares on the 5-year groups' shares, sim/kernel/demography.py) to the 2020 "
                   "census age-specific fertility of Fuzhou, a coastal city (福州市2020年人口普查年鉴 表6-3; "
                   "sim/data/demography.yaml): a proxy, no Qingdao, Shandong or national table was found"),
        "sd_age_at_birth_years": Field(
            "float", 4.75, "Spread of the age pattern of fertility.", unit="years", minimum=1.0, maximum=20.0,
            source="fitted with mean_age_at_birth_years to Fuzhou's 2020 census age pattern (a proxy)"),
        "male_share_at_birth_pct": Field("float", 51.2, "Share of boys among births.", **_PCT,
                                         source="assumption: sex ratio at birth of about 105"),
    },
    doc="Births to women aged 15-49: hazard = TFR(year) * normal density of age, summed over ages 15-49 to TFR(year).",
)

_GOMPERTZ_SLOPE_SOURCE = ("fitted (log-linear least squares over the 5-year groups 40-44 ... 85-89, "
                          "sim/kernel/demography.py) to China's 2000 census death rates of {sex} (NBS, China "
                          "Statistical Yearbook 2002 table 4-11; sim/data/demography.yaml): the latest age-sex table "
                          "found, none for Qingdao or Shandong")
_GOMPERTZ_LEVEL_SOURCE = ("set so that the hazard gives a life expectancy at birth of {e0} years: Qingdao's 80.9 of "
                          "2017 (半岛都市报 2018-11-01, citing 市卫计委; sim/data/demography.yaml) split by the "
                          "national 2010 census gap between the sexes, 4.99 years (NBS), the two averaging to 80.9 "
                          "weighted by the share of boys at birth (assumption: no e0 by sex for Qingdao or Shandong "
                          "was found)")


def _gompertz_fields(sex: str, people: str, level: float, slope: float, e0: float) -> dict[str, Field]:
    """One sex's Gompertz level and slope (the two sexes' fields differ only in their fitted values)."""
    return {
        f"{sex}_gompertz_level_per_year": Field(
            "float", level, f"{people}'s Gompertz death hazard extrapolated to age 0.", unit="per year",
            minimum=0.0, maximum=1.0, source=_GOMPERTZ_LEVEL_SOURCE.format(e0=e0)),
        f"{sex}_gompertz_slope_per_year_of_age": Field(
            "float", slope, f"Rate at which {people.lower()}'s death hazard grows with age.",
            unit="per year of age", minimum=0.0, maximum=0.3, source=_GOMPERTZ_SLOPE_SOURCE.format(sex=people.lower())),
    }


MORTALITY = Section(
    {**_gompertz_fields("male", "Men", 3.014e-05, 0.0954, 78.46),
     **_gompertz_fields("female", "Women", 1.187e-05, 0.1016, 83.45)},
    doc="Deaths: a Gompertz hazard for each sex, h(a) = level * exp(slope * age).",
)

#: the origin pool's default yearly change and where it comes from (sim/data/migration.yaml origin_pool)
_ORIGIN_POOL_DERIVATION = (
    "derived from the 2000 and 2010 censuses only, so that no back-test's cut-off (2016-2018) is crossed: China's "
    "rural residents (居住在乡村的人口) fell from 807,386,835 in 2000 to 674,149,546 in 2010 (NBS, 2010年第六次全国"
    "人口普查主要数据公报(第1号), 2011-04-28: '居住在乡村的人口为674149546人……乡村人口减少133237289人'; sim/data/"
    "migration.yaml origin_pool), (674149546 / 807386835)^(1/10) - 1 = -1.79% a year. Assumption: the same change "
    "in every year without a path, before and after 2020, and one national pool: no split of Qingdao's arrivals "
    "between the rest of Shandong and other provinces dated 2010 or before was found (docs/sources/"
    "migration_search.yaml). The 2010-2020 change, -2.76% a year (2020 census: 509,787,562), is data up to 2020: "
    "scenarios/baseline.yaml sets it as the path from 2021 (origin_pool_change_pct_by_year)")

IN_MIGRATION = Section(
    {
        "rate_per_year": Field(
            "float", 0.030, "Persons arriving from outside Qingdao per resident per year, at the origin pool of "
            f"{ORIGIN_POOL_REFERENCE_YEAR} (origin_pool_elasticity).", unit="per year",
            minimum=0.0, maximum=1.0,
            source="assumption: with the departure hazards below it gives net migration near +0.7% a year, "
                   "below the +1.3% a year of 2010-2020 (census to census, natural increase near zero)"),
        "rate_by_year": year_path(
            "the arrival rate", "rate_per_year", "Arrivals per resident in the year.", "per year", 1.0,
            "E.g. {2022: 0.025} for a slowdown from 2022 on.",
            "no yearly series of arrivals to Qingdao was found (docs/sources/demography_search.yaml, migration)"),
        "origin_pool_elasticity": Field(
            "float", 1.0, "Elasticity of arrivals to the origin pool, the rural residents of China: the month's "
            f"arrivals are multiplied by (pool of the year / pool of {ORIGIN_POOL_REFERENCE_YEAR})^elasticity; 0, no "
            "pool (arrivals a share of Qingdao's residents alone).", unit="", minimum=0.0, maximum=2.0,
            source="form: a gravity model's flows grow with the origin's mass as with the destination's (docs/"
                   "sources/literature.md: Simini et al. 2012; Fan et al. 2018); the rural population stands for "
                   "the people who migrate (most migrants come from villages: population."
                   "nonlocal_homestead_share_pct). Assumption: 1, the gravity form's convention (flows in proportion "
                   "to the origin's population), not fitted; the pool's size is an index, 1 in "
                   f"{ORIGIN_POOL_REFERENCE_YEAR}, so rate_per_year keeps its meaning in backcasts and forecasts"),
        "origin_pool_change_pct_per_year": Field(
            "float", -1.79, "Yearly change of the origin pool (China's rural residents), compounded from "
            f"{ORIGIN_POOL_REFERENCE_YEAR} in both directions: the pool of year y over {ORIGIN_POOL_REFERENCE_YEAR}'s "
            f"is (1 + change/100)^(y - {ORIGIN_POOL_REFERENCE_YEAR}) (a year before it divides).", unit="% per year",
            minimum=-50.0, maximum=50.0, source=_ORIGIN_POOL_DERIVATION),
        "origin_pool_change_pct_by_year": year_path(
            "the origin pool's yearly change", "take origin_pool_change_pct_per_year",
            "Change of the origin pool over the year before.", "% per year", 50.0,
            f"The change of year k takes the pool from year k - 1 to year k, compounded from "
            f"{ORIGIN_POOL_REFERENCE_YEAR} (e.g. {{2021: -2.76}}: the 2010-2020 change from 2021 on, as "
            "scenarios/baseline.yaml sets it).",
            "the default change comes from the 2000 and 2010 censuses only; the 2010-2020 change is data up to 2020, "
            "for forecasts from 2021 (sim/data/migration.yaml origin_pool)", minimum=-50.0),
        "urban_share_pct": Field("float", 90.0, "Share of arriving households that settle in an urban zone.",
                                 **_PCT, source="assumption: migrants settle mostly in towns and cities"),
        "talent_share_pct": Field("float", 30.0, "Share of arriving adults with tertiary education.", **_PCT,
                                  source="assumption: no Qingdao figure"),
        "household_size_shares_pct": MapOf(
            ("1", "2", "3", "4"),
            Field("float", None, "Weight of an arriving household size.", **_PCT),
            default={"1": 55.0, "2": 20.0, "3": 20.0, "4": 5.0},
            doc="Size of arriving households (the first two members are adults aged 16-80, the others children "
                "aged 0-14).",
            unit="%",
            weights=True,
            source="assumption: most migrants arrive alone; family migration is the minority"),
        "adult_age_mean_years": Field("float", 32.0, "Mean age of arriving adults.", unit="years",
                                      minimum=16.0, maximum=80.0,
                                      source="assumption: below the 38.9 mean of out-of-county migrant workers "
                                             "(NBS 2023), since students and graduates arrive too"),
        "adult_age_sd_years": Field("float", 9.0, "Spread of arriving adults' age.", unit="years",
                                    minimum=0.0, maximum=30.0,
                                    source="assumption: most migrants arrive between 20 and 45"),
        "female_share_pct": Field("float", 50.0, "Share of women among arriving residents.", **_PCT,
                                  source="assumption: no Qingdao figure; the 2020 census sex ratio is 103.9"),
        "destination_population_exponent": Field(
            "float", 1.0, "Gravity exponent: a district attracts arrivals in proportion to its population of "
                          "the destination type raised to this power.", unit="", minimum=0.0, maximum=5.0,
            source="gravity form (docs/sources/literature.md: Simini et al. 2012; Fan et al. 2018); exponent an "
                   "assumption"),
        "district_attraction": MapOf(
            DISTRICTS, Field("float", None, "Multiplier on the district's weight as a destination.",
                             unit="multiplier", minimum=0.0, maximum=100.0),
            default={d: 1.0 for d in DISTRICTS}, aliases=DISTRICT_ALIASES,
            doc="A district's own pull on arrivals beyond its population (jobs, new areas): multiplies its "
                "destination weight. 1 everywhere: arrivals follow population alone.",
            source="assumption: no district data on arrivals; calibrate sets them from the district totals of "
                   "the 2020 census (docs/calibration.md)",
            weights=True),
        "total_pull_elasticity": Field(
            "float", 0.0, "Elasticity of the month's total arrivals to the levers' pull on districts (averaged "
                          "as arrivals are weighted): 0, the pull only redirects arrivals between districts; "
                          "1, a district's pull adds its arrivals to the total.", unit="", minimum=0.0,
            maximum=5.0,
            source="form: production-constrained (0) versus unconstrained (1) spatial interaction models "
                   "(Wilson 1971, Environment and Planning 3(1):1-32); assumption: 0, today's behaviour, until "
                   "arrivals by district are known (docs/sources/migration_search.yaml)"),
        "urban_pull_elasticity": Field(
            "float", 0.0, "Elasticity of a district's weight as a destination to its urban share over the "
                          "city's (more urban residents, likelier urban work).", unit="", minimum=0.0,
            maximum=5.0,
            source="form: Harris and Todaro 1970's expected income (docs/sources/literature.md), the urban "
                   "share standing for the chance of urban work; assumption: 0 (no such term) until fitted"),
    },
    doc="Arrivals from outside Qingdao: a Poisson stream of households proportional to the population and to the "
        f"origin pool's size relative to {ORIGIN_POOL_REFERENCE_YEAR} (gravity at both ends), spread over districts "
        "by gravity and the districts' pull.",
)

DEPARTURE = Section(
    {
        "nonlocal_hazard_per_year": Field(
            "float", 0.205, "Departure hazard of a non-local household in its first long_stay_years in Qingdao "
                           "(head younger than older_head_age_years).", **_HAZARD,
            source="fitted (sim/calibration/stays.py): the stock of stays of " + _STAYS + " gives 0.205 a year "
                   "in the first 4 years under a steady inflow; five large cities, not Qingdao, and an upper "
                   "bound (a growing inflow makes a stock's stays look shorter); departures to anywhere, above "
                   "the 1.5% a year return migration of Bai, Wang and Zhang 2018"),
        "long_stay_years": Field(
            "float", 4.0, "Years in Qingdao after which a non-local household's departure hazard takes the "
                          "long-stay multiplier.", unit="years", minimum=0.0, maximum=50.0,
            source="the first of the two stays the source reports: " + _STAYS),
        "long_stay_multiplier": Field(
            "float", 0.786, "Multiplier on a non-local household's departure hazard once its head has lived "
                            "long_stay_years in Qingdao (1: no duration profile).", **_MULT,
            source="fitted (sim/calibration/stays.py): the hazards 0.205 before and 0.161 a year after 4 years "
                   "give a stationary stock with 50% staying over 4 years and 19% over 10, as " + _STAYS
                   + "; a steady inflow assumed (one growing 3% a year gives 0.749)"),
        "older_head_age_years": Field(
            "float", 50.0, "Age of the reference person from which a non-local household's departure hazard takes "
                           "the older-head multiplier.", unit="years", minimum=0.0, maximum=100.0,
            source="assumption: the age band the NBS migrant worker reports single out (50岁以上农民工); out-of-"
                   "county migrants average 38.9 years, those working in their home county 46.6 (NBS Migrant Worker "
                   "Monitoring Report 2023, docs/sources/literature.md), so migrants go home as they age"),
        "older_head_multiplier": Field(
            "float", 1.0, "Multiplier on a non-local household's departure hazard when its head is "
                          "older_head_age_years or older (1: no age profile).", **_MULT,
            source="assumption: no hazard by age was found; the NBS reports' older home-county workers point "
                   "above 1, surveys below: settled rural-urban migrants are less willing to move again "
                   "as they age (储德平 et al. 2017), the youngest migrants intend to stay least (李辉 et al., CMDS "
                   "2015; docs/sources/migration_search.yaml); 1 until a source or a "
                   "fit gives the size"),
        "local_hazard_per_year": Field("float", 0.004, "Departure hazard of a local-hukou household.",
                                       **_HAZARD, source="assumption: locals rarely leave; small against "
                                                         "non-locals' departures"),
    },
    doc="Departures from Qingdao, decided by the household's reference person; the household leaves together.",
)

RURAL_TO_URBAN = Section(
    {
        "base_hazard_per_year": Field(
            "float", 0.05, "Hazard that a rural household moves to an urban zone, at the reference income ratio.",
            **_HAZARD, source="assumption; baseline.yaml carries the value fitted to the 2010-2020 censuses (1.05 "
                              "points a year) with behaviour.reclassification running, which makes villages "
                              "urban apart from moves, so they are counted once (docs/calibration.md)"),
        "income_ratio": Field(
            "float", 2.0, "Urban over rural disposable income per head.", unit="ratio", minimum=0.1,
            maximum=10.0,
            source="between 2.30 (2012) and the half-year 1.81 (2022 H1), which understates the annual ratio "
                   "(docs/sources/qingdao_facts.yaml income)"),
        "reference_income_ratio": Field("float", 2.0, "Income ratio at which the base hazard applies.",
                                        unit="ratio", minimum=0.1, maximum=10.0,
                                        source="assumption: equal to the default income ratio, so the base "
                                               "hazard is the hazard of 2020"),
        "income_elasticity": Field(
            "float", 1.0, "Elasticity of the move hazard to the income ratio (Harris-Todaro expected income).",
            unit="", minimum=0.0, maximum=10.0,
            source="form: Harris and Todaro 1970; size an assumption"),
        "homestead_lockin_multiplier": Field(
            "float", 0.83, "Multiplier on the hazard for households living on their own homestead.", **_MULT,
            source="assumption in size: Giles and Mu (World Bank) find expected land reallocation lowers "
                   "out-migration by about 17%; the model applies that size to living on one's homestead"),
        "older_head_multiplier": Field("float", 0.3, "Multiplier when the reference person is 60 or older.",
                                       **_MULT, source="assumption: mobility falls with age"),
        "same_district_share_pct": Field(
            "float", 70.0, "Share of moves that stay within the home district (to its towns).", **_PCT,
            source="assumption: most rural-urban moves go to the nearest county town; the rest follow "
                   "urban population (gravity)"),
    },
    doc="Moves from a rural to an urban zone inside Qingdao (household decision).",
)

#: the derivation of the default reclassification rate (``RECLASSIFICATION``), written once for its source
_RECLASSIFICATION_DERIVATION = (
    "assumption, derived from data before 2011 only (so that no back-test's cut-off is crossed): 王桂新 2014 "
    "(中国人口科学 2014(2), docs/sources/reclassification_search.yaml) finds that migration added 15.24 points to "
    "China's urbanization rate over 1991-2010, 1.80 times what administrative reclassification (行政区划变动) "
    "added: 15.24 / 1.80 = 8.47 points in 20 years, 0.423 points a year (31% of the rise; national, an earlier "
    "period: a proxy). Over Qingdao's rural share at the 2010 census (34.19%, sim/data/census.yaml) that is "
    "1.24% of rural residents a year. The search record's range of 20-45% of the rise (itself an assumption) "
    "gives 0.80-1.79% a year, the bounds the calibration fits it in (scenarios/calibration/backcast_fit.yaml)")
_RECLASSIFICATION_CADENCE = (
    "each month start, before the redraw, ``1 - (1 - rate x pace)^(1/12)`` of each district's rural residents "
    "become urban where they live (whole households, by a uniform keyed by household and month on the "
    "``reclassification`` key), so that twelve "
    "months compound to the yearly rate")

RECLASSIFICATION = Section(
    {
        "rate_pct_per_year": Field(
            "float", 1.24, "Share of a district's rural residents whose place (village) is reclassified urban "
            "in a year (就地城镇化: nobody moves).", unit="% per year", minimum=0.0, maximum=100.0,
            source=_RECLASSIFICATION_DERIVATION),
        "district_multiplier": MapOf(
            DISTRICTS, Field("float", None, "Multiplier on the rate in the district.", **_MULT),
            default={d: 1.0 for d in DISTRICTS}, aliases=DISTRICT_ALIASES,
            doc="A district's own pace of reclassification relative to the rate (the fully urban districts have "
                "no rural residents, so theirs does nothing).",
            source="assumption: no district split of reclassification was found (the search record has the "
                   "dates of Qingdao's 2012 and 2017 administrative changes, not their populations); the same "
                   "pace everywhere"),
    },
    doc="Reclassification of rural places as urban (in-situ urbanization, 就地城镇化), a baseline process: "
        + _RECLASSIFICATION_CADENCE + ". The new-town lever speeds it up in its districts "
        "(policies.new_town_development); the rural-to-urban hazard covers moves only.",
)

URBAN_TO_RURAL = Section(
    {
        "return_hazard_per_year": Field(
            "float", 0.015, "Hazard that an urban household with a local rural hukou returns to its village.",
            **_HAZARD, source="Bai, Wang and Zhang 2018: about 22% of migrants returned over 1998-2015, at "
                              "least 1.5% a year"),
        "other_hazard_per_year": Field("float", 0.002, "Hazard of an urban-to-rural move for other urban "
                                                       "households.", **_HAZARD,
                                       source="assumption: moves to villages by urban-hukou and non-local "
                                              "households are rare"),
    },
    doc="Moves from an urban to a rural zone inside Qingdao (household decision).",
)

HUKOU = Section(
    {
        "nonlocal_conversion_hazard_per_year": Field(
            "float", 0.04, "Hazard that an eligible non-local urban household takes a Qingdao urban hukou.",
            **_HAZARD,
            source="assumption: about 30% of migrants intend to transfer hukou (CMDS 2016, Qiu and Zhou 2019), "
                   "realised over several years"),
        "local_rural_conversion_hazard_per_year": Field(
            "float", 0.06, "Hazard that an eligible urban household with a local rural hukou converts it.",
            **_HAZARD, source="assumption: above the non-local hazard, since converting within the city "
                              "keeps family ties and costs less"),
        "min_insurance_years": Field(
            "float", 2.0, "Years of social insurance that make a non-talent urban resident eligible.",
            unit="years", minimum=0.0, maximum=50.0,
            source="assumption approximating the 2018 rules (关于深化户籍制度改革的实施意见: settlement by "
                   "residence with social insurance, by talent, investment and points)"),
        "talent_exempt": Field("bool", True, "Talent status makes a resident eligible regardless of insurance.",
                               source="2018 hukou reform, talent settlement (docs/sources/qingdao_facts.yaml "
                                      "policy_history)"),
        "homestead_multiplier": Field(
            "float", 0.88, "Multiplier on conversion for households holding a homestead.", **_MULT,
            source="Gu et al. 2020, Habitat International 102267: about -12% transfer propensity"),
    },
    doc="Hukou conversion to a Qingdao urban hukou under the eligibility rules in force in 2020, those of the "
        "2018 reform (household decision).",
)

RESIDENCE_PERMIT = Section(
    {
        "uptake_hazard_per_year": Field("float", 0.5, "Hazard that an eligible non-local resident takes a "
                                                      "residence permit.", **_HAZARD,
                                        source="assumption: permits are cheap to get, so most eligible "
                                               "residents take one within two years"),
        "min_residence_months": Field("float", 6.0, "Months of residence before a permit can be issued.",
                                      unit="months", minimum=0.0, maximum=120.0,
                                      source="居住证暂行条例 (2016): half a year of residence"),
        "min_age_years": Field("float", 16.0, "Minimum age of a permit holder.", unit="years", minimum=0.0,
                               maximum=100.0, source="居住证暂行条例 (2016): 16 and over apply themselves"),
    },
    doc="Residence-permit (居住证) uptake by non-local residents.",
)

SCHOOLING = Section(
    {
        "public_school_share_pct": Field(
            "float", 90.5, "Share of non-hukou children aged 6-15 holding a public school seat at the start.",
            **_PCT, source="NBS Migrant Worker Monitoring Report 2023: 90.1% (primary) and 91.0% (junior) of "
                           "migrant children in public schools, national; assumption: Qingdao alike"),
        "spare_seat_pct": Field("float", 2.0, "Public seats for migrant children beyond those held at the "
                                "start, by district.", **_PCT, source="assumption: schools run nearly full"),
        "permit_required": Field("bool", True, "A child may apply for a public seat only if the household's "
                                 "reference person holds a residence permit.",
                                 source="居住证暂行条例 (2016): compulsory education as a service of the permit"),
        "enrolment_month": Field("int", 9, "Month of the yearly enrolment round.", unit="month", minimum=1,
                                 maximum=12, source="the Chinese school year begins in September"),
    },
    doc="Public school seats for migrant children (随迁子女), finite by district (SimPy Containers).",
)

BEHAVIOUR = Section(
    {
        "fertility": FERTILITY,
        "mortality": MORTALITY,
        "in_migration": IN_MIGRATION,
        "departure": DEPARTURE,
        "rural_to_urban": RURAL_TO_URBAN,
        "reclassification": RECLASSIFICATION,
        "urban_to_rural": URBAN_TO_RURAL,
        "hukou": HUKOU,
        "residence_permit": RESIDENCE_PERMIT,
        "schooling": SCHOOLING,
    },
    doc="Behavioural parameters of the residents' competing hazards.",
)

SERVICES = Section(
    {"capacity": services.SCHEMA, "cost": citizenization_cost.SCHEMA},
    doc="Public services sized to residents (capacities, demand by age, the yearly round) and the public cost of "
        "citizenization by service.",
)

POLICIES = Section(
    {name: lever.schema for name, lever in LEVERS.items()},
    doc="The plan's policy levers, and levers of history for backcasts (pre_2018_settlement), each dated (start, "
        "end), scoped (districts) and graded (intensity 0-1). A lever left out is not used; the baseline is the "
        "policies of 2020 carrying on, expressed by the behaviour section.",
)

_TARGETS = {t.id: t.value for t in plan_targets()}

TARGETS = MapOf(
    tuple(_TARGETS),
    Field("float", None, "Target value (null: no value).", minimum=0.0, maximum=1e9),
    default=_TARGETS,
    doc="Values of the plan's targets by target id (sim/data/targets.yaml); set one to test another target, "
        "or give a value where our copy of the plan lost it (road and rail kilometres).",
    source="青岛市新型城镇化发展三年行动计划 (docs/sources/plan_zh.txt, docs/sources/qingdao_facts.yaml plan.targets)",
    nullable=True,
)

OUTPUTS = Section(
    {
        "plots": Field("bool", True, "Draw PNG plots into the run's plots/ folder and write report.html (one "
                       "self-contained page with the plots)."),
    },
    doc="What a run writes besides the CSV tables and the manifest.",
)

#: the posterior a scenario in uncertainty mode draws from when it names none (written by a calibration)
DEFAULT_POSTERIOR = "scenarios/calibration/posterior.csv"

UNCERTAINTY = Section(
    {
        "enabled": Field("bool", False, "Uncertainty mode: each replication also draws its behaviour (a row of "
                         "the posterior) and the effect sizes of the levers in use (from their ranges), from its "
                         "own stream; the residents' dice stay those of the same replication without it. Off: "
                         "replications differ by chance only (the command line's --uncertainty turns it on)."),
        "posterior": Field("str", None, "Posterior file, CSV: a header of setting paths "
                           "(behaviour.in_migration.rate_per_year, ...), one row per draw, natural units; relative to "
                           f"the scenario file that names it. Left out: {DEFAULT_POSTERIOR} of this project, when "
                           "a calibration has written it."),
        "parameters": Field("bool", True, "Draw the behaviour from the posterior (false: the scenario's own values, "
                            "no posterior needed)."),
        "levers": Field("bool", True, "Draw the effect sizes of the levers in use from their ranges (false: the "
                        "scenario's values)."),
    },
    doc="Uncertainty mode (docs/experiments.md): replications that differ by parameters and lever effects as well "
        "as by chance, under common random numbers. Off by default.",
)

SCENARIO = Section(
    {
        "name": Field("str", None, "Short name; the results go to results/<name>/. Defaults to the file name.",
                      pattern=NAME_PATTERN),
        "description": Field("str", "", "What the scenario asks, in a sentence or two."),
        "period": PERIOD,
        "seed": Field("int", 20210101, "Root seed of all random streams.", minimum=0, maximum=2**63 - 1),
        "replications": Field("int", 1, "Independent replications to run.", minimum=1, maximum=1000),
        "population": POPULATION,
        "behaviour": BEHAVIOUR,
        "policies": POLICIES,
        "services": SERVICES,
        "economy": district_economy.SCHEMA,
        "submodels": SUBMODELS,
        "targets": TARGETS,
        "outputs": OUTPUTS,
        "uncertainty": UNCERTAINTY,
    },
    doc="A scenario: what to simulate, from which population, under which behaviour and policies.",
)
