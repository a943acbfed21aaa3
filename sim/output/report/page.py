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
from . import settings
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


def run_page(run: Run, images: list[Image]) -> str:
    return ENV.get_template("run.html.j2").render(
        uncertainty=uncertainty_kind(run.manifest),
        title=f"Qingdao urbanization simulation: scenario {run.scenario.get('name', '?')}",
        facts=facts(run.scenario), levers=settings.levers(run.scenario), scores=run.scorecard, images=images,
        assumptions=settings.assumptions(run.scenario, run.manifest.get("settings_from")),
        manifest={k: v for k, v in run.manifest.items() if k != "settings_from"})


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
    return ENV.get_template("comparison.html.j2").render(
        title=f"Qingdao urbanization simulation: {mine_facts.name} against {base_facts.name}",
        facts=mine_facts, base=base_facts, levers=settings.levers(comp.scenario),
        levers_against=settings.levers(comp.against), settings=comp.settings,
        scores=[(theirs.get(t), mine.get(t)) for t in dict.fromkeys([*theirs, *mine])], images=images,
        targets=[mine.get(t) or theirs[t] for t in dict.fromkeys([*theirs, *mine])],
        year=year, differences=differences, manifest=comp.manifest)
