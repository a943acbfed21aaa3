"""Comparing a scenario with another under common random numbers: paired differences and differing settings.

Both scenarios run with the same seed, replication indices, period and agent
scale (the other scenario takes them from the scenario), so replication
``r`` of each draws from the same streams and each resident from the same
keyed numbers (``sim/core/streams.py``): what differs between the two runs of a
pair is what the settings changed, and the pair's difference carries far
less noise than the difference of two independent runs. For each year, zone
and indicator the table gives both means, the mean paired difference
(scenario minus against) and its 90% confidence interval (Student t over the
replications; empty with one replication).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import yaml

from ..core.catalogue import INDICATOR_NAMES
from ..core.districts import ZONES
from ..scenario.validation import ISO_DATE
from .atomic import atomic_folder, inside
from .excel import RESULTS_XLSX, comparison_workbook
from .formats import AGAINST_YAML, COMPARISON, SCENARIO_YAML, SETTINGS_DIFF, fmt, seconds
from .provenance import provenance, resolved_yaml, run_folder_name, write_manifest, write_texts
from .yearly import yearly_values

#: settings that name, describe or choose the outputs of a scenario rather than change what it simulates
LABELS = ("name", "description", "outputs")


def paired_rows(scenario_runs, against_runs):
    """Rows of ``comparison.csv`` from the two lists of replications, paired by index."""
    if len(scenario_runs) != len(against_runs):
        raise ValueError("paired comparison needs the same number of replications on both sides")
    from scipy import stats  # imported on first use: start-up time of the CLI

    n = len(scenario_runs)
    mine = [yearly_values(r) for r in scenario_runs]
    theirs = [yearly_values(r) for r in against_runs]
    t90 = stats.t.ppf(0.95, n - 1) if n > 1 else np.nan
    for year in mine[0]:
        a = np.stack([y[year] for y in theirs])              # (replications, zones, indicators)
        s = np.stack([y[year] for y in mine])
        diff = s - a
        for z, zone in enumerate(ZONES):
            for j, name in enumerate(INDICATOR_NAMES):
                if np.isnan(a[:, z, j]).all() and np.isnan(s[:, z, j]).all():
                    continue
                d = diff[:, z, j]
                mean = d.mean()
                half = t90 * d.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
                yield (year, zone, name, fmt(a[:, z, j].mean()), fmt(s[:, z, j].mean()), fmt(mean),
                       fmt(mean - half), fmt(mean + half), n)


def _is_schedule(value: Mapping) -> bool:
    """A dated schedule is one setting: its dates are not setting names."""
    return bool(value) and all(isinstance(k, str) and ISO_DATE.fullmatch(k) for k in value)


def _changes(mine, theirs, path: str = ""):
    """``(setting, against, scenario)`` for each differing leaf; a section present on one side only (a
    lever one scenario leaves out) is one row, not one per field."""
    both_sections = all(isinstance(v, Mapping) and not _is_schedule(v) for v in (mine, theirs))
    if not both_sections:
        if mine != theirs:
            yield path, theirs, mine
        return
    for key in dict.fromkeys([*theirs, *mine]):
        if not path and key in LABELS:
            continue
        yield from _changes(mine.get(key), theirs.get(key), f"{path}.{key}" if path else str(key))


def _dated(value):
    """ISO date strings back to dates, so that YAML writes them bare (2022-12-31, not '2022-12-31')."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, Mapping):
        return {_dated(k): _dated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dated(v) for v in value]
    return value


def _text(value) -> str:
    """A setting's value as one line of YAML; a section left out is 'not used'."""
    if value is None:
        return "null"
    text = yaml.safe_dump(_dated(value), default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def settings_diff(scenario, against) -> list[tuple[str, str, str]]:
    """The settings that differ, as ``(dotted setting, against's value, scenario's value)`` YAML texts."""
    return [(key, _text(a), _text(b)) for key, a, b in _changes(scenario.to_dict(), against.to_dict())]


def pairing_overrides(scenario) -> list[str]:
    """``--set`` overrides that give the other scenario this one's seed, replications, period and scale, so
    that replication ``r`` of both starts from the same agents and draws the same numbers; in uncertainty mode
    its uncertainty settings too, so that replication ``r`` of both takes the same posterior row and the same
    share of each range for the levers both use."""
    pairs: list[tuple[str, object]] = [
        ("seed", scenario.seed), ("replications", scenario.replications),
        ("period.start", scenario.period.start.isoformat()), ("period.end", scenario.period.end.isoformat()),
        ("population.scale", scenario.population.scale)]
    settings = scenario.uncertainty
    if settings.enabled:
        pairs += [(f"uncertainty.{key}", value) for key, value in settings.items() if value is not None]
    return [f"{key}={_text(value)}" for key, value in pairs]


def write_comparison(scenario, against, scenario_runs, against_runs, out_root: str | Path,
                     command: list[str] | None = None, input_files: list[str] | None = None,
                     extra_files: dict[str, str] | None = None,
                     report: Callable[[Path], object] | None = None) -> Path:
    """Write ``out_root/comparisons/<scenario>-vs-<against>/<run id>/`` atomically; return its path.

    ``report`` (the caller's builder, ``build_comparison_report``) draws the plots and ``report.html``
    from the written files when the scenario's ``outputs.plots`` is on.
    """
    parent = inside(Path(out_root), "comparisons", f"{scenario.name}-vs-{against.name}")
    with atomic_folder(parent, run_folder_name(scenario.seed)) as landing:
        tmp, final = landing
        texts = {
            COMPARISON.file: COMPARISON.text(paired_rows(scenario_runs, against_runs)),
            SETTINGS_DIFF.file: SETTINGS_DIFF.text(settings_diff(scenario, against)),
            SCENARIO_YAML: resolved_yaml(scenario), AGAINST_YAML: resolved_yaml(against),
            **(extra_files or {})}
        hashes = write_texts(tmp, {**texts, RESULTS_XLSX: comparison_workbook(texts)})
        info = provenance(command, input_files)
        write_manifest(tmp, {
            "scenario": scenario.name, "against": against.name, "comparison_id": final.name,
            **{k: info[k] for k in ("created_utc", "version", "git_commit", "command")},
            "seed": scenario.seed, "replications": len(scenario_runs),
            "common_random_numbers": "both scenarios run with the scenario's seed, replication indices, period "
                                     "and scale",
            "events_processed": int(sum(r.events_processed for r in [*scenario_runs, *against_runs])),
            "wall_seconds": seconds(sum(r.wall_seconds for r in [*scenario_runs, *against_runs])),
            "packages": info["packages"], "input_sha256": info["input_sha256"], "output_sha256": hashes})
        if report is not None and scenario.outputs.plots:
            report(tmp)
    return landing.final
