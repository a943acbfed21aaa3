"""The report package: plots and report.html rebuilt from a folder's saved files only."""

from __future__ import annotations

import functools
import json
import re
import shutil
import tomllib
import warnings
from fnmatch import fnmatch
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import yaml
from markupsafe import escape

import sim.output.report as report_pkg
from sim.core.catalogue import PROVENANCES
from sim.output.formats import COMPARISON_FILES, MET_P, MISSED_P, RUN_FILES, SETTINGS_DIFF, STATUSES, base_status
from sim.output.report import ReportError, build_comparison_report, build_run_report, charts, fonts, page
from sim.output.report.tables import load_comparison, load_run, read_timeseries

from .report_folders import FUTURE, HOSTILE, make_comparison_folder, make_run_folder

PNG = b"\x89PNG\r\n\x1a\n"
RUN_PLOTS = ("fan_urbanization.png", "scorecard.png", "districts.png", "flows.png", "district_map.png")


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    return make_run_folder(tmp_path_factory.mktemp("run"))


@pytest.fixture(scope="module")
def run_report(run_folder) -> str:
    path = build_run_report(run_folder)
    assert path == run_folder / "report.html"
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def comparison_folder(tmp_path_factory) -> Path:
    return make_comparison_folder(tmp_path_factory.mktemp("cmp") / "what_if-vs-baseline")


def assert_self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page and '<html lang="en">' in page and re.search(r"<title>.+</title>", page)
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", page), "a resource outside the file"
    assert "@import" not in page
    assert all(u.startswith("url(data:") for u in re.findall(r"url\([^)]{0,12}", page)), "a url( outside the file"


