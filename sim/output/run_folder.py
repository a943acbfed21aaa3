"""Writing a run's folder: tidy CSV, the resolved scenario, the manifest, then the caller's report; whole or
not at all.

Everything goes to a hidden temporary folder next to the destination, which
is renamed into place only when complete: a run folder that exists is whole.
CSV bytes depend only on the scenario and seed (fixed row order, fixed number
formatting); timings live in the manifest only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import DISTRICTS, ZONES
from ..kernel.old_age import old_age_decline
from ..kernel.places import PLACE_DISTRICT, PLACE_INDICATORS, PLACES
from ..kernel.population import census_ageing_days, census_reference_date
from ..kernel.result import RunResult
from ..scenario.uncertainty import LEVER_DISTRIBUTION, kind, posterior_of
from .atomic import atomic_folder, inside
from .excel import RESULTS_XLSX, run_workbook
from .formats import DRAWS, PLACES_TABLE, SCENARIO_YAML, SUMMARY, TIMESERIES, csv_table, fmt, seconds
from .provenance import provenance, resolved_yaml, run_folder_name, write_manifest, write_texts
from .reuse import RESULTS_NPZ, code_fingerprint, results_npz
from .yearly import yearly_values


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


def place_rows(results: list[RunResult]):
    """Monthly rows ``(date, replication, place, district, indicator, value)`` of the plan's places,
    replication-major; an urban share with nobody to count is left out."""
    for rep, result in enumerate(results):
        if result.places is None:
            continue
        for k, date in enumerate(result.dates):
            for p, place in enumerate(PLACES):
                district = DISTRICTS[PLACE_DISTRICT[p]]
                for j, name in enumerate(PLACE_INDICATORS):
                    value = result.places[k, p, j]
                    if value == value:           # not NaN
                        yield date, rep, place, district, name, fmt(value)


def summary_rows(results: list[RunResult]):
    """Rows of ``summary.csv``: mean and 5/50/95 percentiles over replications."""
    per_rep = [yearly_values(r) for r in results]
    for year in per_rep[0]:
        stacked = np.stack([p[year] for p in per_rep])          # (reps, zones, indicators)
        # every cell's percentiles in one call: the same partition and interpolation per cell as a call per
        # cell (test_outputs checks the bytes), a tenth of a quick run's writing
        quantiles = np.percentile(stacked, [5, 50, 95], axis=0)
        empty = np.isnan(stacked).all(axis=0)
        for z, zone in enumerate(ZONES):
            for j, name in enumerate(INDICATOR_NAMES):
                if empty[z, j]:
                    continue
                v = stacked[:, z, j]
                p05, p50, p95 = quantiles[:, z, j]
                yield year, zone, name, fmt(v.mean()), fmt(p05), fmt(p50), fmt(p95), len(v)


def census_of(scenario) -> dict:
    """The census the residents were built from, its reference date, the days they were aged by to the start and
    the decline of their ages above 65 (the scenario's, or the fit to the census's groups within 65+ it left out)."""
    year = scenario.population.census
    return {"year": year, "reference_date": census_reference_date(year).isoformat(),
            "aged_days_to_start": census_ageing_days(scenario),
            "old_age_decline_per_year": old_age_decline(scenario.population)}


def draws_text(results: list[RunResult]) -> str | None:
    """``draws.csv``: a row per replication, its posterior row (from 1; empty for none) and every drawn value
    written exactly (``repr``: read back, the same float); None outside uncertainty mode."""
    draws = [r.draws for r in results]
    if any(d is None for d in draws):
        return None
    settings = list(dict.fromkeys(path for d in draws for path in d.values))
    rows = ((d.replication, "" if d.posterior_row is None else d.posterior_row,
             *("" if path not in d.values else repr(d.values[path]) for path in settings)) for d in draws)
    return csv_table((*DRAWS.columns, *settings), rows)


def uncertainty_record(scenario, results: list[RunResult]) -> dict:
    """The manifest's ``uncertainty``: the kind of uncertainty the run carries, and in uncertainty mode the
    posterior (path, SHA-256, rows), how lever effects were drawn and the file of the draws."""
    posterior = posterior_of(scenario)
    record: dict = {"kind": kind(scenario, posterior.path if posterior else None)}
    if scenario.uncertainty.enabled:
        record.update({
            "posterior": None if posterior is None else
            {"path": posterior.path, "sha256": posterior.sha256, "rows": len(posterior.rows),
             "settings": list(posterior.columns)},
            "lever_effects": LEVER_DISTRIBUTION + " in each range" if scenario.uncertainty.levers else None,
            "draws_file": DRAWS.file})
    return record


def write_run(scenario, results: list[RunResult], out_root: str | Path, command: list[str] | None = None,
              input_files: list[str] | None = None, extra_files: dict[str, str] | None = None,
              report: Callable[[Path], object] | None = None,
              settings_from: dict[str, dict[str, str]] | None = None) -> Path:
    """Write the run folder ``out_root/<scenario name>/<run id>/`` atomically; return its path.

    ``extra_files`` (name -> text) are written into the folder too (the scorecard). ``report`` (the
    caller's builder, ``build_run_report``) draws the plots and ``report.html`` from the written files,
    as ``report RUN_DIR`` would, when the scenario's ``outputs.plots`` is on; if it fails, nothing is left.
    ``settings_from`` (``sim.scenario.load.setting_origins``: where each setting given was set) goes into
    the manifest, for the report's assumptions table.
    """
    with atomic_folder(inside(Path(out_root), scenario.name), run_folder_name(scenario.seed)) as landing:
        tmp, final = landing
        draws = draws_text(results)
        texts = {
            SCENARIO_YAML: resolved_yaml(scenario), TIMESERIES.file: TIMESERIES.text(timeseries_rows(results)),
            SUMMARY.file: SUMMARY.text(summary_rows(results)),
            **({PLACES_TABLE.file: PLACES_TABLE.text(place_rows(results))}
               if any(r.places is not None for r in results) else {}),
            **({DRAWS.file: draws} if draws is not None else {}), **(extra_files or {})}
        hashes = write_texts(tmp, {**texts, RESULTS_XLSX: run_workbook(texts), RESULTS_NPZ: results_npz(results)})
        info = provenance(command, input_files)
        manifest = {
            "scenario": scenario.name,
            "run_id": final.name,
            **{k: info[k] for k in ("created_utc", "version", "git_commit", "command")},
            "seed": scenario.seed,
            "replications": scenario.replications,
            "scale_persons_per_agent": float(scenario.population.scale),
            "period": {"start": scenario.period.start.isoformat(), "end": scenario.period.end.isoformat()},
            "census": census_of(scenario),
            "events_processed": int(sum(r.events_processed for r in results)),
            "events_by_type": {k: int(sum(r.events_by_type[k] for r in results)) for k in results[0].events_by_type},
            "wall_seconds": seconds(sum(r.wall_seconds for r in results)),
            "replication_wall_seconds": [seconds(r.wall_seconds) for r in results],
            "replication_events": [int(r.events_processed) for r in results],
            "agents_start": [r.agents_start for r in results],
            "agents_end": [r.agents_end for r in results],
            "uncertainty": uncertainty_record(scenario, results),
            "packages": info["packages"],
            "input_sha256": info["input_sha256"],
            "output_sha256": hashes,
            "code_sha256": code_fingerprint(),
            **({"settings_from": settings_from} if settings_from is not None else {}),
        }
        write_manifest(tmp, manifest)
        if report is not None and scenario.outputs.plots:
            report(tmp)
    return landing.final
