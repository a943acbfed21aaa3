"""Sweep benchmark: runs per minute, the speedup of two local workers over one, and Dask's overhead.

One invocation runs the same small Latin-hypercube sweep of the baseline
three times, each into a fresh folder: in this process (one worker), on a
local pool of two worker processes, and on a Dask LocalCluster of two worker
processes. Wall times include starting the workers, as a user sees them.
It prints runs per minute, the speedup of two workers over one (goal: at
least 1.8) and the Dask time over the local pool's, checks that the three
runs.csv are byte-identical, and writes the report to
benchmarks/out/sweep-<UTC timestamp>.json|md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))           # run as a script from anywhere, no PYTHONPATH needed

OUT_DIR = ROOT / "benchmarks" / "out"
GOAL_SPEEDUP = 1.8

SPEC = """\
name: bench
base: {base}
set: {{population.scale: {scale}, outputs.plots: false}}
design: lhs
samples: {runs}
replications: 1
seed: 1
parameters:
  behaviour.rural_to_urban.base_hazard_per_year: {{low: 0.025, high: 0.1}}
  behaviour.hukou.nonlocal_conversion_hazard_per_year: {{low: 0.02, high: 0.08}}
outputs: [urbanization_rate@2023, hukou_urbanization_rate@2023]
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=40, help="runs in the sweep (default 40)")
    parser.add_argument("--scale", type=float, default=200.0, help="persons per agent (default 200: ~50,000 "
                                                                     "agents, about 0.3 s a run)")
    args = parser.parse_args()

    from sim.experiment.pipeline import executor, run_sweep
    from sim.experiment.spec import load_sweep

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(SPEC.format(base=ROOT / "scenarios" / "baseline.yaml", scale=args.scale, runs=args.runs))
        sweep = load_sweep(spec)
        for name, (workers, dask_local) in {"local, 1 worker": (1, None), "local, 2 workers": (2, None),
                                            "dask LocalCluster, 2 workers": (2, 2)}.items():
            print(f"running: {name}", file=sys.stderr)
            runner, info = executor(workers, None, dask_local)
            started = time.perf_counter()
            manifest = run_sweep(sweep, Path(tmp) / name.replace(" ", "_"), runner, info, progress=False)
            seconds = time.perf_counter() - started
            table = (Path(tmp) / name.replace(" ", "_") / "runs.csv").read_bytes()
            results[name] = {"seconds": round(seconds, 3), "runs": manifest["runs"],
                             "runs_per_minute": round(manifest["runs"] / seconds * 60, 1),
                             "run_seconds_total": manifest["run_seconds_total"], "table": table}
    one, two, dask = (results[k] for k in results)
    speedup = one["seconds"] / two["seconds"]
    overhead = dask["seconds"] / two["seconds"]
    identical = one["table"] == two["table"] == dask["table"]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [f"Sweep benchmark, {stamp}, {platform.node()} ({os.cpu_count()} CPUs), python "
             f"{platform.python_version()}: {args.runs} runs of the baseline at scale {args.scale:g}", "",
             "| executor | wall s | runs | runs per minute | sum of run times s |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {r['seconds']:.2f} | {r['runs']} | {r['runs_per_minute']:.0f} | "
              f"{r['run_seconds_total']:.2f} |" for name, r in results.items()]
    lines += ["", f"- speedup of 2 local workers over 1: {speedup:.2f} (goal >= {GOAL_SPEEDUP}: "
                  f"{'PASS' if speedup >= GOAL_SPEEDUP else 'MISS'})",
              f"- Dask LocalCluster time over the local pool's (2 workers each): {overhead:.2f}",
              f"- runs.csv byte-identical across the three executors: {identical}"]
    report = "\n".join(lines)
    print(report)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"sweep-{stamp}.md").write_text(report + "\n")
    (OUT_DIR / f"sweep-{stamp}.json").write_text(json.dumps(
        {"stamp": stamp, "runs": args.runs, "scale": args.scale, "speedup_2_over_1": speedup,
         "dask_over_local": overhead, "identical": identical,
         "results": {k: {x: y for x, y in v.items() if x != "table"} for k, v in results.items()}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
