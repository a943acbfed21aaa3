"""A calibration or back-test end to end: fit, refit with other seeds, evaluate every observation, write.

``results/calibration/<name>-<run id>/`` (a back-test: ``<name>-backtest-<year>-<run id>``) holds
``fitted.csv`` (each parameter: scenario value, estimate, the bootstrap's
spread, bounds), ``fit.csv`` (each observation: observed, simulated with the
scenario's values and with the estimates, errors, whether the fit saw it),
``calibrated.yaml`` (the estimates as a scenario file, with provenance in comments),
``posterior.csv`` (the posterior's draws: one column per fitted setting, headed by its path, natural units)
and ``posterior_summary.csv`` (each setting's mean, sd and percentiles), ``plots/fit.png`` and
``manifest.json`` (with the chain's diagnostics); written whole or not at all. The district attraction
(``fit_districts``) stays a point estimate: it is not in the posterior.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import yaml

from ..output.atomic import atomic_folder, inside
from ..output.formats import FIT, FITTED, POSTERIOR, POSTERIOR_SUMMARY, csv_table, fmt, seconds
from ..output.provenance import provenance, run_folder_name, write_manifest, write_texts
from ..output.report import Line, build_folder_report
from .districts import SETTING, fit_attraction
from .fit import fit
from .objective import distance, run_all, values_at
from .observations import known_then_and_after, until, within
from .plots import fit_plot
from .spec import Calibration


class CalibrationError(ValueError):
    """A calibration these inputs cannot make (bad input, not a bug): ``field`` is the input to change."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


#: proportional-adjustment rounds of the district attraction before the city-wide fit (half as many after)
ATTRACTION_ROUNDS = 6


