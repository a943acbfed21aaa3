"""Command line: ``python run_sim.py [run|validate|compare|report] ...``.

Exit codes: 0 done, 2 bad input (one message naming the field, nothing
written), 130 interrupted (nothing written), 1 an unexpected failure (a bug:
please report it with the output).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .scenario import ScenarioError, load_scenario, scenario_files

DEFAULT_SCENARIO = "scenarios/baseline.yaml"
COMMANDS = ("run", "validate", "compare", "report", "sweep", "calibrate", "backtest")

DESCRIPTION = """\
Simulate Qingdao's residents under the New Urbanization Three-Year Action Plan.

A scenario is a small YAML file (see scenarios/baseline.yaml and
docs/scenario-reference.md). Running it writes, under results/<scenario name>/:
  timeseries.csv  every indicator, every month, for the city and each district
  summary.csv     year-end values over the replications (mean, 5/50/95 percentiles)
  manifest.json   seed, timings, code version: what is needed to repeat the run
  scenario.yaml   the scenario exactly as run, every default filled in
  scorecard.csv   each plan target: simulated value, chance of meeting it, status
  plots/          pictures: urbanization fan chart, districts, flows, scorecard
  report.html     all of it in one file to open in a browser or mail to a colleague

Examples:
  python run_sim.py                                  run the baseline
  python run_sim.py scenarios/my_policy.yaml         run your own scenario
  python run_sim.py run scenarios/baseline.yaml --replications 10 --seed 7
  python run_sim.py run --set population.scale=1000 --set behaviour.hukou.min_insurance_years=1
  python run_sim.py validate scenarios/my_policy.yaml   check a file without running it
  python run_sim.py compare scenarios/plan_2021_2023.yaml   what the plan changes against the baseline
  python run_sim.py report results/baseline/<run id>   redraw plots and report.html from the saved tables
  python run_sim.py sweep scenarios/sweeps/behaviour_and_levers.yaml --dry-run   size and time of a sweep
  python run_sim.py calibrate scenarios/calibration/backcast_fit.yaml   fit the behaviour to 2010-2020
  python run_sim.py backtest scenarios/calibration/backtest_urbanization.yaml --cutoff 2016   fit to 2016, score later

Options of run and validate (details: python run_sim.py run --help):
  --replications N   --seed N   --set KEY=VALUE (repeatable)   --out DIR (run only)   --quiet (run only)
