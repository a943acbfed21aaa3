"""The indicator catalogue: every indicator defined once, with its Chinese and English label, unit, kind and
definition; and the flow counters the engine keeps per district and month."""

from __future__ import annotations

from dataclasses import dataclass

#: flow counters kept per district and month, in agents (persons = agents * scale)
FLOWS: tuple[str, ...] = (
    "births", "deaths", "in_migration", "out_migration", "rural_to_urban_moves", "urban_to_rural_moves",
    "hukou_conversions", "internal_moves_in", "internal_moves_out", "in_situ_urbanization",
    "hukou_conversions_from_nonlocal", "hukou_conversions_from_local_rural",
)
FLOW_INDEX = {name: k for k, name in enumerate(FLOWS)}


@dataclass(frozen=True)
class Indicator:
    name: str
    zh: str
    en: str
    unit: str          # "persons", "%", or the unit of a sub-model's quantity
    kind: str          # "stock" (end of month), "flow" (during the month) or "rate" (end of month)
    definition: str
    city_only: bool = False    # a sub-model's city-wide quantity: zone qingdao alone has it


INDICATORS: tuple[Indicator, ...] = (
    Indicator("population", "常住人口", "Resident population", "persons", "stock",
              "Residents living in the zone (常住人口: present for six months or more; the model counts every "
              "resident agent present)."),
    Indicator("urban_population", "城镇常住人口", "Urban resident population", "persons", "stock",
              "Residents living in the zone's urban part (城镇)."),
    Indicator("rural_population", "乡村常住人口", "Rural resident population", "persons", "stock",
              "Residents living in the zone's rural part (乡村)."),
    Indicator("urbanization_rate", "常住人口城镇化率", "Urbanization rate of residents", "%", "rate",
              "Urban residents over all residents, times 100 (the plan's 77% target)."),
    Indicator("hukou_population", "户籍人口", "Registered (hukou) population", "persons", "stock",
              "Residents holding a Qingdao hukou. Officially the registered population includes registered "
              "people living elsewhere; the model approximates it by the registered people living in the city, "
              "counted where they live."),
    Indicator("hukou_urbanization_rate", "户籍人口城镇化率", "Urbanization rate of the registered population",
              "%", "rate",
              "Officially urban-hukou holders over the registered population. Model: residents with a Qingdao "
              "urban hukou over residents with any Qingdao hukou, times 100."),
    Indicator("non_hukou_population", "非户籍常住人口", "Non-hukou residents", "persons", "stock",
              "Residents without a Qingdao hukou (non-local hukou)."),
    Indicator("residence_permit_holders", "居住证持有人数", "Residence-permit holders", "persons", "stock",
              "Non-hukou residents holding a Qingdao residence permit (居住证)."),
    Indicator("births", "出生人口", "Births", "persons", "flow", "Children born to residents of the zone."),
    Indicator("deaths", "死亡人口", "Deaths", "persons", "flow", "Residents of the zone who died."),
    Indicator("in_migration", "市外迁入", "Arrivals from outside Qingdao", "persons", "flow",
              "Persons arriving from outside the city to live in the zone."),
    Indicator("out_migration", "迁出市外", "Departures from Qingdao", "persons", "flow",
              "Residents of the zone leaving the city."),
    Indicator("rural_to_urban_moves", "乡村迁往城镇", "Rural-to-urban moves", "persons", "flow",
              "Residents moving from a rural to an urban zone inside the city, counted in the district they "
              "leave."),
    Indicator("urban_to_rural_moves", "城镇迁往乡村", "Urban-to-rural moves", "persons", "flow",
              "Residents moving from an urban to a rural zone inside the city, counted in the district they "
              "leave."),
    Indicator("hukou_conversions", "城镇落户", "Hukou conversions", "persons", "flow",
              "Residents taking a Qingdao urban hukou (from a non-local or a local rural hukou), counted where "
              "they live."),
    Indicator("hukou_conversions_from_nonlocal", "外地户籍转入落户", "Hukou conversions from a non-local hukou",
              "persons", "flow", "Hukou conversions of residents whose hukou was registered outside Qingdao."),
    Indicator("hukou_conversions_from_local_rural", "本市农业户籍转城镇", "Hukou conversions from a local rural hukou",
              "persons", "flow", "Hukou conversions of residents with a Qingdao rural hukou (农业转移人口市民化)."),
    Indicator("residence_permit_share", "居住证持有率", "Residence-permit share of non-hukou residents", "%", "rate",
              "Residence-permit holders over non-hukou residents, times 100."),
    Indicator("internal_moves_in", "市内跨区迁入", "Moves in from other districts", "persons", "flow",
              "Residents moving into the district from another district of the city (the city total counts "
              "every move between districts)."),
    Indicator("internal_moves_out", "市内跨区迁出", "Moves out to other districts", "persons", "flow",
              "Residents moving from the district to another district of the city."),
    Indicator("in_situ_urbanization", "就地城镇化", "In-situ urbanization", "persons", "flow",
              "Rural residents who became urban where they live because their village was reclassified urban "
              "(behaviour.reclassification, faster where new towns are upgraded); nobody moves, so it changes the "
              "urban and rural populations, not the district's."),
    Indicator("main_centre_share", "主城区人口占比", "Main-centre share of residents", "%", "rate",
              "Residents of the plan's main centre (主城: 市南 市北 李沧 崂山, 城阳, 黄岛 = xihaian; the sub-centre "
              "胶南 lies inside xihaian and cannot be separated) over the city's residents; for a district, its own "
              "share of the city if it belongs to the role, else 0."),
    Indicator("sub_centre_share", "次中心人口占比", "Sub-centre share of residents", "%", "rate",
              "Residents of the sub-centres 胶州 and 即墨 over the city's residents (胶南 is counted in the main "
              "centre, see main_centre_share)."),
    Indicator("growth_pole_share", "增长极人口占比", "Growth-pole share of residents", "%", "rate",
              "Residents of the growth poles 平度 and 莱西 over the city's residents."),
    Indicator("migrant_children_public_school_share", "随迁子女公办学校就读比例",
              "Migrant children in public schools", "%", "rate",
              "Non-hukou children aged 6-15 holding a public school seat, over all non-hukou children aged 6-15, "
              "times 100 (NBS reports 90.1% in primary and 91.0% in junior school nationally, 2023)."),
    Indicator("school_seat_shortage", "公办学位缺口", "Public school seat shortage", "persons", "stock",
              "Eligible non-hukou children who applied for a public seat at the last school-year round and "
              "found none in their district."),
    Indicator("pension_coverage_non_hukou", "非户籍人口养老保险参保率", "Pension coverage of non-hukou residents",
              "%", "rate", "Non-hukou residents aged 16-59 enrolled in Qingdao's employees' basic pension "
              "(企业职工基本养老保险), over all non-hukou residents aged 16-59, times 100."),
    Indicator("medical_insurance_coverage_non_hukou", "非户籍人口医疗保险参保率",
              "Medical-insurance coverage of non-hukou residents", "%", "rate",
              "Non-hukou residents enrolled in a Qingdao basic medical insurance over all non-hukou residents, "
              "times 100 (insurance held in the home place is not counted)."),
    Indicator("rural_service_staff", "服务乡村城市人员", "Urban staff serving villages", "persons", "stock",
              "Urban doctors, teachers, technical and cultural staff on postings to the district's villages at the "
              "month end (城市医生、教师、科技文化人员定期服务乡村); 0 unless the rural-talent-service lever acts."),
    Indicator("new_town_share", "新城镇人口占比", "New-town share of residents", "%", "rate",
              "Residents of the upgraded parts of the plan's new-town nodes and growth poles (those urbanized in "
              "place by the part of reclassification new-town development adds, their newborns, while they "
              "stay) over the city's residents; for a district, its new-town residents over the city's."),
    Indicator("homesteads_idle", "闲置宅基地", "Idle homesteads", "homesteads", "stock",
              "Qingdao homesteads (宅基地) whose household lives elsewhere, counted in the district of the "
              "homestead (the owner's hukou district at the start)."),
    Indicator("homesteads_leased", "出租宅基地", "Leased homesteads", "homesteads", "stock",
              "Idle homesteads let to urban households under the homestead reform (宅基地三权分置)."),
    Indicator("homestead_lease_income", "宅基地租金收入", "Homestead lease income", "yuan", "flow",
              "Rent paid during the month to the owners of leased homesteads, by the homestead's district "
              "(homestead reform's annual_rent_yuan / 12 per leased homestead at the month end)."),
    # -- the city sub-models (sim/submodels/), one per plan target that is not about residents
    Indicator("rail_transit_operating_km", "城市轨道交通运营里程", "Urban rail in operation", "km", "stock",
              "Kilometres of urban rail open at the month end, from the dated opening schedule "
              "(submodels.transport.rail_operating_km).", city_only=True),
    Indicator("new_public_parking_spaces", "新增公共停车位", "New public parking spaces", "spaces", "flow",
              "Public parking spaces built during the month, from the cumulative schedule "
              "(submodels.transport.parking_new_spaces_cumulative).", city_only=True),
    Indicator("new_or_upgraded_road_km", "新增(改造)城市道路", "New or upgraded urban roads", "km", "flow",
              "Urban road kilometres built or upgraded during the month, from the cumulative schedule "
              "(submodels.transport.road_new_or_upgraded_km_cumulative).", city_only=True),
    Indicator("public_transport_motorized_share", "公共交通机动化出行分担率",
              "Public transport share of motorized trips", "%", "rate",
              "Bus and rail trips over all motorized trips at the month end: an index model around the assumed "
              "2020 share, moved by the agents' urban population, rail kilometres and buses in service "
              "(sim/submodels/transport.py).", city_only=True),
    Indicator("urban_air_good_days_rate", "市区空气质量良好率", "Good-air days in the urban area", "%", "rate",
              "Share of days with air quality index 100 or less in the calendar year of the month, from the "
              "annual mean PM2.5 under emission controls, the urban population and the weather "
              "(sim/submodels/air.py).", city_only=True),
    Indicator("rural_critical_care_30min_coverage", "农村30分钟重点疾病救治服务圈覆盖率",
              "Rural residents within 30 minutes of critical care", "%", "rate",
              "Rural residents whose district has its 30-minute critical-care circle in place over all rural "
              "residents (a district: 100 or 0; none without rural residents) (sim/submodels/health.py)."),
    Indicator("cross_region_medical_settlement_coverage", "异地就医联网结算覆盖率",
              "Hospitals with cross-region medical settlement", "%", "rate",
              "Share of level-2-and-above designated hospitals connected to cross-region direct settlement, "
              "from the rollout schedule (submodels.health.cross_region_settlement_coverage_pct).",
              city_only=True),
)
INDICATOR_NAMES: tuple[str, ...] = tuple(i.name for i in INDICATORS)
BY_NAME = {i.name: i for i in INDICATORS}