def calibrate(spec: Calibration, out_root: Path, cutoff: int | None = None, progress: bool = True,
              command: list[str] | None = None) -> tuple[Path, dict]:
    """Fit on the observations up to ``cutoff`` (or the spec's ``fit_until``); write the folder.

    Raises ``CalibrationError`` when nothing is left to fit before the cut-off (its field: ``--cutoff``, the
    command's option, or the spec's ``fit_until``).
    """
    started = time.perf_counter()
    where = "fit_until" if cutoff is None else "--cutoff"
    cutoff = spec.fit_until if cutoff is None else cutoff
    scenario_values = spec.defaults()
    every = within(known_then_and_after(cutoff), spec.load(scenario_values))   # nothing after the cut-off fits
    used = tuple(o for o in until(every, cutoff) if o.zone == "qingdao")          # the emulator's
    districts = tuple(o for o in until(every, cutoff) if o.zone != "qingdao") if spec.fit_districts else ()
    if not used:
        raise CalibrationError(f"no observation in the simulated period up to {cutoff}: nothing to fit",
                               where)
    extra: tuple[tuple[str, dict[str, float]], ...] = ()      # the fitted attractions, once there are any
    attraction: dict[str, float] | None = None
    rounds: list[float] = []                                  # largest district error of each round
    if districts:                          # district pull first, then the city-wide settings, then pull again
        attraction, rounds = fit_attraction(spec, scenario_values, districts, ATTRACTION_ROUNDS)
        extra = ((SETTING, attraction),)
    bar = _bar(spec, progress)
    try:
        main = fit(spec, used, on_evaluation=lambda n: bar.update(1) if bar else None, extra=extra)
    finally:
        if bar is not None:
            bar.close()
    if districts:
        attraction, more = fit_attraction(spec, main.values, districts, ATTRACTION_ROUNDS // 2, start=attraction)
        rounds += more
        extra = ((SETTING, attraction),)
    emulated = used
    used = used + districts
    runs_default = run_all(spec.load(scenario_values))        # made once: for the tables and the plot
    runs_fitted = run_all(spec.load(main.values, extra=extra))
    sim_default, sim_fitted = values_at(runs_default, every), values_at(runs_fitted, every)
    name = spec.name if cutoff is None or cutoff == spec.fit_until else f"{spec.name}-backtest-{cutoff}"
    held_out = [o not in used for o in every]            # later than the cut-off, or districts not fitted
    seen = ~np.array(held_out)
    fitted_obs = tuple(o for o in every if o in used)     # in the order of ``every``, as the simulations
    summary = {
        "distance_scenario": round(distance(sim_default[seen], fitted_obs), 4),
        "distance_fitted_emulated": round(main.emulated_distance, 4),
        "distance_fitted": round(distance(sim_fitted[seen], fitted_obs), 4),
        "district_attraction": attraction,
        "district_rounds_max_relative_error": [round(e, 4) for e in rounds],
        "emulator_r_squared": {o.name: round(r, 4) for o, r in zip(emulated, main.r_squared, strict=True)},
        "held_out_rmse_scenario": _rmse(sim_default, every, held_out),
        "held_out_rmse_fitted": _rmse(sim_fitted, every, held_out),
    }
    with atomic_folder(inside(Path(out_root), "calibration"), f"{name}-{run_folder_name(spec.seed)}") as landing:
        tmp, final = landing
        hashes = write_texts(tmp, {
            FITTED.file: FITTED.text(_fitted_rows(spec, scenario_values, main)),
            FIT.file: FIT.text(_fit_rows(every, held_out, sim_default, sim_fitted)),
            "calibrated.yaml": _calibrated_yaml(spec, main, final.name, cutoff, used, attraction),
            **_posterior_texts(spec, main),
        })
        fit_plot(spec.name, runs_default, runs_fitted, every, held_out, sim_default, sim_fitted,
                 tmp / "plots" / "fit.png")
        info = provenance(command, [str(spec.file), str(spec.scenario)])
        manifest = {
            "calibration": spec.name, "run_id": final.name, "fit_until": cutoff,
            **{k: info[k] for k in ("created_utc", "version", "git_commit", "command")},
            "method": "simulated method of moments, quadratic emulator over a Latin-hypercube design "
                      "(sim/calibration/fit.py)",
            "seed": spec.seed, "replications": spec.replications, "design_points": spec.design_points,
            "bootstrap": spec.bootstrap,
            "posterior": None if main.posterior is None else {
                "method": "emcee on the quadratic emulator: Normal likelihood with covariance diag(sd^2) + one run's "
                          "noise (the replications' spread) + the emulator residuals' covariance x (1 + leverage), "
                          "uniform prior on the bounds (sim/calibration/posterior.py); the district attraction is a "
                          "point estimate, not sampled",
                "files": [POSTERIOR, POSTERIOR_SUMMARY.file], **main.posterior.diagnostics()},
            "observations_used": [o.name for o in used],
            "observations_held_out": [o.name for o in every if o not in used],
            **summary, "wall_seconds": seconds(time.perf_counter() - started),
            "packages": info["packages"], "input_sha256": info["input_sha256"], "output_sha256": hashes}
        write_manifest(tmp, manifest)
        _report(tmp, spec.name, manifest)
    return landing.final, manifest


def _report(folder: Path, name: str, manifest: dict) -> None:
    """``report.html``: the calibration's tables and its plot on one page, with a bilingual summary."""
    before, after = manifest["distance_scenario"], manifest["distance_fitted"]
    summary = [Line(f"与观测值的距离: 情景值 {before:.2f}, 拟合后 {after:.2f} ({manifest['design_points']} 个设计点)",
                    f"Distance to the observations: {before:.2f} with the scenario's values, {after:.2f} fitted "
                    f"({manifest['design_points']} design points)")]
    if manifest.get("fit_until") is not None:
        summary.append(Line(f"回测: 只用 {manifest['fit_until']} 年及以前的数据拟合, 其后的观测值只用于检验",
                            f"Back-test: fitted on what was known by {manifest['fit_until']}; the later "
                            "observations only judge it"))
    build_folder_report(folder, f"Qingdao urbanization simulation: calibration {name}",
                        [(FITTED.file, "Fitted settings"), (FIT.file, "Observations, simulated and fitted"),
                         (POSTERIOR_SUMMARY.file, "Posterior summary")], summary)


def _bar(spec: Calibration, progress: bool):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=spec.design_points, unit="design point", desc=spec.name, file=sys.stderr)


