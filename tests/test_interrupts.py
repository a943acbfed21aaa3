"""Ctrl-C while a command starts, plans or runs its first replication (issue 14): exit code 130, one
``interrupted:`` line that is true, nothing left under ``--out`` (or only what was there before), and a
Dask cluster started for the sweep closed again. Each test raises KeyboardInterrupt where a real Ctrl-C
would land, in this process through ``cli.main``."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from sim import cli
from sim.experiment import executor as executor_module
from sim.experiment import pipeline
from sim.experiment import sweep as sweep_module
from sim.model import Model
from sim.output import comparison, run_folder
from tests.conftest import run_main
from tests.test_sweep import fake_run_task, write_spec

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CALIBRATION = ROOT / "scenarios" / "calibration" / "backcast_fit.yaml"
SMALL = ["--set", "population.scale=5000", "--set", "period.end=2021-06-30"]
#: what the sweep command says when no run had finished
NOTHING = "interrupted: before any run finished; nothing was written\n"


def ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


def interrupted(capsys, *args) -> str:
    """Run the command line; assert exit 130 and one line without a traceback; return it."""
    code, out, err = run_main(capsys, *args)
    assert code == 130, err
    assert err.startswith("interrupted: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert "written to" not in out
    return err


def everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


# -- the sweep command -------------------------------------------------------------------------------

SWEEP_STEPS = {
    # where Ctrl-C lands: (what raises it, the options)
    "loading the spec": (lambda mp: mp.setattr(cli, "load_sweep", ctrl_c), []),
    "timing one run for --dry-run": (lambda mp: mp.setattr(pipeline, "run_task", ctrl_c), ["--dry-run"]),
    "timing one run for --budget": (lambda mp: mp.setattr(pipeline, "run_task", ctrl_c), ["--budget", "100"]),
    "planning the runs": (lambda mp: mp.setattr(pipeline, "plan", ctrl_c), []),
    "reading the store": (lambda mp: mp.setattr(pipeline, "stored_records", ctrl_c), []),
    "the first run, in this process": (lambda mp: mp.setattr(sweep_module, "run_task", ctrl_c), []),
    "the first runs, on the pool": (lambda mp: mp.setattr(executor_module, "_first_finished", ctrl_c),
                                    ["--workers", "2"]),
}


@pytest.mark.parametrize("step", SWEEP_STEPS)
def test_ctrl_c_before_a_sweep_stores_a_run_leaves_nothing(capsys, tmp_path, monkeypatch, step):
    patch, options = SWEEP_STEPS[step]
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "results" / "sweeps" / "tiny"
    patch(monkeypatch)
    if "--workers" not in options:
        options = [*options, "--workers", "1"]
    assert interrupted(capsys, "sweep", spec, *options, "--out", out, "--quiet") == NOTHING
    assert not (tmp_path / "results").exists()            # nor the folders above the sweep's


def test_ctrl_c_before_the_first_run_leaves_an_existing_folder_as_it_was(capsys, tmp_path, monkeypatch):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    monkeypatch.setattr(sweep_module, "run_task", ctrl_c)
    assert interrupted(capsys, "sweep", spec, "--workers", "1", "--out", out, "--quiet") == NOTHING
    assert everything(out) == ["notes.txt"]


def test_ctrl_c_before_the_first_new_run_keeps_the_earlier_ones_and_says_so(capsys, tmp_path, monkeypatch):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    monkeypatch.setattr(sweep_module, "run_task", fake_run_task)
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in (out / "runs").iterdir()}
    more = write_spec(tmp_path, policies=None, replications=2)          # two more runs to do
    monkeypatch.setattr(sweep_module, "run_task", ctrl_c)
    err = interrupted(capsys, "sweep", more, "--workers", "1", "--out", out, "--quiet")
    assert err == (f"interrupted: the runs finished so far are kept in {out / 'runs'}; run the same command "
                   "again to continue\n")
    assert {p: p.read_bytes() for p in (out / "runs").iterdir()} == before


@pytest.mark.slow
@pytest.mark.parametrize("where, presses", [("the cluster's start", 1), ("the client's connection", 1),
                                            ("the client's connection", 2)])
def test_ctrl_c_while_the_dask_cluster_starts_closes_it_and_leaves_nothing(capsys, tmp_path, monkeypatch, where,
                                                                           presses):
    """A real SIGINT: held until the cluster has started (then it is closed whole), or at once when pressed
    twice."""
    import distributed
    from distributed.core import Status

    started = []

    def ctrl_c_pressed():
        for _ in range(presses):
            os.kill(os.getpid(), signal.SIGINT)

    class Recorded(distributed.LocalCluster):
        def __init__(self, *args, **kwargs):
            if where == "the cluster's start":
                ctrl_c_pressed()
            started.append(self)
            super().__init__(*args, **kwargs)

    def client(*args, **kwargs):
        ctrl_c_pressed()
        return Client(*args, **kwargs)

    Client = distributed.Client
    monkeypatch.setattr(distributed, "LocalCluster", Recorded)
    if where == "the client's connection":
        monkeypatch.setattr(distributed, "Client", client)
    children = set(multiprocessing.active_children())
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    assert interrupted(capsys, "sweep", spec, "--dask-local", "1", "--out", out, "--quiet") == NOTHING
    assert not out.exists()
    [cluster] = started
    assert cluster.status == Status.closed
    deadline = time.monotonic() + 10
    while set(multiprocessing.active_children()) - children and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(multiprocessing.active_children()) - children          # its worker processes ended
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_dask_scheduler_that_cannot_be_reached_leaves_nothing_either(capsys, tmp_path):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    code, _, err = run_main(capsys, "sweep", spec, "--dask", "tcp://127.0.0.1:1", "--out", out, "--quiet")
    assert code == 2 and "cannot reach the Dask scheduler" in err and err.count("\n") == 1
    assert not out.exists()


# -- run, compare, calibrate -------------------------------------------------------------------------

def _loading_fails_on_call(monkeypatch, n: int) -> None:
    """``cli.load_scenario`` interrupted at its ``n``-th call (compare loads two scenarios)."""
    real, calls = cli.load_scenario, []

    def load(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(cli, "load_scenario", load)


STARTS = {
    "run: loading the scenario": (["run", BASELINE, *SMALL], lambda mp: _loading_fails_on_call(mp, 1)),
    "run: the first replication": (["run", BASELINE, *SMALL], lambda mp: mp.setattr(Model, "run", ctrl_c)),
    "compare: loading the scenario": (["compare", BASELINE, *SMALL], lambda mp: _loading_fails_on_call(mp, 1)),
    "compare: loading the base": (["compare", BASELINE, *SMALL], lambda mp: _loading_fails_on_call(mp, 2)),
    "compare: the first replication": (["compare", BASELINE, *SMALL], lambda mp: mp.setattr(Model, "run", ctrl_c)),
    "run: writing its folder": (["run", BASELINE, *SMALL], lambda mp: mp.setattr(run_folder, "provenance", ctrl_c)),
    "compare: writing its folder": (["compare", BASELINE, *SMALL], lambda mp: mp.setattr(comparison, "provenance",
                                                                                      ctrl_c)),
    "calibrate: loading the spec": (["calibrate", CALIBRATION], lambda mp: mp.setattr(cli, "load_calibration",
                                                                                       ctrl_c)),
    "calibrate: the first replication": (["calibrate", CALIBRATION], lambda mp: mp.setattr(Model, "run", ctrl_c)),
    "backtest: the first replication": (["backtest", CALIBRATION.with_name("backtest_urbanization.yaml")],
                                        lambda mp: mp.setattr(Model, "run", ctrl_c)),
}


@pytest.mark.parametrize("start", STARTS)
def test_ctrl_c_while_a_command_starts_or_writes_leaves_nothing(capsys, tmp_path, monkeypatch, start):
    args, patch = STARTS[start]
    patch(monkeypatch)
    out = tmp_path / "results"
    assert interrupted(capsys, *args, "--out", out, "--quiet") == "interrupted: nothing was written\n"
    assert not out.exists()                        # nor the folders the results go in