A mistake in a scenario stops before anything is written, with one line naming the setting (exit code 2).
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line error form (exit code 2)."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see: python run_sim.py {self.prog.split()[-1]} --help)\n"
                  if " " in self.prog else f"error: {message} (see: python run_sim.py --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="run_sim.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def scenario_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                       help=f"scenario YAML file (default: {DEFAULT_SCENARIO})")
        p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                       help="change one setting for this run, e.g. --set replications=5 or "
                            "--set behaviour.departure.local_hazard_per_year=0.01 (repeatable)")
        p.add_argument("--replications", metavar="N", help="number of independent replications")
        p.add_argument("--seed", metavar="N", help="root random seed (same seed, same numbers)")

    run = sub.add_parser("run", help="run a scenario and write its results (the default command)",
                         description="Run a scenario and write its results folder.")
    scenario_args(run)
    run.add_argument("--out", default="results", metavar="DIR",
                     help="folder that receives <scenario name>/<run id>/ (default: results)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    validate = sub.add_parser("validate", help="check a scenario file and show what would run",
                              description="Check a scenario file without running it.")
    scenario_args(validate)
    compare = sub.add_parser(
        "compare", help="what a scenario changes against another (paired replications)",
        description="Run SCENARIO and --against with the same seed and replications (common random numbers) "
                    "and write the paired differences of every indicator, year and zone to comparison.csv, "
                    "the settings that differ to settings_diff.csv, both scorecards, plots and report.html, "
                    "under <out>/comparisons/<scenario>-vs-<against>/<run id>/.")
    scenario_args(compare)
    compare.add_argument("--against", default=DEFAULT_SCENARIO, metavar="BASE",
                         help=f"scenario to compare with (default: {DEFAULT_SCENARIO}); it runs with SCENARIO's "
                              "seed, replications, period and scale so that replications pair up; --set changes "
                              "SCENARIO only")
    compare.add_argument("--out", default="results", metavar="DIR",
                         help="folder that receives comparisons/... (default: results)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    report = sub.add_parser("report", help="redraw the plots and report.html of a run or comparison folder",
                            description="Rebuild plots/ and report.html from a run's (or comparison's) saved "
                                        "tables, without running anything.")
    sweep = sub.add_parser(
        "sweep", help="run a parameter sweep (grid, lhs, sobol, morris) with sensitivity indices",
        description="Run every design point x policy x replication of a sweep spec (docs/experiments.md), "
                    "skipping runs already stored, then write runs.csv, sensitivity.csv, plots and manifest.json.")
    sweep.add_argument("spec", metavar="SPEC", help="sweep YAML file (examples in scenarios/sweeps/)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, metavar="N", help="local worker processes (default: all cores)")
    where.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://host:8786)")
    where.add_argument("--dask-local", type=_positive, metavar="N", help="run on a local Dask cluster of N processes")
    sweep.add_argument("--out", metavar="DIR", help="the sweep's folder (default: results/sweeps/<name>/)")
    sweep.add_argument("--dry-run", action="store_true",
                       help="print the number of runs, the estimated time (from one timed run) and size; run nothing")
    sweep.add_argument("--budget", type=float, metavar="MINUTES",
                       help="refuse a sweep estimated to take longer (default: the spec's budget_minutes, if any)")
    sweep.add_argument("--force", action="store_true", help="run even when over the budget")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    for name, text in (("calibrate", "fit behavioural settings to Qingdao's observed 2010-2020 history"),
                       ("backtest", "fit on observations up to a year and score the later ones")):
        cal = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + " (docs/calibration.md); "
                             "writes results/calibration/<name>-<run id>/.")
        cal.add_argument("spec", metavar="SPEC", help="calibration YAML file (scenarios/calibration/)")
        if name == "backtest":
            cal.add_argument("--cutoff", type=int, default=2016, metavar="YEAR",
                             help="fit on observations up to this year only (default 2016)")
        cal.add_argument("--out", default="results", metavar="DIR", help="folder that receives calibration/... "
                                                                         "(default: results)")
        cal.add_argument("--quiet", action="store_true", help="no progress bar")
    report.add_argument("folder", metavar="RUN_DIR", help="a run folder (with summary.csv) or a comparison "
                                                          "folder (with comparison.csv)")
    return parser


def _load(args):
    overrides = list(args.overrides)
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    return load_scenario(args.scenario, overrides=overrides)


def _unwritable(out: Path) -> str | None:
    """Why results could not be written under ``out`` (checked before simulating), or None."""
    probe = out
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        return f"{probe} is a file, not a folder"
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        return f"no permission to write in {probe}"
    return None