def test_run_report_writes_plots_and_a_self_contained_page(run_folder, run_report):
    for name in RUN_PLOTS:
        data = (run_folder / "plots" / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000, name
    assert run_report.count('src="data:image/png;base64,') == len(RUN_PLOTS)
    assert_self_contained(run_report)
    leftovers = [p.name for p in [*run_folder.iterdir(), *(run_folder / "plots").iterdir()] if p.name.startswith(".")]
    assert leftovers == []


def test_run_report_content(run_folder, run_report):
    scorecard = re.search(r'<table id="scorecard">.*?</table>', run_report, re.S).group(0)
    scores = load_run(run_folder).scorecard
    assert scorecard.count("<tr>") == 1 + len(scores)
    assert {"urbanization_rate", "future_target_missed", "future_target_no_value"} <= {s.target for s in scores}
    for status in ("missed", "no target value"):
        assert f">{status}</span>" in scorecard
    assert "2022-10-01 to 2023-12-31" in run_report
    levers = re.search(r'<table id="levers">.*?</table>', run_report, re.S).group(0)
    assert "zero_threshold_settlement" in levers and "pingdu" in levers
    assumptions = re.search(r'<table id="assumptions">.*?</table>', run_report, re.S).group(0)
    assert "behaviour.hukou.min_insurance_years" in assumptions
    assert "policies.zero_threshold_settlement.conversion_hazard_multiplier" in assumptions    # lever in force
    assert "policies.homestead_reform." not in assumptions                                     # lever not used
    assert f"<td class=\"num\">{MET_P:g}</td>" in assumptions and f"<td class=\"num\">{MISSED_P:g}</td>" in assumptions
    provenance = re.search(r'<table id="provenance">.*?</table>', run_report, re.S).group(0)
    for key in ("git_commit", "created_utc", "command", "events_processed", "packages", "output_sha256"):
        assert f"<code>{key}</code>" in provenance


def test_text_from_the_folder_is_escaped(run_report, comparison_folder):
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    assert HOSTILE not in run_report and escaped in run_report
    page = build_comparison_report(comparison_folder).read_text(encoding="utf-8")
    assert HOSTILE not in page and escaped in page
    assert "The &lt;i&gt;base&lt;/i&gt; &amp; nothing else" in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>" not in page       # settings_diff.csv
    assert "abc&lt;def&gt;" in page                                            # manifest.json
    assert_self_contained(page)


def test_the_escaping_is_the_templates_autoescape(run_folder, comparison_folder, tmp_path, monkeypatch):
    """With autoescape off the hostile texts reach the page raw, so the test above checks autoescape itself
    (nothing escapes them by hand before the templates, which would escape twice)."""
    assert page.ENV.autoescape is True
    monkeypatch.setattr(page, "ENV", page.environment(autoescape=False))
    run = shutil.copytree(run_folder, tmp_path / "run")
    assert HOSTILE in build_run_report(run).read_text(encoding="utf-8")
    comparison = shutil.copytree(comparison_folder, tmp_path / "cmp")
    assert HOSTILE in build_comparison_report(comparison).read_text(encoding="utf-8")


def test_a_guarded_settings_cell_reads_back_as_it_was(comparison_folder, tmp_path):
    """settings_diff.csv guards text a spreadsheet would run (formats.guard_cell); the report shows the value."""
    copy = shutil.copytree(comparison_folder, tmp_path / "cmp")
    (copy / SETTINGS_DIFF.file).write_text(SETTINGS_DIFF.text([("description", "-x", "=1+2")]), encoding="utf-8")
    assert "'=1+2" in (copy / SETTINGS_DIFF.file).read_text(encoding="utf-8")
    assert load_comparison(copy).settings == [("description", "-x", "=1+2")]


def test_the_templates_ship_with_the_package():
    """A non-editable install carries only the package data pyproject.toml lists: every template is listed."""
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["sim.output.report"]
    templates = Path(page.__file__).parent / "templates"
    names = [f"templates/{p.name}" for p in templates.iterdir() if not p.name.startswith(".")]
    assert {"templates/run.html.j2", "templates/comparison.html.j2", "templates/report.css"} <= set(names)
    assert [n for n in names if not any(fnmatch(n, pattern) for pattern in patterns)] == []


def test_report_does_not_depend_on_the_folder_name(run_folder, run_report, tmp_path):
    copy = shutil.copytree(run_folder, tmp_path / ".tmp-anything-123")
    assert build_run_report(copy).read_text(encoding="utf-8") == run_report      # same bytes: nothing from the name


@pytest.mark.parametrize("name", RUN_FILES)
def test_a_run_folder_missing_a_file_is_refused(run_folder, tmp_path, name):
    copy = shutil.copytree(run_folder, tmp_path / "run", ignore=shutil.ignore_patterns(name, "report.html", "plots"))
    with pytest.raises(ReportError, match=re.escape(name)):
        build_run_report(copy)
    assert not (copy / "report.html").exists() and not (copy / "plots").exists()


@pytest.mark.parametrize("name", COMPARISON_FILES)
def test_a_comparison_folder_missing_a_file_is_refused(comparison_folder, tmp_path, name):
    copy = shutil.copytree(comparison_folder, tmp_path / "cmp", ignore=shutil.ignore_patterns(name))
    with pytest.raises(ReportError, match=re.escape(name)):
        build_comparison_report(copy)


def test_the_wrong_kind_of_folder_is_refused(run_folder, comparison_folder, tmp_path):
    with pytest.raises(ReportError, match="comparison.csv"):
        build_comparison_report(run_folder)
    with pytest.raises(ReportError, match="timeseries.csv"):
        build_run_report(comparison_folder)
    with pytest.raises(ReportError, match="no such directory"):
        build_run_report(tmp_path / "nowhere")


def test_a_malformed_table_names_its_file(run_folder, tmp_path):
    copy = shutil.copytree(run_folder, tmp_path / "run")
    (copy / "summary.csv").write_text("year,zone,indicator\n2023,qingdao,population\n", encoding="utf-8")
    with pytest.raises(ReportError, match="summary.csv: missing column"):
        build_run_report(copy)


def test_missing_values_and_city_only_indicators(run_folder):
    series = read_timeseries(run_folder / "timeseries.csv", "qingdao", (FUTURE, "not_there"))
    assert list(series) == [FUTURE]
    assert np.isnan(series[FUTURE].values[0, -1])
    assert series[FUTURE].values[1, -1] == 88
    assert read_timeseries(run_folder / "timeseries.csv", "pingdu", (FUTURE,)) == {}
    run = load_run(run_folder)
    assert run.summary.get(2023, "qingdao", FUTURE) == 87.5
    assert np.isnan(run.summary.get(2023, "qingdao", FUTURE, "p05"))
    assert np.isnan(run.summary.get(2023, "pingdu", FUTURE))


def test_comparison_report(comparison_folder):
    page = build_comparison_report(comparison_folder).read_text(encoding="utf-8")
    for name in ("comparison.png", "scorecard.png", "district_map.png"):
        assert (comparison_folder / "plots" / name).read_bytes().startswith(PNG)
    assert page.count('src="data:image/png;base64,') == 3
    scorecard = re.search(r'<table id="scorecard">.*?</table>', page, re.S).group(0)
    assert scorecard.count("<tr>") == 1 + 3                  # the targets of either scorecard
    differences = re.search(r'<table id="differences">.*?</table>', page, re.S).group(0)
    assert FUTURE in differences and "pingdu" not in differences     # city, last year only
    assert "Differences, Qingdao, 2023" in page
    settings = re.search(r'<table id="settings-diff">.*?</table>', page, re.S).group(0)
    assert settings.count("<tr>") == 1 + 2


def test_comparison_with_one_replication_has_no_intervals(tmp_path):
    folder = make_comparison_folder(tmp_path / "one", replications=1)
    page = build_comparison_report(folder).read_text(encoding="utf-8")
    assert "- to -" in page
    assert (folder / "plots" / "comparison.png").read_bytes().startswith(PNG)


def test_a_chart_without_its_data_is_left_out(run_folder, tmp_path):
    copy = shutil.copytree(run_folder, tmp_path / "run")
    (copy / "timeseries.csv").write_text("date,replication,zone,indicator,value\n", encoding="utf-8")
    (copy / "plots").mkdir(exist_ok=True)
    (copy / "plots" / "fan_urbanization.png").write_bytes(b"stale")
    page = build_run_report(copy).read_text(encoding="utf-8")
    assert not (copy / "plots" / "fan_urbanization.png").exists()
    assert page.count('src="data:image/png;base64,') == len(RUN_PLOTS) - 1


# --- fonts -----------------------------------------------------------------------------------------------------

def glyph_warnings(draw) -> list[str]:
    """Messages of matplotlib's missing-glyph warnings (the tofu boxes) raised while drawing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def draw_every_chart(run_folder: Path, comparison_folder: Path) -> None:
    from sim.output.report.tables import load_comparison

    run, comp = load_run(run_folder), load_comparison(comparison_folder)
    for chart, args in ((charts.fan_urbanization, (run,)), (charts.districts, (run,)), (charts.flows, (run,)),
                        (charts.scorecard, (run.scorecard,)), (charts.comparison, (comp,)),
                        (charts.scorecard, (comp.scorecard, comp.scorecard_against, "a", "b"))):
        assert charts.render(chart, *args).startswith(PNG)


def test_glyph_check_detects_tofu():
    def draw():
        with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
            fig = plt.figure()
            fig.text(0.5, 0.5, "城镇化率")
            fig.canvas.draw()
            plt.close(fig)

    assert glyph_warnings(draw)


def test_without_a_cjk_font_labels_are_english_and_plots_have_no_tofu(monkeypatch, run_folder,
                                                                       comparison_folder):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    assert fonts.label("Births", "出生人口") == "Births"
    assert fonts.rc()["font.family"] == ["DejaVu Sans"]
    assert glyph_warnings(lambda: draw_every_chart(run_folder, comparison_folder)) == []


def test_with_a_cjk_font_labels_are_bilingual_and_plots_have_no_tofu(run_folder, comparison_folder):
    font = fonts.cjk_font()
    if font is None:
        pytest.skip("no CJK-capable font installed (e.g. apt-get install fonts-wqy-microhei)")
    assert fonts.label("Births", "出生人口") == "Births 出生人口"
    assert font in fonts.rc()["font.family"]
    assert glyph_warnings(lambda: draw_every_chart(run_folder, comparison_folder)) == []


def test_a_font_counts_only_if_it_has_the_glyphs():
    from matplotlib import font_manager

    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    assert not fonts._covers(dejavu)
    font = fonts.cjk_font()
    if font is not None:
        assert fonts._covers(font_manager.findfont(font, fallback_to_default=False))


def test_one_replication_draws_single_lines(run_folder, tmp_path):
    copy = shutil.copytree(run_folder, tmp_path / "run", ignore=shutil.ignore_patterns("report.html", "plots"))
    lines = (copy / "timeseries.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (copy / "timeseries.csv").write_text("".join([lines[0], *(x for x in lines[1:] if x.split(",")[1] == "0")]),
                                         encoding="utf-8")
    run = load_run(copy)
    assert run.timeseries("qingdao", ("urbanization_rate",))["urbanization_rate"].values.shape[0] == 1
    fig = charts.fan_urbanization(run)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert any("(1 replication)" in text for text in labels) and not any("5-95%" in text for text in labels)
    assert any(text.startswith("Plan target for 2023: ≥ 77") for text in labels)


def scorecard_row(page: str, text: str) -> str:
    """The one row of the page's scorecard table that holds ``text``."""
    table = re.search(r'<table id="scorecard">.*?</table>', page, re.S).group(0)
    [row] = [row for row in re.findall(r"<tr><td>.*?</tr>", table, re.S) if text in row]
    return row


def test_the_scorecard_marks_where_each_value_comes_from(run_report):
    """Every row carries its basis (scorecard.csv's provenance) as a mark, with the legend in both languages and
    the catalogue's note on why; a row of a scorecard without the column shows '-'."""
    row = functools.partial(scorecard_row, run_report)
    assert '<span class="basis simulated" title="simulated by the agents">sim</span>' in row(
        "<code>urbanization_rate</code>")
    assert '<span class="basis schedule"' in row("<code>rail_transit_operating_km</code>")
    assert '<span class="basis assumption"' in row("<code>urban_air_good_days_rate</code>")
    assert '<td>-</td><td><span class="status missed">' in row("future_target_missed")   # appended without one
    for p in PROVENANCES.values():
        assert f"{p.en} <span lang=\"zh-Hans\">{p.zh}</span>: {escape(p.meaning)}" in run_report
    notes = re.search(r'<ul class="note basis-notes">.*?</ul>', run_report, re.S).group(0)
    assert "<code>urban_air_good_days_rate</code>" in notes and "assumed 2020 PM2.5" in notes
    assert "<code>urbanization_rate</code>" not in notes                      # simulated plainly: no note


def test_the_comparison_scorecard_marks_where_each_value_comes_from(comparison_folder):
    page = build_comparison_report(comparison_folder).read_text(encoding="utf-8")
    row = functools.partial(scorecard_row, page)
    assert ">sim</span>" in row("常住人口城镇化率") and ">assum</span>" in row("新增公共停车位")
    rail = row("城市轨道交通运营里程")               # only in the base's scorecard, written without the column
    assert "<td>-</td>" in rail and "basis" not in rail


def test_too_few_replications_show_no_chance(run_folder, run_report):
    """The run has two replications: p_meet reads n/a with the reason, the status says how many."""
    scorecard = re.search(r'<table id="scorecard">.*?</table>', run_report, re.S).group(0)
    urban = re.search(r"<code>urbanization_rate</code>.*?</tr>", scorecard, re.S).group(0)
    assert "<td>n/a</td>" in urban and re.search(r'class="status (met|at-risk|missed)">\w[\w ]* \(2 replications\)<',
                                                  urban)
    assert "p_meet n/a (2 replications: run with --replications 10 or more" in run_report
    # a row read from a newer file keeps its own p_meet; no target value shows no chance either
    assert re.search(r'future_target_no_value.*?<td>-</td><td><span class="status no-target-value">', scorecard, re.S)


def test_one_replication_has_no_band_and_no_chance(run_folder, tmp_path):
    copy = tmp_path / "one"
    shutil.copytree(run_folder, copy)
    scenario = yaml.safe_load((copy / "scenario.yaml").read_text(encoding="utf-8"))
    scenario["replications"] = 1
    (copy / "scenario.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    page = build_run_report(copy).read_text(encoding="utf-8")
    urban = re.search(r"<code>urbanization_rate</code>.*?</tr>", page, re.S).group(0)
    assert "<td>-</td><td>n/a</td>" in urban
    assert "p_meet n/a (1 replication: run with --replications 10" in page


def test_statuses_with_a_note_keep_their_colour():
    assert charts.STATUS_COLOURS[base_status("met (1 replication)")] == charts.STATUS_COLOURS["met"]
    assert set(charts.STATUS_COLOURS) == set(STATUSES)
    css = (Path(report_pkg.__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    for name in STATUSES:
        assert f".{name.replace(' ', '-')} {{" in css, name


def test_an_assumption_set_by_the_scenario_says_where_not_the_defaults_source(run_folder, tmp_path):
    """A calibrated or changed value is not the schema's assumption: the table says who set it."""
    copy = tmp_path / "changed"
    shutil.copytree(run_folder, copy)
    scenario = yaml.safe_load((copy / "scenario.yaml").read_text(encoding="utf-8"))
    scenario["behaviour"]["in_migration"]["rate_per_year"] = 0.0358
    scenario["behaviour"]["rural_to_urban"]["base_hazard_per_year"] = 0.0386
    (copy / "scenario.yaml").write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["settings_from"] = {"behaviour.in_migration.rate_per_year": {
        "from": "scenarios/baseline.yaml", "comment": "calibrated (docs/calibration.md)"}}
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = build_run_report(copy).read_text(encoding="utf-8")
    table = re.search(r'<table id="assumptions">.*?</table>', page, re.S).group(0)
    row = re.search(r"<code>behaviour.in_migration.rate_per_year</code>.*?</tr>", table, re.S).group(0)
    assert ('<td class="changed">set in scenarios/baseline.yaml (calibrated (docs/calibration.md)); the default, '
            '0.03: assumption') in row
    # changed, but the manifest (an older run's) does not say by whom
    other = re.search(r"<code>behaviour.rural_to_urban.base_hazard_per_year</code>.*?</tr>", table, re.S).group(0)
    assert '<td class="changed">set in the scenario; the default, 0.05: assumption' in other
    # a default is its schema source, unchanged
    default = re.search(r"<code>behaviour.hukou.min_insurance_years</code>.*?</tr>", table, re.S).group(0)
    assert 'class="changed"' not in default and "<td>assumption" in default
    # the record is for this table, not another row of the provenance table
    assert "<code>settings_from</code>" not in page


def test_a_chart_drawn_once_is_the_chart_savefig_draws(run_folder):
    """render draws each figure once (print_png) where savefig draws a laid-out figure twice: same bytes."""
    import io

    run = load_run(run_folder)
    for chart, args in ((charts.fan_urbanization, (run,)), (charts.scorecard, (run.scorecard,)),
                        (charts.districts, (run,))):
        with matplotlib.rc_context(fonts.rc()):
            buffer = io.BytesIO()
            chart(*args).savefig(buffer, format="png", dpi=charts.DPI)
        assert charts.render(chart, *args) == buffer.getvalue(), chart.__name__


def test_the_timeseries_is_read_by_its_header(run_folder, tmp_path):
    """Columns found by name (a newer file may reorder them or add some); a bad cell names the file."""
    import csv

    source = run_folder / "timeseries.csv"
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    moved = tmp_path / "timeseries.csv"
    with moved.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["value", "extra", "indicator", "zone", "replication", "date"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "extra": "x"} for r in rows)
    want = ("urbanization_rate", FUTURE)
    a, b = read_timeseries(source, "qingdao", want), read_timeseries(moved, "qingdao", want)
    assert a.keys() == b.keys() == set(want)
    for name in want:
        assert a[name].dates == b[name].dates
        np.testing.assert_array_equal(a[name].values, b[name].values)
    broken = tmp_path / "broken.csv"
    broken.write_text("date,replication,zone,indicator,value\n2021-01-31,0,qingdao,urbanization_rate,high\n",
                      encoding="utf-8")
    with pytest.raises(ReportError, match="broken.csv: bad number in row"):
        read_timeseries(broken, "qingdao", ("urbanization_rate",))
    (tmp_path / "short.csv").write_text("date,zone,indicator,value\n", encoding="utf-8")
    with pytest.raises(ReportError, match="short.csv: missing column"):
        read_timeseries(tmp_path / "short.csv", "qingdao", ("urbanization_rate",))
