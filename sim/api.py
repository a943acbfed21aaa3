"""The Python API for notebooks: what ``run_sim.py run``, ``compare`` and a run folder give, as pandas tables.

    from sim import api
    baseline = api.run("scenarios/baseline.yaml", replications=3, population__scale=200)
    baseline.summary.query("zone == 'qingdao' and indicator == 'urbanization_rate'")
    plan = api.compare("scenarios/plan_2021_2023.yaml", "scenarios/baseline.yaml")
    again = api.load(baseline.folder)

Every call writes (or reads) the same run folder the command line does, so a notebook's run can be reported,
compared and checked like any other; nothing here is possible only from Python. Settings are given as
keywords with ``__`` for the dots of ``--set`` (``population__scale=200`` is ``--set population.scale=200``),
or as ``settings={"population.scale": 200}``. Bad input raises the CLI's errors (``ScenarioError``, whose
text is the one line the CLI prints).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import submodels
from .experiment.executor import run_local
from .output import scorecard
from .output.comparison import pairing_overrides, write_comparison
from .output.formats import (
    COMPARISON,
    MANIFEST_JSON,
    SCORECARD,
    SCORECARD_AGAINST,
    SETTINGS_DIFF,
    SUMMARY,
    TIMESERIES,
    unguard_cell,
)
from .output.report import build_comparison_report, build_run_report
from .output.reuse import read_results, stored_run
from .output.run_folder import write_run
from .runner import run_replications
from .scenario import load_scenario, scenario_files, setting_origins
from .scenario.uncertainty import kind as uncertainty_kind
from .targets import scenario_targets

if TYPE_CHECKING:
    import pandas as pd

#: the text columns of the tables, read back as ``guard_cell`` was given them (a leading ``'`` removed)
_TEXT_COLUMNS = ("zone", "indicator", "setting", "against", "scenario", "target", "status", "note",
                 "provenance", "uncertainty", "label_zh", "label_en", "unit", "date")


@dataclass
class Run:
    """A run folder's tables: ``timeseries`` (date, replication, zone, indicator, value), ``summary`` (year,
    zone, indicator, mean, p05, p50, p95, replications), ``scorecard`` (the plan's targets scored), and the
    folder's ``manifest``."""

    folder: Path
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    scorecard: pd.DataFrame
    manifest: dict = field(repr=False)

    def city(self, indicator: str) -> pd.DataFrame:
        """One indicator's yearly summary for the whole city (zone ``qingdao``), indexed by year."""
        rows = self.summary[(self.summary["zone"] == "qingdao") & (self.summary["indicator"] == indicator)]
        return rows.set_index("year")[["mean", "p05", "p50", "p95"]]


@dataclass
class Comparison:
    """A comparison folder's tables: ``comparison`` (paired differences by year, zone and indicator),
    ``settings_diff``, the two scenarios' ``scorecard`` and ``scorecard_against``."""

    folder: Path
    comparison: pd.DataFrame
    settings_diff: pd.DataFrame
    scorecard: pd.DataFrame
    scorecard_against: pd.DataFrame
    manifest: dict = field(repr=False)


def simulate(scenario, progress: bool = False, workers: int = 1):
    """Every replication of ``scenario`` (in ``workers`` processes) and its scorecard ``(scored rows, targets
    not reached)``: the one way the CLI and the API simulate."""
    pool = (lambda fn, tasks, on_done: run_local(fn, tasks, workers, on_done)) if workers > 1 else None
    results = run_replications(scenario, progress=progress, pool=pool)
    return results, score(scenario, results)


def score(scenario, results):
    """The scorecard of ``results`` ``(scored rows, targets not reached)``."""
    return scorecard.run_scorecard(
        scenario_targets(scenario), results, uncertainty_kind(scenario),
        lambda target: submodels.provenance_of(scenario.submodels, target.indicator, target.year))


def simulate_or_reuse(scenario, out: str | Path, reuse: bool, progress: bool = False, workers: int = 1):
    """``(results, scorecard, stored folder)``: with ``reuse``, a stored run of the same scenario by this code
    under ``out`` read back (``output/reuse.py``), else the scenario simulated (stored folder None)."""
    folder = stored_run(out, scenario) if reuse else None
    if folder is None:
        return (*simulate(scenario, progress, workers), None)
    results = read_results(folder)
    return results, score(scenario, results), folder


def overrides_of(settings: Mapping[str, Any] | None, keywords: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(dotted path, value)`` pairs from ``settings`` (dotted keys) and keywords (``__`` for the dots)."""
    pairs = [(str(k), v) for k, v in (settings or {}).items()]
    return pairs + [(k.replace("__", "."), v) for k, v in keywords.items()]


def run(scenario: str | Path, out: str | Path = "results", *, settings: Mapping[str, Any] | None = None,
        workers: int = 1, progress: bool = False, reuse: bool = False, **keywords: Any) -> Run:
    """Run the scenario file ``scenario`` with the given settings, write its run folder under ``out`` (the
    report too, when its ``outputs.plots`` is on) and return its tables. ``reuse``: a stored run of the same
    scenario by the same code under ``out`` is returned instead of simulating again (``run --reuse``)."""
    overrides = overrides_of(settings, keywords)
    return run_loaded(load_scenario(scenario, overrides=overrides), scenario, out, overrides, workers, progress,
                      reuse)


def run_loaded(sc, scenario: str | Path, out: str | Path, overrides: list, workers: int = 1,
               progress: bool = False, reuse: bool = False) -> Run:
    """``run`` of a scenario already loaded from the file ``scenario`` with ``overrides``."""
    results, (scored, _), stored = simulate_or_reuse(sc, out, reuse, progress, workers)
    if stored is not None:
        reused = load(stored)
        assert isinstance(reused, Run)
        return reused
    folder = write_run(sc, results, out, command=["sim.api.run", str(scenario)], input_files=scenario_files(scenario),
                       extra_files={SCORECARD.file: scorecard.csv_text(scored)}, report=build_run_report,
                       settings_from=setting_origins(scenario, overrides))
    result = load(folder)
    assert isinstance(result, Run)
    return result


def compare(scenario: str | Path, against: str | Path, out: str | Path = "results", *,
            settings: Mapping[str, Any] | None = None, progress: bool = False, reuse: bool = True,
            **keywords: Any) -> Comparison:
    """Compare ``scenario`` (with the given settings) with ``against`` on common random numbers, as
    ``run_sim.py compare`` does; write the comparison folder under ``out`` and return its tables. Stored runs
    of either scenario by the same code under ``out`` are reused unless ``reuse`` is False (``--fresh``)."""
    mine = load_scenario(scenario, overrides=overrides_of(settings, keywords))
    theirs = load_scenario(against, overrides=pairing_overrides(mine))
    runs, (scored, _), _ = simulate_or_reuse(mine, out, reuse, progress)
    against_runs, (scored_against, _), _ = simulate_or_reuse(theirs, out, reuse, progress)
    folder = write_comparison(
        mine, theirs, runs, against_runs, out, command=["sim.api.compare", str(scenario), str(against)],
        input_files=[*scenario_files(scenario), *scenario_files(against)],
        extra_files={SCORECARD.file: scorecard.csv_text(scored),
                     SCORECARD_AGAINST.file: scorecard.csv_text(scored_against)},
        report=build_comparison_report)
    result = load(folder)
    assert isinstance(result, Comparison)
    return result


def load(folder: str | Path) -> Run | Comparison:
    """A run or comparison folder's tables (a comparison has ``comparison.csv``)."""
    folder = Path(folder)
    if not (folder / MANIFEST_JSON).is_file():
        raise FileNotFoundError(f"{folder} is not a run or comparison folder (no {MANIFEST_JSON})")
    manifest = json.loads((folder / MANIFEST_JSON).read_text(encoding="utf-8"))
    if (folder / COMPARISON.file).is_file():
        return Comparison(folder, _table(folder, COMPARISON.file), _table(folder, SETTINGS_DIFF.file),
                          _table(folder, SCORECARD.file), _table(folder, SCORECARD_AGAINST.file), manifest)
    return Run(folder, _table(folder, TIMESERIES.file), _table(folder, SUMMARY.file), _table(folder, SCORECARD.file),
               manifest)


def _table(folder: Path, name: str) -> pd.DataFrame:
    """One of the folder's CSV files, its text cells as they were meant (``unguard_cell``); an empty table
    keeps its columns. pandas loads on first use: the CLI, which shares ``simulate``, starts without it."""
    import pandas as pd

    frame = pd.read_csv(folder / name, encoding="utf-8", keep_default_na=False, na_values=[""],
                        dtype={c: str for c in _TEXT_COLUMNS})
    for column in frame.columns.intersection(list(_TEXT_COLUMNS)):
        frame[column] = frame[column].map(lambda v: unguard_cell(v) if isinstance(v, str) else v)
    return frame
