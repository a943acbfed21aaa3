"""Command line: ``python run_sim.py [run|validate|compare|report|sweep|calibrate|backtest] ...``.

The subcommands are one table (``COMMANDS``): each has its arguments and its handler, a function of the
parsed arguments that returns the exit code or raises. ``main`` is the one place that turns what a
handler raises into an exit code:

- 0 done;
- 2 bad input: a scenario or spec error (``ScenarioError``: the file, the setting's dotted path, what is
  allowed), an option or argument the command refuses (``InputError``), a calibration that cannot be done
  with these inputs (``CalibrationError``), a place the tool will not write (``OutputPathError``: a
  symbolic link inside a results folder, an ``--out`` that cannot be written), an executor that cannot be
  used (``ExecutorError`` with ``bad_input``), a missing file; one line on stderr, nothing written;
- 3 the machine refused a write: an OSError whose errno is in ``MACHINE_ERRNOS`` (no space left on the
  device, a quota, an input/output error, a read-only file system, a file too large), raised anywhere in a
  handler or by standard output (``> /dev/full``); one line, ``could not write <file>: <reason> (<ENAME>)``
  and what is kept: nothing, since results are written whole or not at all (``sim.output.atomic``: an
  unfinished folder is removed, a file is renamed into place only once complete), or, once a handler has
  written them, where they are (``args.kept``: a run's final lines that cannot be printed; a sweep's
  finished runs). ``NotLanded`` too: a finished folder that could not be renamed into place, its line
  saying where it is kept;
- 130 interrupted (Ctrl-C): one line saying what was kept, no traceback;
- 141 standard output or error is gone (a closed pipe: ``| head -1``, ``| true``): nothing more is said,
  no traceback, and Python's "Exception ignored ... BrokenPipeError" at exit is prevented by pointing the
  stream at os.devnull (the Python documentation's "Note on SIGPIPE"); 141 is 128 + SIGPIPE, what a shell
  reports for a program SIGPIPE killed. Results already written stay. A broken pipe while both streams are
  there (another process's pipe) is a bug, exit 1. ``> /dev/full`` is not a gone stream but a full one:
  exit 3;
- 1 an unexpected failure (a bug): the traceback, then one line asking to report it.

argparse's own errors (an unknown option, a missing value) leave with exit code 2 and one line too; its
help and errors into a closed pipe or a full device end with 141 and 3 like the rest (``_Parser``).
"""

from __future__ import annotations

import argparse
import csv
import errno
import math
import os
import select
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .api import score, simulate, simulate_or_reuse
from .calibration.pipeline import CalibrationError, calibrate
from .calibration.pipeline import describe as describe_calibration
from .calibration.spec import load_calibration
from .core.catalogue import INDICATOR_NAMES
from .core.fields import closest, one_line, printable
from .experiment.executor import ExecutorError, default_workers
from .experiment.pipeline import estimate, executor, run_sweep
from .experiment.spec import load_sweep
from .experiment.store import FolderError, Store
from .output import scorecard
from .output.atomic import MACHINE_ERRNOS, NotLanded, OutputPathError, check_writable
from .output.comparison import pairing_overrides, write_comparison
from .output.excel import RESULTS_XLSX
from .output.formats import unguard_cell
from .output.report import EarlyReport, ReportError, build_comparison_report, build_run_report
from .output.reuse import read_results, stored_run
from .output.run_folder import write_run
from .scenario import ScenarioError, inert_levers, load_scenario, scenario_files, setting_origins
from .scenario.uncertainty import kind as uncertainty_kind
from .targets import plan_targets, scenario_targets
from .web.app import serve

DEFAULT_SCENARIO = "scenarios/baseline.yaml"
#: the year ``backtest`` fits up to when neither --cutoff nor the spec's ``fit_until`` gives one
BACKTEST_CUTOFF = 2016

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
  --replications N   --seed N   --set KEY=VALUE (repeatable)   --strict   --uncertainty
  --out DIR, --workers N, --quiet (run only)
A mistake in a scenario or spec stops before anything is written, with one line naming the setting.
Exit codes: 0 done, 2 bad input (one line), 3 a write the machine refused (a full disk: one line; nothing
half-written), 130 interrupted, 141 the output's reader went away (| head), 1 an unexpected error (a bug:
please report it).
"""


class InputError(Exception):
    """Input a command refuses before doing anything (exit code 2): ``field`` names the option or argument."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class Interrupted(KeyboardInterrupt):
    """Ctrl-C where a handler has kept something: the message says what (the exit-130 line), instead of the
    command's ``interrupted`` note."""


