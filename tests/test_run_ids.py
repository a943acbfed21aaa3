"""Run ids are unique, and a finished run folder is never lost (issue 14): two runs that finish in the same
second both land whole, whatever the order of their renames; a rename that fails keeps the results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

import pytest

import sim.output.atomic
from sim import cli
from sim.output import provenance
from sim.output.atomic import NotLanded, atomic_folder
from sim.output.run_folder import write_run
from sim.runner import run_replications
from tests.conftest import make_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL = ["--set", "population.scale=5000", "--set", "period.end=2021-03-31", "--set", "outputs.plots=false",
         "--quiet"]
SECOND = dt.datetime(2021, 1, 1, 9, 30, tzinfo=dt.UTC)
RUN_ID = re.compile(r"20210101T093000Z-[0-9a-f]{6}-seed(\d+)")


@pytest.fixture
def same_second(monkeypatch):
    """Every run starts in the same UTC second."""
    monkeypatch.setattr(provenance, "_utc_now", lambda: SECOND)


@pytest.fixture(scope="module")
def small_run():
    scenario = make_scenario({"population.scale": 5000, "period.end": "2021-03-31", "seed": 3})
    return scenario, run_replications(scenario, progress=False)


def write_meanwhile(monkeypatch, scenario, results, out: Path, written: list[Path]):
    """A report step during which another process (another pid) writes the same run into ``out``."""
    def report(tmp: Path) -> None:
        with monkeypatch.context() as other:
            other.setattr(sim.output.atomic.os, "getpid", lambda: os.getppid() + 100_000)
            written.append(write_run(scenario, results, out))
    return report


def whole(folder: Path) -> bool:
    """Every file the manifest lists is there with its hash, and the manifest names the folder's run."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest["run_id"] == folder.name and all(
        hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
        for name, digest in manifest["output_sha256"].items())


def test_the_run_id_is_the_second_a_random_part_and_the_seed(same_second):
    ids = {provenance.run_folder_name(42) for _ in range(200)}
    assert len(ids) == 200
    assert all(RUN_ID.fullmatch(i) and i.endswith("-seed42") for i in ids)


def test_run_ids_sort_by_time(monkeypatch):
    seconds = [SECOND + dt.timedelta(seconds=s) for s in (0, 1, 59, 3600)]
    ids = []
    for when in seconds:
        monkeypatch.setattr(provenance, "_utc_now", lambda when=when: when)
        ids.append(provenance.run_folder_name(7))
    assert sorted(ids) == ids


def test_two_runs_in_the_same_second_both_land_whole(capsys, tmp_path, same_second):
    out = tmp_path / "out"
    for _ in range(2):
        assert cli.main(["run", str(BASELINE), *SMALL, "--seed", "3", "--out", str(out)]) == 0
    folders = sorted((out / "baseline").iterdir())
    assert len(folders) == 2 and all(RUN_ID.fullmatch(f.name) for f in folders)
    assert all(whole(f) for f in folders)
    assert (folders[0] / "timeseries.csv").read_bytes() == (folders[1] / "timeseries.csv").read_bytes()
    assert not list(tmp_path.rglob(".tmp-*"))


def test_two_runs_finishing_together_in_the_same_second_both_land_whole(tmp_path, same_second, small_run,
                                                                        monkeypatch):
    # the second run starts and finishes while the first writes its report: both chose a name in the same
    # second, before either was renamed into place (two processes; before, the first crashed on its rename
    # and its finished results were deleted)
    scenario, results = small_run
    out = tmp_path / "out"
    inner: list[Path] = []
    first = write_run(scenario, results, out, report=write_meanwhile(monkeypatch, scenario, results, out, inner))
    assert first != inner[0] and first.parent == inner[0].parent
    assert whole(first) and whole(inner[0])
    assert not list(out.rglob(".tmp-*"))


def test_two_runs_given_the_very_same_id_both_land_whole(tmp_path, same_second, small_run, monkeypatch):
    # even the random part alike (one chance in 16.7 million): the second to rename takes the next name
    monkeypatch.setattr(provenance, "_unique", lambda: "c0ffee")
    scenario, results = small_run
    out = tmp_path / "out"
    inner: list[Path] = []
    first = write_run(scenario, results, out, report=write_meanwhile(monkeypatch, scenario, results, out, inner))
    assert inner[0].name == "20210101T093000Z-c0ffee-seed3"
    assert first.name == "20210101T093000Z-c0ffee-seed3-2"
    assert (first / "manifest.json").is_file() and whole(inner[0])
    assert (first / "timeseries.csv").read_bytes() == (inner[0] / "timeseries.csv").read_bytes()
    assert not list(out.rglob(".tmp-*"))


def test_a_rename_that_fails_keeps_the_finished_results(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sim.output.atomic.os, "rename", refuse)
    with pytest.raises(NotLanded, match="could not be moved .* they are kept in") as info:
        with atomic_folder(tmp_path, "run") as (tmp, final):
            (tmp / "table.csv").write_text("finished\n", encoding="utf-8")
    assert (info.value.kept / "table.csv").read_text(encoding="utf-8") == "finished\n"
    assert str(info.value.kept) in str(info.value) and not final.exists()


def test_a_failure_before_the_rename_still_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "parent", "run") as (tmp, _):
        (tmp / "half.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")
    assert not (tmp_path / "parent").exists()


def test_the_folder_lands_where_the_landing_says(tmp_path):
    os.mkdir(tmp_path / "run")
    (tmp_path / "run" / "other.csv").write_text("another run's\n", encoding="utf-8")
    with atomic_folder(tmp_path, "run") as landing:
        (landing.tmp / "mine.csv").write_text("mine\n", encoding="utf-8")
    assert landing.final == tmp_path / "run-2" and (landing.final / "mine.csv").is_file()
    assert (tmp_path / "run" / "other.csv").is_file()
