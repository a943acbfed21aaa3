"""What-if page benchmark (issue 17 item 7): a what-if from the page at scale 100 with 10 replications, the time
from pressing run to the result page, then the identical repeat (a stored run reused), in one invocation.

The page runs in this process through Starlette's TestClient (no network), its jobs in the page's worker
process as in `serve`; the worker is started (spawned) before the clock starts, as a running server's is. The
same run's command-line equivalent, `run --reuse` on a fresh folder, is timed too, to show where the time goes
(the simulation, the plots and the report). Goals (reported, not enforced): the first answer within 5 s, the
repeat within 1 s.

    python benchmarks/bench_page.py [--replications 10] [--scale 100]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))           # run as a script from anywhere, no PYTHONPATH needed


def answer(client, form: dict) -> float:
    """Seconds from the form's POST to the result page (polling the job page as a browser's refresh does)."""
    start = time.perf_counter()
    location = client.post("/run", data=form, follow_redirects=False).headers["location"]
    while True:
        reply = client.get(location, follow_redirects=False)
        if reply.status_code == 303:
            client.get(reply.headers["location"])
            return time.perf_counter() - start
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--scale", type=int, default=100)
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from sim.web.app import make_app

    form = {"lever.zero_threshold_settlement": "on", "intensity.zero_threshold_settlement": "1",
            "start.zero_threshold_settlement": "2021-01-01", "districts.zero_threshold_settlement": "shinan",
            "replications": str(args.replications), "scale": str(args.scale)}
    with tempfile.TemporaryDirectory() as out:
        app = make_app(out)
        app.state.jobs.pool.submit(int, 0).result()          # the worker started, as a running server's is
        with TestClient(app) as client:
            first = answer(client, form)
            repeat = answer(client, form)
        scenario = next(Path(out, "web", "scenarios").glob("whatif-*.yaml"))
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "run", str(scenario), "--out",
                        str(Path(out) / "cli"), "--quiet"], check=True, capture_output=True)
        cli = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "run_sim.py"), "run", str(scenario), "--out",
                        str(Path(out) / "cli-noplots"), "--quiet", "--set", "outputs.plots=false"],
                       check=True, capture_output=True)
        bare = time.perf_counter() - start
    print(f"what-if from the page, scale {args.scale}, {args.replications} replications:")
    print(f"  first answer       {first:6.2f} s   goal 5 s: {'PASS' if first <= 5 else 'MISS'}")
    print(f"  identical repeat   {repeat:6.2f} s   goal 1 s: {'PASS' if repeat <= 1 else 'MISS'}")
    print(f"  the same from the command line (a fresh process): {cli:.2f} s with the report, {bare:.2f} s without")


if __name__ == "__main__":
    main()