#: what a handler may raise that means bad input: one line, exit code 2
BAD_INPUT = (ScenarioError, InputError, CalibrationError, OutputPathError, FileNotFoundError)
#: the exit code when standard output or error is gone (a closed pipe: ``| head -1``): 128 + SIGPIPE, what a
#: shell reports for a program SIGPIPE killed
GONE = 141
#: what a failed write to the terminal's streams is called (set as the OSError's ``filename``; compared by
#: identity, so that no file of that name is taken for them)
STDOUT, STDERR = "standard output", "standard error"


@dataclass(frozen=True)
class Command:
    """One subcommand: its help, its arguments, its handler and what Ctrl-C leaves behind."""

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]
    #: what is left when the command stops before its end (Ctrl-C, a full disk), until the handler says more
    #: (``args.kept``: where it wrote its results)
    interrupted: str = "nothing was written"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _minutes(text: str) -> float:
    """A positive, finite number of minutes (``--budget``): nan, inf, 0 and negatives are refused."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of minutes, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of minutes, got {text!r}")
    return value


# -- arguments --------------------------------------------------------------------------------------


def _scenario_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario YAML file (default: {DEFAULT_SCENARIO})")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="change one setting for this run, e.g. --set replications=5 or "
                        "--set behaviour.departure.local_hazard_per_year=0.01 (repeatable)")
    p.add_argument("--replications", metavar="N", help="number of independent replications")
    p.add_argument("--seed", metavar="N", help="root random seed (same seed, same numbers)")
    p.add_argument("--strict", action="store_true",
                   help="refuse a scenario with a lever that never acts in its period (by default: a warning)")
    p.add_argument("--uncertainty", action="store_true",
                   help="uncertainty mode (the scenario's uncertainty section, switched on): each replication also "
                        "draws its behaviour from the posterior and the levers' effect sizes from their ranges")


def _quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _run_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder that receives <scenario name>/<run id>/ (default: results)")
    p.add_argument("--workers", type=_positive, default=1, metavar="N",
                   help="run the replications in N worker processes (default 1: in this process); the same "
                        "numbers whatever N")
    p.add_argument("--reuse", action="store_true",
                   help="when a run of the same resolved scenario by the same code is stored under --out, show "
                        "it instead of simulating again (no new folder)")
    _quiet(p)


def _compare_arguments(p: argparse.ArgumentParser) -> None:
    _scenario_arguments(p)
    p.add_argument("--against", default=DEFAULT_SCENARIO, metavar="BASE",
                   help=f"scenario to compare with (default: {DEFAULT_SCENARIO}); it runs with SCENARIO's "
                        "seed, replications, period and scale so that replications pair up; --set changes "
                        "SCENARIO only")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder that receives comparisons/... (default: results); stored runs of either "
                        "scenario there are reused (the same resolved scenario by the same code)")
    p.add_argument("--fresh", action="store_true", help="simulate both scenarios even when stored runs of them exist")
    _quiet(p)


def _report_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", metavar="RUN_DIR", help="a run folder (with summary.csv) or a comparison "
                                                     "folder (with comparison.csv)")


def _sweep_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="sweep YAML file (examples in scenarios/sweeps/)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive, metavar="N", help="local worker processes (default: all cores)")
    where.add_argument("--dask", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS (tcp://host:8786)")
    where.add_argument("--dask-local", type=_positive, metavar="N", help="run on a local Dask cluster of N processes")
    p.add_argument("--out", metavar="DIR", help="the sweep's folder (default: results/sweeps/<name>/)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the number of runs, the estimated time (from one timed run) and size; run nothing")
    p.add_argument("--budget", type=_minutes, metavar="MINUTES",
                   help="refuse a sweep estimated to take longer (default: the spec's budget_minutes, if any)")
    p.add_argument("--force", action="store_true", help="run even when over the budget")
    _quiet(p)


def _calibration_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC", help="calibration YAML file (scenarios/calibration/)")
    p.add_argument("--out", default="results", metavar="DIR", help="folder that receives calibration/... "
                                                                   "(default: results)")
    _quiet(p)


def _backtest_arguments(p: argparse.ArgumentParser) -> None:
    _calibration_arguments(p)
    p.add_argument("--cutoff", type=int, metavar="YEAR",
                   help=f"fit on observations up to this year only (default: the spec's fit_until, or "
                        f"{BACKTEST_CUTOFF} when it has none)")


# -- handlers ---------------------------------------------------------------------------------------


def _overrides(args: argparse.Namespace) -> list[str]:
    overrides = list(args.overrides)
    if args.replications is not None:
        overrides.append(f"replications={args.replications}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if getattr(args, "uncertainty", False):
        overrides.append("uncertainty.enabled=true")
    return overrides


def _load(args: argparse.Namespace):
    return _checked(load_scenario(args.scenario, overrides=_overrides(args)), args.scenario, args.strict)


def _checked(scenario, file, strict: bool):
    """``scenario``, after a warning on stderr for each lever that never acts in its period (``--strict``:
    refused, exit 2)."""
    for field, message in inert_levers(scenario):
        if strict:
            raise ScenarioError(f"{message} (refused by --strict)", field, str(file))
        _note(f"warning: {file}: {field}: {message}")
    return scenario


def _validate(args: argparse.Namespace) -> int:
    _say(f"OK: {_describe(_load(args))}")
    return 0


def _run(args: argparse.Namespace) -> int:
    scenario = _load(args)
    _check_out(args.out)
    stored = stored_run(args.out, scenario) if args.reuse else None
    if stored is not None:
        results = read_results(stored)
        scored, unscored = score(scenario, results)
        _note(f"Reusing {stored} (the same scenario, run by this code; without --reuse it runs again)")
        _finish_run(scenario, results, stored, scored, unscored)
        return 0
    if not args.quiet:
        _note(f"Running {_describe(scenario)}")
    # matplotlib loads in a forked process while this one simulates
    report = EarlyReport(build_run_report) if scenario.outputs.plots else None
    try:
        results, (scored, unscored) = _simulate(scenario, args.quiet, args.workers)
        folder = write_run(scenario, results, args.out, command=args.command_line,
                           input_files=scenario_files(args.scenario),
                           extra_files={"scorecard.csv": scorecard.csv_text(scored)}, report=report,
                           settings_from=setting_origins(args.scenario, _overrides(args)))
    finally:
        if report is not None:
            report.close()
    args.kept = f"the results were written to {folder}"
    _finish_run(scenario, results, folder, scored, unscored)
    return 0


def _finish_run(scenario, results, folder: Path, scored, unscored) -> None:
    _print_run(scenario, results, folder, scenario_targets(scenario))
    _say("\nScorecard of the plan's targets (docs/targets.md):")
    _say(scorecard.table(scored, unscored, scenario.replications))
    _say_report(folder)


def _say_report(folder: Path) -> None:
    """The last line of a run or comparison: where its report is (when it has one), and its workbook."""
    if (folder / "report.html").is_file():
        _say(f"\nReport: {folder / 'report.html'}   Excel: {folder / RESULTS_XLSX}")
    elif (folder / RESULTS_XLSX).is_file():
        _say(f"\nExcel: {folder / RESULTS_XLSX} (no report: outputs.plots is off)")


def _compare(args: argparse.Namespace) -> int:
    scenario = _load(args)
    against = _checked(load_scenario(args.against, overrides=pairing_overrides(scenario)), args.against, args.strict)
    _check_out(args.out)
    if not args.quiet:
        _note(f"Comparing {_describe(scenario)}\n     with {_describe(against)}")
    runs, cards = {}, {}
    for key, sc in (("scenario", scenario), ("against", against)):
        runs[key], cards[key], stored = simulate_or_reuse(sc, args.out, not args.fresh, not args.quiet)
        if stored is not None:
            _note(f"Reusing {stored} for '{sc.name}' (the same scenario, run by this code; --fresh runs it again)")
    folder = write_comparison(
        scenario, against, runs["scenario"], runs["against"], args.out, command=args.command_line,
        input_files=[*scenario_files(args.scenario), *scenario_files(args.against)],
        extra_files={"scorecard.csv": scorecard.csv_text(cards["scenario"][0]),
                     "scorecard_against.csv": scorecard.csv_text(cards["against"][0])},
        report=build_comparison_report)
    args.kept = f"the comparison was written to {folder}"
    _print_comparison(folder, scenario, against)
    _say_report(folder)
    return 0


def _report(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    try:
        found = folder.is_dir()
    except OSError as err:                 # a name longer than the file system allows
        raise InputError(f"cannot read {folder}: {err.strerror}", "RUN_DIR") from None
    if not found:
        raise InputError(f"no such folder: {folder}", "RUN_DIR")
    try:
        if (folder / "comparison.csv").exists():
            path = build_comparison_report(folder)
        else:
            path = build_run_report(folder)
    except ReportError as err:             # here the folder is the input; elsewhere a ReportError is a bug
        raise InputError(str(err), "RUN_DIR") from None
    args.kept = f"the report was written to {path}"
    _say(f"Report written to {path}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    sweep = load_sweep(args.spec)
    folder = Path(args.out) if args.out else Path("results") / "sweeps" / sweep.name
    _check_out(str(folder))
    workers = args.workers or (args.dask_local or default_workers())
    runner, info = executor(workers, args.dask, args.dask_local)     # a malformed --dask: refused here
    budget = args.budget if args.budget is not None else sweep.budget_minutes
    tasks = None                           # planned by the estimate when it needs the keys, else by the sweep
    if args.dry_run or (budget is not None and not args.force):
        guess = estimate(sweep, folder, workers)
        tasks = guess.tasks
        _say(f"sweep '{sweep.name}': {guess.describe()}")
        if args.dry_run:
            return 0
        if budget is not None and guess.minutes > budget:
            raise InputError(f"the sweep would take about {guess.minutes:.1f} min, over the budget of {budget:g} "
                             "min; add --force to run it anyway, or lower samples/replications", "--budget")
    kept = f"the runs finished so far are kept in {folder / 'runs'}; run the same command again to continue"
    args.kept = lambda: kept if Store(folder).done() else None     # none stored: run_sweep left the folder as found
    try:
        manifest = run_sweep(sweep, folder, runner, info, progress=not args.quiet, command=args.command_line,
                             tasks=tasks)
    except KeyboardInterrupt:
        if not Store(folder).done():
            raise
        raise Interrupted(kept) from None
    except FolderError as err:             # another sweep in the folder, or a file where runs/ should be
        raise InputError(str(err), "--out") from None
    args.kept = f"the sweep was written to {folder}"
    _say(f"Sweep '{sweep.name}': {manifest['runs']} runs ({manifest['runs_this_time']} run now), "
          f"written to {folder}")
    for warning in manifest["sensitivity_warnings"]:
        _say(f"warning: {warning}")
    return 0


def _serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder of the page's runs and of the runs it may show (default: results)")


def _port(text: str) -> int:
    """A TCP port, 1-65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {port}")
    return port


