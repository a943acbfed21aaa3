"""The ten districts of Qingdao (2020 boundaries), in the model's fixed order (市南 市北 李沧 崂山 西海岸新区
城阳 即墨 胶州 平度 莱西)."""

DISTRICTS: tuple[str, ...] = (
    "shinan", "shibei", "licang", "laoshan", "xihaian",
    "chengyang", "jimo", "jiaozhou", "pingdu", "laixi",
)
