"""The scorecard: does a run meet the plan's targets, and how surely?

For each target, the simulated value of its indicator for the city in the
target's year is taken from every replication (year-end value for stocks and
rates; for a target counted over the plan, the flow summed from
``cumulative_from`` to the target year). Reported: the mean, the 5th and 95th
percentiles, ``p_meet`` (the share of replications meeting the target) and a
status:

- ``met`` when ``p_meet >= MET_P`` (0.9, in ``formats``: the report shows it too),
- ``missed`` when ``p_meet <= MISSED_P`` (0.1),
- ``at risk`` in between,
- ``no target value`` when the target has no value (our copy of the plan lost
  the number and the scenario sets none),
- ``unknown`` when the indicator is undefined (NaN: a rate with nobody to count)
  in a replication: neither met nor missed.

Every row also says where its value comes from (``provenance``: simulated by
the agents, a schedule of dated inputs, or an assumption), the indicator's
provenance in ``sim.core.catalogue``; the terminal shows its short mark.

With fewer than ``MIN_REPLICATIONS_FOR_P`` (10) replications ``p_meet`` is left
empty (one replication meets a target or not: a share of 1 or 0 is no chance)
and the status says how many replications it rests on: ``met (1 replication)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.catalogue import BY_NAME, INDICATOR_NAMES, PROVENANCES
from ..core.districts import CITY, ZONES
from ..scenario.uncertainty import CHANCE_ONLY
from ..targets import Target
from .formats import MIN_REPLICATIONS_FOR_P, SCORECARD, UNKNOWN, ScoreRow, fmt_human, fmt_share, status, too_few_note
from .yearly import yearly_values


def score(target: Target, simulated: np.ndarray, uncertainty: str = CHANCE_ONLY,
          provenance: str | None = None) -> ScoreRow:
    """Score one target from its simulated values, one per replication; ``uncertainty`` says what their spread
    counts (``sim.scenario.uncertainty.kind``); ``provenance`` where the value comes from (the indicator's in the
    catalogue unless given: the scenario's settings can decide it, ``sim.submodels.provenance_of``)."""
    simulated = np.asarray(simulated, dtype=np.float64)
    defined = simulated[~np.isnan(simulated)]
    if len(defined) == 0:
        mean = p05 = p95 = None
    else:
        mean = float(defined.mean())
        p05, p95 = (float(v) for v in np.percentile(defined, [5, 95]))
    n = len(simulated)
    if provenance is None:
        provenance = BY_NAME[target.indicator].provenance
    if target.value is not None and len(defined) < n:
        undefined = f"undefined in {n - len(defined)} of {n} replication{'' if n == 1 else 's'}"
        return ScoreRow(target.id, target.indicator, target.year, target.comparator, target.value, mean, p05, p95,
                        None, f"{UNKNOWN} ({undefined})", uncertainty, provenance)
    share = None if target.value is None else float(np.mean([target.met_by(v) for v in simulated]))
    p_meet = share if n >= MIN_REPLICATIONS_FOR_P else None
    return ScoreRow(target.id, target.indicator, target.year, target.comparator, target.value, mean, p05, p95,
                    p_meet, status(share, n), uncertainty, provenance)


def simulated_values(target: Target, yearly: list[dict[int, dict[str, float]]]) -> np.ndarray | None:
    """The target's value in each replication from per-replication ``{year: {indicator: city value}}``,
    or None when the run does not reach the target's year or lacks the indicator."""
    out = []
    for by_year in yearly:
        if target.cumulative_from is None:
            row = by_year.get(target.year)
            if row is None or target.indicator not in row:
                return None
            out.append(row[target.indicator])
        else:
            years = range(target.cumulative_from, target.year + 1)
            if any(y not in by_year or target.indicator not in by_year[y] for y in years):
                return None
            out.append(sum(by_year[y][target.indicator] for y in years))
    return np.array(out)


def run_scorecard(targets, results, uncertainty: str = CHANCE_ONLY,
                  provenance: Callable[[Target], str] | None = None) -> tuple[list[ScoreRow], list[Target]]:
    """Score every target the run simulates; also return those it cannot score yet (no indicator, or
    the run does not reach the target's year). ``uncertainty``: the kind the run carries, for every row;
    ``provenance``: each target's provenance under the run's settings (default: the catalogue's)."""
    city = ZONES.index(CITY)
    yearly = [{year: dict(zip(INDICATOR_NAMES, values[city], strict=True))
               for year, values in yearly_values(r).items()} for r in results]
    rows, unscored = [], []
    for target in targets:
        simulated = simulated_values(target, yearly)
        if simulated is None:
            unscored.append(target)
        else:
            rows.append(score(target, simulated, uncertainty, None if provenance is None else provenance(target)))
    return rows, unscored


def csv_text(rows: list[ScoreRow]) -> str:
    """``scorecard.csv``: one row per scored target, numbers as in the other tables."""
    return SCORECARD.text(r.cells() for r in rows)


def table(rows: list[ScoreRow], unscored: list[Target], replications: int | None = None) -> str:
    """The scorecard as a plain-text table for the terminal; ``p_meet`` is ``n/a`` below
    ``MIN_REPLICATIONS_FOR_P`` replications, with a line saying why, and one replication has no band. A line
    below the rows says what the bands and chances count (the rows' ``uncertainty``); the ``basis`` column
    marks where each value comes from (``sim``, ``sched``, ``assum``), with a legend line."""
    few = replications is not None and replications < MIN_REPLICATIONS_FOR_P
    lines = [f"{'target':40} {'year':>4} {'goal':>10} {'mean':>10} {'p05-p95':>19} {'p_meet':>6}  basis  status"]
    for r in rows:
        goal = "-" if r.target_value is None else f"{r.comparator}{fmt_human(r.target_value)}"
        chance = "n/a" if few and r.target_value is not None and r.p_meet is None else fmt_share(r.p_meet)
        band = f"{'-':>9} {'':<9}" if replications == 1 else f"{fmt_human(r.p05):>9}-{fmt_human(r.p95):<9}"
        mark = PROVENANCES[r.provenance].mark if r.provenance in PROVENANCES else "-"
        lines.append(f"{r.target:40} {r.year:>4} {goal:>10} {fmt_human(r.mean):>10} {band} {chance:>6}  "
                     f"{mark:<5}  {r.status}")
    if rows:
        lines.append("basis: " + "; ".join(f"{p.mark} = {p.en}" for p in PROVENANCES.values())
                     + " (docs/targets.md says why for each target)")
    kinds = list(dict.fromkeys(r.uncertainty for r in rows if r.uncertainty))
    if kinds:
        lines.append(f"bands and p_meet count: {'; '.join(kinds)}")
    if few and replications is not None:
        lines.append(f"p_meet n/a ({too_few_note(replications)})")
    if unscored:
        lines.append("not simulated yet: " + ", ".join(t.id for t in unscored))
    return "\n".join(lines)