def _serve(args: argparse.Namespace) -> int:
    _check_out(args.out)
    _say(f"The what-if page: http://{args.host}:{args.port}/ (Chinese; ?lang=en for English). Ctrl-C stops it.")
    serve(args.host, args.port, args.out)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    spec = load_calibration(args.spec)
    _check_out(args.out)
    cutoff = None                          # calibrate: the spec's fit_until
    if args.command == "backtest":         # --cutoff, else the spec's fit_until: a default never overrides the spec
        cutoff = args.cutoff if args.cutoff is not None else spec.fit_until or BACKTEST_CUTOFF
    folder, manifest = calibrate(spec, Path(args.out), cutoff=cutoff, progress=not args.quiet,
                                 command=args.command_line)
    args.kept = f"the calibration was written to {folder}"
    _say(f"Calibration written to {folder}")
    _say(describe_calibration(manifest))
    return 0


#: the subcommands, in the order --help lists them; ``run`` is the default
COMMANDS: dict[str, Command] = {c.name: c for c in (
    Command("run", "run a scenario and write its results (the default command)",
            "Run a scenario and write its results folder.", _run_arguments, _run),
    Command("validate", "check a scenario file and show what would run",
            "Check a scenario file without running it.", _scenario_arguments, _validate),
    Command("compare", "what a scenario changes against another (paired replications)",
            "Run SCENARIO and --against with the same seed and replications (common random numbers) and write "
            "the paired differences of every indicator, year and zone to comparison.csv, the settings that "
            "differ to settings_diff.csv, both scorecards, plots and report.html, under "
            "<out>/comparisons/<scenario>-vs-<against>/<run id>/.", _compare_arguments, _compare),
    Command("report", "redraw the plots and report.html of a run or comparison folder",
            "Rebuild plots/ and report.html from a run's (or comparison's) saved tables, without running "
            "anything.", _report_arguments, _report,
            interrupted="each file of the folder is whole: the old one, or the one redrawn"),
    Command("sweep", "run a parameter sweep (grid, lhs, sobol, morris) with sensitivity indices",
            "Run every design point x policy x replication of a sweep spec (docs/experiments.md), skipping runs "
            "already stored, then write runs.csv, sensitivity.csv, plots and manifest.json.",
            _sweep_arguments, _sweep, interrupted="before any run finished; nothing was written"),
    Command("calibrate", "fit behavioural settings to Qingdao's observed 2010-2020 history",
            "Fit behavioural settings to Qingdao's observed 2010-2020 history (docs/calibration.md); writes "
            "results/calibration/<name>-<run id>/.", _calibration_arguments, _calibrate),
    Command("backtest", "fit on observations up to a year and score the later ones",
            "Fit on observations up to a year and score the later ones (docs/calibration.md); writes "
            "results/calibration/<name>-<run id>/.", _backtest_arguments, _calibrate),
    Command("serve", "the what-if page: pick levers, run, compare with the baseline, in a browser",
            "Serve the planner's what-if page on this machine (Chinese first, an English switch): choose levers, "
            "replications and scale, run, read the scorecard, fan chart and district map, compare with the "
            "baseline. Each run is an ordinary run folder under --out; stored runs of the same scenario are "
            "reused.", _serve_arguments, _serve,
            interrupted="the page stopped; the runs it finished are in their folders"),
)}


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line error form (exit code 2), and its output's failed writes passed
    on to ``main`` (argparse's own swallows them: --help into a closed pipe would end with 0)."""

    def _print_message(self, message: str, file=None) -> None:
        if not message:
            return
        stream = file or sys.stderr
        try:
            stream.write(message)
        except OSError as err:
            if err.filename is None:
                err.filename = STDOUT if stream is sys.stdout else STDERR
            raise

    def error(self, message: str):
        message = printable(message)
        self.exit(2, f"error: {message} (see: python run_sim.py {self.prog.split()[-1]} --help)\n"
                  if " " in self.prog else f"error: {message} (see: python run_sim.py --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="run_sim.py", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS.values():
        command.arguments(sub.add_parser(command.name, help=command.help, description=command.description))
    return parser


# -- the one place that maps outcomes to exit codes ------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:                           # argparse's --help and errors leave through SystemExit
            _flush(sys.stdout, STDOUT)
    except OSError as err:                 # the terminal's streams, written outside a handler (argparse, a
        return _stream_failed(err)         # buffered line at the end, the error line itself)


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and (typo := _mistyped_command(argv[0])):
        return _fail(f"unknown command '{argv[0]}'; did you mean '{typo}'? (see: python run_sim.py --help)", 2)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]
    args = _parser().parse_args(argv)
    args.command_line = ["run_sim.py", *argv]
    args.kept = None                       # a handler's word on what is kept should it stop now (_kept)
    command = COMMANDS[args.command]
    try:
        code = command.handler(args)
        _flush(sys.stdout, STDOUT)         # a line still buffered fails here, where it is mapped
        return code
    except BAD_INPUT as err:
        return _fail(_one_line(err), 2)
    except ExecutorError as err:
        return _fail(str(err), 2 if err.bad_input else 1)
    except KeyboardInterrupt as err:
        _note(f"interrupted: {printable(str(err) or _kept(args, command))}")
        return 130
    except NotLanded as err:               # finished, but not renamed into place: it says where it is kept
        return _fail(str(err), 3)
    except Exception as err:  # noqa: BLE001 (the last resort: a bug, reported as one)
        if isinstance(err, OSError) and err.errno in MACHINE_ERRNOS:
            return _refused(err, _kept(args, command))
        if isinstance(err, BrokenPipeError) and (gone := _gone()) is not None:
            return gone
        traceback.print_exc()
        return _fail(f"unexpected {type(err).__name__} in '{command.name}': {_one_line(err)} (a bug: please "
                     "report it with the output above)", 1)


def _kept(args: argparse.Namespace, command: Command) -> str:
    """What is left should the command stop now: the handler's word (``args.kept``, a text or a function that
    tells it then), else the command's."""
    kept = getattr(args, "kept", None)
    return (kept() if callable(kept) else kept) or command.interrupted


def _could_not_write(err: OSError, kept: str) -> str:
    """``could not write <file>: No space left on device (ENOSPC); <what is kept>`` (the file, when the error
    names one: a temporary folder's file is named as written, before the folder was removed)."""
    if err.filename is STDOUT or err.filename is STDERR:
        what = f"to {err.filename}"
    else:
        what = os.fsdecode(err.filename) if err.filename is not None else "the results"
    reason = err.strerror or os.strerror(err.errno or 0)
    return f"could not write {what}: {reason} ({errno.errorcode.get(err.errno or 0, err.errno)}); {kept}"


def _stream_failed(err: OSError) -> int:
    """The exit code when standard output or error could not be written outside a handler: 141 when one is
    gone (a closed pipe), 3 when the machine refused the write (a full disk, /dev/full); a bug otherwise."""
    if isinstance(err, BrokenPipeError) and (gone := _gone()) is not None:
        return gone
    if err.errno in MACHINE_ERRNOS:
        return _refused(err, "nothing was written")
    raise err


def _refused(err: OSError, kept: str) -> int:
    """Exit code 3 and its one line, for a write the machine refused (``MACHINE_ERRNOS``); a stream that
    refused it is pointed at os.devnull first, or what it still buffers would fail again, at Python's exit."""
    for stream, name in ((sys.stdout, STDOUT), (sys.stderr, STDERR)):
        if err.filename is name:
            _silence(stream)
    return _fail(_could_not_write(err, kept), 3)


def _gone() -> int | None:
    """``GONE`` (141) after pointing standard output and error at os.devnull where their reader has gone (a
    closed pipe), so that Python's exit writes what is buffered nowhere instead of printing 'Exception
    ignored ... BrokenPipeError'; None when neither is gone (then the broken pipe was another's: a bug)."""
    gone = [stream for stream in (sys.stdout, sys.stderr) if _widowed(stream)]
    for stream in gone:
        _silence(stream)
    return GONE if gone else None


def _widowed(stream) -> bool:
    """Whether ``stream`` is a pipe or socket whose reader has gone (poll says POLLERR or POLLHUP)."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):      # a stream without a descriptor (a test's capture)
        return False
    if not hasattr(select, "poll"):                    # Windows: a broken pipe is taken at its word
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _silence(stream) -> None:
    """Point ``stream``'s descriptor at os.devnull (the documented cure: Python's "Note on SIGPIPE")."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _flush(stream, name: str) -> None:
    """Flush ``stream``; a failed write is named (``OSError.filename``: ``STDOUT`` or ``STDERR``)."""
    try:
        stream.flush()
    except OSError as err:
        if err.filename is None:
            err.filename = name
        raise


