"""Sweeps: the spec's validation, the plan, purity, determinism across executors, resume after SIGKILL,
retries of dead workers, dry run and budget."""

from __future__ import annotations

import csv
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim import cli
from sim.core.catalogue import INDICATOR_NAMES
from sim.experiment import store as store_module
from sim.experiment.executor import ExecutorError, run_dask, run_local
from sim.experiment.pipeline import executor, run_sweep
from sim.experiment.spec import load_sweep
from sim.experiment.store import Store
from sim.experiment.sweep import plan, run_task
from sim.model import Model
from sim.output.yearly import yearly_values
from sim.scenario import ScenarioError, validate
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
#: a small sweep: 4 grid points x 2 policies x 2 replications of one simulated year at 2,000 agents
SMALL_SPEC = {
    "name": "tiny",
    "base": str(ROOT / "scenarios" / "baseline.yaml"),
    "set": {"population.scale": 5000, "period.end": "2021-12-31"},
    "design": "grid",
    "replications": 2,
    "seed": 3,
    "parameters": {"behaviour.hukou.nonlocal_conversion_hazard_per_year": {"values": [0.02, 0.08]},
                   "policies.zero_threshold_settlement.intensity": {"values": [0, 1]}},
    "policies": {"none": {}, "talent": {"policies.talent_attraction.intensity": 1}},
    "outputs": ["urbanization_rate@2021", "pingdu:hukou_urbanization_rate@2021", "hukou_conversions@2021"],
}


def write_spec(tmp_path: Path, **changes) -> Path:
    """The small spec with top-level keys replaced (``None`` removes one), as a YAML file."""
    data = {k: v for k, v in {**SMALL_SPEC, **changes}.items() if v is not None}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# -- the spec --------------------------------------------------------------------------------------


def test_the_examples_are_valid():
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")):
        sweep = load_sweep(path)
        assert sweep.parameters and sweep.outputs, path


