"""Quick-start benchmark: the wall time of ``python run_sim.py`` (the baseline, plots and report on) against
the same run with ``--set outputs.plots=false``.

Each run is a fresh ``python run_sim.py`` process, started from the project root as a user starts it, with
``--out`` pointing at a temporary folder (the results go nowhere else; the work is the same). The two
commands alternate, ``--runs`` times each, so that both see the same machine; the script prints every
run, the best and the median of each command, their ratio (plots on over plots off: what the plots and
the report cost), the goal (the quick start within 1.5 s) with PASS/MISS, and the load average before and
after (a busy machine makes every figure slower: compare ratios measured in one session). ``--root``
times another checkout of the project in the same session, for a before/after comparison. The report goes
to standard output and to ``benchmarks/out/quickstart-<UTC timestamp>.json|md``.

    python benchmarks/bench_quickstart.py                        # 7 runs of each, about 20 s
    python benchmarks/bench_quickstart.py --runs 11 --root /tmp/before --root .
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "benchmarks" / "out"
GOAL_SECONDS = 1.5
COMMANDS = {"plots on": [], "plots off": ["--set", "outputs.plots=false"]}


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def timed_run(root: Path, extra: list[str], out: Path) -> float:
    """Wall seconds of one ``python run_sim.py [extra] --out out`` started in ``root``; raises if it fails."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "run_sim.py", *extra, "--out", str(out)], cwd=root,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{root}: run_sim.py {' '.join(extra)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    parser.add_argument("--root", action="append", type=Path, metavar="DIR",
                        help="a checkout of the project to time (repeatable; default: this one)")
    args = parser.parse_args()
    roots = [r.resolve() for r in (args.root or [ROOT])]
    for root in roots:
        if not (root / "run_sim.py").is_file():
            parser.error(f"--root {root}: no run_sim.py there")

    before = load()
    times: dict[tuple[str, str], list[float]] = {(str(r), c): [] for r in roots for c in COMMANDS}
    with tempfile.TemporaryDirectory() as tmp:
        for root in roots:                       # one unmeasured run each: byte-compile, warm the file cache
            for extra in COMMANDS.values():
                timed_run(root, extra, Path(tmp) / "warm")
        for k in range(args.runs):
            for root in roots:
                for name, extra in COMMANDS.items():
                    seconds = timed_run(root, extra, Path(tmp) / f"run{k}")
                    times[str(root), name].append(seconds)
                    print(f"run {k + 1}/{args.runs}  {root.name or root}  {name:9}  {seconds:.3f} s", file=sys.stderr)
    after = load()

    lines = [f"# Quick-start benchmark ({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)", "",
             f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; {args.runs} runs of "
             f"each command, alternating; load average {before} before, {after} after", "",
             "| checkout | command | best s | median s | all runs s |", "|---|---|---|---|---|"]
    summary = {}
    for root in roots:
        for name in COMMANDS:
            t = times[str(root), name]
            summary[str(root), name] = (min(t), statistics.median(t))
            lines.append(f"| {root} | {name} | {min(t):.3f} | {statistics.median(t):.3f} | "
                         f"{' '.join(f'{x:.2f}' for x in t)} |")
    lines += ["", "| checkout | plots on / plots off (best) | (median) | quick start within "
              f"{GOAL_SECONDS} s (median) |", "|---|---|---|---|"]
    for root in roots:
        (on_best, on_median), (off_best, off_median) = summary[str(root), "plots on"], summary[str(root), "plots off"]
        verdict = "PASS" if on_median <= GOAL_SECONDS else "MISS"
        lines.append(f"| {root} | {on_best / off_best:.2f} | {on_median / off_median:.2f} | {verdict} "
                     f"({on_median:.2f} s) |")
    report = "\n".join(lines) + "\n"
    print(report)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (OUT_DIR / f"quickstart-{stamp}.md").write_text(report, encoding="utf-8")
    (OUT_DIR / f"quickstart-{stamp}.json").write_text(json.dumps({
        "runs": args.runs, "load_before": before, "load_after": after, "goal_seconds": GOAL_SECONDS,
        "times": {f"{r} | {c}": t for (r, c), t in times.items()}}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