def _describe(sc) -> str:
    levers = [name for name, lever in sc.policies.items() if lever is not None and lever.intensity > 0]
    return (f"scenario '{sc.name}': {sc.period.start} to {sc.period.end}, {sc.replications} replication(s), "
            f"seed {sc.seed}, {sc.population.scale:g} residents per agent; "
            f"levers: {', '.join(levers) if levers else 'none (the policies of 2020)'}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    args = _parser().parse_args(argv)
    if args.command == "report":
        return _rebuild_report(Path(args.folder))
    if args.command == "compare":
        return _compare(args, argv)
    if args.command == "sweep":
        return _sweep(args, argv)
    if args.command in ("calibrate", "backtest"):
        return _calibrate(args, argv)
    try:
        scenario = _load(args)
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "validate":
        print(f"OK: {_describe(scenario)}")
        return 0
    if _refuse_out(args.out):
        return 2

    from .output import scorecard
    from .output.report import build_run_report
    from .output.run_folder import write_run

    if not args.quiet:
        print(f"Running {_describe(scenario)}", file=sys.stderr)
    try:
        results, (scored, unscored) = _simulate(scenario, args.quiet)
        folder = write_run(scenario, results, args.out, command=["run_sim.py", *argv],
                           input_files=scenario_files(args.scenario),
                           extra_files={"scorecard.csv": scorecard.csv_text(scored)}, report=build_run_report)
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    _report(scenario, results, folder)
    print("\nScorecard of the plan's targets (docs/targets.md):")
    print(scorecard.table(scored, unscored))
    return 0


def _sweep(args, argv: list[str]) -> int:
    from .experiment.executor import ExecutorError, default_workers
    from .experiment.pipeline import estimate, executor, run_sweep
    from .experiment.spec import load_sweep
    from .experiment.sweep import plan

    try:
        sweep = load_sweep(args.spec)
    except (ScenarioError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    folder = Path(args.out) if args.out else Path("results") / "sweeps" / sweep.name
    if _refuse_out(str(folder)):
        return 2
    workers = args.workers or (args.dask_local or default_workers())
    budget = args.budget if args.budget is not None else sweep.budget_minutes
    tasks = plan(sweep)                    # the runs and their keys, once for the estimate and the sweep
    try:
        if args.dry_run or (budget is not None and not args.force):
            guess = estimate(sweep, folder, workers, tasks)
            print(f"sweep '{sweep.name}': {guess.describe()}")
            if args.dry_run:
                return 0
            if guess.minutes > budget:
                print(f"error: --budget: the sweep would take about {guess.minutes:.1f} min, over the budget of "
                      f"{budget:g} min; add --force to run it anyway, or lower samples/replications",
                      file=sys.stderr)
                return 2
        runner, info = executor(workers, args.dask, args.dask_local)
        manifest = run_sweep(sweep, folder, runner, info, progress=not args.quiet, command=["run_sim.py", *argv],
                             tasks=tasks)
    except ExecutorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2 if err.bad_input else 1
    except KeyboardInterrupt:
        print(f"interrupted: the runs finished so far are kept in {folder / 'runs'}; run the same command again "
              "to continue", file=sys.stderr)
        return 130
    print(f"Sweep '{sweep.name}': {manifest['runs']} runs ({manifest['runs_this_time']} run now), "
          f"written to {folder}")
    for warning in manifest["sensitivity_warnings"]:
        print(f"warning: {warning}")
    return 0


def _calibrate(args, argv: list[str]) -> int:
    from .calibration.pipeline import calibrate, describe
    from .calibration.spec import load_calibration

    try:
        spec = load_calibration(args.spec)
    except (ScenarioError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if _refuse_out(args.out):
        return 2
    cutoff = getattr(args, "cutoff", None)
    try:
        folder, manifest = calibrate(spec, Path(args.out), cutoff=cutoff, progress=not args.quiet,
                                     command=["run_sim.py", *argv])
    except ValueError as err:
        print(f"error: {'--cutoff' if cutoff else 'fit_until'}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    print(f"Calibration written to {folder}")
    print(describe(manifest))
    return 0


def _refuse_out(out: str) -> bool:
    """Say why results cannot be written under ``out`` (before simulating); True when they cannot."""
    problem = _unwritable(Path(out))
    if problem:
        print(f"error: --out: {problem}", file=sys.stderr)
    return problem is not None


def _simulate(scenario, quiet: bool):
    """Every replication of ``scenario`` and its scorecard ``(scored rows, targets not reached)``."""
    from .output import scorecard
    from .runner import run_replications
    from .targets import scenario_targets

    results = run_replications(scenario, progress=not quiet)
    return results, scorecard.run_scorecard(scenario_targets(scenario), results)


def _rebuild_report(folder: Path) -> int:
    from .output.report import ReportError, build_comparison_report, build_run_report

    if not folder.is_dir():
        print(f"error: RUN_DIR: no such folder: {folder}", file=sys.stderr)
        return 2
    try:
        if (folder / "comparison.csv").exists():
            path = build_comparison_report(folder)
        else:
            path = build_run_report(folder)
    except ReportError as err:
        print(f"error: RUN_DIR: {err}", file=sys.stderr)
        return 2
    print(f"Report written to {path}")
    return 0


def _compare(args, argv: list[str]) -> int:
    from .output import scorecard
    from .output.comparison import pairing_overrides, write_comparison
    from .output.report import build_comparison_report

    try:
        scenario = _load(args)
        against = load_scenario(args.against, overrides=pairing_overrides(scenario))
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if _refuse_out(args.out):
        return 2
    if not args.quiet:
        print(f"Comparing {_describe(scenario)}\n     with {_describe(against)}", file=sys.stderr)
    try:
        runs, cards = {}, {}
        for key, sc in (("scenario", scenario), ("against", against)):
            runs[key], cards[key] = _simulate(sc, args.quiet)
        folder = write_comparison(
            scenario, against, runs["scenario"], runs["against"], args.out, command=["run_sim.py", *argv],
            input_files=[*scenario_files(args.scenario), *scenario_files(args.against)],
            extra_files={"scorecard.csv": scorecard.csv_text(cards["scenario"][0]),
                         "scorecard_against.csv": scorecard.csv_text(cards["against"][0])},
            report=build_comparison_report)
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    _print_comparison(folder, scenario, against)
    return 0


def _print_comparison(folder: Path, scenario, against) -> None:
    import csv

    with (folder / "comparison.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    last = max(int(r["year"]) for r in rows)
    shown = ("urbanization_rate", "hukou_urbanization_rate", "population", "hukou_conversions",
             "public_transport_motorized_share", "urban_air_good_days_rate")
    print(f"Comparison written to {folder}")
    print(f"\n{scenario.name} minus {against.name}, city, {last} (mean over paired replications, 90% interval):")
    for r in rows:
        if r["zone"] == "qingdao" and int(r["year"]) == last and r["indicator"] in shown:
            low, high = (_number(r[k]) if r[k] else "" for k in ("ci90_low", "ci90_high"))
            interval = f"  90%: [{low}, {high}]" if low else ""
            print(f"  {r['indicator']:34} {_number(r['against_mean']):>12} -> {_number(r['scenario_mean']):>12}"
                  f"  difference {_number(r['mean_difference'], sign=True)}{interval}")
    with (folder / "settings_diff.csv").open(newline="", encoding="utf-8") as f:
        changed = list(csv.DictReader(f))
    print(f"\nSettings that differ ({len(changed)}; all in settings_diff.csv):")
    for r in changed[:15]:
        line = f"  {r['setting']}: {r['against']} -> {r['scenario']}"
        print(line if len(line) <= 140 else line[:137] + "...")
    if len(changed) > 15:
        print(f"  ... and {len(changed) - 15} more")


def _number(text: str, sign: bool = False) -> str:
    """A CSV number for the terminal: thousands separated for counts, four significant digits otherwise."""
    value = float(text)
    body = f"{value:{'+' if sign else ''},.0f}" if abs(value) >= 1000 else f"{value:{'+' if sign else ''}.4g}"
    return body


def _report(scenario, results, folder: Path) -> None:
    from .core.catalogue import INDICATOR_NAMES

    j = INDICATOR_NAMES.index("urbanization_rate")
    jh = INDICATOR_NAMES.index("hukou_urbanization_rate")
    end = results[0].dates[-1]
    rate = sum(r.values[-1, 0, j] for r in results) / len(results)
    hukou = sum(r.values[-1, 0, jh] for r in results) / len(results)
    events = sum(r.events_processed for r in results)
    seconds = sum(r.wall_seconds for r in results)
    over = f" (mean of {len(results)} replications)" if len(results) > 1 else ""
    print(f"Results written to {folder}")
    print(f"Urbanization rate of residents on {end}: {rate:.2f}%{over} "
          f"(the plan's target: 77% by the end of 2023)")
    print(f"Urbanization rate of hukou holders on {end}: {hukou:.2f}%")
    print(f"{events:,} events simulated in {seconds:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
