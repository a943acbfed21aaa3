"""Stored runs reused instead of re-simulated: a run folder whose scenario and code are the ones asked for
holds the answer already (``compare`` of a scenario just run; the what-if page's repeat of a run).

A run folder keeps its replications' month-end arrays exactly (``results.npz``: one ``.npy`` per replication
and the dates, in a zip with fixed times so the same run gives the same bytes), beside the CSV files made from
them. A stored run is reused only when all of these hold:

- its ``scenario.yaml`` is the resolved scenario asked for (every setting, seed, replications, period and
  scale, every default filled in), but for ``outputs`` (whether plots were drawn changes no number);
- its manifest's ``code_sha256`` is this code's (``code_fingerprint``: every source and data file of the
  package), so a run of other code, or of other defaults, is never taken for this one;
- every file its manifest lists still has its hash (the folder is whole and untouched);
- the scenario draws no parameters (uncertainty mode off: a draw's record is not stored in a reusable form).

The replications read back give the same CSV bytes, scorecard and comparison as simulating again: the arrays
are the ones the replications returned; only their counts and timings come from the manifest.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zipfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import yaml

from ..core.safe_load import Refused, load_yaml, read_text
from ..kernel.result import RunResult
from .formats import MANIFEST_JSON, SCENARIO_YAML

RESULTS_NPZ = "results.npz"
_DATES = "dates.json"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: the package's files whose change can change a run's numbers or tables
_CODE_SUFFIXES = (".py", ".yaml", ".json")


@functools.cache
def code_fingerprint() -> str:
    """SHA-256 over every source and data file of the ``sim`` package (relative path and bytes, sorted)."""
    root = Path(str(files("sim")))
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def results_npz(results: list[RunResult]) -> bytes:
    """The replications' dates and arrays as one zip of ``.npy`` files with fixed times."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(_DATES, _FIXED_TIME), json.dumps(results[0].dates))
        for k, result in enumerate(results):
            array = io.BytesIO()
            np.lib.format.write_array(array, np.ascontiguousarray(result.values, np.float64), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f"replication_{k}.npy", _FIXED_TIME), array.getvalue(),
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_results(folder: Path) -> list[RunResult]:
    """The replications of a run folder, from its ``results.npz`` and its manifest's counts."""
    manifest = json.loads((folder / MANIFEST_JSON).read_text(encoding="utf-8"))
    with zipfile.ZipFile(folder / RESULTS_NPZ) as z:
        dates = json.loads(z.read(_DATES))
        arrays = [np.lib.format.read_array(io.BytesIO(z.read(f"replication_{k}.npy")), allow_pickle=False)
                  for k in range(manifest["replications"])]
    events = manifest.get("replication_events", [None] * len(arrays))
    walls = manifest.get("replication_wall_seconds", [0.0] * len(arrays))
    return [RunResult(dates=dates, values=values, events_processed=int(events[k] or 0),
                      events_by_type={}, agents_start=int(manifest["agents_start"][k]),
                      agents_end=int(manifest["agents_end"][k]), wall_seconds=float(walls[k]), state_bytes=0)
            for k, values in enumerate(arrays)]


def stored_run(out_root: str | Path, scenario) -> Path | None:
    """The newest whole run folder under ``out_root/<scenario name>/`` holding ``scenario`` run by this code;
    None when there is none (or the scenario draws parameters)."""
    if scenario.uncertainty.enabled:
        return None
    parent = Path(out_root) / scenario.name
    if not parent.is_dir():
        return None
    wanted = identity(scenario.to_dict())
    for folder in sorted((p for p in parent.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=lambda p: p.name, reverse=True):
        if _holds(folder, wanted):
            return folder
    return None


def identity(resolved: dict) -> str:
    """What decides a run's numbers: the resolved scenario without its ``outputs`` section, as YAML."""
    return yaml.safe_dump({k: v for k, v in resolved.items() if k != "outputs"}, sort_keys=False,
                          allow_unicode=True)


def _holds(folder: Path, wanted: str) -> bool:
    try:
        stored = load_yaml(read_text(folder / SCENARIO_YAML))
        if not isinstance(stored, dict) or identity(stored) != wanted:
            return False
        manifest = json.loads((folder / MANIFEST_JSON).read_text(encoding="utf-8"))
        if manifest.get("code_sha256") != code_fingerprint() or RESULTS_NPZ not in manifest.get("output_sha256", {}):
            return False
        return all(hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
                   for name, digest in manifest["output_sha256"].items())
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError, Refused):
        return False
