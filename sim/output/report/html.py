"""The self-contained HTML report: one file, images inline, inline CSS, no script, no external request.

Every text that comes from a scenario, a CSV or a manifest is escaped here,
once, by ``cell``/``esc``: a description like ``<script>`` shows as text.
"""

from __future__ import annotations

import base64
import html
import math
import shlex
from dataclasses import dataclass
from typing import Any

from ...core.catalogue import BY_NAME
from ...core.districts import CITY
from ...targets import plan_targets
from ..formats import MET_P, MISSED_P, ScoreRow, fmt_human, fmt_share
from . import settings
from .tables import Comparison, Run

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei",
       "PingFang SC", system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem;
       color: #1f2933; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #d9e2ec; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d9e2ec; padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f0f4f8; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { background: #f0f4f8; padding: 0 .2rem; border-radius: 3px; overflow-wrap: break-word; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; height: auto; border: 1px solid #d9e2ec; }
figcaption { font-size: .9rem; color: #52606d; }
.status { font-weight: bold; padding: .1rem .4rem; border-radius: 3px; color: white; white-space: nowrap; }
.met { background: #2e7d32; } .at-risk { background: #ef6c00; } .missed { background: #c62828; }
.no-target-value { background: #757575; } .note { color: #52606d; font-size: .9rem; }
"""


class Markup(str):
    """HTML built here from escaped parts: passed through by ``cell`` unchanged."""


def esc(value: Any) -> Markup:
    return Markup(html.escape(str(value), quote=True))


def cell(value: Any) -> Markup:
    """A table cell's HTML: numbers formatted, other values shown as text, escaped."""
    if isinstance(value, Markup):
        return value
    return esc(show(value))


def show(value: Any) -> str:
    """A value as a reader sees it (YAML-like for settings; '-' for missing)."""
    if value is None or value is settings.MISSING or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)                       # seeds, years, counts: as written
    if isinstance(value, float):
        return fmt_human(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value)
    return str(value)


def td(value: Any) -> str:
    """A table cell; numbers right-aligned."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="num">{cell(value)}</td>' if number else f"<td>{cell(value)}</td>"


def table(headers: list[str], rows: list[list[Any]], table_id: str = "", empty: str = "none") -> Markup:
    attr = f' id="{esc(table_id)}"' if table_id else ""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(td(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="note">{esc(empty)}</td></tr>'
    return Markup(f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def section(title: str, *parts: str, section_id: str = "") -> Markup:
    attr = f' id="{esc(section_id)}"' if section_id else ""
    return Markup(f"<section{attr}><h2>{esc(title)}</h2>{''.join(parts)}</section>")


def para(text: str, css: str = "") -> Markup:
    return Markup(f'<p class="{esc(css)}">{esc(text)}</p>' if css else f"<p>{esc(text)}</p>")


@dataclass(frozen=True)
class Image:
    file: str
    caption: str
    png: bytes


def figure(image: Image) -> Markup:
    data = base64.b64encode(image.png).decode("ascii")
    return Markup(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(image.caption)}">'
                  f"<figcaption>{esc(image.caption)} (<code>plots/{esc(image.file)}</code>)</figcaption></figure>")


def page(title: str, *sections: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{esc(title)}</h1>\n"
            + "\n".join(sections) + "\n</body>\n</html>\n")


# --- pieces shared by both reports ---------------------------------------------------------------------------

COMPARATORS = {">=": "≥", "<=": "≤", "==": "="}


def status_badge(status: str) -> Markup:
    return Markup(f'<span class="status {esc(status.replace(" ", "-"))}">{esc(status)}</span>')


def target_text(score: ScoreRow) -> Markup:
    target = next((t for t in plan_targets() if t.id == score.target), None)
    if target is None:
        return esc(score.target)
    return Markup(f'{esc(target.en)}<br><span lang="zh-Hans">{esc(target.zh)}</span>')


def goal(score: ScoreRow) -> str:
    if score.target_value is None:
        return "no value"
    target = next((t for t in plan_targets() if t.id == score.target), None)
    unit = f" {target.unit}" if target else ""
    return f"{COMPARATORS.get(score.comparator, score.comparator)} {show(score.target_value)}{unit}"


def spread(score: ScoreRow | None) -> str:
    return "-" if score is None else f"{show(score.p05)} - {show(score.p95)}"


def thresholds() -> Markup:
    return para(f"Status: met when at least {MET_P:.0%} of replications meet the target (p_meet ≥ {MET_P:g}), "
                f"missed when at most {MISSED_P:.0%} do (p_meet ≤ {MISSED_P:g}), at risk in between; "
                "no target value when the plan's number is missing and the scenario sets none.", "note")


def indicator_text(name: str) -> Markup:
    ind = BY_NAME.get(name)
    if ind is None:
        return Markup(f"<code>{esc(name)}</code>")
    return Markup(f'{esc(ind.en)} <span lang="zh-Hans">{esc(ind.zh)}</span> <code>{esc(name)}</code>')


def levers_table(scenario: dict, table_id: str = "levers") -> Markup:
    rows = [[Markup(f"<code>{esc(lever.name)}</code>"), lever.doc, lever.settings]
            for lever in settings.levers(scenario)]
    return table(["lever", "what it does", "settings"], rows, table_id,
                 empty="none: the policies of 2020 carry on (the behaviour section)")


def period_text(scenario: dict) -> str:
    period = scenario.get("period") or {}
    return f"{show(period.get('start'))} to {show(period.get('end'))}"


def scale(scenario: dict) -> Any:
    return (scenario.get("population") or {}).get("scale")


def provenance(manifest: dict) -> Markup:
    rows = []
    for key, value in manifest.items():
        if key == "command" and isinstance(value, list):
            value = shlex.join(str(v) for v in value)
        if isinstance(value, dict):
            value = Markup("<br>".join(f"{esc(k)}: {cell(v)}" for k, v in value.items()))
        rows.append([Markup(f"<code>{esc(key)}</code>"), value])
    return section("Provenance", table(["field", "value"], rows, "provenance"),
                   para("From manifest.json; the report was rebuilt from the folder's saved files.", "note"),
                   section_id="provenance-section")


# --- the run report --------------------------------------------------------------------------------------------

def run_page(run: Run, images: list[Image]) -> str:
    sc = run.scenario
    name = sc.get("name", "?")
    summary = table(["setting", "value"], [
        ["name", name], ["description", str(sc.get("description") or "").strip()], ["period", period_text(sc)],
        ["seed", sc.get("seed")], ["replications", sc.get("replications")],
        ["persons per agent (population.scale)", scale(sc)]], "summary")
    score_rows = [[target_text(s), Markup(f"<code>{esc(s.indicator)}</code>"), s.year, goal(s), s.mean, spread(s),
                   fmt_share(s.p_meet), status_badge(s.status)] for s in run.scorecard]
    scorecard = table(["target", "indicator", "year", "goal", "mean", "5-95%", "p_meet", "status"], score_rows,
                      "scorecard", empty="no target could be scored by this run")
    assumed = [[Markup(f"<code>{esc(a.path)}</code>"),
                "not in this run's scenario.yaml" if a.value is settings.MISSING else a.value, a.unit, a.source]
               for a in settings.assumptions(sc)]
    assumed += [["scorecard: met when p_meet ≥", MET_P, "share of replications", "sim/output/formats.py MET_P"],
                ["scorecard: missed when p_meet ≤", MISSED_P, "share of replications",
                 "sim/output/formats.py MISSED_P"]]
    return page(
        f"Qingdao urbanization simulation: scenario {name}",
        section("Scenario", summary, Markup("<h3>Policy levers in force</h3>"), levers_table(sc),
                section_id="scenario"),
        section("Scorecard of the plan's targets", scorecard, thresholds(), section_id="scorecard-section"),
        section("Plots", *(figure(i) for i in images) if images else [para("No plot: the tables lack the data.")],
                section_id="plots"),
        section("Assumptions", para("Parameters whose default is not a published figure but an assumption "
                                    "(schema source starting with 'assumption'), with the value this run used; "
                                    "a lever's only when the lever is in force.", "note"),
                table(["setting", "value used", "unit", "source"], assumed, "assumptions"),
                section_id="assumptions-section"),
        provenance(run.manifest),
    )


# --- the comparison report -------------------------------------------------------------------------------------

def comparison_page(comp: Comparison, images: list[Image]) -> str:
    sc, base = comp.scenario, comp.against
    name, base_name = sc.get("name", "?"), base.get("name", "?")
    both = table(["", f"against (base): {base_name}", f"scenario: {name}"], [
        ["description", str(base.get("description") or "").strip(), str(sc.get("description") or "").strip()],
        ["period", period_text(base), period_text(sc)], ["seed", base.get("seed"), sc.get("seed")],
        ["replications", base.get("replications"), sc.get("replications")],
        ["persons per agent", scale(base), scale(sc)]], "summary")
    diff = table(["setting", f"against: {base_name}", f"scenario: {name}"],
                 [[Markup(f"<code>{esc(s)}</code>"), Markup(f"<code>{esc(a)}</code>"), Markup(f"<code>{esc(b)}</code>")]
                  for s, a, b in comp.settings], "settings-diff", empty="no setting differs")
    mine = {s.target: s for s in comp.scorecard}
    theirs = {s.target: s for s in comp.scorecard_against}
    rows = []
    for target in dict.fromkeys([*theirs, *mine]):
        a, b = theirs.get(target), mine.get(target)
        s = b or a
        rows.append([target_text(s), s.year, goal(s), a.mean if a else None, spread(a),
                     status_badge(a.status) if a else "-", b.mean if b else None, spread(b),
                     status_badge(b.status) if b else "-"])
    scorecard = table(["target", "year", "goal", f"{base_name}: mean", "5-95%", "status", f"{name}: mean", "5-95%",
                       "status"], rows, "scorecard", empty="no target scored")
    d = comp.differences
    year = d.years[-1] if d.years else None
    diffs = [[indicator_text(i), (BY_NAME[i].unit if i in BY_NAME else ""), d.get(year, CITY, i, "against_mean"),
              d.get(year, CITY, i, "scenario_mean"), d.get(year, CITY, i, "mean_difference"),
              f"{show(d.get(year, CITY, i, 'ci90_low'))} to {show(d.get(year, CITY, i, 'ci90_high'))}"]
             for i in d.indicators if (year, CITY, i) in d.rows]
    return page(
        f"Qingdao urbanization simulation: {name} against {base_name}",
        section("Scenarios", both, Markup(f"<h3>Policy levers in force: {esc(base_name)}</h3>"),
                levers_table(base, "levers-against"), Markup(f"<h3>Policy levers in force: {esc(name)}</h3>"),
                levers_table(sc), section_id="scenario"),
        section("Settings that differ", diff, section_id="settings-section"),
        section("Scorecard of the plan's targets", scorecard, thresholds(), section_id="scorecard-section"),
        section("Plots", *(figure(i) for i in images) if images else [para("No plot: the tables lack the data.")],
                section_id="plots"),
        section(f"Differences, Qingdao, {show(year)}",
                para("Scenario minus against, paired replications (same seeds); stocks and rates at the year end, "
                     "flows summed over the year; 90% interval of the mean difference (empty with one "
                     "replication).", "note"),
                table(["indicator", "unit", base_name, name, "difference", "90% interval"], diffs, "differences"),
                section_id="differences-section"),
        provenance(comp.manifest),
    )
