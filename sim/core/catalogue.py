"""The indicator catalogue: every indicator defined once, with its Chinese and English label, unit, kind,
definition and provenance (simulated by the agents, a schedule of dated inputs, or an assumption: what every
scorecard verdict says about itself); and the flow counters the engine keeps per district and month."""

from __future__ import annotations

from dataclasses import dataclass, field

#: flow counters kept per district and month, in agents (persons = agents * scale)
FLOWS: tuple[str, ...] = (
    "births", "deaths", "in_migration", "out_migration", "rural_to_urban_moves", "urban_to_rural_moves",
    "hukou_conversions", "internal_moves_in", "internal_moves_out", "in_situ_urbanization",
    "hukou_conversions_from_nonlocal", "hukou_conversions_from_local_rural",
)
FLOW_INDEX = {name: k for k, name in enumerate(FLOWS)}


@dataclass(frozen=True)
class Provenance:
    """Where an indicator's value comes from, as every scorecard verdict says (docs/targets.md)."""

    name: str          # as written in scorecard.csv's ``provenance`` column
    mark: str          # the short mark of the terminal's and the report's scorecard
    en: str            # a short label, for legends
    zh: str
    meaning: str


SIMULATED, SCHEDULE, ASSUMPTION = "simulated", "schedule", "assumption"
PROVENANCES: dict[str, Provenance] = {p.name: p for p in (
    Provenance(SIMULATED, "sim", "simulated by the agents", "模拟",
               "counted from the residents' states and events, what they do under the rules and levers in force"),
    Provenance(SCHEDULE, "sched", "follows a dated schedule from sources", "时间表",
               "read from dated inputs that have a source (openings as published); nothing the model decides"),
    Provenance(ASSUMPTION, "assum", "rests on an assumption", "假设",
               "what the scenario assumes (a level, a trend, dates without a source) or a planned figure counted "
               "as done: the verdict is what the assumption implies"),
)}


@dataclass(frozen=True)
class Indicator:
    name: str
    zh: str
    en: str
    unit: str          # "persons", "%", or the unit of a sub-model's quantity
    kind: str          # "stock" (end of month), "flow" (during the month) or "rate" (end of month)
    definition: str
    city_only: bool = False    # a sub-model's city-wide quantity: zone qingdao alone has it
    #: one of ``PROVENANCES``, decided by what the code computes, not by the name
    provenance: str = field(kw_only=True)
    #: why, where the indicator mixes kinds (a schedule weighted by the agents, a model around assumed values)
    provenance_note: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if self.provenance not in PROVENANCES:
            raise ValueError(f"indicator {self.name}: provenance {self.provenance!r} not in {tuple(PROVENANCES)}")


INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", "常住人口", "Resident population", "persons", "stock",
              "Residents living in the zone (常住人口: present for six months or more; the model counts every "
              "resident agent present).", provenance=SIMULATED),
    Indicator("urban_population", "城镇常住人口", "Urban resident population", "persons", "stock",
              "Residents living in the zone's urban part (城镇).", provenance=SIMULATED),
    Indicator("rural_population", "乡村常住人口", "Rural resident population", "persons", "stock",
              "Residents living in the zone's rural part (乡村).", provenance=SIMULATED),
    Indicator("urbanization_rate", "常住人口城镇化率", "Urbanization rate of residents", "%", "rate",
              "Urban residents over all residents, times 100 (the plan's 77% target).", provenance=SIMULATED),
    Indicator("hukou_population", "户籍人口", "Registered (hukou) population", "persons", "stock",
              "Residents holding a Qingdao hukou. Officially the registered population includes registered "
              "people living elsewhere; the model approximates it by the registered people living in the city, "
              "counted where they live.", provenance=SIMULATED),
    Indicator("hukou_urbanization_rate", "户籍人口城镇化率", "Urbanization rate of the registered population",
              "%", "rate",
              "Officially urban-hukou holders over the registered population. Model: residents with a Qingdao "
              "urban hukou over residents with any Qingdao hukou, times 100.", provenance=SIMULATED),
    Indicator("non_hukou_population", "非户籍常住人口", "Non-hukou residents", "persons", "stock",
              "Residents without a Qingdao hukou (non-local hukou).", provenance=SIMULATED),
    Indicator("residence_permit_holders", "居住证持有人数", "Residence-permit holders", "persons", "stock",
              "Non-hukou residents holding a Qingdao residence permit (居住证).", provenance=SIMULATED),
    Indicator("births", "出生人口", "Births", "persons", "flow", "Children born to residents of the zone.",
              provenance=SIMULATED),
    Indicator("deaths", "死亡人口", "Deaths", "persons", "flow", "Residents of the zone who died.",
              provenance=SIMULATED),
    Indicator("in_migration", "市外迁入", "Arrivals from outside Qingdao", "persons", "flow",
              "Persons arriving from outside the city to live in the zone.", provenance=SIMULATED),
    Indicator("out_migration", "迁出市外", "Departures from Qingdao", "persons", "flow",
              "Residents of the zone leaving the city.", provenance=SIMULATED),
    Indicator("rural_to_urban_moves", "乡村迁往城镇", "Rural-to-urban moves", "persons", "flow",
              "Residents moving from a rural to an urban zone inside the city, counted in the district they "
              "leave.", provenance=SIMULATED),
    Indicator("urban_to_rural_moves", "城镇迁往乡村", "Urban-to-rural moves", "persons", "flow",
              "Residents moving from an urban to a rural zone inside the city, counted in the district they "
              "leave.", provenance=SIMULATED),
    Indicator("hukou_conversions", "城镇落户", "Hukou conversions", "persons", "flow",
              "Residents taking a Qingdao urban hukou (from a non-local or a local rural hukou), counted where "
              "they live.", provenance=SIMULATED),
    Indicator("hukou_conversions_from_nonlocal", "外地户籍转入落户", "Hukou conversions from a non-local hukou",
              "persons", "flow", "Hukou conversions of residents whose hukou was registered outside Qingdao.",
              provenance=SIMULATED),
    Indicator("hukou_conversions_from_local_rural", "本市农业户籍转城镇", "Hukou conversions from a local rural hukou",
              "persons", "flow", "Hukou conversions of residents with a Qingdao rural hukou (农业转移人口市民化).",
              provenance=SIMULATED),
    Indicator("residence_permit_share", "居住证持有率", "Residence-permit share of non-hukou residents", "%", "rate",
              "Residence-permit holders over non-hukou residents, times 100.", provenance=SIMULATED),
    Indicator("internal_moves_in", "市内跨区迁入", "Moves in from other districts", "persons", "flow",
              "Residents moving into the district from another district of the city (the city total counts "
              "every move between districts).", provenance=SIMULATED),
    Indicator("internal_moves_out", "市内跨区迁出", "Moves out to other districts", "persons", "flow",
              "Residents moving from the district to another district of the city.", provenance=SIMULATED),
    Indicator("in_situ_urbanization", "就地城镇化", "In-situ urbanization", "persons", "flow",
              "Rural residents who became urban where they live because their village was reclassified urban "
              "(behaviour.reclassification, faster where new towns are upgraded); nobody moves, so it changes the "
              "urban and rural populations, not the district's.",
              provenance=SIMULATED, provenance_note=(
                  "Households drawn one by one at the reclassification pace (fitted, docs/calibration.md), raised "
                  "where the new-town lever upgrades places (assumed dates and multipliers); nobody decides to "
                  "move.")),
    Indicator("main_centre_share", "主城区人口占比", "Main-centre share of residents", "%", "rate",
              "Residents of the plan's main centre (主城: 市南 市北 李沧 崂山, 城阳, 黄岛 = xihaian; the sub-centre "
              "胶南 lies inside xihaian and cannot be separated) over the city's residents; for a district, its own "
              "share of the city if it belongs to the role, else 0.", provenance=SIMULATED),
    Indicator("sub_centre_share", "次中心人口占比", "Sub-centre share of residents", "%", "rate",
              "Residents of the sub-centres 胶州 and 即墨 over the city's residents (胶南 is counted in the main "
              "centre, see main_centre_share).", provenance=SIMULATED),
    Indicator("growth_pole_share", "增长极人口占比", "Growth-pole share of residents", "%", "rate",
              "Residents of the growth poles 平度 and 莱西 over the city's residents.", provenance=SIMULATED),
    Indicator("migrant_children_public_school_share", "随迁子女公办学校就读比例",
              "Migrant children in public schools", "%", "rate",
              "Non-hukou children aged 6-15 holding a public school seat, over all non-hukou children aged 6-15, "
              "times 100 (NBS reports 90.1% in primary and 91.0% in junior school nationally, 2023).",
              provenance=SIMULATED),
    Indicator("school_seat_shortage", "公办学位缺口", "Public school seat shortage", "persons", "stock",
              "Eligible non-hukou children who applied for a public seat at the last school-year round and "
              "found none in their district.", provenance=SIMULATED),
    Indicator("pension_coverage_non_hukou", "非户籍人口养老保险参保率", "Pension coverage of non-hukou residents",
              "%", "rate", "Non-hukou residents aged 16-59 enrolled in Qingdao's employees' basic pension "
              "(企业职工基本养老保险), over all non-hukou residents aged 16-59, times 100.", provenance=SIMULATED),
    Indicator("medical_insurance_coverage_non_hukou", "非户籍人口医疗保险参保率",
              "Medical-insurance coverage of non-hukou residents", "%", "rate",
              "Non-hukou residents enrolled in a Qingdao basic medical insurance over all non-hukou residents, "
              "times 100 (insurance held in the home place is not counted).", provenance=SIMULATED),
    Indicator("rural_service_staff", "服务乡村城市人员", "Urban staff serving villages", "persons", "stock",
              "Urban doctors, teachers, technical and cultural staff on postings to the district's villages at the "
              "month end (城市医生、教师、科技文化人员定期服务乡村); 0 unless the rural-talent-service lever acts.",
              provenance=ASSUMPTION, provenance_note=(
                  "The rural-talent-service lever's postings as set (staff per posting, postings a year, months each: "
                  "assumptions, the plan gives no numbers): it counts what the scenario states, nothing the residents "
                  "do.")),
    Indicator("new_town_share", "新城镇人口占比", "New-town share of residents", "%", "rate",
              "Residents of the upgraded parts of the plan's new-town nodes and growth poles (those urbanized in "
              "place by the part of reclassification new-town development adds, their newborns, while they "
              "stay) over the city's residents; for a district, its new-town residents over the city's.",
              provenance=SIMULATED, provenance_note=(
                  "Counts the residents reclassified by the part of the pace the new-town lever adds: the agents are "
                  "simulated, the upgrades' dates, shares and multipliers are assumptions.")),
    Indicator("homesteads_idle", "闲置宅基地", "Idle homesteads", "homesteads", "stock",
              "Qingdao homesteads (宅基地) whose household lives elsewhere, counted in the district of the "
              "homestead (the owner's hukou district at the start).", provenance=SIMULATED),
    Indicator("homesteads_leased", "出租宅基地", "Leased homesteads", "homesteads", "stock",
              "Idle homesteads let to urban households under the homestead reform (宅基地三权分置).",
              provenance=SIMULATED),
    Indicator("homestead_lease_income", "宅基地租金收入", "Homestead lease income", "yuan", "flow",
              "Rent paid during the month to the owners of leased homesteads, by the homestead's district "
              "(homestead reform's annual_rent_yuan / 12 per leased homestead at the month end).",
              provenance=SIMULATED, provenance_note=(
                  "The leased homesteads come from the agents' lease events; the rent per homestead "
                  "(policies.homestead_reform.annual_rent_yuan) is an assumed setting that scales them.")),
    # -- public services sized to residents and the cost of citizenization (sim/kernel/services.py,
    # -- sim/kernel/citizenization_cost.py)
    *(Indicator(f"{service}_shortage", zh, en, "persons", "stock",
                f"Residents seeking {what} at the last yearly round (on the enrolment day) and finding none in "
                "their district: hukou residents are served first, then non-hukou residents, up to the district's "
                "capacity, which grows with the hukou population (baseline) or the resident population "
                "(resident_based_services).",
                provenance=SIMULATED, provenance_note=(
                    f"The demand is the agents' (by age); the starting capacity is {start} (sim/data/services.yaml), "
                    "an assumption where no Qingdao figure was found, so the level is the assumption's and the "
                    "change the agents'."))
      for service, zh, en, what, start in (
          ("preschool_place", "学前教育学位缺口", "Preschool place shortage", "a preschool place (children aged 3-5)",
           "the national 2020 gross preschool enrolment (85.2%) of each district's children aged 3-5"),
          ("high_school_seat", "高中学位缺口", "High-school seat shortage", "a high-school seat (residents aged 16-18)",
           "the national 2020 upper-secondary gross enrolment (91.2%) of each district's residents aged 16-18"),
          ("clinic_care", "基层医疗服务缺口", "Base-level clinic shortage", "base-level clinic care (every resident)",
           "every 2020 resident served (an assumption)"),
          ("eldercare_bed", "养老床位缺口", "Eldercare bed shortage",
           "an eldercare bed (an assumed 15% of residents aged 80 and over)",
           "the national 2016 density of 31.6 beds per 1,000 residents aged 60 and over"))),
    *(Indicator(f"{service}_coverage", zh, en, "%", "rate",
                f"Residents served by {what} at the last yearly round over those seeking it, times 100 (100 "
                "where nobody seeks it: nobody is unserved).",
                provenance=SIMULATED, provenance_note=(
                    "Served and sought are the agents'; the starting capacities are assumptions where no Qingdao "
                    "figure was found (sim/data/services.yaml)."))
      for service, zh, en, what in (
          ("preschool_place", "学前教育学位保障率", "Preschool place coverage", "a preschool place"),
          ("high_school_seat", "高中学位保障率", "High-school seat coverage", "a high-school seat"),
          ("clinic_care", "基层医疗服务保障率", "Base-level clinic coverage", "base-level clinics"),
          ("eldercare_bed", "养老床位保障率", "Eldercare bed coverage", "an eldercare bed"))),
    Indicator("citizenization_cost", "市民化公共成本", "Public cost of citizenization", "yuan", "flow",
              "Public cost during the month of the persons newly covered: each conversion to a Qingdao urban hukou "
              "times the social-insurance (pensions and health) and housing-support costs per person, plus each "
              "non-hukou child newly holding a public place (the net rise over the year before) times the "
              "schooling cost per child; central unit costs, yuan at about 2012 prices.",
              provenance=SIMULATED, provenance_note=(
                  "The newly covered are the agents'; the cost per person is a study's (中国社会科学院 2013, the "
                  "eastern region; sim/data/services.yaml) and sets the level.")),
    Indicator("citizenization_cost_low", "市民化公共成本(低)", "Public cost of citizenization, low", "yuan", "flow",
              "As citizenization_cost at the low unit costs (the study's national averages).",
              provenance=SIMULATED, provenance_note="The agents' newly covered at the study's national unit costs."),
    Indicator("citizenization_cost_high", "市民化公共成本(高)", "Public cost of citizenization, high", "yuan",
              "flow", "As citizenization_cost at the high unit costs (an assumed factor on the central).",
              provenance=SIMULATED, provenance_note=(
                  "The agents' newly covered at an assumed multiple (services.cost.high_factor) of the central.")),
    *(Indicator(f"citizenization_cost_{service}", zh, en, "yuan", "flow",
                f"The part of citizenization_cost for {what} (central unit cost).",
                provenance=SIMULATED, provenance_note="The agents' newly covered times the study's central unit "
                                                      "cost (sim/data/services.yaml).")
      for service, zh, en, what in (
          ("schooling", "市民化成本:教育", "Citizenization cost: schooling",
           "non-hukou children newly holding a public place"),
          ("social_security", "市民化成本:社会保障", "Citizenization cost: social insurance",
           "the pensions and health insurance of hukou conversions"),
          ("housing", "市民化成本:住房保障", "Citizenization cost: housing support",
           "the housing support of hukou conversions"))),
    # -- jobs and housing by district (sim/kernel/district_economy.py)
    Indicator("jobs", "就业岗位", "Jobs", "jobs", "stock",
              "Jobs in the zone at the month start: the district's employed residents aged 16-59 at the start, "
              "grown each month by its job growth (economy.jobs.growth_pct_per_year plus industry_development).",
              provenance=ASSUMPTION, provenance_note=(
                  "A path set by the scenario: the start is the agents' employed residents (no district employment "
                  "found), the growth the city's 2010-2015 pace (sim/data/economy.yaml).")),
    Indicator("working_age_residents", "劳动年龄常住人口", "Working-age residents", "persons", "stock",
              "Residents aged 16-59: the zone's residents times its share aged 16-59 at the start (the labour the "
              "jobs are shared among).", provenance=SIMULATED, provenance_note=(
                  "The residents are the agents'; the share aged 16-59 is held at the start's.")),
    Indicator("job_availability", "就业机会", "Job availability", "%", "rate",
              "Jobs over working-age residents, at most 100 (the Harris-Todaro chance of a job).",
              provenance=SIMULATED, provenance_note=(
                  "The residents are the agents'; the jobs follow the scenario's assumed path.")),
    Indicator("urban_dwellings", "城镇住房", "Urban dwellings", "dwellings", "stock",
              "Urban dwellings: the urban households at the start over 1 - the assumed vacancy, plus completions "
              "and the homes of places reclassified urban, less demolitions.", provenance=ASSUMPTION,
              provenance_note=("The start's vacancy and the completions are assumptions (sim/data/economy.yaml); "
                               "the reclassified homes are the agents'.")),
    Indicator("vacant_urban_dwellings", "空置城镇住房", "Vacant urban dwellings", "dwellings", "stock",
              "Urban dwellings beyond the zone's urban households (0 where housing is short).",
              provenance=SIMULATED, provenance_note=(
                  "Households are the agents'; the dwellings rest on assumptions (urban_dwellings).")),
    Indicator("housing_shortage", "住房缺口", "Housing shortage", "households", "stock",
              "Urban households beyond the zone's urban dwellings (0 where some are vacant); a shortage lowers "
              "hukou conversion there (economy.housing.settlement_needs_home).", provenance=SIMULATED,
              provenance_note="Households are the agents'; the dwellings rest on assumptions (urban_dwellings)."),
    Indicator("housing_cost_index", "住房成本指数", "Housing cost index", "index", "rate",
              "The district's housing cost relative to the city's at the start: its start index times (urban "
              "households per dwelling over the start's)^1.34 (Lin et al. 2018); for the city, the mean weighted "
              "by urban households.", provenance=SIMULATED, provenance_note=(
                  "Occupancy comes from the agents; the form, its elasticity and the start index are assumptions "
                  "(sim/data/economy.yaml).")),
    # -- the city sub-models (sim/submodels/), one per plan target that is not about residents
    Indicator("rail_transit_operating_km", "城市轨道交通运营里程", "Urban rail in operation", "km", "stock",
              "Kilometres of urban rail open at the month end, from the dated opening schedule "
              "(submodels.transport.rail_operating_km).", city_only=True,
              provenance=SCHEDULE, provenance_note=(
                  "The dated line openings of submodels.transport.rail_operating_km "
                  "(docs/sources/qingdao_facts.yaml): 246 km at the end of 2020, 284 km from Metro Line 1's southern "
                  "section (30 December 2021; the June 2022 line list's sum), 315 km from Line 4 (26 December "
                  "2022).")),
    Indicator("new_public_parking_spaces", "新增公共停车位", "New public parking spaces built", "spaces", "flow",
              "Public parking spaces BUILT during the month: the published completions "
              "(submodels.transport.parking_built_spaces_cumulative), then the assumed delivery share of the planned "
              "spaces (parking_delivery_pct_of_planned). The plan's 10,000 is scored on these only.", city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "No count of spaces completed in 2021, 2022 or 2023 was found, so every built space of the plan's "
                  "years is the assumed 75% of the planned ones (2017's pace of delivery): a 'met' says that at that "
                  "share the programmes announced would reach 10,000; a planned figure is never counted as built.")),
    Indicator("new_public_parking_spaces_planned", "计划新增公共停车位", "New public parking spaces planned",
              "spaces", "flow",
              "Public parking spaces PLANNED for the month: the increments of the announced programmes "
              "(submodels.transport.parking_planned_spaces_cumulative); shown beside the built ones, never scored.",
              city_only=True,
              provenance=SCHEDULE, provenance_note=(
                  "The programmes as announced (over 20,000 in three years from January 2020, 信网 2020-01-15; over "
                  "20,000 in 2023, 青岛早报 2023-03-02), spread evenly over their years: planned, not built.")),
    Indicator("new_or_upgraded_road_km", "新增(改造)城市道路", "New or upgraded urban roads", "km", "flow",
              "Urban road kilometres built or upgraded during the month, from the cumulative schedule "
              "(submodels.transport.road_new_or_upgraded_km_cumulative).", city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "A schedule whose only entry is an assumed 100 km a year (no Qingdao figure found; the plan's "
                  "number is missing in our copy).")),
    Indicator("public_transport_motorized_share", "公共交通机动化出行分担率",
              "Public transport share of motorized trips", "%", "rate",
              "Bus and rail trips over all motorized trips at the month end, from a bus, rail and car logit calibrated "
              "to the assumed 2020 shares: rail kilometres, buses in service and urban density (the agents' urban "
              "residents over the built-up area) raise it, car ownership lowers it (sim/submodels/transport.py).",
              city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "A mode-choice model around an assumed 2020 share (55%, five points below the target; no annual "
                  "value found) and assumed car-ownership growth (5% a year, elasticity 0.5). The rail schedule "
                  "(sourced) adds about three points by 2023, the agents' urban growth a fraction of one through "
                  "density, and car growth takes about three away: the verdict follows from the assumed start.")),
    Indicator("urban_air_good_days_rate", "市区空气质量良好率", "Good-air days in the urban area", "%", "rate",
              "Share of days with air quality index 100 or less in the calendar year of the month: days with neither "
              "PM2.5 nor 8-hour ozone above its AQI-100 limit nor another pollutant exceeding (sim/submodels/air.py).",
              city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "Good days from an assumed 2020 PM2.5 (30 ug/m3) falling an assumed 4% a year and an assumed 2020 "
                  "ozone (150 ug/m3, 90th percentile) moved by precursor controls and summer heat; neither 2020 "
                  "annual value was found. The start alone gives about 88.6% good days, above the 86% target (2018's "
                  "published 85.0% is reproduced within two points): 'met' is what the assumptions imply.")),
    Indicator("pm25_annual_mean", "细颗粒物年均浓度", "PM2.5 annual mean", "ug/m3", "rate",
              "Annual mean PM2.5 in the urban area for the calendar year of the month, under emission controls, the "
              "urban population and the weather (sim/submodels/air.py).", city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "An assumed 2020 level (30 ug/m3; 34 in 2018 was published, 2020's was not found) and an assumed "
                  "4% a year fall, with the agents' urban population a weak term and the weather a draw.")),
    Indicator("ozone_8h_p90", "臭氧日最大8小时平均第90百分位数", "Ozone, 8-hour, 90th percentile", "ug/m3", "rate",
              "The 90th percentile over the calendar year of the daily maximum 8-hour ozone (O3-8h-90per), moved by "
              "VOC and NOx controls and the summer's temperature (sim/submodels/air.py).", city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "An assumed 2020 level (150 ug/m3; Qingdao's annual value was not found), the precursor controls a "
                  "setting (none in the baseline, the national target in the plan scenario) and the summer heat a "
                  "draw times a slope measured in Beijing.")),
    Indicator("ozone_exceedance_day_share", "臭氧超标天数比例", "Days with ozone above its good-day limit",
              "% of days", "rate",
              "Share of the calendar year's days whose maximum 8-hour ozone exceeds 160 ug/m3 (AQI 100), daily values "
              "lognormal with the year's 90th percentile (sim/submodels/air.py).", city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "Follows the assumed ozone level and an assumed spread of daily values (log-sd 0.36): about 7% of "
                  "days at the start.")),
    Indicator("rural_critical_care_30min_coverage", "农村30分钟重点疾病救治服务圈覆盖率",
              "Rural residents within 30 minutes of critical care", "%", "rate",
              "Rural residents whose district has its 30-minute critical-care circle in place over all rural "
              "residents (a district: 100 or 0; none without rural residents) (sim/submodels/health.py).",
              provenance=ASSUMPTION, provenance_note=(
                  "The dates each district's circle is in place, weighted by the agents' rural residents. The dates "
                  "are assumptions (none found: the baseline leaves Pingdu and Laixi out, the plan scenario puts them "
                  "in at the end of 2022, the plan's commitment restated), so whether 100% is reached is what the "
                  "dates say; the agents only weight a partial coverage.")),
    Indicator("cross_region_medical_settlement_coverage", "异地就医联网结算覆盖率",
              "Hospitals with cross-region medical settlement", "%", "rate",
              "Share of level-2-and-above designated hospitals connected to cross-region direct settlement, "
              "from the rollout schedule (submodels.health.cross_region_settlement_coverage_pct).",
              city_only=True,
              provenance=ASSUMPTION, provenance_note=(
                  "A rollout schedule without a source: 70% and flat by assumption in the baseline, 100% by mid-2023 "
                  "in the plan scenario (the plan's commitment restated), so the verdict is the schedule's.")),
)
INDICATOR_NAMES: tuple[str, ...] = tuple(i.name for i in INDICATORS)
BY_NAME = {i.name: i for i in INDICATORS}