def _say(*parts: object) -> None:
    """``print`` to standard output; a failed write is named ``STDOUT`` for the message."""
    try:
        print(*parts)
    except OSError as err:
        if err.filename is None:
            err.filename = STDOUT
        raise


def _note(text: str) -> None:
    """A line on standard error (a warning, what is running); a failed write is named ``STDERR``."""
    try:
        print(text, file=sys.stderr)
    except OSError as err:
        if err.filename is None:
            err.filename = STDERR
        raise


def _mistyped_command(word: str) -> str | None:
    """The command ``word`` was meant to be, when it is not a command, an option or a file but is close to a
    command (``comapre``); None otherwise (then it is a scenario file, run by the default command)."""
    if word in COMMANDS or word.startswith("-") or os.path.exists(word) or Path(word).suffix or "/" in word \
            or os.sep in word:
        return None
    return closest(word, tuple(COMMANDS))


def _fail(message: str, code: int) -> int:
    """The one ``error:`` line on standard error, and ``code``; with standard error gone (a closed pipe) the
    broken pipe goes on to ``main`` (141), and when the machine refuses the line (2>/dev/full) there is no one
    to tell: the code stands."""
    try:
        print(f"error: {printable(message)}", file=sys.stderr)
        sys.stderr.flush()
    except BrokenPipeError:
        raise
    except OSError:
        _silence(sys.stderr)
    return code


