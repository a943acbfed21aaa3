"""Folders for the report tests: a small real run (plus rows of indicators not simulated yet) and a
synthetic comparison folder, as the ``compare`` command will write it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from sim.output.run_folder import write_run
from sim.output.scorecard import csv_text, run_scorecard
from sim.runner import run_replications
from sim.targets import scenario_targets
from tests.conftest import make_scenario

HOSTILE = "<script>alert(1)</script> & co"
#: a city-only indicator this code does not know
FUTURE = "future_city_indicator"


def _append(path: Path, rows: list[list]) -> None:
    with path.open("a", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def make_run_folder(root: Path) -> Path:
    """Two replications of ~2,000 agents over Oct 2022 - Dec 2023 (the scorecard's year), a lever in
    force in one district, a hostile description; then rows of targets and indicators this code does not
    know (a newer model's): a missed target, one with no value, a city-only indicator with missing values."""
    sc = make_scenario({"population.scale": 5000, "period.start": "2022-10-01", "period.end": "2023-12-31",
                        "replications": 2, "seed": 5, "description": HOSTILE, "outputs.plots": False,
                        "policies.zero_threshold_settlement.start": "2023-01-01",
                        "policies.zero_threshold_settlement.districts": ["pingdu"]})
    results = run_replications(sc, progress=False)
    rows, _ = run_scorecard(scenario_targets(sc), results)
    folder = write_run(sc, results, root, command=["pytest"],
                       extra_files={"scorecard.csv": csv_text(rows)})
    _append(folder / "scorecard.csv", [
        ["future_target_missed", FUTURE, 2023, "<=", 10000, 16000, 15000, 17000, 0, "missed"],
        ["future_target_no_value", FUTURE, 2023, ">=", "", 320, 320, 320, "", "no target value"],
    ])
    _append(folder / "summary.csv", [[2023, "qingdao", FUTURE, 87.5, "", "", "", 2]])
    _append(folder / "timeseries.csv", [["2023-12-31", 0, "qingdao", FUTURE, ""],
                                        ["2023-12-31", 1, "qingdao", FUTURE, 88]])
    return folder


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


SCORECARD_HEADER = ["target", "indicator", "year", "comparator", "target_value", "mean", "p05", "p95", "p_meet",
                    "status"]


def make_comparison_folder(folder: Path, replications: int = 3) -> Path:
    """A comparison folder with the files and columns the ``compare`` command writes."""
    folder.mkdir(parents=True)
    ci = (lambda lo, hi: (lo, hi)) if replications > 1 else (lambda lo, hi: ("", ""))
    rows = []
    for year, scale in ((2022, 0.5), (2023, 1.0)):
        rows += [
            [year, "qingdao", "urbanization_rate", 77.8, 77.8 + 0.4 * scale, 0.4 * scale, *ci(0.3 * scale, 0.5)],
            [year, "qingdao", "hukou_urbanization_rate", 52.0, 52.0 + 2 * scale, 2 * scale, *ci(1.5, 2.5)],
            [year, "qingdao", "population", 10.1e6, 10.1e6 + 5e4 * scale, 5e4 * scale, *ci(2e4, 8e4)],
            [year, "qingdao", "hukou_conversions", 1e5, 1.6e5, 6e4, *ci(5e4, 7e4)],
            [year, "qingdao", "births", 8e4, 8e4, 0, *ci(0, 0)],
            [year, "qingdao", "homesteads_leased", 0, 1200, 1200, *ci(900, 1500)],
            [year, "qingdao", FUTURE, 86, 86.5, 0.5, *ci("", "")],                    # city-only, unknown
            [year, "pingdu", "urbanization_rate", 53, 55, 2, *ci(1, 3)],
        ]
    _write_csv(folder / "comparison.csv", ["year", "zone", "indicator", "against_mean", "scenario_mean",
                                           "mean_difference", "ci90_low", "ci90_high", "replications"],
               [[*r, replications] for r in rows])
    _write_csv(folder / "settings_diff.csv", ["setting", "against", "scenario"], [
        ["name", "baseline", "what_if"],
        ["policies.zero_threshold_settlement", "null", "start: '2021-07-01'\nintensity: 0.5 <b>&</b>"],
    ])
    # the scenario's scorecard says where each value comes from; the base's is of a scorecard before that column
    _write_csv(folder / "scorecard.csv", [*SCORECARD_HEADER, "uncertainty", "provenance"], [
        ["urbanization_rate", "urbanization_rate", 2023, ">=", 77, 78.6, 78.4, 78.8, 1, "met", "chance only",
         "simulated"],
        ["new_public_parking_spaces", "new_public_parking_spaces", 2023, ">=", 10000, 9800, 9000, 10500, 0.4,
         "at risk", "chance only", "assumption"],
    ])
    _write_csv(folder / "scorecard_against.csv", SCORECARD_HEADER, [
        ["urbanization_rate", "urbanization_rate", 2023, ">=", 77, 78.2, 78.0, 78.4, 1, "met"],
        ["new_public_parking_spaces", "new_public_parking_spaces", 2023, ">=", 10000, 8000, 7000, 9000, 0, "missed"],
        ["rail_transit_operating_km", "rail_transit_operating_km", 2023, ">=", "", 300, 300, 300, "",
         "no target value"],
    ])
    scenario = make_scenario({"policies.zero_threshold_settlement.intensity": 0.5}, name="what_if",
                             description=HOSTILE).to_dict()
    against = make_scenario(name="baseline", description="The <i>base</i> & nothing else").to_dict()
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    (folder / "against.yaml").write_text(yaml.safe_dump(against, allow_unicode=True), encoding="utf-8")
    manifest = {"scenario": "what_if", "against": "baseline", "seed": 1, "replications": replications,
                "created_utc": "2024-01-01T00:00:00+00:00", "git_commit": "abc<def>", "version": "0.1.0",
                "command": ["run_sim.py", "compare", "what_if.yaml", "--against", "baseline.yaml"]}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder
