"""The ten districts of Qingdao (2020 boundaries), in the model's fixed order (市南 市北 李沧 崂山 西海岸新区
城阳 即墨 胶州 平度 莱西)."""

DISTRICTS: tuple[str, ...] = (
    "shinan", "shibei", "licang", "laoshan", "xihaian",
    "chengyang", "jimo", "jiaozhou", "pingdu", "laixi",
)

#: the city as a zone, and every zone in the order of the outputs (the city first)
CITY = "qingdao"
ZONES: tuple[str, ...] = (CITY, *DISTRICTS)

#: the plan's spatial roles by district (qingdao_facts.yaml plan.spatial_structure_zh); the new-town nodes
#: are towns inside districts, which the model does not separate, so they have no share here
ROLES: dict[str, tuple[str, ...]] = {
    "main_centre_share": ("shinan", "shibei", "licang", "laoshan", "chengyang", "xihaian"),
    "sub_centre_share": ("jiaozhou", "jimo"),
    "growth_pole_share": ("pingdu", "laixi"),
}
