"""Uncertainty-mode benchmark: 100 replications of the baseline at scale 100 with uncertainty on, on one and on
two worker processes (goal: at most 2 minutes on two), and the same bytes on both.

Each replication draws a posterior row and the lever effects (``sim.scenario.uncertainty``) and runs on one
thread, as the run command's ``--workers`` runs it; the wall time includes starting the workers and the
draws, not writing the folder. The posterior is ``--posterior`` or, when that is left out, the shipped
default (scenarios/calibration/posterior.csv) if a calibration has written it, else a timing fixture: the
baseline's own arrival rate and rural-to-urban hazard times 0.8, 0.9, 1.0, 1.1 and 1.2 (a spread to time, not
an estimate). The machine is shared, so the report gives the ratio of the two times of the same invocation as
well as the times, and the CPU seconds (this process and its workers) that other load does not inflate as
much. It prints the table, checks that timeseries.csv, summary.csv and draws.csv are
byte-identical on one and two workers, and writes benchmarks/out/uncertainty-<UTC timestamp>.json|md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))           # run as a script from anywhere, no PYTHONPATH needed

OUT_DIR = ROOT / "benchmarks" / "out"
GOAL_SECONDS = 120.0
#: the timing fixture's factors on the baseline's values (a spread to time, not an estimate)
FIXTURE_FACTORS = (0.8, 0.9, 1.0, 1.1, 1.2)
FIXTURE_SETTINGS = ("behaviour.in_migration.rate_per_year", "behaviour.rural_to_urban.base_hazard_per_year")


def fixture_posterior(folder: Path, scenario_file: Path) -> Path:
    """The timing fixture: the scenario's own two values times each of ``FIXTURE_FACTORS``."""
    from sim.scenario import load_scenario

    base = load_scenario(scenario_file)
    own = [base.behaviour.in_migration.rate_per_year, base.behaviour.rural_to_urban.base_hazard_per_year]
    path = folder / "timing_fixture_posterior.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(FIXTURE_SETTINGS)
        writer.writerows([round(v * k, 6) for v in own] for k in FIXTURE_FACTORS)
    return path


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes, once the pool is shut):
    what the replications cost whatever else the shared machine runs."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=100, help="replications (default 100)")
    parser.add_argument("--scale", type=float, default=100.0, help="persons per agent (default 100)")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--posterior", type=Path, help="posterior CSV (default: the shipped one, else a fixture)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default 1 2)")
    args = parser.parse_args()

    from sim.experiment.executor import run_local
    from sim.output.formats import SUMMARY, TIMESERIES
    from sim.output.run_folder import draws_text, summary_rows, timeseries_rows
    from sim.runner import run_replications
    from sim.scenario import load_scenario
    from sim.scenario.uncertainty import default_posterior, kind

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        posterior = args.posterior or (default_posterior() if default_posterior().is_file()
                                       else fixture_posterior(Path(tmp), args.scenario))
        scenario = load_scenario(args.scenario, [
            f"population.scale={args.scale}", f"replications={args.replications}", "outputs.plots=false",
            "uncertainty.enabled=true", f"uncertainty.posterior={posterior.resolve()}"])
        for workers in args.workers:
            print(f"running: {workers} worker(s)", file=sys.stderr)

            def pool(fn, tasks, on_done, workers=workers):
                run_local(fn, tasks, workers, on_done)

            started, cpu = time.perf_counter(), cpu_seconds()
            runs = run_replications(scenario, progress=False, pool=pool if workers > 1 else None)
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            tables = (TIMESERIES.text(timeseries_rows(runs)), SUMMARY.text(summary_rows(runs)), draws_text(runs))
            results[workers] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                                "load_average_after": round(os.getloadavg()[0], 1), "replication_seconds_total":
                                round(sum(r.wall_seconds for r in runs), 2), "tables": tables}
    identical = len({r["tables"] for r in results.values()}) == 1
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [f"Uncertainty benchmark, {stamp}, {platform.node()} ({os.cpu_count()} CPUs, load "
             f"{os.getloadavg()[0]:.1f} at the end), python {platform.python_version()}: {args.replications} "
             f"replications of {args.scenario.name} at scale {args.scale:g}, uncertainty: {kind(scenario)}", "",
             "| workers | wall s | CPU s (this process and its workers) | sum of replication times s | load after |",
             "|---|---|---|---|---|"]
    lines += [f"| {w} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['replication_seconds_total']:.2f} | "
              f"{r['load_average_after']:.1f} |" for w, r in results.items()]
    most = max(results)
    lines += ["", f"- {most} worker(s): {results[most]['seconds']:.1f} s (goal <= {GOAL_SECONDS:g} s: "
                  f"{'PASS' if results[most]['seconds'] <= GOAL_SECONDS else 'MISS'})"]
    if 1 in results and most > 1:
        lines.append(f"- 1 worker over {most}, same invocation: {results[1]['seconds'] / results[most]['seconds']:.2f}")
    lines.append(f"- timeseries.csv, summary.csv and draws.csv byte-identical across worker counts: {identical}")
    report = "\n".join(lines)
    print(report)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"uncertainty-{stamp}.md").write_text(report + "\n")
    (OUT_DIR / f"uncertainty-{stamp}.json").write_text(json.dumps(
        {"stamp": stamp, "replications": args.replications, "scale": args.scale, "posterior": str(posterior),
         "identical": identical, "goal_seconds": GOAL_SECONDS,
         "results": {w: {k: v for k, v in r.items() if k != "tables"} for w, r in results.items()}}, indent=2))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
