"""The report's pages rendered from Jinja2 templates (``templates/``) with autoescaping on.

Every text that comes from a scenario, a CSV or a manifest reaches the page
through ``{{ }}``, which the environment escapes: a description like
``<script>`` shows as text. Here is only what a page says, prepared from a
folder's tables; how it looks is in the templates and ``report.css``.
"""

from __future__ import annotations

import base64
import math
import shlex
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from ...core.catalogue import BY_NAME, PROVENANCES
from ...core.districts import CITY
from ...targets import plan_targets
from ..formats import (
    MET_P,
    MIN_REPLICATIONS_FOR_P,
    MISSED_P,
    ScoreRow,
    base_status,
    fmt_human,
    fmt_share,
    too_few_note,
)
from . import fonts, settings
from .tables import Comparison, Run

COMPARATORS = {">=": "≥", "<=": "≤", "==": "="}


@dataclass(frozen=True)
class Image:
    file: str
    caption: str
    png: bytes


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


def _target(target_id: str):
    return next((t for t in plan_targets() if t.id == target_id), None)


def goal(score: ScoreRow) -> str:
    if score.target_value is None:
        return "no value"
    target = _target(score.target)
    unit = f" {target.unit}" if target else ""
    return f"{COMPARATORS.get(score.comparator, score.comparator)} {show(score.target_value)}{unit}"


def chance(score: ScoreRow, replications: Any = None) -> str:
    """``p_meet`` as the scorecard shows it: ``n/a`` where too few replications leave it empty."""
    few = isinstance(replications, int) and replications < MIN_REPLICATIONS_FOR_P
    return "n/a" if few and score.p_meet is None and score.target_value is not None else fmt_share(score.p_meet)


def spread(score: ScoreRow | None, replications: Any = None) -> str:
    """The 5-95% band; '-' for one replication, which has none."""
    return "-" if score is None or replications == 1 else f"{show(score.p05)} - {show(score.p95)}"


