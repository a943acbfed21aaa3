"""results.xlsx (issue 17 item 3): every run and comparison writes one workbook with bilingual headers and units
that says what the CSV files say, stores text as text, and has the same bytes for the same run."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sim.output.excel import RESULTS_XLSX, comparison_workbook, run_workbook
from sim.output.formats import SCORECARD, ScoreRow
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan_2021_2023.yaml"
SMALL = ["--set", "population.scale=2000", "--set", "period.end=2021-06-30", "--set", "outputs.plots=false",
         "--replications", "2"]


def folder_of(out: Path) -> Path:
    (manifest,) = out.rglob("manifest.json")
    return manifest.parent


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx")
    code = subprocess.run(["python", "run_sim.py", "run", str(BASELINE), *SMALL, "--out", str(out), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300).returncode
    assert code == 0
    return folder_of(out)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def sheet_rows(sheet) -> tuple[list[str], list[tuple]]:
    rows = list(sheet.iter_rows(values_only=True))
    return list(rows[0]), rows[1:]


def test_a_run_writes_the_workbook_listed_in_its_manifest(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert RESULTS_XLSX in manifest["output_sha256"]
    book = openpyxl.load_workbook(run_folder / RESULTS_XLSX)
    assert book.sheetnames == ["记分卡 Scorecard", "全市 City", "各区 Districts"]


def test_the_city_sheet_says_what_summary_csv_says_with_labels_and_units(run_folder):
    header, rows = sheet_rows(openpyxl.load_workbook(run_folder / RESULTS_XLSX)["全市 City"])
    assert header[:7] == ["年份 Year", "区市代码 Zone code", "区市 Zone", "指标代码 Indicator code", "指标 Indicator",
                          "英文名称 English name", "单位 Unit"]
    city = [r for r in csv_rows(run_folder / "summary.csv") if r["zone"] == "qingdao"]
    assert len(rows) == len(city)
    at = {(r[0], r[3]): r for r in rows}
    for row in city:
        got = at[(int(row["year"]), row["indicator"])]
        assert got[2] == "青岛市"
        assert isinstance(got[7], float | int) and got[7] == pytest.approx(float(row["mean"]))
    population = at[(2021, "population")]
    assert population[4:7] == ("常住人口", "Resident population", "人 (persons)")
    rate = at[(2021, "urbanization_rate")]
    assert rate[6] == "%"


def test_the_districts_sheet_has_every_district_and_no_city(run_folder):
    header, rows = sheet_rows(openpyxl.load_workbook(run_folder / RESULTS_XLSX)["各区 Districts"])
    zones = {r[1] for r in rows}
    assert len(zones) == 10 and "qingdao" not in zones
    assert {r[2] for r in rows if r[1] == "xihaian"} == {"西海岸新区"}


def test_the_same_run_gives_the_same_workbook_bytes(run_folder, tmp_path):
    code = subprocess.run(["python", "run_sim.py", "run", str(BASELINE), *SMALL, "--out", str(tmp_path), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300).returncode
    assert code == 0
    assert (folder_of(tmp_path) / RESULTS_XLSX).read_bytes() == (run_folder / RESULTS_XLSX).read_bytes()


def test_formula_like_text_is_stored_as_text_and_numbers_as_numbers(run_folder):
    row = ScoreRow("=HYPERLINK(\"x\") target", "urbanization_rate", 2023, ">=", 77.0, -0.5, None, None, None,
                   "unknown")
    texts = {"summary.csv": (run_folder / "summary.csv").read_text(encoding="utf-8"),
             SCORECARD.file: SCORECARD.text([row.cells()])}
    data = run_workbook(texts)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml                      # no formula anywhere
    header, rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(data))["记分卡 Scorecard"])
    assert rows[0][0] == "=HYPERLINK(\"x\") target"
    assert rows[0][header.index("均值 Mean")] == -0.5 and rows[0][header.index("年份 Year")] == 2023


def test_a_comparison_writes_its_workbook(tmp_path, capsys):
    code, _, _ = run_main(capsys, "compare", PLAN, "--against", BASELINE, *SMALL, "--out", tmp_path, "--quiet")
    assert code == 0
    folder = folder_of(tmp_path)
    book = openpyxl.load_workbook(folder / RESULTS_XLSX)
    assert book.sheetnames == ["对比 Comparison", "设置差异 Settings", "情景记分卡 Scorecard", "对照记分卡 Against"]
    header, rows = sheet_rows(book["对比 Comparison"])
    assert "差值 Difference" in header and len(rows) == len(csv_rows(folder / "comparison.csv"))
    settings = [r[0] for r in sheet_rows(book["设置差异 Settings"])[1]]
    assert "policies.zero_threshold_settlement" in settings
    assert comparison_workbook({n: (folder / n).read_text(encoding="utf-8") for n in
                                ("comparison.csv", "settings_diff.csv", "scorecard.csv", "scorecard_against.csv")}) \
        == (folder / RESULTS_XLSX).read_bytes()


#: CI sets it where it installed LibreOffice, so that the test cannot be skipped there
_REQUIRED = os.environ.get("QINGDAO_REQUIRE_LIBREOFFICE") == "1"


@pytest.mark.skipif(shutil.which("soffice") is None and not _REQUIRED, reason="LibreOffice is not installed")
def test_libreoffice_opens_every_sheet(run_folder, tmp_path):
    """LibreOffice (headless) converts every sheet to UTF-8 CSV (filter options: comma, quote, UTF-8, every
    sheet), and reads the same rows and Chinese headers as openpyxl."""
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    done = subprocess.run(["soffice", "--headless", "--convert-to", options, "--outdir", str(tmp_path),
                           str(run_folder / RESULTS_XLSX)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(run_folder / RESULTS_XLSX)
    for name in book.sheetnames:
        path = tmp_path / f"results-{name}.csv"
        header, rows = sheet_rows(book[name])
        assert next(csv.reader(path.open(encoding="utf-8"))) == header, name
        assert len(csv_rows(path)) == len(rows), name
    city = csv_rows(tmp_path / "results-全市 City.csv")
    assert {r["区市 Zone"] for r in city} == {"青岛市"} and float(city[0]["均值 Mean"]) > 0
