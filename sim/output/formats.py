"""The files of a results folder as writers write them and readers expect them: names, columns, the
scorecard's row, and how a number is written to a file (``fmt``) or shown to a reader (``fmt_human``).

Writers and readers both import this module, so that neither imports the other to learn a file's layout.
A file's bytes depend on these functions: change them and the golden hashes (tests/test_golden.py) move.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Table:
    """A CSV file of a folder: its name and its columns, in order."""

    file: str
    columns: tuple[str, ...]

    def text(self, rows: Iterable) -> str:
        return csv_table(self.columns, rows)


def csv_table(columns: Iterable[str], rows: Iterable) -> str:
    """CSV text: a header, then the rows; ``\\n`` line ends on every platform, so the bytes are fixed.
    Every cell goes through ``guard_cell``, so no text opens as a formula in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(map(guard_cell, columns))
    writer.writerows(map(guard_cell, row) for row in rows)
    return buffer.getvalue()


#: the first characters that make a spreadsheet read a cell as a formula (CSV injection: ``=cmd|'/c calc'!A1``,
#: ``@SUM(...)``, ``-2+3``), and the white space some of them skip before one (tab, carriage return, line feed)
FORMULA_STARTS = frozenset("=+-@\t\r\n")
#: a number as ``fmt`` writes it (and as a spreadsheet reads it): such a cell is never guarded
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def guard_cell(value):
    """A cell as written to a CSV file: text a spreadsheet would read as a formula gets a leading ``'`` (shown
    as text by Excel, LibreOffice and Google Sheets); numbers such as ``-0.5`` and any other cell stay as
    they are. Text already starting with ``'`` before such a character gets one more, so that
    ``unguard_cell`` gives back what was meant. A carriage return inside text is written as a line feed:
    the csv module would leave it unquoted, and a reader would end the row there."""
    if not isinstance(value, str):
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.lstrip("'")[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unguard_cell(text: str) -> str:
    """A text cell read back: what ``guard_cell`` was given."""
    return text[1:] if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS else text


# --- numbers ----------------------------------------------------------------------------------------------

def fmt(value: float | None) -> str:
    """A number as written to a file: whole numbers without decimals, others to 6 decimals, missing empty."""
    if value is None:
        return ""
    value = float(value)
    if math.isnan(value):
        return ""
    if value.is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fmt_human(value: float | None) -> str:
    """A number as a reader sees it (report, plots, terminal): whole numbers with thousands separators,
    others to 4 significant digits (none after the point from 1,000 on), missing '-'."""
    if value is None or math.isnan(value):
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def fmt_share(value: float | None) -> str:
    """A share of replications (``p_meet``) as a reader sees it: two decimals, missing '-'."""
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"


def seconds(value: float) -> float:
    """Wall seconds as a manifest keeps them: to the millisecond (finer is noise)."""
    return round(float(value), 3)


def number(text: str | None) -> float:
    """A cell read back: a float, NaN when empty (missing)."""
    if text is None or text.strip() == "":
        return math.nan
    return float(text)


def optional(text: str | None) -> float | None:
    """A cell read back where empty means 'none' (a target without a value, no ``p_meet``)."""
    value = number(text)
    return None if math.isnan(value) else value


# --- the scorecard ----------------------------------------------------------------------------------------

#: a target is met when at least this share of replications meets it, missed when at most this share does
MET_P = 0.9
MISSED_P = 0.1
#: p_meet is shown only from this many replications on: the share of fewer is too coarse to be a chance
#: (one replication gives 0 or 1, and a band of zero width); the status then says how many there were
MIN_REPLICATIONS_FOR_P = 10
NO_TARGET = "no target value"
#: the target's indicator is undefined (NaN: a rate with nobody to count) in at least one replication
UNKNOWN = "unknown"
#: the base statuses, as the report and the plots colour them
STATUSES = ("met", "at risk", "missed", NO_TARGET, UNKNOWN)


def status(p_meet: float | None, replications: int | None = None) -> str:
    """A scorecard row's status for a share of replications meeting its target (None: no target value).

    With fewer than ``MIN_REPLICATIONS_FOR_P`` replications the status says how many (``met (1
    replication)``): the share is then too coarse to be shown as a chance.
    """
    if p_meet is None:
        return NO_TARGET
    base = "met" if p_meet >= MET_P else "missed" if p_meet <= MISSED_P else "at risk"
    if replications is not None and replications < MIN_REPLICATIONS_FOR_P:
        return f"{base} ({replications} replication{'' if replications == 1 else 's'})"
    return base


def base_status(text: str) -> str:
    """The status without its note: ``met (1 replication)`` -> ``met``; an unknown text as it is."""
    return text.split(" (", 1)[0]


def too_few_note(replications: int) -> str:
    """Why p_meet is not shown, and what to do about it."""
    return (f"{replications} replication{'' if replications == 1 else 's'}: run with --replications "
            f"{MIN_REPLICATIONS_FOR_P} or more for a chance of meeting each target")


@dataclass(frozen=True)
class ScoreRow:
    """One target's line of a scorecard, as scored and as read back; None where the cell is empty."""

    target: str
    indicator: str
    year: int
    comparator: str
    target_value: float | None
    mean: float | None
    p05: float | None
    p95: float | None
    p_meet: float | None
    status: str
    #: what the band and p_meet count: ``chance only``, or chance with parameters and lever effects
    #: (``sim.scenario.uncertainty.kind``); empty in a scorecard written before the column
    uncertainty: str = ""
    #: where the value comes from: ``simulated``, ``schedule`` or ``assumption``, the indicator's provenance in
    #: ``sim.core.catalogue``; empty in a scorecard written before the column
    provenance: str = ""

    def cells(self) -> tuple:
        return (self.target, self.indicator, self.year, self.comparator, fmt(self.target_value), fmt(self.mean),
                fmt(self.p05), fmt(self.p95), fmt(self.p_meet), self.status, self.uncertainty, self.provenance)

    @classmethod
    def from_cells(cls, row: Mapping[str, str]) -> ScoreRow:
        """The row of a ``csv.DictReader``; ValueError on a bad number."""
        return cls(row["target"], row["indicator"], int(row["year"]), row["comparator"],
                   optional(row["target_value"]), optional(row["mean"]), optional(row["p05"]),
                   optional(row["p95"]), optional(row["p_meet"]), row["status"], row.get("uncertainty") or "",
                   row.get("provenance") or "")


# --- the files --------------------------------------------------------------------------------------------

SCENARIO_YAML = "scenario.yaml"
AGAINST_YAML = "against.yaml"
MANIFEST_JSON = "manifest.json"

#: a run folder: every indicator every month, then by year over the replications
TIMESERIES = Table("timeseries.csv", ("date", "replication", "zone", "indicator", "value"))
SUMMARY = Table("summary.csv", ("year", "zone", "indicator", "mean", "p05", "p50", "p95", "replications"))
SCORECARD = Table("scorecard.csv", tuple(f.name for f in fields(ScoreRow)))
#: scorecard columns a reader does without: a scorecard written before uncertainty mode, or before verdicts said
#: where their value comes from, lacks them
OPTIONAL_SCORECARD_COLUMNS = ("uncertainty", "provenance")
#: uncertainty mode: what each replication drew; these columns, then one per drawn setting (dotted path)
DRAWS = Table("draws.csv", ("replication", "posterior_row"))
#: the plan's places (sim/data/places.yaml) every month, by replication: ``kernel.places.PLACE_INDICATORS``, persons
#: or % (sub-zones of their districts, apart from the district tables, whose zones are the ten and the city)
PLACES_TABLE = Table("places.csv", ("date", "replication", "place", "district", "indicator", "value"))
RUN_FILES = (TIMESERIES.file, SUMMARY.file, SCORECARD.file, SCENARIO_YAML, MANIFEST_JSON)

#: a comparison folder: paired differences, the settings that differ, both scorecards
COMPARISON = Table("comparison.csv", ("year", "zone", "indicator", "against_mean", "scenario_mean", "mean_difference",
                                      "ci90_low", "ci90_high", "replications"))
SETTINGS_DIFF = Table("settings_diff.csv", ("setting", "against", "scenario"))
SCORECARD_AGAINST = Table("scorecard_against.csv", SCORECARD.columns)
COMPARISON_FILES = (COMPARISON.file, SETTINGS_DIFF.file, SCORECARD.file, SCORECARD_AGAINST.file, SCENARIO_YAML,
                    AGAINST_YAML, MANIFEST_JSON)

#: a calibration folder: the estimates, and every observation against the simulation
FITTED = Table("fitted.csv", ("parameter", "scenario_value", "estimate", "bootstrap_mean", "bootstrap_sd",
                              "bootstrap_p05", "bootstrap_p95", "low", "high", "log"))
#: a calibration's posterior (sim/calibration/posterior.py): ``posterior.csv`` has one column per fitted setting,
#: headed by its path as in the spec, one row per kept draw in natural units, and nothing else (another module
#: reads the rows as draws of settings); ``posterior_summary.csv`` summarizes each setting's draws
POSTERIOR = "posterior.csv"
POSTERIOR_SUMMARY = Table("posterior_summary.csv", ("parameter", "mean", "sd", "p01", "p05", "p50", "p95", "p99"))
FIT = Table("fit.csv", ("observation", "date", "zone", "indicator", "observed", "sd", "used_in_fit",
                        "simulated_scenario", "simulated_fitted", "error_scenario", "error_fitted"))

#: a sweep folder: ``runs.csv`` has these columns, then the sweep's parameters, then its outputs;
#: ``sensitivity.csv`` these, after a ``policy`` column when the sweep compares policies
RUNS = Table("runs.csv", ("run_id", "policy", "point", "replication"))
SENSITIVITY = Table("sensitivity.csv", ("output", "parameter", "method", "index", "value", "conf_low", "conf_high"))
#: scenario discovery's peeling trajectory; then ``<parameter>:low`` and ``<parameter>:high`` per parameter
DISCOVERY = Table("discovery.csv", ("policy", "outcome", "step", "points", "support", "density", "coverage",
                                    "reported"))