def test_plan_size_order_and_keys(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    tasks = plan(sweep)
    assert len(tasks) == 4 * 2 * 2                          # grid points x policies x replications
    assert [(t.policy, t.point, t.replication) for t in tasks][:3] == [("none", 0, 0), ("none", 0, 1),
                                                                        ("none", 1, 0)]
    assert len({t.key for t in tasks}) == len(tasks)
    assert [t.key for t in plan(load_sweep(write_spec(tmp_path)))] == [t.key for t in tasks]
    assert tasks[0].scenario["population"]["scale"] == 5000 and tasks[0].scenario["seed"] == 3
    assert tasks[8].scenario["policies"]["talent_attraction"]["intensity"] == 1


def test_the_key_follows_the_code_version(tmp_path, monkeypatch):
    task = plan(load_sweep(write_spec(tmp_path)))[0]
    monkeypatch.setattr(store_module, "code_version", lambda: "another version")
    assert store_module.run_key(task.scenario, task.replication) != task.key


@pytest.mark.parametrize("change, field, words", [
    ({"what": 1}, "what", "unknown key"),
    ({"design": "factorial"}, "design", "must be one of 'grid', 'lhs', 'sobol', 'morris'; got 'factorial'"),
    ({"design": "gird"}, "design", "did you mean 'grid'?"),
    ({"parameters": {"behaviour.hukou.nonlocal_conversion_hazard": {"low": 0, "high": 1}}},
     "parameters.behaviour.hukou.nonlocal_conversion_hazard", "did you mean 'nonlocal_conversion_hazard_per_year'"),
    ({"parameters": {"name": {"low": 0, "high": 1}}}, "parameters.name",
     "'name' is text; expected a setting that is a number or a whole number"),
    ({"parameters": {"policies.rural_talent_service.posting_months": {"low": 5, "high": 1}}},
     "parameters.policies.rural_talent_service.posting_months", "below high"),
    ({"parameters": {"behaviour.hukou.min_insurance_years": {"low": 0, "high": 2, "log": True}}},
     "parameters.behaviour.hukou.min_insurance_years.low", "log: true needs low > 0"),
    ({"parameters": {"behaviour.hukou.min_insurance_years": {"low": 0, "high": 80}}},
     "parameters.behaviour.hukou.min_insurance_years.high", "outside the setting's range"),
    ({"outputs": ["urbanisation_rate@2021"]}, "outputs", "did you mean 'urbanization_rate'"),
    ({"outputs": ["urbanization_rate@2025"]}, "outputs", "the runs simulate 2021 to 2021"),
    ({"outputs": ["pingdu:rail_transit_operating_km@2021"]}, "outputs", "city-wide"),
    ({"outputs": "urbanization_rate"}, "outputs", "expected a list like [urbanization_rate@2023"),
    ({"policies": {"bad": {"policies.talent_attraction.intensity": 3}}}, "policies.talent_attraction.intensity",
     "between 0 and 1"),
    ({"replications": 0}, "replications", "must be between 1 and 1000, got 0"),
    ({"base": "nowhere.yaml"}, None, "not found"),
    # the shared validator's forms: did you mean, the dotted path of a wrong type, what is allowed
    ({"replicatons": 2}, "replicatons", "unknown key 'replicatons'; did you mean 'replications'? (allowed: name,"),
    ({"seed": "seven"}, "seed", "expected a whole number, got 'seven' (str)"),
    ({"base": None}, "base", "a value is required (text): the scenario file the sweep varies"),
    ({"parameters": {"behaviour.hukou.min_insurance_years": {"low": "zero", "high": 2}}},
     "parameters.behaviour.hukou.min_insurance_years.low", "expected a number, got 'zero' (str)"),
    ({"parameters": {"behaviour.hukou.min_insurance_years": {"low": 0, "hihg": 2}}},
     "parameters.behaviour.hukou.min_insurance_years.hihg", "did you mean 'high'? (allowed: low, high, log, values)"),
    ({"parameters": {"behaviour.hukou.min_insurance_years": [0, 2]}},
     "parameters.behaviour.hukou.min_insurance_years", "expected a mapping of settings, got a list"),
    ({"parameters": {}}, "parameters", "expected at least one dotted setting"),
    ({"set": {"population.scle": 1000}}, "set.population.scle", "did you mean 'scale'?"),
    ({"set": {"seed.x": 1}}, "set.seed.x", "'seed' is a single value"),
    ({"policies": {"talent": {"policies.talent_atraction.intensity": 1}}},
     "policies.talent.policies.talent_atraction.intensity", "did you mean 'talent_attraction'?"),
    ({"policies": [1]}, "policies", "expected a mapping of names to settings, got a list"),
    # a policy's name becomes a plot's file name and a cell of runs.csv: the scenario names' rule
    ({"policies": {"../../x/pwned": {}}}, "policies", "a policy name must be letters, digits, '_', '-' and '.', "
     "up to 64 characters, starting with a letter or digit; got '../../x/pwned'"),
    ({"policies": {"a/b": {}}}, "policies", "got 'a/b'"),
    ({"policies": {"two\nlines": {}}}, "policies", "got 'two\\nlines'"),
    ({"policies": {"=HYPERLINK(1)": {}}}, "policies", "got '=HYPERLINK(1)'"),
    ({"policies": {"x" * 65: {}}}, "policies", "up to 64 characters"),
    ({"outputs": []}, "outputs", "expected at least 1 item(s)"),
    ({"budget_minutes": "soon"}, "budget_minutes", "expected a number, got 'soon' (str)"),
    # the design's own limits, named by their field instead of a traceback
    ({"design": "sobol", "samples": 10}, "samples", "power of 2 for the sobol design, got 10; use 8 or 16"),
    ({"parameters": {"policies.rural_talent_service.posting_months": {"values": [3, 3]}}},
     "parameters.policies.rural_talent_service.posting_months", "values repeat"),
    # the sweep sets every run's seed and replications itself: varying or fixing them would be overwritten
    ({"parameters": {"seed": {"low": 1, "high": 5}}}, "parameters.seed", "the sweep's own seed"),
    ({"parameters": {"replications": {"values": [1, 2]}}}, "parameters.replications", "the sweep's own replications"),
    ({"set": {"population.scale": 5000, "seed": 5}}, "set.seed", "the sweep's own seed"),
    ({"set": {"population.scale": 5000, "replications": 3}}, "set.replications", "the sweep's own replications"),
    ({"policies": {"a": {"seed": 1}}}, "policies.a.seed", "the sweep's own seed"),
    # a setting given twice: the later (policy over set, parameter over both) replaced the other without a word
    ({"set": {"population.scale": 5000, "policies.talent_attraction.intensity": 0.5}},
     "policies.talent.policies.talent_attraction.intensity", "also set by set.policies.talent_attraction.intensity"),
    ({"set": {"population.scale": 5000, "behaviour.hukou.nonlocal_conversion_hazard_per_year": 0.05}},
     "parameters.behaviour.hukou.nonlocal_conversion_hazard_per_year",
     "also set by set.behaviour.hukou.nonlocal_conversion_hazard_per_year: the swept value would replace"),
    ({"policies": {"zts": {"policies.zero_threshold_settlement": {"intensity": 0.5}}}},
     "parameters.policies.zero_threshold_settlement.intensity",
     "also set by policies.zts.policies.zero_threshold_settlement"),
    # design sizes and levels the samplers cannot use
    ({"design": "morris", "levels": 3}, "levels", "levels must be an even number"),
    ({"parameters": {"policies.zero_threshold_settlement.intensity": {"values": [0.5, 0.5]}}},
     "parameters.policies.zero_threshold_settlement.intensity", "values repeat"),
    ({"parameters": {"policies.rural_talent_service.posting_months": {"values": [2, 2.0, 3]}}},
     "parameters.policies.rural_talent_service.posting_months", "values repeat"),
    # a whole-number setting's range or levels must be whole numbers, named down to the end that is not
    ({"parameters": {"policies.rural_talent_service.posting_months": {"low": 1.5, "high": 6}}},
     "parameters.policies.rural_talent_service.posting_months.low", "a whole-number setting; got 1.5"),
    ({"parameters": {"policies.rural_talent_service.posting_months": {"low": 1, "high": 6.5}}},
     "parameters.policies.rural_talent_service.posting_months.high", "a whole-number setting; got 6.5"),
    ({"parameters": {"policies.rural_talent_service.posting_months": {"values": [1, 2.5]}}},
     "parameters.policies.rural_talent_service.posting_months.values", "a whole-number setting; got 2.5"),
])
def test_bad_specs_exit_2_naming_the_field(capsys, tmp_path, change, field, words):
    spec = write_spec(tmp_path, **change)
    with pytest.raises(ScenarioError) as err:
        load_sweep(spec)
    assert err.value.field == field and words in str(err.value)
    code = cli.main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--quiet"])
    message = capsys.readouterr().err
    assert code == 2 and words in message and "Traceback" not in message and message.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text, field", [("", None), ("replicatons: 3\n", "replicatons")], ids=["empty", "typo"])
def test_a_mistake_in_the_base_scenarios_own_file_is_blamed_on_that_file(tmp_path, text, field):
    # before: 'tiny.yaml: the file is empty', 'tiny.yaml: replicatons: unknown key' (the spec blamed)
    base = tmp_path / "base.yaml"
    base.write_text(text and f"extends: {SMALL_SPEC['base']}\n{text}", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_sweep(write_spec(tmp_path, base="base.yaml"))
    assert (err.value.file, err.value.field) == (str(base), field), str(err.value)
    assert "(the base scenario" in err.value.message


# -- purity and determinism ------------------------------------------------------------------------


def test_a_task_is_the_model_run(tmp_path):
    task = plan(load_sweep(write_spec(tmp_path)))[5]
    record = run_task(task)
    result = Model(validate(task.scenario), task.replication).run()
    expected = yearly_values(result)[2021][0, INDICATOR_NAMES.index("urbanization_rate")]
    assert record["outputs"]["urbanization_rate@2021"] == expected
    assert run_task(task)["outputs"] == record["outputs"]


@pytest.mark.slow
def test_the_same_runs_csv_with_any_executor(tmp_path):
    sweep = load_sweep(write_spec(tmp_path))
    tables = {}
    for name, (workers, dask_local) in {"one": (1, None), "two": (2, None), "dask": (2, 2)}.items():
        runner, info = executor(workers, None, dask_local)
        run_sweep(sweep, tmp_path / name, runner, info, progress=False)
        tables[name] = (tmp_path / name / "runs.csv").read_bytes()
    assert tables["one"] == tables["two"] == tables["dask"]
    rows = read_rows(tmp_path / "one" / "runs.csv")
    assert len(rows) == 16 and len({r["run_id"] for r in rows}) == 16
    assert len({r["urbanization_rate@2021"] for r in rows}) > 1


# -- executors -------------------------------------------------------------------------------------


def square_or_die_once(task):
    """A task that kills its worker process the first time it runs (a marker file remembers)."""
    value, marker = task
    if marker is not None and not os.path.exists(marker):
        Path(marker).write_text("died once")
        os._exit(1)
    return value * value


def always_die(task):
    os._exit(1)


@pytest.mark.parametrize("method", ["fork", pytest.param("spawn", marks=pytest.mark.slow)])
def test_a_dead_worker_is_replaced_and_its_run_retried(tmp_path, method):
    results = {}                     # one death among the first window of runs, one among the last
    tasks = [(k, str(tmp_path / f"marker{k}") if k in (3, 25) else None) for k in range(30)]
    run_local(square_or_die_once, tasks, 2, lambda i, r: results.__setitem__(i, r), method=method)
    assert results == {k: k * k for k in range(30)}
    assert (tmp_path / "marker3").exists() and (tmp_path / "marker25").exists()


@pytest.mark.slow
def test_spawned_workers_give_the_same_records_as_this_process(tmp_path):
    tasks = plan(load_sweep(write_spec(tmp_path)))[:4]
    here, spawned = {}, {}
    run_local(run_task, tasks, 1, lambda i, r: here.__setitem__(i, r["outputs"]))
    run_local(run_task, tasks, 2, lambda i, r: spawned.__setitem__(i, r["outputs"]), method="spawn")
    assert here == spawned


@pytest.mark.slow
def test_a_run_that_always_kills_its_worker_stops_the_sweep():
    with pytest.raises(ExecutorError, match="died 3 times in a row"):
        run_local(always_die, [1, 2], 2, lambda i, r: None)


def slow_square(value):
    time.sleep(0.01)
    return value * value


class InFlight:
    """Counts what an executor has submitted and not yet handed to ``on_done``: its most at any time."""

    def __init__(self) -> None:
        self.submitted, self.results, self.most = 0, {}, 0

    def submitting(self) -> None:
        self.submitted += 1
        self.most = max(self.most, self.submitted - len(self.results))

    def on_done(self, i, result) -> None:
        assert i not in self.results            # once per task
        self.results[i] = result


def test_the_bounded_loop_keeps_its_window_and_runs_each_task_once():
    from concurrent.futures import Future

    from sim.experiment.executor import run_bounded

    rng = np.random.default_rng(1)
    seen = InFlight()

    def submit(i):
        seen.submitting()
        future = Future()
        future.set_result(i * i)
        return future

    def finished(unfinished):                   # any non-empty share of them, in any order
        pick = list(unfinished)
        rng.shuffle(pick)
        return pick[:rng.integers(1, len(pick) + 1)]

    run_bounded(submit, finished, range(100), lambda: 7, seen.on_done)
    assert seen.results == {i: i * i for i in range(100)} and seen.most == 7


def test_the_local_pool_submits_a_window_at_a_time(monkeypatch):
    from sim.experiment import executor as executor_module

    seen = InFlight()

    class Counted(executor_module.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            seen.submitting()
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(executor_module, "ProcessPoolExecutor", Counted)
    run_local(slow_square, list(range(40)), 2, seen.on_done, method="fork")
    window = executor_module.IN_FLIGHT_PER_WORKER * 2
    assert seen.results == {k: k * k for k in range(40)}
    assert seen.most == window                 # never more, and the workers were kept fed


def test_a_dask_cluster_gets_a_window_at_a_time():
    """On a quick in-process cluster of two one-thread workers: the same loop as on remote schedulers."""
    from distributed import Client, LocalCluster

    from sim.experiment.executor import IN_FLIGHT_PER_WORKER, run_on_client

    seen = InFlight()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        submit = client.submit

        def counted(*args, **kwargs):
            seen.submitting()
            return submit(*args, **kwargs)

        client.submit = counted
        run_on_client(client, slow_square, list(range(40)), seen.on_done)
    assert seen.results == {k: k * k for k in range(40)} and seen.most == IN_FLIGHT_PER_WORKER * 2


@pytest.mark.slow
def test_dask_local_submits_a_window_at_a_time_and_starts_nothing_for_no_task(monkeypatch):
    from distributed import Client

    from sim.experiment.executor import IN_FLIGHT_PER_WORKER

    seen = InFlight()
    submit = Client.submit

    def counted(self, *args, **kwargs):
        seen.submitting()
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(Client, "submit", counted)
    run_dask(slow_square, list(range(30)), seen.on_done, local_workers=2)
    assert seen.results == {k: k * k for k in range(30)} and seen.most == IN_FLIGHT_PER_WORKER * 2
    monkeypatch.setattr(Client, "__init__", lambda *a, **k: pytest.fail("no cluster for no task"))
    run_dask(slow_square, [], seen.on_done, local_workers=2)


def test_dask_needs_a_reachable_scheduler():
    started = time.perf_counter()
    with pytest.raises(ExecutorError) as err:          # nothing listens there: said at once, not after 2 s
        run_dask(square_or_die_once, [(1, None)], lambda i, r: None, address="tcp://127.0.0.1:9",
                 timeout_seconds=2)
    assert err.value.bad_input and "cannot reach" in str(err.value) and time.perf_counter() - started < 1.5


# -- resume ----------------------------------------------------------------------------------------


def _sweep_process(spec: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "run_sim.py", "sweep", str(spec), "--workers", "1", "--out", str(out),
                             "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


@pytest.mark.slow
def test_killed_with_sigkill_and_restarted_every_run_once(tmp_path):
    spec = write_spec(tmp_path)
    whole = tmp_path / "whole"
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(whole), "--quiet"]) == 0
    out = tmp_path / "killed"
    for stop_after in (2, 7):                      # two kills at different points, mid-run
        process = _sweep_process(spec, out)
        deadline = time.monotonic() + 60
        while len(Store(out).done()) < stop_after and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert not (out / "runs.csv").exists()
        assert all(p.suffix == ".json" or p.name.startswith(".tmp-") for p in (out / "runs").iterdir())
    done_before = len(Store(out).done())
    assert 7 <= done_before < 16
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    assert "16 runs (" in capsys_free_manifest(out)
    assert (out / "runs.csv").read_bytes() == (whole / "runs.csv").read_bytes()
    assert not list((out / "runs").glob(".tmp-*"))
    assert len(list((out / "runs").glob("*.json"))) == 16


def capsys_free_manifest(folder: Path) -> str:
    import json

    manifest = json.loads((folder / "manifest.json").read_text())
    return f"{manifest['runs']} runs ({manifest['runs_this_time']} run now)"


# -- dry run, budget, sensitivity ------------------------------------------------------------------


def test_dry_run_counts_estimates_and_writes_nothing(capsys, tmp_path):
    code = cli.main(["sweep", str(write_spec(tmp_path)), "--dry-run", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0 and "16 runs (0 already done, 16 to run)" in out and "min with" in out and "MB" in out
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_sweep_over_budget_is_refused_unless_forced(capsys, tmp_path):
    spec = write_spec(tmp_path)
    code = cli.main(["sweep", str(spec), "--budget", "0.00001", "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2 and "over the budget" in capsys.readouterr().err
    assert not (tmp_path / "out" / "runs.csv").exists()
    code = cli.main(["sweep", str(spec), "--budget", "0.00001", "--force", "--workers", "1",
                     "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 0 and len(read_rows(tmp_path / "out" / "runs.csv")) == 16


@pytest.mark.slow
def test_sobol_sweep_writes_indices_and_plots(capsys, tmp_path):
    spec = write_spec(tmp_path, design="sobol", samples=4, replications=1, policies=None, parameters={
        "behaviour.hukou.nonlocal_conversion_hazard_per_year": {"low": 0.02, "high": 0.08, "log": True},
        "policies.zero_threshold_settlement.intensity": {"low": 0, "high": 1}})
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    rows = read_rows(tmp_path / "out" / "sensitivity.csv")
    assert {(r["index"], r["parameter"]) for r in rows if r["output"] == "urbanization_rate@2021"} == {
        (i, p) for i in ("S1", "ST") for p in ("behaviour.hukou.nonlocal_conversion_hazard_per_year",
                                               "policies.zero_threshold_settlement.intensity")}
    assert len(read_rows(tmp_path / "out" / "runs.csv")) == 4 * (2 + 2)
    assert {p.name for p in (tmp_path / "out" / "plots").iterdir()} == {"sensitivity.png",
                                                                        "outputs_vs_parameters.png"}
    assert np.isfinite([float(r["value"]) for r in rows if r["value"]]).all()
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")        # the sweep's report
    assert 'id="sensitivity-csv"' in page and page.count("data:image/png;base64,") == 2
    assert "Design: sobol" in page and "设计: sobol" in page


def test_the_code_version_covers_the_model_not_the_presentation():
    from sim.experiment.store import _counts

    root = ROOT / "sim"
    assert _counts(root / "model.py", root) and _counts(root / "policy" / "lever.py", root)
    assert _counts(root / "data" / "census.yaml", root) and _counts(root / "experiment" / "sweep.py", root)
    assert not _counts(root / "output" / "report" / "charts.py", root) and not _counts(root / "cli.py", root)
    assert not _counts(root / "experiment" / "sensitivity.py", root)
    assert _counts(root / "output" / "yearly.py", root) and not _counts(root / "output" / "formats.py", root)


@pytest.mark.slow
def test_a_finished_sweep_is_estimated_from_its_store(capsys, tmp_path, monkeypatch):
    spec = write_spec(tmp_path)
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    import sim.experiment.pipeline as pipeline

    monkeypatch.setattr(pipeline, "run_task", lambda task: pytest.fail("nothing should run"))
    capsys.readouterr()
    assert cli.main(["sweep", str(spec), "--dry-run", "--out", str(tmp_path / "out")]) == 0
    assert "16 runs (16 already done, 0 to run)" in capsys.readouterr().out


# -- the size of a sweep ---------------------------------------------------------------------------

THREE_RANGES = {"behaviour.hukou.nonlocal_conversion_hazard_per_year": {"low": 0.02, "high": 0.08},
                "policies.zero_threshold_settlement.intensity": {"low": 0, "high": 1},
                "behaviour.in_migration.rate_per_year": {"low": 0.01, "high": 0.05}}
#: the CLI in a fresh process with at most this much address space: a sweep that materialised its
#: design before counting it (22 GB for the grid below) dies of a MemoryError instead of eating the machine
MEMORY_CAP = 2 * 1024 ** 3


def _capped_cli(*args: str, timeout: float = 30) -> tuple[subprocess.CompletedProcess, float]:
    import resource

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "run_sim.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=cap)
    return done, time.perf_counter() - started


@pytest.mark.parametrize("change, field, words", [
    ({"design": "grid", "grid_points": 1000}, "grid_points",
     "1,000,000,000 runs (1,000,000,000 design points x 1 policy x 1 replication)"),
    ({"design": "lhs", "samples": 1_000_000}, "samples", "1,000,000 runs (1,000,000 design points"),
    ({"design": "lhs", "samples": 60_000, "policies": {"a": {}, "b": {}}}, "policies", "120,000 runs"),
    ({"design": "sobol", "samples": 8192, "replications": 3}, "replications",
     "122,880 runs (40,960 design points x 1 policy x 3 replications)"),
])
@pytest.mark.parametrize("option", [["--dry-run"], ["--budget", "1"]])
def test_a_sweep_over_the_maximum_is_refused_at_once_without_planning(tmp_path, change, field, words, option):
    spec = write_spec(tmp_path, **{"replications": 1, "policies": None, "parameters": THREE_RANGES, **change})
    done, elapsed = _capped_cli("sweep", str(spec), *option, "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 2, done.stderr[-2000:]
    assert f": {field}: {words}" in done.stderr and "over the maximum of 100,000 runs" in done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert elapsed < 3, elapsed                 # the CLI's start-up and the spec's check, nothing sampled
    assert not (tmp_path / "out").exists()


def test_a_sweep_at_the_maximum_is_estimated_in_about_a_second(tmp_path):
    spec = write_spec(tmp_path, design="lhs", samples=100_000, replications=1, policies=None,
                      parameters=THREE_RANGES)
    out = str(tmp_path / "out")
    done, elapsed = _capped_cli("sweep", str(spec), "--dry-run", "--out", out)
    assert done.returncode == 0 and "100,000 runs (0 already done, 100,000 to run)" in done.stdout, done.stderr
    assert elapsed < 3, elapsed              # start-up, the spec's check and one timed run: nothing planned
    done, elapsed = _capped_cli("sweep", str(spec), "--budget", "1", "--out", out, "--quiet")
    assert done.returncode == 2 and ": --budget: the sweep would take about" in done.stderr, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and elapsed < 3, elapsed
    assert not (tmp_path / "out").exists()


def test_the_plan_keys_each_run_by_its_fully_loaded_scenario(tmp_path, monkeypatch):
    import sim.experiment.sweep as sweep_module

    spec = write_spec(tmp_path, parameters={**SMALL_SPEC["parameters"], "policies.rural_talent_service.posting_months":
                                            {"low": 1, "high": 12}}, design="lhs", samples=6)
    sweep = load_sweep(spec)
    X = sweep_module.points(sweep)
    names = [name for name, _ in sweep.policies]

    def loaded(task):
        return sweep.scenario(names.index(task.policy), X[task.point]).to_dict()

    tasks = plan(sweep)
    assert len({id(t.base) for t in tasks}) == len(names)        # one scenario held per policy, not per run
    for task in tasks:
        assert task.scenario == loaded(task) and task.key == store_module.run_key(loaded(task), task.replication)
    # should writing the settings in ever differ from loading, each point is loaded: the same keys
    monkeypatch.setattr(sweep_module.KeyTemplate, "key", lambda self, settings, r: "not the key")
    assert [t.key for t in plan(sweep)] == [t.key for t in tasks]


# -- a store that cannot be wedged -----------------------------------------------------------------

def fake_run_task(task):
    """A run's record without the simulation: outputs a smooth function of the point (NaN where the first
    parameter is above the middle of its range and the output is 'pingdu:...', to stand for an undefined rate)."""
    x = np.array(task.values)
    outputs = {}
    for label, zone, *_ in task.outputs:
        value = float(x.sum() + 0.1 * task.replication + len(label))
        outputs[label] = float("nan") if zone == "pingdu" and x[0] > 0.05 else value
    return {"key": task.key, "policy": task.policy, "point": task.point, "replication": task.replication,
            "values": list(task.values), "outputs": outputs, "events": 0, "wall_seconds": 0.001}


@pytest.fixture
def fake_runs(monkeypatch):
    """Sweeps in this process run ``fake_run_task``; returns the list of keys each call ran."""
    import sim.experiment.pipeline as pipeline
    import sim.experiment.sweep as sweep_module

    ran = []

    def run(task):
        ran.append(task.key)
        return fake_run_task(task)

    monkeypatch.setattr(sweep_module, "run_task", run)
    monkeypatch.setattr(pipeline, "run_task", run)
    return ran


def _sweep_cli(spec: Path, out: Path, *extra: str) -> list[str]:
    return ["sweep", str(spec), "--workers", "1", "--out", str(out), "--quiet", *extra]


DAMAGES = {
    "cut short": lambda path: path.write_bytes(path.read_bytes()[:40]),
    "garbage": lambda path: path.write_bytes(b"\x00\xff\xfe not json at all"),
    "empty": lambda path: path.write_bytes(b""),
    "a folder": lambda path: (path.unlink(), path.mkdir(), (path / "x").write_text("x")),
    "edited": lambda path: path.write_text(path.read_text().replace('"urbanization_rate@2021": ',
                                                                    '"urbanization_rate@2021": 1')),
    "another run's": lambda path: path.write_bytes(next(p for p in path.parent.glob("*.json")
                                                        if p != path).read_bytes()),
    # read through the link, without end, before (a MemoryError after eating the machine's memory)
    "a link to an endless file": lambda path: (path.unlink(), path.symlink_to("/dev/zero")),
    "a link to another file": lambda path: (path.unlink(), path.symlink_to(path.parent.parent / "sweep.yaml")),
    "a FIFO": lambda path: (path.unlink(), os.mkfifo(path)),            # waited for a writer for ever before
}
REASONS = {"cut short": "is not valid JSON", "garbage": "is not valid JSON", "empty": "is empty",
           "a folder": "is a folder", "edited": "does not match its checksum",
           "another run's": "holds another run's record", "a link to an endless file": "is a symbolic link",
           "a link to another file": "is a symbolic link", "a FIFO": "is not a plain file"}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_record_is_set_aside_with_a_warning_and_run_again(capsys, tmp_path, fake_runs, damage):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    assert cli.main(_sweep_cli(spec, out)) == 0
    whole = (out / "runs.csv").read_bytes()
    victim = sorted((out / "runs").glob("*.json"))[1]
    DAMAGES[damage](victim)
    capsys.readouterr()
    fake_runs.clear()
    # a dry run says so and moves nothing
    assert cli.main(["sweep", str(spec), "--dry-run", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "4 runs (3 already done, 1 to run)" in captured.out
    assert f"warning: {victim} {REASONS[damage]}" in captured.err and "it will be set aside" in captured.err
    assert victim.exists() and not list(victim.parent.glob("*.damaged-*"))
    # the sweep sets it aside, runs it again, and ends with the table of an undamaged sweep
    assert cli.main(_sweep_cli(spec, out)) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"warning: {victim} {REASONS[damage]}") and f"set aside as {victim.name}.damaged-1" in err
    assert fake_runs == [victim.stem] and (out / "runs.csv").read_bytes() == whole
    assert Store(out).get(victim.stem)["key"] == victim.stem
    assert (victim.parent / f"{victim.name}.damaged-1").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs_this_time"] == 1 and REASONS[damage] in manifest["store_warnings"][0]


def test_stored_records_carry_a_checksum_verified_on_read(tmp_path):
    store = Store(tmp_path)
    store.open()
    store.put("k", {"key": "k", "outputs": {"a": 1.5, "b": float("nan")}, "wall_seconds": 0.1})
    record = json.loads((tmp_path / "runs" / "k.json").read_text())
    assert record["checksum"] == store_module.checksum(record) and len(record["checksum"]) == 64
    assert store.get("k")["outputs"]["a"] == 1.5 and math.isnan(store.get("k")["outputs"]["b"])
    (tmp_path / "runs" / "k.json").write_text(json.dumps({**record, "wall_seconds": 0.2}))
    with pytest.raises(store_module.DamagedRecord, match="checksum"):
        store.get("k")


def test_an_output_added_to_a_finished_sweep_reruns_its_runs_once_and_keeps_the_rest(capsys, tmp_path, fake_runs):
    out = tmp_path / "out"
    first = write_spec(tmp_path, policies=None, replications=1, outputs=SMALL_SPEC["outputs"][:2])
    assert cli.main(_sweep_cli(first, out)) == 0         # write_spec writes tiny.yaml again each time
    capsys.readouterr()
    fake_runs.clear()
    more = write_spec(tmp_path, policies=None, replications=1)           # a third output
    assert cli.main(_sweep_cli(more, out)) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "4 stored run(s) lack the output(s) hukou_conversions@2021, added to the spec since they ran" in err
    assert len(fake_runs) == 4
    rows = read_rows(out / "runs.csv")
    assert len(rows) == 4 and all(r["hukou_conversions@2021"] for r in rows)
    fake_runs.clear()
    for outputs in (SMALL_SPEC["outputs"][:2], SMALL_SPEC["outputs"]):   # back to two, then three: all reused
        assert cli.main(_sweep_cli(write_spec(tmp_path, policies=None, replications=1, outputs=outputs), out)) == 0
    assert fake_runs == [] and capsys.readouterr().err == ""


@pytest.mark.parametrize("design, samples", [("sobol", 4), ("morris", 4)])
def test_nan_outputs_give_a_warning_naming_the_output_and_the_other_indices(capsys, tmp_path, fake_runs, design,
                                                                             samples):
    spec = write_spec(tmp_path, design=design, samples=samples, replications=1, policies=None, parameters={
        "behaviour.hukou.nonlocal_conversion_hazard_per_year": {"low": 0.02, "high": 0.08},
        "policies.zero_threshold_settlement.intensity": {"low": 0, "high": 1}})
    out = tmp_path / "out"
    assert cli.main(_sweep_cli(spec, out)) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert (f"warning: no {design} indices for output pingdu:hukou_urbanization_rate@2021: it is NaN or infinite "
            "at ") in captured.out
    indexed = {r["output"] for r in read_rows(out / "sensitivity.csv")}
    assert indexed == {"urbanization_rate@2021", "hukou_conversions@2021"}
    assert cli.main(_sweep_cli(spec, out)) == 0                       # and again: nothing wedged


# -- one sweep at a time in a folder; workers die with their sweep ---------------------------------

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from sim.experiment.store import locked
with locked(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def test_a_second_sweep_on_the_same_folder_is_refused_and_a_dead_ones_lock_taken_over(capsys, tmp_path,
                                                                                         fake_runs):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        assert cli.main(_sweep_cli(spec, out)) == 2
        err = capsys.readouterr().err
        assert err == (f"error: --out: another sweep (process {holder.pid}) is running in {out}; wait for it to "
                       "end, stop it, or give this one another --out\n")
        assert sorted(p.name for p in out.iterdir()) == [".sweep.lock"] and fake_runs == []
    finally:
        holder.kill()
        holder.wait()
    assert cli.main(_sweep_cli(spec, out)) == 0 and len(fake_runs) == 4      # the dead holder's lock is taken over
    assert (out / ".sweep.lock").read_text() == f"{os.getpid()}\n"


def test_the_lock_is_exclusive_within_a_process_too_and_released_on_error(tmp_path):
    with store_module.locked(tmp_path):
        with pytest.raises(store_module.FolderError, match=f"process {os.getpid()}"):
            with store_module.locked(tmp_path):
                pass
    with pytest.raises(KeyboardInterrupt):
        with store_module.locked(tmp_path):
            raise KeyboardInterrupt
    with store_module.locked(tmp_path):
        pass


def test_a_file_where_the_runs_folder_should_be_is_refused(capsys, tmp_path, fake_runs):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    out.mkdir()
    (out / "runs").write_text("not a folder")
    assert cli.main(_sweep_cli(spec, out)) == 2
    err = capsys.readouterr().err
    assert err == f"error: --out: {out / 'runs'} is a file, not the sweep's folder of runs: move it away\n"
    assert (out / "runs").read_text() == "not a folder" and fake_runs == []


@pytest.mark.slow
def test_two_real_sweeps_on_one_folder_the_second_refused_the_first_unharmed(tmp_path):
    spec = write_spec(tmp_path)
    whole, out = tmp_path / "whole", tmp_path / "shared"
    assert cli.main(["sweep", str(spec), "--workers", "1", "--out", str(whole), "--quiet"]) == 0
    first = _sweep_process(spec, out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not ((out / ".sweep.lock").exists()
                                               and (out / ".sweep.lock").read_text() == f"{first.pid}\n"):
        time.sleep(0.01)
    second = subprocess.run([sys.executable, "run_sim.py", "sweep", str(spec), "--workers", "1", "--out", str(out),
                             "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert second.returncode == 2 and second.stderr.count("\n") == 1
    assert f"another sweep (process {first.pid}) is running in {out}" in second.stderr
    assert first.wait(timeout=120) == 0
    assert (out / "runs.csv").read_bytes() == (whole / "runs.csv").read_bytes()


ORPHANS = """
import os, sys, time
from pathlib import Path
from sim.experiment import executor

if os.environ["MECHANISM"] == "watchdog":     # at module level: spawned workers import this file again
    executor.PR_SET_PDEATHSIG = 0              # an invalid prctl option: only the watchdog thread is left

def record_pid_and_sleep(folder):
    (Path(folder) / str(os.getpid())).write_text("")
    time.sleep(120)

if __name__ == "__main__":
    folder, method = sys.argv[1:]
    if method == "dask-local":
        executor.run_dask(record_pid_and_sleep, [folder] * 4, lambda i, r: None, local_workers=2)
    else:
        executor.run_local(record_pid_and_sleep, [folder] * 4, 2, lambda i, r: None, method=method)
"""


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie no reaper has collected yet is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("method, mechanism", [
    *((method, mechanism) for method in ("fork", "spawn") for mechanism in ("prctl", "watchdog")),
    pytest.param("dask-local", "dask's own", marks=pytest.mark.slow)])          # Dask's nannies see to it
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_the_sweep_however_it_is_killed(tmp_path, method, how, mechanism):
    script = tmp_path / "orphans.py"
    script.write_text(ORPHANS)
    pids = tmp_path / "pids"
    pids.mkdir()
    main = subprocess.Popen([sys.executable, str(script), str(pids), method], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "MECHANISM": mechanism})
    try:
        deadline = time.monotonic() + 60
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        workers = [int(p.name) for p in pids.iterdir()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        main.send_signal(how)
        main.wait(timeout=10)
        deadline = time.monotonic() + 3              # the watchdog looks every 0.5 s; a run may take minutes
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not [pid for pid in workers if _alive(pid)]
    finally:
        main.kill()
        for pid in pids.iterdir():
            try:
                os.kill(int(pid.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


def scheduler_address(task):
    """Run in a Dask worker: the address of the scheduler it works for."""
    from distributed import get_worker

    return get_worker().scheduler.address


@pytest.mark.slow
def test_the_local_dask_cluster_refuses_other_clients(tmp_path):
    from distributed import Client
    from distributed.security import Security

    def intrude(i, address):
        """While the sweep's cluster runs: what another local user could do with its address."""
        seen["address"] = address
        for label, security in (("plain", None), ("another certificate", Security.temporary())):
            plain = address.replace("tls://", "tcp://")
            try:
                with Client(plain if security is None else address, security=security, timeout="3s") as other:
                    seen[label] = other.submit(os.getpid).result(timeout=5)     # code run in the cluster
            except Exception as err:  # noqa: BLE001 - any refusal will do
                seen[label] = f"refused: {type(err).__name__}"

    seen: dict = {}
    run_dask(scheduler_address, [0], intrude, local_workers=1)
    assert seen["address"].startswith("tls://127.0.0.1:")
    assert str(seen["plain"]).startswith("refused") and str(seen["another certificate"]).startswith("refused")


def test_ctrl_c_mid_sweep_exits_130_keeps_whole_runs_and_releases_the_folder(capsys, tmp_path, monkeypatch):
    import sim.experiment.sweep as sweep_module

    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    calls = []

    def interrupted_at_the_third(task):
        calls.append(task.key)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return fake_run_task(task)

    monkeypatch.setattr(sweep_module, "run_task", interrupted_at_the_third)
    assert cli.main(_sweep_cli(spec, out)) == 130
    err = capsys.readouterr().err
    assert err.startswith("interrupted: the runs finished so far are kept") and err.count("\n") == 1
    assert not (out / "runs.csv").exists() and not (out / "manifest.json").exists()
    assert sorted(p.stem for p in (out / "runs").iterdir()) == sorted(calls[:2])
    assert all(Store(out).get(key) for key in calls[:2])
    monkeypatch.setattr(sweep_module, "run_task", fake_run_task)
    assert cli.main(_sweep_cli(spec, out)) == 0                 # the lock was released: it continues
    assert json.loads((out / "manifest.json").read_text())["runs_this_time"] == 2


def test_a_dry_run_reads_a_bounded_share_of_a_large_store_and_counts_in_proportion(capsys, tmp_path, fake_runs,
                                                                                      monkeypatch):
    import sim.experiment.pipeline as pipeline

    out = tmp_path / "out"
    assert cli.main(_sweep_cli(write_spec(tmp_path, policies=None, replications=1,
                                          outputs=SMALL_SPEC["outputs"][:2]), out)) == 0
    monkeypatch.setattr(pipeline, "CHECK_AT_MOST", 2)                 # of the 4 stored records
    reads = []
    monkeypatch.setattr(Store, "get", lambda self, key, get=Store.get: reads.append(key) or get(self, key))
    capsys.readouterr()
    more = write_spec(tmp_path, policies=None, replications=1)                     # an output added
    assert cli.main(["sweep", str(more), "--dry-run", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "4 runs (0 already done, 4 to run)" in captured.out and len(reads) == 2
    assert "2 of 2 stored records read (of 4) cannot be used as they are" in captured.err


def test_a_damaged_record_that_cannot_be_moved_aside_says_what_to_do(capsys, tmp_path, fake_runs, monkeypatch):
    spec, out = write_spec(tmp_path, policies=None, replications=1), tmp_path / "out"
    assert cli.main(_sweep_cli(spec, out)) == 0
    victim = sorted((out / "runs").glob("*.json"))[0]
    victim.write_bytes(b"{")
    real_replace = os.replace

    def refuse(src, dst):
        if str(dst).endswith(".damaged-1"):
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    capsys.readouterr()
    assert cli.main(_sweep_cli(spec, out)) == 2
    err = capsys.readouterr().err
    assert err == (f"error: --out: {victim} is damaged and cannot be moved aside (Permission denied): remove it, "
                   "then run the sweep again\n")


# -- scenario discovery -------------------------------------------------------------------------------


DISCOVERY_SPEC = {"design": "lhs", "samples": 200, "replications": 1, "policies": None,
                  "parameters": {"behaviour.hukou.nonlocal_conversion_hazard_per_year": {"low": 0.0, "high": 0.2},
                                 "policies.zero_threshold_settlement.intensity": {"low": 0.0, "high": 1.0}}}


@pytest.mark.usefixtures("fake_runs")
def test_discovery_finds_the_ranges_where_an_output_is_missed(capsys, tmp_path):
    """The fake output is hazard + intensity + 22 (its label's length): below 22.3 only where both are low; the
    box reported restricts both from above, not from below."""
    spec = write_spec(tmp_path, **DISCOVERY_SPEC,
                      discovery={"output": "urbanization_rate@2021", "below": 22.3})
    out = tmp_path / "out"
    code, _, err = run_main(capsys, *_sweep_cli(spec, out))
    assert code == 0, err
    rows = read_rows(out / "discovery.csv")
    assert rows[0]["step"] == "0" and rows[0]["coverage"] == "1" and rows[0]["support"] == "1"
    [reported] = [r for r in rows if r["reported"] == "true"]
    assert float(reported["density"]) >= 0.8
    box = json.loads((out / "manifest.json").read_text())["discovery"]["base"]
    hazard, intensity = box["restricted"]["behaviour.hukou.nonlocal_conversion_hazard_per_year"], \
        box["restricted"]["policies.zero_threshold_settlement.intensity"]
    assert hazard[0] < 0.01 and 0.1 < hazard[1] < 0.3 and intensity[0] < 0.05 and 0.1 < intensity[1] < 0.5
    assert (out / "plots" / "discovery.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.usefixtures("fake_runs")
def test_discovery_with_nothing_to_explain_warns_instead(capsys, tmp_path):
    spec = write_spec(tmp_path, **DISCOVERY_SPEC, discovery={"output": "urbanization_rate@2021", "below": 0})
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, *_sweep_cli(spec, out))
    assert code == 0, err
    assert "discovery: no design point has urbanization_rate@2021 < 0" in stdout
    assert not (out / "discovery.csv").exists()


@pytest.mark.parametrize("discovery, field, words", [
    ({"output": "urbanisation_rate@2021", "below": 70}, "discovery.output", "did you mean 'urbanization_rate@2021'"),
    ({"output": "urbanization_rate@2021", "below": 70, "above": 80}, "discovery", "give one of below and above"),
    ({"output": "urbanization_rate@2021"}, "discovery", "give one of below and above"),
    ({"below": 70}, "discovery.output", ""),
    ({"output": "urbanization_rate@2021", "below": 70, "min_density": 1.5}, "discovery.min_density", "between 0 and 1"),
])
def test_a_discovery_spec_is_checked(tmp_path, discovery, field, words):
    with pytest.raises(ScenarioError) as err:
        load_sweep(write_spec(tmp_path, discovery=discovery))
    assert err.value.field == field and words in str(err.value), str(err.value)
