"""Reading a run or comparison folder's saved files (csv module and numpy only, no re-running).

Reports are rebuilt from the files alone, so that a folder can be reported on
long after the run, by code that may know newer or older indicators: an
indicator need not exist for every zone, and an empty cell means missing (NaN).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ...core.safe_load import Refused, load_json, load_yaml, read_text
from ...scenario.load import yaml_problem
from ..formats import (
    AGAINST_YAML,
    COMPARISON,
    COMPARISON_FILES,
    MANIFEST_JSON,
    OPTIONAL_SCORECARD_COLUMNS,
    RUN_FILES,
    SCENARIO_YAML,
    SCORECARD,
    SCORECARD_AGAINST,
    SETTINGS_DIFF,
    SUMMARY,
    TIMESERIES,
    ScoreRow,
    Table,
    number,
    unguard_cell,
)


class ReportError(ValueError):
    """A folder cannot be reported on: not a run/comparison folder, or a file is missing or malformed."""


def require(folder: str | Path, names: tuple[str, ...], kind: str) -> Path:
    """The folder as a Path, after checking that it holds every file a ``kind`` folder must have."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a {kind} folder (no such directory)")
    for name in names:
        if (folder / name).is_symlink():         # a folder's files are its own: nothing else is read into a report
            raise ReportError(f"{folder}: {name} is a symbolic link; a {kind} folder's files are its own")
        if not (folder / name).is_file():
            raise ReportError(f"{folder}: not a {kind} folder: {name} is missing")
    return folder


def read_rows(path: Path, columns: tuple[str, ...]):
    """The rows of a CSV file as dicts, after checking its header has ``columns`` (more may follow)."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ReportError(f"{path.name}: missing column(s) {', '.join(missing)}")
            yield from reader
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"{path.name}: cannot read ({exc})") from exc


def read_cells(path: Path, columns: tuple[str, ...]):
    """The rows of a CSV file as lists of its ``columns``' cells, in that order, after checking the header
    has them (more may follow); ``read_rows`` without a dict per row, for the long timeseries."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            missing = [c for c in columns if c not in header]
            if missing:
                raise ReportError(f"{path.name}: missing column(s) {', '.join(missing)}")
            where = [header.index(c) for c in columns]
            if where == list(range(len(columns))):
                for row in reader:
                    if len(row) < len(columns):
                        row = row + [""] * (len(columns) - len(row))
                    yield row
            else:
                for row in reader:
                    yield [row[k] if k < len(row) else "" for k in where]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"{path.name}: cannot read ({exc})") from exc


def _read_mapping(path: Path, parse, errors: tuple, what: str) -> dict:
    """A file parsed into a mapping (by the bounded readers of ``core.safe_load``), or a ReportError naming
    the file."""
    try:
        data = parse(read_text(path))
    except (OSError, UnicodeDecodeError, Refused, *errors) as exc:
        problem = yaml_problem(exc) if isinstance(exc, yaml.YAMLError) else exc
        raise ReportError(f"{path.name}: cannot read ({problem})") from exc
    if not isinstance(data, dict):
        raise ReportError(f"{path.name}: expected {what}")
    return data


def read_yaml(path: Path) -> dict:
    return _read_mapping(path, load_yaml, (yaml.YAMLError,), "a mapping of settings")


def read_json(path: Path) -> dict:
    return _read_mapping(path, load_json, (json.JSONDecodeError,), "a JSON object")


@dataclass(frozen=True)
class Series:
    """One indicator of one zone over time: ``values[replication, date]`` (NaN where missing)."""

    dates: list[dt.date]
    values: np.ndarray