def environment(autoescape: bool = True) -> Environment:
    """The templates with the report's filters; ``autoescape=False`` only to show that escaping relies on it."""
    env = Environment(loader=PackageLoader("sim.output.report", "templates"), autoescape=autoescape,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(show=show, goal=goal, spread=spread, share=fmt_share, chance=chance,
                       base_status=base_status, too_few=too_few_note,
                       shell=lambda v: shlex.join(str(x) for x in v) if isinstance(v, list) else v,
                       base64=lambda data: base64.b64encode(data).decode("ascii"))
    env.tests.update(numeric=lambda v: isinstance(v, int | float) and not isinstance(v, bool),
                     missing=lambda v: v is settings.MISSING)
    env.globals.update(MET_P=MET_P, MISSED_P=MISSED_P, MIN_REPLICATIONS_FOR_P=MIN_REPLICATIONS_FOR_P, target_of=_target,
                       indicator_of=BY_NAME.get, PROVENANCES=PROVENANCES)
    return env


ENV = environment()


@dataclass(frozen=True)
class Facts:
    """What the head of a page says about one scenario."""

    name: str
    description: str
    period: str
    seed: Any
    replications: Any
    scale: Any


def facts(scenario: dict) -> Facts:
    period = scenario.get("period") or {}
    return Facts(scenario.get("name", "?"), str(scenario.get("description") or "").strip(),
                 f"{show(period.get('start'))} to {show(period.get('end'))}", scenario.get("seed"),
                 scenario.get("replications"), (scenario.get("population") or {}).get("scale"))


@dataclass(frozen=True)
class Difference:
    """One indicator's line of the comparison's differences table."""

    indicator: str
    unit: str
    against: float
    scenario: float
    difference: float
    low: float
    high: float


def uncertainty_kind(manifest: dict) -> str:
    """What a run's bands and chances count, from its manifest (``chance only`` for a run from before
    uncertainty mode, which could carry nothing else)."""
    record = manifest.get("uncertainty")
    kind = record.get("kind") if isinstance(record, dict) else None
    return kind if isinstance(kind, str) and kind else "chance only"


@dataclass(frozen=True)
class Line:
    """One line of the summary at the top of a page, in Chinese and English."""

    zh: str
    en: str


#: the flows that move residents between the city's parts and in and out of it, for "what drives it"
DRIVERS = ("in_migration", "out_migration", "rural_to_urban_moves", "urban_to_rural_moves", "in_situ_urbanization",
           "births", "deaths", "hukou_conversions")
#: the verdicts' Chinese names
STATUS_ZH = {"met": "达标", "at risk": "有风险", "missed": "未达标", "no target value": "无目标值", "unknown": "未知"}
#: what the bands count, in Chinese
UNCERTAINTY_ZH = {"chance only": "仅随机性"}


def rounded(value: float, digits: int = 3) -> str:
    """A count for a briefing: three significant digits, thousands separated (571,667 -> 572,000)."""
    if value == 0 or math.isnan(value):
        return show(value)
    places = digits - 1 - math.floor(math.log10(abs(value)))
    return fmt_human(round(value, min(places, 0)))


def comparison_briefing(comp: Comparison) -> dict[str, list[Line]]:
    """The one-screen summary of a comparison: what the scenario changes in the headline rate and the
    verdicts (the answer), the interval (how sure), the flows that differ most and the settings (what drives
    it)."""
    d = comp.differences
    year = d.years[-1] if d.years else None
    name, base = comp.scenario.get("name", "?"), comp.against.get("name", "?")
    answer, sure, drives = [], [], []
    if year is not None:
        diff = d.get(year, CITY, "urbanization_rate", "mean_difference")
        low, high = d.get(year, CITY, "urbanization_rate", "ci90_low"), d.get(year, CITY, "urbanization_rate",
                                                                              "ci90_high")
        answer.append(Line(f"{year}年常住人口城镇化率: {name} 比 {base} {diff:+.2f} 个百分点",
                           f"Urbanization rate of residents in {year}: {name} minus {base} {diff:+.2f} points"))
        if not math.isnan(low):
            sure.append(Line(f"配对重复模拟的90%区间: {low:+.2f} 至 {high:+.2f} 个百分点" +
                             (" (包含0: 差异不确定)" if low <= 0 <= high else ""),
                             f"90% interval over paired replications: {low:+.2f} to {high:+.2f} points" +
                             (" (includes 0: the difference is not sure)" if low <= 0 <= high else "")))
        flows = {i: d.get(year, CITY, i, "mean_difference") for i in DRIVERS}
        flows = {i: v for i, v in flows.items() if not math.isnan(v) and v != 0}
        for i in sorted(flows, key=lambda i: -abs(flows[i]))[:3]:
            sign = "+" if flows[i] > 0 else ""
            drives.append(Line(f"{BY_NAME[i].zh} ({year}): {sign}{rounded(flows[i])} 人",
                               f"{BY_NAME[i].en} ({year}): {sign}{rounded(flows[i])} persons"))
    mine, theirs = _verdicts(comp.scorecard), _verdicts(comp.scorecard_against)
    answer.append(Line(f"规划目标: {name} {mine.zh}; {base} {theirs.zh}",
                       f"The plan's targets: {name} {mine.en}; {base} {theirs.en}"))
    kind = uncertainty_kind(comp.manifest)
    sure.append(_bands(kind))
    drives.append(Line(f"不同的设置: {len(comp.settings)} 项 (见下表)", f"Settings that differ: {len(comp.settings)} "
                                                                  "(the table below)"))
    return {"answer": answer, "sure": sure, "drives": drives}


def _bands(kind: str) -> Line:
    """What the bands and chances count (``uncertainty_kind``), in both languages."""
    return Line(f"区间包含: {UNCERTAINTY_ZH.get(kind, kind)}", f"The bands count: {kind}")


def _verdicts(scores: list[ScoreRow]) -> Line:
    counts = {k: sum(base_status(s.status) == k for s in scores) for k in STATUS_ZH}
    shown = [k for k in STATUS_ZH if counts[k]]
    return Line("; ".join(f"{STATUS_ZH[k]} {counts[k]} 项" for k in shown) or "没有可评分的目标",
                "; ".join(f"{counts[k]} {k}" for k in shown) or "no target could be scored")


def briefing(run: Run) -> dict[str, list[Line]]:
    """The one-screen summary of a run: the answer (the plan's headline target and the verdicts), how sure
    (the band and what it counts), what drives it (the largest flows over the period, the levers in force)."""
    reps = run.manifest.get("replications")
    years = run.summary.years
    last = years[-1] if years else None
    head = next((s for s in run.scorecard if s.indicator == "urbanization_rate"), None)
    answer = []
    if head is not None and head.mean is not None:
        answer.append(Line(f"{head.year}年常住人口城镇化率 {head.mean:.1f}% (目标 {goal(head)}): "
                           f"{STATUS_ZH.get(base_status(head.status), head.status)}",
                           f"Urbanization rate of residents in {head.year}: {head.mean:.1f}% against the plan's "
                           f"{goal(head)}: {head.status}"))
    elif last is not None:
        rate = run.summary.get(last, CITY, "urbanization_rate")
        answer.append(Line(f"{last}年常住人口城镇化率 {show(rate)}%", f"Urbanization rate of residents in {last}: "
                                                                     f"{show(rate)}%"))
    verdicts = _verdicts(run.scorecard)
    answer.append(Line(f"规划目标: {verdicts.zh}", f"The plan's targets: {verdicts.en}"))
    kind = uncertainty_kind(run.manifest)
    sure = []
    if head is not None and head.p05 is not None and reps != 1:
        sure.append(Line(f"{reps}次重复模拟的5%-95%区间: {head.p05:.1f}% - {head.p95:.1f}%; 达标概率 "
                         f"{chance(head, reps)}",
                         f"5-95% of {reps} replications: {head.p05:.1f}% - {head.p95:.1f}%; chance of meeting it "
                         f"{chance(head, reps)}"))
    sure.append(_bands(kind))
    drives = []
    if years:
        totals = {i: sum(run.summary.get(y, CITY, i) for y in years[1:]) for i in DRIVERS}
        known = {i: v for i, v in totals.items() if not math.isnan(v)}
        for name in sorted(known, key=lambda i: -abs(known[i]))[:3]:
            ind = BY_NAME[name]
            drives.append(Line(f"{ind.zh}: {rounded(known[name])} 人 ({years[1]}-{last})",
                               f"{ind.en}: {rounded(known[name])} persons ({years[1]}-{last})"))
    names = [lever.name for lever in settings.levers(run.scenario)]
    drives.append(Line("实施的政策: " + (", ".join(names) if names else "无 (2020年政策延续)"),
                       "Levers in force: " + (", ".join(names) if names else "none (the policies of 2020 carry on)")))
    return {"answer": answer, "sure": sure, "drives": drives}


def with_font(page: str) -> str:
    """``page`` with the shipped Chinese font's glyphs for its characters embedded in its style sheet, so that
    a browser with no Chinese font shows them (``fonts.font_face_css``)."""
    css = fonts.font_face_css(page)
    return page.replace("</style>", css + "</style>", 1) if css else page


def run_page(run: Run, images: list[Image]) -> str:
    return with_font(ENV.get_template("run.html.j2").render(
        briefing=briefing(run),
        uncertainty=uncertainty_kind(run.manifest),
        title=f"Qingdao urbanization simulation: scenario {run.scenario.get('name', '?')}",
        facts=facts(run.scenario), levers=settings.levers(run.scenario), scores=run.scorecard, images=images,
        assumptions=settings.assumptions(run.scenario, run.manifest.get("settings_from")),
        manifest={k: v for k, v in run.manifest.items() if k != "settings_from"}))


def comparison_page(comp: Comparison, images: list[Image]) -> str:
    mine = {s.target: s for s in comp.scorecard}
    theirs = {s.target: s for s in comp.scorecard_against}
    d = comp.differences
    year = d.years[-1] if d.years else None
    # no years means no rows at all: the table is empty
    differences = [] if year is None else [
        Difference(i, BY_NAME[i].unit if i in BY_NAME else "",
                   *(d.get(year, CITY, i, stat) for stat in ("against_mean", "scenario_mean",
                                                             "mean_difference", "ci90_low", "ci90_high")))
        for i in d.indicators if (year, CITY, i) in d.rows]
    mine_facts, base_facts = facts(comp.scenario), facts(comp.against)
    return with_font(ENV.get_template("comparison.html.j2").render(
        briefing=comparison_briefing(comp),
        title=f"Qingdao urbanization simulation: {mine_facts.name} against {base_facts.name}",
        facts=mine_facts, base=base_facts, levers=settings.levers(comp.scenario),
        levers_against=settings.levers(comp.against), settings=comp.settings,
        scores=[(theirs.get(t), mine.get(t)) for t in dict.fromkeys([*theirs, *mine])], images=images,
        targets=[mine.get(t) or theirs[t] for t in dict.fromkeys([*theirs, *mine])],
        year=year, differences=differences, manifest=comp.manifest))
