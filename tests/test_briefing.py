"""The report for a briefing (issue 17 item 4): a bilingual one-screen summary at the top (the answer, how
sure, what drives it), the assumptions folded away, the levers' start days on the fan chart, readable
rounding, and the report's path at the end of a run."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sim.output.report import build_comparison_report, build_run_report
from sim.output.report.charts import lever_starts
from sim.output.report.page import briefing, rounded
from sim.output.report.tables import load_run
from tests.conftest import run_main

from .report_folders import make_comparison_folder, make_run_folder

ROOT = Path(__file__).resolve().parents[1]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_run_page_opens_with_the_summary_in_both_languages(tmp_path):
    folder = make_run_folder(tmp_path)
    page = build_run_report(folder).read_text(encoding="utf-8")
    assert page.index('id="briefing"') < page.index('id="scenario"') < page.index('id="assumptions-section"')
    summary = text_of(re.search(r'<section id="briefing">.*?</section>', page, re.S).group(0))
    for words in ("结论 The answer", "把握 How sure", "驱动因素 What drives it", "The plan's targets:",
                  "规划目标:", "The bands count:", "Levers in force:"):
        assert words in summary.replace("&#39;", "'"), words


def test_the_summary_states_the_headline_target_and_the_largest_flows(tmp_path):
    run = load_run(make_run_folder(tmp_path))
    parts = briefing(run)
    head = next(s for s in run.scorecard if s.indicator == "urbanization_rate")
    assert f"{head.mean:.1f}%" in parts["answer"][0].en and "城镇化率" in parts["answer"][0].zh
    flows = [line.en for line in parts["drives"][:-1]]
    assert flows and all("persons" in line for line in flows)
    assert parts["drives"][-1].en.startswith("Levers in force:")


def test_the_assumptions_are_folded_away(tmp_path):
    page = build_run_report(make_run_folder(tmp_path)).read_text(encoding="utf-8")
    section = re.search(r'<section id="assumptions-section">.*?</section>', page, re.S).group(0)
    assert "<details>" in section and '<table id="assumptions">' in section.split("<details>", 1)[1]


def test_the_comparison_page_opens_with_what_the_scenario_changes(tmp_path):
    page = build_comparison_report(make_comparison_folder(tmp_path / "c")).read_text(encoding="utf-8")
    summary = text_of(re.search(r'<section id="briefing">.*?</section>', page, re.S).group(0))
    assert "minus" in summary and "个百分点" in summary and "Settings that differ: 2" in summary


def test_levers_are_marked_where_they_start_inside_the_period():
    scenario = {"policies": {"a": {"intensity": 1.0, "start": "2022-04-01"},
                             "b": {"intensity": 1.0, "start": dt.date(2022, 4, 1)},
                             "c": {"intensity": 1.0, "start": "2021-01-01"},      # from the start: not marked
                             "d": {"intensity": 0.0, "start": "2022-01-01"},      # not in force
                             "e": {"intensity": 0.5, "start": "2030-01-01"},      # after the period
                             "f": None}}
    marks = lever_starts(scenario, dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    assert marks == {dt.date(2022, 4, 1): ["a", "b"]}


def test_counts_are_rounded_for_reading():
    assert rounded(571667) == "572,000" and rounded(-79012) == "-79,000" and rounded(1499.0) == "1,500"
    assert rounded(12.0) == "12" and rounded(0.0) == "0"


def test_a_run_ends_with_where_its_report_and_workbook_are(tmp_path, capsys):
    code, out, _ = run_main(capsys, "run", ROOT / "scenarios" / "baseline.yaml", "--set", "population.scale=2000",
                            "--set", "period.end=2021-03-31", "--out", tmp_path, "--quiet")
    assert code == 0
    last = out.rstrip().splitlines()[-1]
    (folder,) = [p.parent for p in tmp_path.rglob("manifest.json")]
    assert last == f"Report: {folder / 'report.html'}   Excel: {folder / 'results.xlsx'}"