def _one_line(err: BaseException) -> str:
    if isinstance(err, FileNotFoundError) and err.filename is not None:
        return f"file not found: {err.filename}"
    return one_line(err)


# -- helpers ----------------------------------------------------------------------------------------


def _check_out(out: str) -> None:
    """Refuse (``InputError`` on ``--out``) a results folder that cannot be written, before simulating."""
    try:
        check_writable(Path(out))
    except OutputPathError as err:
        raise InputError(str(err), "--out") from None


def _describe(sc) -> str:
    levers = [name for name, lever in sc.policies.items() if lever is not None and lever.intensity > 0]
    return (f"scenario '{sc.name}': {sc.period.start} to {sc.period.end}, {sc.replications} replication(s), "
            f"seed {sc.seed}, {sc.population.scale:g} residents per agent; "
            f"levers: {', '.join(levers) if levers else 'none (the policies of 2020)'}"
            + (f"; uncertainty: {uncertainty_kind(sc)}" if sc.uncertainty.enabled else ""))


def _simulate(scenario, quiet: bool, workers: int = 1):
    """Every replication of ``scenario`` and its scorecard, with the progress bar unless ``quiet``."""
    return simulate(scenario, progress=not quiet, workers=workers)


def _print_comparison(folder: Path, scenario, against) -> None:
    with (folder / "comparison.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    last = max(int(r["year"]) for r in rows)
    shown = ("urbanization_rate", "hukou_urbanization_rate", "population", "hukou_conversions",
             "public_transport_motorized_share", "urban_air_good_days_rate")
    _say(f"Comparison written to {folder}")
    _say(f"\n{scenario.name} minus {against.name}, city, {last} (mean over paired replications, 90% interval):")
    for r in rows:
        if r["zone"] == "qingdao" and int(r["year"]) == last and r["indicator"] in shown:
            low, high = (_number(r[k]) if r[k] else "" for k in ("ci90_low", "ci90_high"))
            interval = f"  90%: [{low}, {high}]" if low else ""
            _say(f"  {r['indicator']:34} {_number(r['against_mean']):>12} -> {_number(r['scenario_mean']):>12}"
                  f"  difference {_number(r['mean_difference'], sign=True)}{interval}")
    with (folder / "settings_diff.csv").open(newline="", encoding="utf-8") as f:
        changed = list(csv.DictReader(f))
    _say(f"\nSettings that differ ({len(changed)}; all in settings_diff.csv):")
    for r in changed[:15]:
        line = f"  {unguard_cell(r['setting'])}: {unguard_cell(r['against'])} -> {unguard_cell(r['scenario'])}"
        _say(line if len(line) <= 140 else line[:137] + "...")
    if len(changed) > 15:
        _say(f"  ... and {len(changed) - 15} more")


def _number(text: str, sign: bool = False) -> str:
    """A CSV number for the terminal: thousands separated for counts, four significant digits otherwise."""
    value = float(text)
    body = f"{value:{'+' if sign else ''},.0f}" if abs(value) >= 1000 else f"{value:{'+' if sign else ''}.4g}"
    return body


def _print_run(scenario, results, folder: Path, targets=()) -> None:
    j = INDICATOR_NAMES.index("urbanization_rate")
    jh = INDICATOR_NAMES.index("hukou_urbanization_rate")
    end = results[0].dates[-1]
    rate = sum(r.values[-1, 0, j] for r in results) / len(results)
    hukou = sum(r.values[-1, 0, jh] for r in results) / len(results)
    events = sum(r.events_processed for r in results)
    seconds = sum(r.wall_seconds for r in results)
    over = f" (mean of {len(results)} replications)" if len(results) > 1 else ""
    _say(f"Results written to {folder}")
    _say(f"Urbanization rate of residents on {end}: {rate:.2f}%{over}{_target_note(targets, 'urbanization_rate')}")
    _say(f"Urbanization rate of hukou holders on {end}: {hukou:.2f}%")
    _say(f"{events:,} events simulated in {seconds:.1f} s")
    _say(f"Uncertainty: {uncertainty_kind(scenario)}"
         + ("; what each replication drew: draws.csv" if scenario.uncertainty.enabled else ""))


def _target_note(targets, target_id: str) -> str:
    """`` (the plan's target: 77% by the end of 2023)``, with the scenario's value where it sets another."""
    target = next((t for t in targets if t.id == target_id), None)
    if target is None:
        return ""
    plan = next((t for t in plan_targets() if t.id == target_id), None)
    by = f"by the end of {target.year}"
    if target.value is None:
        return f" (no target value for {target.year} in this scenario)"
    if plan is not None and plan.value != target.value:
        plan_value = "none" if plan.value is None else f"{plan.value:g}{plan.unit}"
        return f" (the scenario's target: {target.value:g}{target.unit} {by}; the plan's: {plan_value})"
    return f" (the plan's target: {target.value:g}{target.unit} {by})"

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
