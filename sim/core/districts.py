"""The ten districts of Qingdao (2020 boundaries), in the model's fixed order (市南 市北 李沧 崂山 西海岸新区
城阳 即墨 胶州 平度 莱西)."""

DISTRICTS: tuple[str, ...] = (
    "shinan", "shibei", "licang", "laoshan", "xihaian",
    "chengyang", "jimo", "jiaozhou", "pingdu", "laixi",
)

#: each district's Chinese name (as sim/data/census.yaml gives it; 西海岸新区 is the former 黄岛区)
DISTRICT_ZH: dict[str, str] = {
    "shinan": "市南区", "shibei": "市北区", "licang": "李沧区", "laoshan": "崂山区", "xihaian": "西海岸新区",
    "chengyang": "城阳区", "jimo": "即墨区", "jiaozhou": "胶州市", "pingdu": "平度市", "laixi": "莱西市",
}
#: Chinese names a scenario or spec may use for a district, with or without 区/市 (and 黄岛 for the West
#: Coast): every alias names the district it stands for
DISTRICT_ALIASES: dict[str, str] = {
    **{zh: d for d, zh in DISTRICT_ZH.items()},
    **{zh.removesuffix("区").removesuffix("市"): d for d, zh in DISTRICT_ZH.items() if d != "xihaian"},
    "西海岸": "xihaian", "黄岛区": "xihaian", "黄岛": "xihaian",
}

#: the city as a zone, and every zone in the order of the outputs (the city first)
CITY = "qingdao"
ZONES: tuple[str, ...] = (CITY, *DISTRICTS)

#: the plan's spatial roles by district (docs/sources/qingdao_facts.yaml plan.spatial_structure_zh); the new-town nodes
#: are towns inside districts, which the model does not separate, so they have no share here
ROLES: dict[str, tuple[str, ...]] = {
    "main_centre_share": ("shinan", "shibei", "licang", "laoshan", "chengyang", "xihaian"),
    "sub_centre_share": ("jiaozhou", "jimo"),
    "growth_pole_share": ("pingdu", "laixi"),
}
