"""The Python API (issue 17 item 5): ``api.run``, ``api.compare`` and ``api.load`` give the run folder's tables as
DataFrames, write the same folders as the command line, refuse bad settings as it does, and the example
notebook in docs/ runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim import api
from sim.output.formats import SCORECARD, ScoreRow
from sim.scenario import ScenarioError
from tests.conftest import run_main

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLAN = ROOT / "scenarios" / "plan_2021_2023.yaml"
#: a small, short run: about 5,000 agents over six months, no plots
SMALL = {"population.scale": 2000, "period.end": "2021-06-30", "outputs.plots": False}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> api.Run:
    return api.run(BASELINE, tmp_path_factory.mktemp("api"), settings=SMALL, replications=2)


def test_run_gives_the_folders_tables_as_dataframes(small_run):
    folder = small_run.folder
    assert (folder / "manifest.json").is_file() and folder.parent.name == "baseline"
    assert list(small_run.timeseries.columns) == ["date", "replication", "zone", "indicator", "value"]
    assert len(small_run.timeseries) == len((folder / "timeseries.csv").read_text().splitlines()) - 1
    assert set(small_run.timeseries["replication"]) == {0, 1}
    assert "qingdao" in set(small_run.summary["zone"]) and small_run.summary["mean"].dtype.kind == "f"
    assert small_run.manifest["replications"] == 2
    rate = small_run.city("urbanization_rate")
    assert list(rate.index) == [2020, 2021] and 60 < rate.loc[2021, "mean"] < 90


def test_keywords_settings_and_the_command_line_give_the_same_bytes(small_run, tmp_path, capsys):
    """``population__scale=2000`` is ``settings={"population.scale": 2000}`` is ``--set population.scale=2000``."""
    by_keywords = api.run(BASELINE, tmp_path / "kw", replications=2, population__scale=2000,
                          period__end="2021-06-30", outputs__plots=False)
    code, _, _ = run_main(capsys, "run", BASELINE, "--replications", "2", "--out", tmp_path / "cli",
                          *[a for k, v in SMALL.items() for a in ("--set", f"{k}={str(v).lower()}")])
    assert code == 0
    (cli_folder,) = [p.parent for p in (tmp_path / "cli").rglob("manifest.json")]
    hashes = [json.loads((f / "manifest.json").read_text())["output_sha256"]
              for f in (small_run.folder, by_keywords.folder, cli_folder)]
    assert hashes[0] == hashes[1] == hashes[2]


def test_load_reads_back_what_run_returned(small_run):
    again = api.load(small_run.folder)
    assert isinstance(again, api.Run)
    pd.testing.assert_frame_equal(again.summary, small_run.summary)
    pd.testing.assert_frame_equal(again.timeseries, small_run.timeseries)


def test_compare_pairs_the_scenarios_and_loads_as_a_comparison(tmp_path):
    result = api.compare(PLAN, BASELINE, tmp_path, settings=SMALL, replications=2)
    assert isinstance(result, api.Comparison) and result.folder.parent.name == "plan_2021_2023-vs-baseline"
    assert {"against_mean", "scenario_mean", "mean_difference"} <= set(result.comparison.columns)
    assert "policies.zero_threshold_settlement" in set(result.settings_diff["setting"])
    assert isinstance(api.load(result.folder), api.Comparison)


def test_text_cells_come_back_as_they_were_meant(small_run, tmp_path):
    """A cell a spreadsheet would read as a formula is guarded in the CSV (a leading ') and read back as it was
    given; numbers such as -0.5 are not guarded."""
    folder = tmp_path / "copy"
    shutil.copytree(small_run.folder, folder)
    row = ScoreRow("=1+1 formula-like target", "urbanization_rate", 2023, ">=", 77.0, -0.5, None, None, None,
                   "unknown")
    (folder / SCORECARD.file).write_text(SCORECARD.text([row.cells()]), encoding="utf-8")
    assert "'=1+1" in (folder / SCORECARD.file).read_text()
    card = api.load(folder).scorecard
    assert card.loc[0, "target"] == "=1+1 formula-like target" and card.loc[0, "mean"] == -0.5


@pytest.mark.parametrize("settings, words", [
    ({"replications": 0}, "replications"),
    ({"population.scale": "many"}, "population.scale"),
    ({"policies.no_such_lever": {}}, "no_such_lever"),
])
def test_bad_settings_raise_the_clis_error_naming_the_field(tmp_path, settings, words):
    with pytest.raises(ScenarioError) as err:
        api.run(BASELINE, tmp_path, settings={**SMALL, **settings})
    assert words in str(err.value) and "\n" not in str(err.value)
    assert not any(tmp_path.iterdir())


def test_load_refuses_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a run or comparison folder"):
        api.load(tmp_path)


def test_the_example_notebook_runs(tmp_path, monkeypatch):
    """Every code cell of docs/api-example.ipynb, in order, in one namespace (what a notebook kernel does),
    from a scratch folder so that its results land there."""
    notebook = json.loads((ROOT / "docs" / "api-example.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(cells) >= 4
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"ROOT": ROOT}
    for cell in cells:
        exec(compile("".join(cell["source"]), "api-example.ipynb", "exec"), namespace)
    assert isinstance(namespace["baseline"], api.Run) and isinstance(namespace["plan"], api.Comparison)
    assert (tmp_path / "results").is_dir()
