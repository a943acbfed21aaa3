"""The report's plots, drawn from a folder's saved tables (matplotlib Agg, PNG bytes).

Each chart function returns a Figure, or None when the folder lacks the data
it needs (an older run, an indicator not simulated yet); ``render`` turns it
into PNG bytes under the report's font settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import textwrap
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from ...core.catalogue import BY_NAME, PROVENANCES
from ...core.districts import CITY, DISTRICTS, ZONES
from ...data import load_census
from ...targets import plan_targets
from ..formats import ScoreRow, base_status, fmt_human, fmt_share
from . import district_map, fonts
from .tables import Comparison, Run

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

DPI = 110
FAN = ("urbanization_rate", "hukou_urbanization_rate")
FAN_COLOURS = ("tab:blue", "tab:green")
FLOWS = ("births", "deaths", "in_migration", "out_migration", "rural_to_urban_moves", "urban_to_rural_moves",
         "hukou_conversions")
COMPARATORS = {">=": "≥", "<=": "≤", "==": "="}
STATUS_COLOURS = {"met": "#2e7d32", "at risk": "#ef6c00", "missed": "#c62828", "no target value": "#757575",
                  "unknown": "#5c6bc0"}
#: behind annotations, so that lines under them do not cross the text
BACKDROP = {"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.cache
def pyplot() -> ModuleType:
    """matplotlib's pyplot on the Agg backend, chosen before pyplot is first imported, for the plots of
    sweeps and calibrations; the report's charts draw on ``figure``, outside pyplot. matplotlib is imported
    on first use: start-up time of the CLI (``validate`` and ``--help`` draw nothing)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure(**kwargs) -> Figure:
    """A figure at the report's resolution on its own Agg canvas: no pyplot (nothing global to close, and
    pyplot's import is a tenth of the quick start)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=DPI, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def warm() -> None:
    """Import matplotlib's figure and Agg canvas and look for a CJK font, once (before a fork: both copies
    then have them)."""
    figure()
    fonts.cjk_font()


def render(chart: Callable, *args) -> bytes | None:
    """PNG bytes of ``chart(*args)``, drawn with the report's fonts; None when the chart has no data.

    The figure is drawn once (``print_png``): ``savefig`` draws a figure with a layout engine twice, the
    first time only to place it, and the second draw places it again the same way, so the pixels are the
    same and a third of the time is saved.
    """
    import matplotlib

    with matplotlib.rc_context(fonts.rc()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        fig = chart(*args)
        if fig is None:
            return None
        try:
            fig.set_dpi(DPI)
            buffer = io.BytesIO()
            fig.canvas.print_png(buffer)
            return buffer.getvalue()
        finally:
            if fig.canvas.manager is not None:      # a pyplot figure (sweeps): pyplot keeps it until closed
                pyplot().close(fig)


def indicator_label(name: str) -> str:
    """The indicator's English (and Chinese) label; the raw name for indicators this code does not know."""
    ind = BY_NAME.get(name)
    return fonts.label(ind.en, ind.zh) if ind else name


def indicator_unit(name: str) -> str:
    ind = BY_NAME.get(name)
    return ind.unit if ind else ""


def district_label(zone: str) -> str:
    info = load_census()["census_2020"]["districts"].get(zone)
    return fonts.label(textwrap.fill(info["en"], 11), info["zh"], sep="\n") if info else zone