def _rmse(simulated, every, held_out) -> dict[str, float] | None:
    """Root mean squared error of the held-out observations, by indicator (None when nothing is held out)."""
    out: dict[str, list[float]] = {}
    for s, o, h in zip(simulated, every, held_out, strict=True):
        if h:
            out.setdefault(f"{o.indicator}" + ("" if o.zone == "qingdao" else "_district"), []).append(s - o.value)
    return {k: round(float(np.sqrt(np.mean(np.square(v)))), 4) for k, v in out.items()} or None


def _fitted_rows(spec, scenario_values, main):
    for k, p in enumerate(spec.parameters):
        boot = main.bootstrap[:, k]
        spread = (fmt(boot.mean()), fmt(boot.std(ddof=1)), fmt(np.percentile(boot, 5)),
                  fmt(np.percentile(boot, 95))) if len(boot) > 1 else ("", "", "", "")
        yield (p.path, fmt(scenario_values[k]), fmt(main.values[k]), *spread, fmt(p.low), fmt(p.high),
               str(p.log).lower())


def _posterior_texts(spec, main) -> dict[str, str]:
    """posterior.csv and posterior_summary.csv (none without a posterior)."""
    if main.posterior is None:
        return {}
    draws = main.natural(spec)
    summary = ((p.path, *(fmt(v) for v in (draws[:, k].mean(), draws[:, k].std(ddof=1),
                                           *np.percentile(draws[:, k], [1, 5, 50, 95, 99]))))
               for k, p in enumerate(spec.parameters))
    return {POSTERIOR: csv_table([p.path for p in spec.parameters], ([fmt(v) for v in row] for row in draws)),
            POSTERIOR_SUMMARY.file: POSTERIOR_SUMMARY.text(summary)}


def _fit_rows(every, held_out, sim_default, sim_fitted):
    for o, h, a, b in zip(every, held_out, sim_default, sim_fitted, strict=True):
        yield (o.name, o.date.isoformat(), o.zone, o.indicator, fmt(o.value), fmt(o.sd), str(not h).lower(),
               fmt(a), fmt(b), fmt(a - o.value), fmt(b - o.value))


def _calibrated_yaml(spec, main, run_id: str, cutoff, used, attraction) -> str:
    """The estimates as a scenario file: nested settings (``behaviour: in_migration: rate_per_year: ...``),
    valid on its own (the defaults plus the estimates) and ready to be merged into another scenario."""
    settings: dict = {}
    for p, v in zip(spec.parameters, main.values, strict=True):
        _put(settings, p.path, float(f"{float(v):.6g}"))
    if attraction is not None:
        _put(settings, SETTING, {d: float(f"{a:g}") for d, a in attraction.items()})
    lines = [f"# Calibrated by {spec.file} (run {run_id}, {dt.date.today().isoformat()}):",
             f"# scenario {spec.scenario}, fitted to {len(used)} observations"
             + (f" up to {cutoff}" if cutoff else "") + " (docs/calibration.md).",
             "# A scenario file: run it as it is (the defaults plus these estimates), add 'extends: <scenario>'",
             "# to apply them to another, or merge its sections into a scenario's (as scenarios/baseline.yaml does)."]
    return "\n".join(lines) + "\n" + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True)


def _put(tree: dict, path: str, value) -> None:
    """Set the dotted ``path`` of ``tree`` (nested dicts) to ``value``."""
    *parents, last = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    tree[last] = value


def describe(manifest: dict) -> str:
    """Lines for the terminal."""
    text = [f"distance to the observations: {manifest['distance_scenario']:.2f} with the scenario's values, "
            f"{manifest['distance_fitted']:.2f} fitted ({manifest['design_points']} design points)"]
    if manifest["held_out_rmse_fitted"]:
        text.append("held-out error (RMSE): " + ", ".join(
            f"{k} {manifest['held_out_rmse_scenario'][k]:g} -> {v:g}" for k, v in manifest["held_out_rmse_fitted"]
            .items()))
    chain = manifest.get("posterior")
    if chain:
        text.append(f"posterior: {chain['draws']} draws ({chain['effective_draws']} effective), acceptance "
                    f"{chain['acceptance_fraction_mean']:.2f} (posterior.csv)"
                    + "".join(f"\nposterior warning: {w}" for w in chain["warnings"]))
    return "\n".join(text)