def read_timeseries(path: Path, zone: str, indicators: tuple[str, ...]) -> dict[str, Series]:
    """The monthly series of ``indicators`` for ``zone``; indicators absent from the file are left out.

    Only the wanted rows are kept, so that a file of many replications stays cheap to read.
    """
    cells: dict[str, dict[tuple[int, str], float]] = {name: {} for name in indicators}
    for row in read_cells(path, TIMESERIES.columns):
        date, replication, row_zone, indicator, value = row[:5]
        if row_zone == zone and indicator in cells:
            try:
                cells[indicator][int(replication), date] = number(value)
            except ValueError as exc:
                shown = dict(zip(TIMESERIES.columns, row[:5], strict=True))
                raise ReportError(f"{path.name}: bad number in row {shown}") from exc
    out = {}
    for name, values in cells.items():
        if not values:
            continue
        dates = sorted({d for _, d in values})
        reps = sorted({r for r, _ in values})
        grid = np.full((len(reps), len(dates)), np.nan)
        col = {d: k for k, d in enumerate(dates)}
        row_of = {r: k for k, r in enumerate(reps)}
        for (r, d), v in values.items():
            grid[row_of[r], col[d]] = v
        try:
            out[name] = Series([dt.date.fromisoformat(d) for d in dates], grid)
        except ValueError as exc:
            raise ReportError(f"{path.name}: bad date ({exc})") from exc
    return out


class Summary:
    """``summary.csv`` (or ``comparison.csv``) indexed by (year, zone, indicator) -> {statistic: value}."""

    def __init__(self, rows: dict[tuple[int, str, str], dict[str, float]]) -> None:
        self.rows = rows
        self.years = sorted({y for y, _, _ in rows})
        self.zones = list(dict.fromkeys(z for _, z, _ in rows))
        self.indicators = list(dict.fromkeys(i for _, _, i in rows))

    @classmethod
    def read(cls, folder: Path, table: Table) -> Summary:
        path = folder / table.file
        stats = [c for c in table.columns if c not in ("year", "zone", "indicator")]
        rows = {}
        for row in read_rows(path, table.columns):
            try:
                rows[int(row["year"]), row["zone"], row["indicator"]] = {s: number(row[s]) for s in stats}
            except ValueError as exc:
                raise ReportError(f"{path.name}: bad number in row {row}") from exc
        return cls(rows)

    def get(self, year: int, zone: str, indicator: str, stat: str = "mean") -> float:
        """The statistic, NaN when the row or the value is missing."""
        return self.rows.get((year, zone, indicator), {}).get(stat, math.nan)


def read_scorecard(folder: Path, table: Table = SCORECARD) -> list[ScoreRow]:
    path = folder / table.file
    out = []
    for row in read_rows(path, tuple(c for c in table.columns if c not in OPTIONAL_SCORECARD_COLUMNS)):
        try:
            out.append(ScoreRow.from_cells(row))
        except ValueError as exc:
            raise ReportError(f"{path.name}: bad number in row {row}") from exc
    return out


@dataclass(frozen=True)
class Run:
    """What a run folder says: the resolved scenario, manifest, summary and scorecard."""

    folder: Path
    scenario: dict
    manifest: dict
    summary: Summary
    scorecard: list[ScoreRow]

    def timeseries(self, zone: str, indicators: tuple[str, ...]) -> dict[str, Series]:
        return read_timeseries(self.folder / TIMESERIES.file, zone, indicators)


def load_run(folder: str | Path) -> Run:
    folder = require(folder, RUN_FILES, "run")
    return Run(folder, read_yaml(folder / SCENARIO_YAML), read_json(folder / MANIFEST_JSON),
               Summary.read(folder, SUMMARY), read_scorecard(folder))


@dataclass(frozen=True)
class Comparison:
    """What a comparison folder says: both scenarios, their differences, settings and scorecards."""

    folder: Path
    scenario: dict
    against: dict
    manifest: dict
    differences: Summary
    settings: list[tuple[str, str, str]]
    scorecard: list[ScoreRow]
    scorecard_against: list[ScoreRow]


def load_comparison(folder: str | Path) -> Comparison:
    folder = require(folder, COMPARISON_FILES, "comparison")
    settings = [(unguard_cell(r["setting"]), unguard_cell(r["against"]), unguard_cell(r["scenario"]))
                for r in read_rows(folder / SETTINGS_DIFF.file, SETTINGS_DIFF.columns)]
    return Comparison(folder, read_yaml(folder / SCENARIO_YAML), read_yaml(folder / AGAINST_YAML),
                      read_json(folder / MANIFEST_JSON), Summary.read(folder, COMPARISON),
                      settings, read_scorecard(folder), read_scorecard(folder, SCORECARD_AGAINST))