def target_label(score: ScoreRow, width: int = 42) -> str:
    target = next((t for t in plan_targets() if t.id == score.target), None)
    if target is None:
        return f"{score.target} ({score.year})"
    # Chinese characters are about twice as wide as Latin ones and have no spaces to wrap at
    text = fonts.label(textwrap.fill(target.en, width), textwrap.fill(target.zh, width // 2), sep="\n")
    basis = PROVENANCES.get(score.provenance)
    return f"{text} ({score.year}{'; ' + basis.mark if basis else ''})"


def _cmp(score: ScoreRow) -> str:
    return COMPARATORS.get(score.comparator, score.comparator)


def _nothing(values) -> bool:
    return bool(np.all(np.isnan(np.asarray(values, dtype=float))))


def fan_urbanization(run: Run) -> Figure | None:
    """Urbanization rates of the city: median and 5-95% band over replications, with the plan's targets and the
    days levers start."""
    from matplotlib.dates import date2num

    series = {k: s for k, s in run.timeseries(CITY, FAN).items() if not _nothing(s.values)}
    if not series:
        return None
    fig = figure(layout="constrained", figsize=(9, 5))
    ax = fig.subplots()
    for name, colour in zip(FAN, FAN_COLOURS, strict=True):
        s = series.get(name)
        if s is None:
            continue
        reps = s.values.shape[0]
        dates = np.asarray(s.dates)         # an array of date objects: what matplotlib's types accept as x
        if reps > 1:
            lo, med, hi = np.nanpercentile(s.values, [5, 50, 95], axis=0)
            ax.fill_between(dates, lo, hi, color=colour, alpha=0.2,
                            label=f"{indicator_label(name)}: 5-95% of {reps} replications")
            ax.plot(dates, med, color=colour, lw=2, label=f"{indicator_label(name)}: median")
        else:
            ax.plot(dates, s.values[0], color=colour, lw=2, label=f"{indicator_label(name)} (1 replication)")
        for score in run.scorecard:
            if score.indicator == name and score.target_value is not None:
                ax.axhline(score.target_value, color=colour, ls="--", lw=1.5,
                           label=f"Plan target for {score.year}: {_cmp(score)} {fmt_human(score.target_value)}%")
    last = max(s.dates[-1] for s in series.values())
    first = _day((run.scenario.get("period") or {}).get("start")) or min(s.dates[0] for s in series.values())
    for day, names in lever_starts(run.scenario, first, last).items():
        ax.axvline(float(date2num(day)), color="#616161", ls=":", lw=1)
        ax.annotate(fonts.label("lever starts: ", "政策开始: ") + ", ".join(names), (day, 0.5),
                    xycoords=("data", "axes fraction"), xytext=(3, 0), textcoords="offset points", rotation=90,
                    ha="left", va="center", fontsize=6.5, color="#424242")
    ax.set_title(f"{fonts.label('Qingdao urbanization rates', '青岛城镇化率')} - scenario '{run.scenario.get('name')}'")
    ax.set_ylabel("percent (%)")
    ax.set_xlabel("date (month end)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    for tick in ax.get_xticklabels():
        tick.set(rotation=30, ha="right")
    return fig


def lever_starts(scenario: dict, first: dt.date, last: dt.date) -> dict[dt.date, list[str]]:
    """The levers in force by the day they start, for those starting after ``first`` and by ``last`` (a lever
    in force from the period's start is not marked: it acts throughout)."""
    out: dict[dt.date, list[str]] = {}
    for name, lever in sorted((scenario.get("policies") or {}).items()):
        if not isinstance(lever, dict) or not lever.get("intensity"):
            continue
        day = _day(lever.get("start"))
        if day is not None and first < day <= last:
            out.setdefault(day, []).append(name)
    return dict(sorted(out.items()))


def _day(value) -> dt.date | None:
    """A saved scenario's date (a date, or its ISO text); None for anything else."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _zones(run: Run) -> list[str]:
    """Districts in the model's order, then any other non-city zone the summary has."""
    have = [z for z in run.summary.zones if z != CITY]
    return [z for z in ZONES if z in have] + [z for z in have if z not in ZONES]


def _bars(ax, x, width, summary, cells: list[tuple[int, str]], indicator: str, scale: float, **style) -> None:
    """Bars of the mean at ``cells`` (year, zone) with 5-95% whiskers when replications differ."""
    mean = np.array([summary.get(y, z, indicator) for y, z in cells]) / scale
    lo = np.array([summary.get(y, z, indicator, "p05") for y, z in cells]) / scale
    hi = np.array([summary.get(y, z, indicator, "p95") for y, z in cells]) / scale
    err = np.nan_to_num(np.vstack([mean - lo, hi - mean]).clip(min=0))
    ax.bar(x, mean, width, yerr=err if err.any() else None, capsize=2, **style)       # missing: no bar, not 0


def districts(run: Run) -> Figure | None:
    """Each district's population and urban share at the start and the end of the run."""
    zones = _zones(run)
    if not zones or not run.summary.years:
        return None
    years = sorted({run.summary.years[0], run.summary.years[-1]})
    fig = figure(layout="constrained", figsize=(11, 9))
    axes = fig.subplots(2, 1)
    x = np.arange(len(zones))
    width = 0.8 / len(years)
    panels = (("population", 1e6, "residents (million persons)", fonts.label("Resident population", "常住人口")),
              ("urbanization_rate", 1.0, "urban share of residents (%)", fonts.label("Urbanization rate", "城镇化率")))
    for ax, (indicator, scale, ylabel, title) in zip(axes, panels, strict=True):
        for k, year in enumerate(years):
            when = "start" if k == 0 and len(years) > 1 else "end"
            _bars(ax, x + (k - (len(years) - 1) / 2) * width, width, run.summary, [(year, z) for z in zones],
                  indicator, scale,
                  label=f"{year} ({when})", color=("#90a4ae", "#1565c0")[k if len(years) > 1 else 1])
        ax.set_xticks(x, [district_label(z) for z in zones], fontsize=7)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(f"Districts at the start and end of scenario '{run.scenario.get('name')}' (bars: mean; "
                 "whiskers: 5-95% of replications)", fontsize=10)
    return fig


def _year_label(year: int, period: dict) -> str:
    """The year, with the months covered when the period covers only part of it."""
    start, end = str(period.get("start", "")), str(period.get("end", ""))
    first = int(start[5:7]) if start[:4] == str(year) and len(start) >= 7 else 1
    last = int(end[5:7]) if end[:4] == str(year) and len(end) >= 7 else 12
    return str(year) if (first, last) == (1, 12) else f"{year}\n({MONTHS[first - 1]}-{MONTHS[last - 1]})"


def flows(run: Run) -> Figure | None:
    """The city's flows by type, summed over each year (years without flows, the starting state, left out)."""
    names = [f for f in FLOWS if f in run.summary.indicators]
    years = [y for y in run.summary.years if not _nothing([run.summary.get(y, CITY, f) for f in names])]
    if not names or not years:
        return None
    from matplotlib import colormaps

    fig = figure(layout="constrained", figsize=(11, 5.5))
    ax = fig.subplots()
    x = np.arange(len(years))
    width = 0.84 / len(names)
    cmap = colormaps["tab10"]               # called with an index k < N: the map's k-th colour
    for k, name in enumerate(names):
        _bars(ax, x + (k - (len(names) - 1) / 2) * width, width, run.summary, [(y, CITY) for y in years], name,
              1e3, label=indicator_label(name), color=cmap(k % cmap.N))
    ax.set_xticks(x, [_year_label(y, run.scenario.get("period") or {}) for y in years])
    ax.set_ylabel("thousand persons per year")
    title = fonts.label("Flows of residents, Qingdao", "青岛人口流动")
    ax.set_title(f"{title} - scenario '{run.scenario.get('name')}'")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return fig


def _relative(score: ScoreRow) -> tuple[float, float, float] | None:
    """Mean, p05 and p95 as percent of the target value; None when there is nothing to relate to."""
    if not score.target_value or score.mean is None:
        return None
    lo, hi = (score.mean if v is None else v for v in (score.p05, score.p95))
    m, lo, hi = (100.0 * v / score.target_value for v in (score.mean, lo, hi))
    return m, lo, hi


def scorecard(scores: list[ScoreRow], against: list[ScoreRow] | None = None, name: str = "",
              against_name: str = "") -> Figure | None:
    """One row per target: the simulated mean and 5-95% range as percent of the target, coloured by status.

    With ``against`` (a comparison), the base scenario's result is drawn as a hollow marker above.
    """
    base = {s.target: s for s in against or []}
    rows = list({s.target: s for s in [*scores, *(against or [])]})
    if not rows:
        return None
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    mine = {s.target: s for s in scores}
    fig = figure(layout="constrained", figsize=(11, 1.6 + 0.75 * len(rows)))
    ax = fig.subplots()
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    ys = np.arange(len(rows))[::-1]
    xs = [100.0]
    for y, target in zip(ys, rows, strict=True):
        for score, dy, hollow in ((mine.get(target), -0.12 if against else 0.0, False),
                                  (base.get(target), 0.18, True)):
            if score is None:
                continue
            rel = _relative(score)
            colour = STATUS_COLOURS.get(base_status(score.status), "black")
            if rel is None:
                mean = fmt_human(score.mean)
                ax.text(0.02, y + dy, f"{score.status}; simulated mean {mean}" + (" (base)" if hollow else ""),
                        transform=trans, va="center", fontsize=8, color=colour, bbox=BACKDROP)
                continue
            m, lo, hi = rel
            xs += [lo, hi]
            ax.errorbar([m], [y + dy], xerr=[[m - lo], [hi - m]], fmt="o", color=colour, capsize=4, ms=7,
                        mfc="white" if hollow else colour, lw=2)
            meet = "" if score.p_meet is None else f", p_meet {fmt_share(score.p_meet)}"
            text = f"{fmt_human(score.mean)} vs {_cmp(score)} {fmt_human(score.target_value)}: {score.status}{meet}"
            ax.annotate(text + (f" ({against_name or 'base'})" if hollow else ""),
                        (hi, y + dy), xytext=(8, 0), textcoords="offset points", va="center", fontsize=8,
                        color=colour, bbox=BACKDROP)
    ax.axvline(100, color="black", lw=1, ls="--")
    span = max(max(xs) - min(xs), 4.0)
    ax.set_xlim(min(xs) - 0.15 * span, max(xs) + 0.9 * span)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_yticks(ys, [target_label(mine.get(t) or base[t]) for t in rows], fontsize=8)
    ax.set_xlabel("simulated value as percent of the target value (dashed line: the target, 100%)")
    handles: list[Artist] = [Patch(color=c, label=s) for s, c in STATUS_COLOURS.items()]
    if against:
        handles.append(Line2D([], [], marker="o", mfc="white", color="black", ls="",
                                  label=f"{against_name} (base)"))
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    title = fonts.label("Scorecard of the plan's targets", "规划目标记分卡")
    ax.set_title(f"{title} - scenario '{name}'" + (f" against '{against_name}'" if against else "")
                 + "\nmarker: mean over replications; bar: 5-95%; after the year, the value's basis ("
                 + ", ".join(f"{p.mark}: {p.name}" for p in PROVENANCES.values()) + ")", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _unit_axis(unit: str, millions: bool) -> str:
    if unit == "%":
        return "difference, percentage points"
    amount = "million " if millions else ""
    if unit == "persons":
        return f"difference, {amount}persons (stocks at year end, flows over the year)"
    return f"difference, {amount}{unit}" if unit else f"difference{', millions' if millions else ''} (unit unknown)"


def comparison(comp: Comparison) -> Figure | None:
    """Scenario minus base for the city in the last year: mean paired difference with its 90% interval,
    one panel per unit (percentage points, persons, ...); indicators that do not differ are counted only."""
    from matplotlib.ticker import FuncFormatter

    d = comp.differences
    if not d.years:
        return None
    year = d.years[-1]
    names = [i for i in d.indicators if not math.isnan(d.get(year, CITY, i, "mean_difference"))]
    if not names:
        return None

    def changed(i: str) -> bool:
        return any(abs(d.get(year, CITY, i, s)) > 0 for s in ("mean_difference", "ci90_low", "ci90_high"))

    shown = [i for i in names if changed(i)]
    units = list(dict.fromkeys(sorted((indicator_unit(i) for i in shown),
                                      key=lambda u: ("%", "persons").index(u) if u in ("%", "persons") else 2)))
    groups = [(u, [i for i in shown if indicator_unit(i) == u]) for u in units]
    title = (f"'{comp.scenario.get('name')}' minus '{comp.against.get('name')}', Qingdao, {year}: mean difference "
             "with 90% interval")
    if not groups:
        fig = figure(layout="constrained", figsize=(9, 2))
        ax = fig.subplots()
        ax.axis("off")
        ax.text(0.5, 0.5, f"No indicator differs in {year} ({len(names)} compared).", ha="center", va="center")
        ax.set_title(title, fontsize=10)
        return fig
    height = 1.4 + 0.32 * len(shown) + 0.9 * len(groups)
    fig = figure(layout="constrained", figsize=(11, height))
    axes = fig.subplots(len(groups), 1, height_ratios=[len(g) + 1.5 for _, g in groups], squeeze=False)
    for ax, (unit, inds) in zip(axes[:, 0], groups, strict=True):
        y = np.arange(len(inds))[::-1]
        diff, lo, hi = (np.array([d.get(year, CITY, i, s) for i in inds])
                        for s in ("mean_difference", "ci90_low", "ci90_high"))
        millions = unit != "%" and np.nanmax(np.abs([diff, lo, hi])) >= 1e7
        if millions:
            diff, lo, hi = diff / 1e6, lo / 1e6, hi / 1e6
        ax.barh(y, diff, color=np.where(diff >= 0, "#1565c0", "#ef6c00"), height=0.6)
        has = ~np.isnan(lo) & ~np.isnan(hi)
        if has.any():
            ax.errorbar(diff[has], y[has], xerr=np.vstack([diff[has] - lo[has], hi[has] - diff[has]]).clip(min=0),
                        fmt="none", ecolor="black", capsize=3, lw=1)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [indicator_label(i) for i in inds], fontsize=8)
        ax.set_xlabel(_unit_axis(unit, millions), fontsize=9)
        if unit != "%" and not millions:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt_human(x)))     # 400,000 rather than 4 1e5
        ax.grid(axis="x", alpha=0.3)
    reps = [d.get(year, CITY, i, "replications") for i in names]
    note = f"{len(names) - len(shown)} indicator(s) with no difference not shown; "
    note += f"{int(np.nanmax(reps))} paired replications" if not _nothing(reps) else ""
    axes[0, 0].set_title(f"{title}\n{note}", fontsize=10)
    return fig


def _map_title(en: str, zh: str, year: int) -> str:
    return f"{fonts.label(en, zh)}, {year}"


def run_maps(run: Run) -> Figure | None:
    """The districts at the end of the run: the urbanization rate, and the population's change since the start."""
    zones = [z for z in run.summary.zones if z in DISTRICTS]
    if not zones or not run.summary.years:
        return None
    first, last = run.summary.years[0], run.summary.years[-1]
    rate = {z: run.summary.get(last, z, "urbanization_rate") for z in zones}
    change = {z: 100.0 * (run.summary.get(last, z, "population") / run.summary.get(first, z, "population") - 1.0)
              for z in zones if run.summary.get(first, z, "population") > 0}
    fig = figure(layout="constrained", figsize=(11, 5.2))
    left, right = fig.subplots(1, 2)
    district_map.choropleth(left, rate, _map_title("Urbanization rate of residents", "常住人口城镇化率", last), "%",
                            places=True)
    district_map.choropleth(right, change, _map_title(f"Population change since {first}", "常住人口变化", last),
                            "% of the start", diverging=True)
    fig.suptitle(f"Districts of scenario '{run.scenario.get('name')}' (mean over replications)", fontsize=10)
    return fig


def comparison_maps(comp: Comparison) -> Figure | None:
    """Scenario minus base by district in the last year: the urbanization rate (points) and the population."""
    d = comp.differences
    if not d.years:
        return None
    year = d.years[-1]
    rate = {z: d.get(year, z, "urbanization_rate", "mean_difference") for z in DISTRICTS}
    people = {z: d.get(year, z, "population", "mean_difference") for z in DISTRICTS}
    if _nothing(list(rate.values())) and _nothing(list(people.values())):
        return None
    fig = figure(layout="constrained", figsize=(11, 5.2))
    left, right = fig.subplots(1, 2)
    district_map.choropleth(left, rate, _map_title("Urbanization rate, difference", "城镇化率差值", year),
                            "percentage points", diverging=True)
    district_map.choropleth(right, people, _map_title("Resident population, difference", "常住人口差值", year),
                            "persons", diverging=True, digits=None)
    fig.suptitle(f"'{comp.scenario.get('name')}' minus '{comp.against.get('name')}' by district (mean paired "
                 "difference)", fontsize=10)
    return fig
