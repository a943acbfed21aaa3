"""The run folder: tidy CSV, summary arithmetic, manifest, reproducibility, atomic writing, number format."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import importlib.util
import io
import json
import re
from collections import defaultdict
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

import sim.output.run_folder
from sim import cli
from sim.core.catalogue import INDICATOR_NAMES, INDICATORS
from sim.core.districts import ZONES
from sim.kernel.old_age import fitted_old_age_decline
from sim.output.formats import (
    SCORECARD,
    SUMMARY,
    TIMESERIES,
    ScoreRow,
    csv_table,
    fmt,
    fmt_human,
    fmt_share,
    unguard_cell,
)

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CHECKER = Path(__file__).resolve().parents[2] / "shared" / "checks" / "check_run.py"

#: about 5,000 agents; the period crosses a year end, so that summary years have a start and an end
START, END = dt.date(2021, 10, 1), dt.date(2022, 3, 31)
SIZE = ["--set", "population.scale=2000", "--set", f"period.start={START}", "--set", f"period.end={END}"]
SMALL = [*SIZE, "--set", "outputs.plots=false", "--quiet"]
MONTHS = 6
KIND = {i.name: i.kind for i in INDICATORS}
FLOWS = [i.name for i in INDICATORS if i.kind == "flow"]
STOCKS = [i.name for i in INDICATORS if i.kind != "flow"]


def run(out: Path, *extra: str) -> Path:
    """Run the baseline small and short into ``out``; return the (only new) run folder."""
    before = set(out.glob("*/*")) if out.exists() else set()
    assert cli.main(["run", str(BASELINE), *SMALL, "--out", str(out), *extra]) == 0
    [folder] = set(out.glob("*/*")) - before
    return folder


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def one_rep(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("one"), "--seed", "11")


@pytest.fixture(scope="module")
def two_reps(tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("two"), "--seed", "12", "--replications", "2")


# -- the tables ------------------------------------------------------------------------------------


def test_headers(one_rep):
    assert (one_rep / "timeseries.csv").read_text(encoding="utf-8").split("\n", 1)[0] \
        == "date,replication,zone,indicator,value"
    assert (one_rep / "summary.csv").read_text(encoding="utf-8").split("\n", 1)[0] \
        == "year,zone,indicator,mean,p05,p50,p95,replications"
    assert ",".join(TIMESERIES.columns) == "date,replication,zone,indicator,value"
    assert ",".join(SUMMARY.columns) == "year,zone,indicator,mean,p05,p50,p95,replications"


#: a district without rural residents has no critical-care coverage (nobody to cover)
RURAL_ONLY = "rural_critical_care_30min_coverage"


def expected_pairs(rural_districts) -> set[tuple[str, str]]:
    """Every zone for the agents' indicators, the city alone for the sub-models' city-wide ones."""
    pairs = {(z, i.name) for z in ZONES for i in INDICATORS if not i.city_only and i.name != RURAL_ONLY}
    pairs |= {("qingdao", i.name) for i in INDICATORS if i.city_only}
    return pairs | {(z, RURAL_ONLY) for z in ("qingdao", *rural_districts)}


def test_every_zone_and_indicator_in_both_files(two_reps):
    for name in ("timeseries.csv", "summary.csv"):
        _, rows = read_csv(two_reps / name)
        assert {r["zone"] for r in rows} == set(ZONES), name
        assert {r["indicator"] for r in rows} == set(INDICATOR_NAMES), name
        pairs = {(r["zone"], r["indicator"]) for r in rows}
        rural = {r["zone"] for r in rows if r["indicator"] == "rural_population" and float(r["value" if name ==
                 "timeseries.csv" else "mean"]) > 0 and r["zone"] != "qingdao"}
        assert pairs == expected_pairs(rural), name


def test_timeseries_shape_dates_and_order(two_reps):
    _, rows = read_csv(two_reps / "timeseries.csv")
    per_date = len({(r["zone"], r["indicator"]) for r in rows})
    assert len(rows) == 2 * (MONTHS + 1) * per_date
    dates = list(dict.fromkeys(r["date"] for r in rows))
    assert dates[0] == (START - dt.timedelta(days=1)).isoformat() == "2021-09-30"
    assert dates[-1] == END.isoformat()
    assert len(dates) == MONTHS + 1
    parsed = [dt.date.fromisoformat(d) for d in dates]
    assert all((d + dt.timedelta(days=1)).day == 1 for d in parsed), dates      # month ends
    assert all((b.year, b.month) == ((a.year, a.month + 1) if a.month < 12 else (a.year + 1, 1))
               for a, b in zip(parsed, parsed[1:], strict=False))             # consecutive months
    # fixed order: replication, date, zone, indicator
    present = {(r["zone"], r["indicator"]) for r in rows}
    expected = [(str(rep), d, z, i) for rep in range(2) for d in dates for z in ZONES for i in INDICATOR_NAMES
                if (z, i) in present]
    assert [(r["replication"], r["date"], r["zone"], r["indicator"]) for r in rows] == expected


def test_rates_are_percent(two_reps):
    _, rows = read_csv(two_reps / "timeseries.csv")
    value = {(r["replication"], r["date"], r["zone"], r["indicator"]): r["value"] for r in rows}
    city_rates = [float(v) for (_, _, z, i), v in value.items() if z == "qingdao" and i == "urbanization_rate"]
    assert len(city_rates) == 2 * (MONTHS + 1)
    assert all(50 < v < 100 for v in city_rates), city_rates
    for (rep, date, zone, ind), v in value.items():
        if ind in ("urbanization_rate", "hukou_urbanization_rate") and v != "":
            assert 0 <= float(v) <= 100, (rep, date, zone, ind, v)
        if ind == "urbanization_rate" and v != "":
            urban = float(value[(rep, date, zone, "urban_population")])
            total = float(value[(rep, date, zone, "population")])
            assert float(v) == pytest.approx(100 * urban / total, abs=1e-6)
    # the city's persons are the districts' persons added up (so its rate is theirs, weighted)
    for (rep, date, zone, ind), v in value.items():
        if zone == "qingdao" and ind in ("population", "urban_population"):
            districts = sum(float(value[(rep, date, z, ind)]) for z in ZONES[1:])
            assert float(v) == districts > 0, (rep, date, ind)


def _monthly(rows) -> dict[tuple[str, str, str], list[tuple[str, float]]]:
    series = defaultdict(list)
    for r in rows:
        series[(r["replication"], r["zone"], r["indicator"])].append((r["date"], r["value"]))
    return series


#: a year's flow summed from twelve monthly values each written to 6 decimals differs from the summary's own
#: (rounded once) by up to thirteen half-millionths
ROUNDED_SUM = 1e-5


def _yearly(series, rep: str, zone: str, name: str, year: int, first_date: str) -> float:
    """Flow: sum of the year's months (the starting state is no month); stock/rate: the year's last value."""
    points = [(d, v) for d, v in series[(rep, zone, name)] if d.startswith(f"{year}-")]
    if KIND[name] == "flow":
        return sum(float(v) for d, v in points if d != first_date)
    return float(points[-1][1])


def test_summary_flows_sum_the_year_stocks_end_it(one_rep):
    _, ts = read_csv(one_rep / "timeseries.csv")
    _, summary = read_csv(one_rep / "summary.csv")
    series = _monthly(ts)
    first = ts[0]["date"]
    assert {r["year"] for r in summary} == {"2021", "2022"}
    checked = defaultdict(int)
    for row in summary:
        year, zone, name = int(row["year"]), row["zone"], row["indicator"]
        expected = _yearly(series, "0", zone, name, year, first)
        assert float(row["mean"]) == pytest.approx(expected, abs=ROUNDED_SUM), row
        assert row["mean"] == row["p05"] == row["p50"] == row["p95"], row          # one replication
        assert row["replications"] == "1"
        checked[KIND[name]] += 1
    pairs = {(r["zone"], r["indicator"]) for r in summary}
    assert checked["flow"] == 2 * sum((z, i) in pairs for z in ZONES for i in FLOWS) >= 2 * len(ZONES) * 12
    assert checked["stock"] + checked["rate"] == 2 * sum((z, i) in pairs for z in ZONES for i in STOCKS)
    # the flows really flowed, so the sums are not trivially zero
    city = {(r["year"], r["indicator"]): float(r["mean"]) for r in summary if r["zone"] == "qingdao"}
    assert city[("2021", "births")] > 0 and city[("2022", "births")] > 0
    assert city[("2021", "population")] == float(series[("0", "qingdao", "population")][3][1])     # 2021-12-31
    assert series[("0", "qingdao", "population")][3][0] == "2021-12-31"


def test_summary_of_a_run_starting_in_january_shows_the_start_year_without_flows(tmp_path):
    folder = run(tmp_path, "--set", "period.start=2021-01-01", "--set", "period.end=2021-03-31")
    _, summary = read_csv(folder / "summary.csv")
    start_year = {r["indicator"] for r in summary if r["year"] == "2020"}
    assert start_year == set(STOCKS)
    assert {r["indicator"] for r in summary if r["year"] == "2021"} == set(INDICATOR_NAMES)


def test_summary_over_replications(two_reps):
    _, ts = read_csv(two_reps / "timeseries.csv")
    _, summary = read_csv(two_reps / "summary.csv")
    series = _monthly(ts)
    first = ts[0]["date"]
    differing = 0
    for row in summary:
        year, zone, name = int(row["year"]), row["zone"], row["indicator"]
        per_rep = [_yearly(series, rep, zone, name, year, first) for rep in ("0", "1")]
        p05, p50, p95 = float(row["p05"]), float(row["p50"]), float(row["p95"])
        assert min(per_rep) - ROUNDED_SUM <= p05 <= p50 <= p95 <= max(per_rep) + ROUNDED_SUM, (row, per_rep)
        assert float(row["mean"]) == pytest.approx(np.mean(per_rep), abs=ROUNDED_SUM), row
        assert float(row["p50"]) == pytest.approx(np.median(per_rep), abs=ROUNDED_SUM), row
        assert row["replications"] == "2"
        differing += per_rep[0] != per_rep[1]
    assert differing > 0          # the replications are independent, not copies


# -- the manifest ----------------------------------------------------------------------------------


def test_manifest(two_reps):
    manifest = json.loads((two_reps / "manifest.json").read_text(encoding="utf-8"))
    assert isinstance(manifest["events_processed"], int) and manifest["events_processed"] > 0
    assert manifest["events_processed"] >= sum(manifest["events_by_type"].values())
    assert isinstance(manifest["wall_seconds"], float | int) and manifest["wall_seconds"] >= 0
    assert manifest["seed"] == 12
    assert manifest["replications"] == 2
    assert manifest["run_id"] == two_reps.name
    assert manifest["scenario"] == "baseline"
    assert manifest["period"] == {"start": START.isoformat(), "end": END.isoformat()}
    assert manifest["scale_persons_per_agent"] == 2000
    assert manifest["census"] == {"year": 2020, "reference_date": "2020-11-01",
                                  "aged_days_to_start": (START - dt.date(2020, 11, 1)).days,
                                  "old_age_decline_per_year": fitted_old_age_decline(2020)}
    assert manifest["git_commit"] == "unknown" or re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", manifest["git_commit"])
    packages = manifest["packages"]
    assert packages["simpy"] == metadata.version("simpy")
    assert packages["numpy"] == np.__version__ == metadata.version("numpy")
    assert manifest["input_sha256"] == {str(BASELINE): hashlib.sha256(BASELINE.read_bytes()).hexdigest()}
    hashes = manifest["output_sha256"]
    assert set(hashes) == {"scenario.yaml", "timeseries.csv", "summary.csv", "places.csv", "scorecard.csv",
                           "results.xlsx", "results.npz"}
    for name, digest in hashes.items():
        assert hashlib.sha256((two_reps / name).read_bytes()).hexdigest() == digest, name


# -- reproducibility -------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_numbers(tmp_path):
    a = run(tmp_path / "a", "--seed", "5")
    b = run(tmp_path / "b", "--seed", "5")
    c = run(tmp_path / "c", "--seed", "6")
    for name in ("timeseries.csv", "summary.csv", "scenario.yaml"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "timeseries.csv").read_bytes() != (c / "timeseries.csv").read_bytes()
    assert (a / "summary.csv").read_bytes() != (c / "summary.csv").read_bytes()
    # the starting population comes from the census, so the runs differ only after it
    _, ta = read_csv(a / "timeseries.csv")
    _, tc = read_csv(c / "timeseries.csv")
    assert any(x["value"] != y["value"] for x, y in zip(ta, tc, strict=True))


# -- the output contract ---------------------------------------------------------------------------


def _checker():
    if not CHECKER.is_file():
        pytest.skip(f"the output-contract checker is not beside the checkout: {CHECKER}")
    spec = importlib.util.spec_from_file_location("check_run", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_check_run_finds_the_run_whole(two_reps):
    checker = _checker()
    assert checker.check(two_reps) == []
    # and the checker does look: a run without its summary is not whole
    broken = two_reps.parent / "broken-copy"
    broken.mkdir()
    for name in ("timeseries.csv", "manifest.json"):
        (broken / name).write_bytes((two_reps / name).read_bytes())
    try:
        assert checker.check(broken) == ["missing summary.csv"]
    finally:
        for p in broken.iterdir():
            p.unlink()
        broken.rmdir()


# -- atomic writing --------------------------------------------------------------------------------


def test_a_failing_step_leaves_nothing(tmp_path, monkeypatch, capsys):
    seen = []

    def failing(folder):
        # the tables are already written, into the hidden temporary folder
        seen.append(Path(folder))
        assert Path(folder).name.startswith(".tmp-")
        assert (Path(folder) / "timeseries.csv").is_file()
        raise RuntimeError("disk full while drawing")

    monkeypatch.setattr(cli, "build_run_report", failing)        # the builder main hands write_run
    out = tmp_path / "out"
    # an unexpected error: exit 1, the traceback and a line naming it (the CLI's last resort)
    assert cli.main(["run", str(BASELINE), *SIZE, "--out", str(out), "--quiet"]) == 1     # plots on
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: unexpected RuntimeError in 'run': disk full while drawing" in err
    assert len(seen) == 1
    assert not seen[0].exists()
    leftovers = list(out.rglob("*"))
    assert [p for p in leftovers if p.name.startswith(".tmp-")] == []
    assert [p for p in leftovers if p.is_file()] == []
    assert [p for p in leftovers if p != out / "baseline"] == []        # no run folder


def test_same_second_runs_get_distinct_folders(tmp_path, monkeypatch):
    monkeypatch.setattr(sim.output.run_folder, "run_folder_name", lambda seed: f"20210101T000000Z-seed{seed}")
    first = run(tmp_path, "--seed", "3")
    second = run(tmp_path, "--seed", "3")
    assert first.name == "20210101T000000Z-seed3"
    assert second.name == "20210101T000000Z-seed3-2"
    assert (first / "timeseries.csv").read_bytes() == (second / "timeseries.csv").read_bytes()
    assert not list(tmp_path.rglob(".tmp-*"))


# -- number formatting -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (0.0, "0"),
    (-0.0, "0"),
    (3.0, "3"),
    (10072000.0, "10072000"),
    (np.int64(42), "42"),
    (np.float64(2000.0), "2000"),
    (-7.0, "-7"),
    (2.5, "2.5"),
    (-1.25, "-1.25"),
    (1 / 3, "0.333333"),
    (2 / 3, "0.666667"),
    (76.37013502779984, "76.370135"),
    (0.1 + 0.2, "0.3"),
    (2.0000004, "2"),
    (1.9999996, "2"),
    (0.0000004, "0"),
    (-0.0000004, "0"),          # no "-0"
    (float("nan"), ""),
    (np.nan, ""),
    (np.float32("nan"), ""),
])
def test_fmt(value, text):
    assert fmt(value) == text
    assert fmt(None) == ""


@pytest.mark.parametrize(("value", "text"), [
    (None, "-"),
    (float("nan"), "-"),
    (0.0, "0"),
    (np.int64(42), "42"),
    (10072000.0, "10,072,000"),
    (1234.6, "1,235"),
    (-98765.4, "-98,765"),
    (76.37013502779984, "76.37"),
    (0.000123456, "0.0001235"),
    (-2.5, "-2.5"),
])
def test_fmt_human(value, text):
    assert fmt_human(value) == text


def test_fmt_share():
    assert [fmt_share(v) for v in (None, 1.0, 0.4, 0.125)] == ["-", "1.00", "0.40", "0.12"]


# -- text a spreadsheet would run -------------------------------------------------------------------

#: cells as given -> as written: formulas (CSV injection) guarded by a leading apostrophe, numbers and
#: everything else as they are (a carriage return, which the csv module leaves unquoted, as a line feed)
CELLS = {"=1+2": "'=1+2", "@SUM(A1)": "'@SUM(A1)", "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
         "+x": "'+x", "\tx": "'\tx", "\rx": "'\nx", "a\r\nb": "a\nb", "'=x": "''=x", "-0.5": "-0.5", "+1": "+1",
         "-7": "-7", "1e-05": "1e-05", "-1.5E+3": "-1.5E+3", "2021-01-31": "2021-01-31", "plain": "plain",
         "'quoted": "'quoted", "": "", "a=b": "a=b"}


def test_text_cells_a_spreadsheet_would_run_are_guarded_numbers_stay_numbers():
    text = csv_table(("=header", "value"), [(given, -0.5) for given in CELLS])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["'=header", "value"]
    assert [row[0] for row in rows[1:]] == list(CELLS.values())
    assert {row[1] for row in rows[1:]} == {"-0.5"}                  # a number (not text) is never touched
    back = {given: unguard_cell(row[0]) for given, row in zip(CELLS, rows[1:], strict=True)}
    assert back == {given: given.replace("\r\n", "\n").replace("\r", "\n") for given in CELLS}


def test_every_csv_file_is_written_by_the_one_guarded_writer():
    """No module but formats.py makes a csv.writer, so every CSV the project writes is guarded."""
    writers = [path.relative_to(ROOT).as_posix() for path in (ROOT / "sim").rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))]
    assert writers == ["sim/output/formats.py"]


def test_a_scorecard_row_reads_back_as_written():
    rows = [ScoreRow("urbanization_rate", "urbanization_rate", 2023, ">=", 77.0, 78.123456789, 77.5, 78.9, 0.95,
                     "met"),
            ScoreRow("rail_transit_operating_km", "rail_transit_operating_km", 2023, ">=", None, 300.0, 300.0, 300.0,
                     None, "no target value")]
    text = SCORECARD.text(r.cells() for r in rows)
    assert text.splitlines()[0] == ",".join(SCORECARD.columns)
    back = [ScoreRow.from_cells(r) for r in csv.DictReader(io.StringIO(text))]
    assert back == [dataclasses.replace(rows[0], mean=78.123457), rows[1]]


def test_scorecard_file(two_reps, tmp_path, capsys):
    """Every run writes scorecard.csv with the issue's columns; a run reaching 2023 scores the
    urbanization target, a shorter one scores nothing (the targets are judged in 2023)."""
    from sim import cli

    assert (two_reps / "scorecard.csv").read_text(encoding="utf-8").splitlines() == [
        "target,indicator,year,comparator,target_value,mean,p05,p95,p_meet,status,uncertainty,provenance"]
    code = cli.main(["run", str(BASELINE), "--set", "population.scale=5000", "--set", "outputs.plots=false",
                     "--replications", "2", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    assert "Scorecard of the plan's targets" in capsys.readouterr().out
    [folder] = [p.parent for p in tmp_path.rglob("scorecard.csv")]
    with (folder / "scorecard.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    urban = {r["target"]: r for r in rows}["urbanization_rate"]
    assert urban["comparator"] == ">=" and urban["target_value"] == "77" and urban["year"] == "2023"
    # two replications: a status saying so and no p_meet (docs/targets.md: shown from 10 on)
    assert urban["status"] in {f"{s} (2 replications)" for s in ("met", "at risk", "missed")}
    assert urban["p_meet"] == ""
    assert urban["uncertainty"] == "chance only"      # no --uncertainty: the band counts the dice alone
    # where each value comes from, one known indicator of each kind (the catalogue's provenance)
    basis = {r["target"]: r["provenance"] for r in rows}
    assert basis["urbanization_rate"] == "simulated"
    assert basis["rail_transit_operating_km"] == "schedule"
    assert basis["new_public_parking_spaces"] == "assumption"      # a planned 2023 figure counted as built
    assert basis["urban_air_good_days_rate"] == "assumption"


@pytest.mark.parametrize("replications", [1, 2, 3, 9, 10, 31])
def test_summary_percentiles_are_those_of_each_cell(replications):
    """summary.csv's percentiles come from one call over every cell: the bytes of a call per cell."""
    from sim.core.catalogue import INDICATOR_NAMES
    from sim.core.districts import ZONES
    from sim.kernel.result import RunResult
    from sim.output.formats import fmt
    from sim.output.run_folder import summary_rows
    from sim.output.yearly import yearly_values

    rng = np.random.default_rng(replications)
    dates = ["2020-12-31", "2021-06-30", "2021-12-31"]
    results = []
    for _ in range(replications):
        values = rng.normal(50, 20, (len(dates), len(ZONES), len(INDICATOR_NAMES))) * 10.0 ** rng.integers(-3, 6)
        values[rng.random(values.shape) < 0.03] = np.nan            # a rate with nobody to count
        values[:, 2, 4] = np.nan                                     # a value no zone has
        results.append(RunResult(dates, values, 0, {}, 0, 0, 0.0, 0))
    expected = []
    per_rep = [yearly_values(r) for r in results]
    for year in per_rep[0]:
        stacked = np.stack([p[year] for p in per_rep])
        for z, zone in enumerate(ZONES):
            for j, name in enumerate(INDICATOR_NAMES):
                v = stacked[:, z, j]
                if not np.isnan(v).all():
                    p05, p50, p95 = np.percentile(v, [5, 50, 95])
                    expected.append((year, zone, name, fmt(v.mean()), fmt(p05), fmt(p50), fmt(p95), len(v)))
    assert list(summary_rows(results)) == expected
