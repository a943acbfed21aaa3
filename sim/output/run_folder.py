"""Writing a run's folder: tidy CSV, the resolved scenario, the manifest, plots and report; whole or not at all.

Everything goes to a hidden temporary folder next to the destination, which
is renamed into place only when complete: a run folder that exists is whole.
CSV bytes depend only on the scenario and seed (fixed row order, fixed number
formatting); timings live in the manifest only.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

from .. import __version__
from ..core.catalogue import INDICATOR_NAMES, INDICATORS
from ..core.districts import ZONES
from ..model import RunResult

TIMESERIES_COLUMNS = ("date", "replication", "zone", "indicator", "value")
SUMMARY_COLUMNS = ("year", "zone", "indicator", "mean", "p05", "p50", "p95", "replications")
PACKAGES = ("simpy", "numpy", "scipy", "pyyaml", "matplotlib", "tqdm", "salib")


def fmt(value: float) -> str:
    """Fixed text for a number: whole numbers without decimals, others to 6 decimals, NaN empty."""
    value = float(value)
    if np.isnan(value):
        return ""
    if value.is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def timeseries_rows(results: list[RunResult]):
    """Monthly rows ``(date, replication, zone, indicator, value)``, replication-major.

    A value the zone does not have (a city-wide sub-model quantity in a district, a rate with nobody to
    count) is left out rather than written empty.
    """
    for rep, result in enumerate(results):
        for k, date in enumerate(result.dates):
            for z, zone in enumerate(ZONES):
                for j, name in enumerate(INDICATOR_NAMES):
                    value = result.values[k, z, j]
                    if value == value:           # not NaN
                        yield date, rep, zone, name, fmt(value)


def yearly_values(result: RunResult) -> dict[int, np.ndarray]:
    """Per calendar year: stocks and rates at the year's last recorded date, flows summed over the year.

    The starting state (dated the day before the period) appears as its own
    year, with flows absent (NaN), so every summary shows where a run began.
    """
    years = np.array([int(d[:4]) for d in result.dates])
    flow = np.array([i.kind == "flow" for i in INDICATORS])
    out = {}
    for year in sorted(set(years.tolist())):
        rows = np.flatnonzero(years == year)
        end = result.values[rows[-1]].copy()
        if rows[0] == 0:                 # the starting state: no flows recorded yet
            end[:, flow] = np.nan if len(rows) == 1 else result.values[rows[1:]][:, :, flow].sum(axis=0)
        else:
            end[:, flow] = result.values[rows][:, :, flow].sum(axis=0)
        out[year] = end
    return out


def summary_rows(results: list[RunResult]):
    """Rows of ``summary.csv``: mean and 5/50/95 percentiles over replications."""
    per_rep = [yearly_values(r) for r in results]
    for year in per_rep[0]:
        stacked = np.stack([p[year] for p in per_rep])          # (reps, zones, indicators)
        for z, zone in enumerate(ZONES):
            for j, name in enumerate(INDICATOR_NAMES):
                v = stacked[:, z, j]
                if np.isnan(v).all():
                    continue
                p05, p50, p95 = np.percentile(v, [5, 50, 95])
                yield year, zone, name, fmt(v.mean()), fmt(p05), fmt(p50), fmt(p95), len(v)


def csv_table(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def git_commit() -> str:
    """Commit of the code that ran, with ``+dirty`` when the tree has changes; 'unknown' outside git."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "qingdao-urbanization-sim": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _sha256(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()


def run_folder_name(seed: int) -> str:
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}-seed{seed}"


@contextmanager
def atomic_folder(parent: Path, name: str):
    """Yield ``(tmp, final)``: fill ``tmp``; it becomes ``final`` (``parent/name``, with ``-2``, ``-3``...
    when taken) only when the block ends without error, and nothing is left behind otherwise."""
    parent.mkdir(parents=True, exist_ok=True)
    final = parent / name
    suffix = 1
    while final.exists():
        suffix += 1
        final = parent / f"{name}-{suffix}"
    tmp = parent / f".tmp-{final.name}-{os.getpid()}"
    try:
        tmp.mkdir()
        yield tmp, final
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            parent.rmdir()              # only if this was the first and left it empty
        except OSError:
            pass
        raise


def write_texts(folder: Path, texts: dict[str, str]) -> dict[str, str]:
    """Write each ``name -> text`` into ``folder``; return their SHA-256 for the manifest."""
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: _sha256(text) for name, text in texts.items()}


def provenance(command: list[str] | None, input_files: list[str] | None) -> dict:
    """What is needed to repeat a run: when, which code, which command, which packages, which inputs."""
    inputs = {}
    for path in input_files or []:
        try:
            inputs[str(path)] = _sha256(Path(path).read_bytes())
        except OSError:
            inputs[str(path)] = "unreadable"
    return {"created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "version": __version__,
            "git_commit": git_commit(), "command": command or sys.argv, "packages": package_versions(),
            "input_sha256": inputs}


def write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")


def resolved_yaml(scenario) -> str:
    """The scenario exactly as run, every default filled in."""
    return yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True)


def write_run(scenario, results: list[RunResult], out_root: str | Path, command: list[str] | None = None,
              input_files: list[str] | None = None, plots: bool | None = None,
              extra_files: dict[str, str] | None = None) -> Path:
    """Write the run folder ``out_root/<scenario name>/<run id>/`` atomically; return its path.

    ``extra_files`` (name -> text) are written into the folder too (the scorecard). With plots on,
    the plots and ``report.html`` are drawn from the written tables, as ``report RUN_DIR`` would.
    """
    with atomic_folder(Path(out_root) / scenario.name, run_folder_name(scenario.seed)) as (tmp, final):
        hashes = write_texts(tmp, {"scenario.yaml": resolved_yaml(scenario),
                                   "timeseries.csv": csv_table(TIMESERIES_COLUMNS, timeseries_rows(results)),
                                   "summary.csv": csv_table(SUMMARY_COLUMNS, summary_rows(results)),
                                   **(extra_files or {})})
        info = provenance(command, input_files)
        manifest = {
            "scenario": scenario.name,
            "run_id": final.name,
            **{k: info[k] for k in ("created_utc", "version", "git_commit", "command")},
            "seed": scenario.seed,
            "replications": scenario.replications,
            "scale_persons_per_agent": float(scenario.population.scale),
            "period": {"start": scenario.period.start.isoformat(), "end": scenario.period.end.isoformat()},
            "events_processed": int(sum(r.events_processed for r in results)),
            "events_by_type": {k: int(sum(r.events_by_type[k] for r in results)) for k in results[0].events_by_type},
            "wall_seconds": round(sum(r.wall_seconds for r in results), 3),
            "replication_wall_seconds": [round(r.wall_seconds, 3) for r in results],
            "agents_start": [r.agents_start for r in results],
            "agents_end": [r.agents_end for r in results],
            "packages": info["packages"],
            "input_sha256": info["input_sha256"],
            "output_sha256": hashes,
        }
        write_manifest(tmp, manifest)
        if scenario.outputs.plots if plots is None else plots:
            from .report import build_run_report

            build_run_report(tmp)
    return final
