"""docs/model.md (the ODD description) names every model parameter and every indicator.

A parameter counts as documented when its dotted path (``behaviour.hukou.min_insurance_years``)
or its last key in backticks (`` `min_insurance_years` ``) appears in the document; an
indicator when its name appears in backticks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.fields import Field, MapOf, Section, walk
from sim.scenario import load_scenario
from sim.scenario.schema import SCENARIO

MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"
DOCUMENTED_SECTIONS = ("behaviour", "population")


def leaf_paths(section: Section) -> list[str]:
    """Dotted paths of every Field and MapOf below ``section``, in schema order (the schema's one walk)."""
    paths = []
    for path, spec in walk(section):
        if isinstance(spec, Field | MapOf):
            paths.append(path)
        elif not isinstance(spec, Section):
            raise TypeError(f"unexpected scenario schema node at {path}: {type(spec).__name__}")
    return paths


PARAMETER_PATHS = [path for path in leaf_paths(SCENARIO) if path.split(".")[0] in DOCUMENTED_SECTIONS]


@pytest.fixture(scope="module")
def model_doc() -> str:
    return MODEL_DOC.read_text(encoding="utf-8")


def test_the_walk_finds_the_parameters():
    """Guards against a vacuous pass: both sections contribute, MapOf leaves included."""
    assert "population.scale" in PARAMETER_PATHS
    assert "population.district_urbanization_rate_pct" in PARAMETER_PATHS
    assert "behaviour.hukou.min_insurance_years" in PARAMETER_PATHS
    assert len(PARAMETER_PATHS) >= 40


@pytest.mark.parametrize("path", PARAMETER_PATHS)
def test_every_parameter_is_documented(model_doc, path):
    last_key = path.rsplit(".", 1)[-1]
    assert path in model_doc or f"`{last_key}`" in model_doc, (
        f"docs/model.md does not mention the scenario parameter {path}")


@pytest.mark.parametrize("name", INDICATOR_NAMES)
def test_every_indicator_is_documented(model_doc, name):
    assert f"`{name}`" in model_doc, f"docs/model.md does not mention the indicator {name}"


def test_readme_scenario_examples_are_valid(tmp_path):
    """Every YAML example in the README validates (its 'extends: baseline.yaml' as if in scenarios/)."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert blocks
    for k, block in enumerate(blocks):
        path = tmp_path / f"example{k}.yaml"
        path.write_text(block.replace("extends: baseline.yaml", f"extends: {root / 'scenarios' / 'baseline.yaml'}"),
                        encoding="utf-8")
        assert load_scenario(path).name


def test_readme_lists_every_indicator():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in INDICATOR_NAMES if f"`{name}`" not in readme]
    assert not missing, f"README.md does not list {missing}"


def test_the_sweep_spec_example_in_the_experiments_doc_is_valid(tmp_path):
    """docs/experiments.md's spec example loads (its base as if the file were in scenarios/sweeps/)."""
    from sim.experiment.spec import load_sweep

    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "experiments.md").read_text(encoding="utf-8")
    block = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)[0]
    path = tmp_path / "example.yaml"
    path.write_text(block.replace("base: ../baseline.yaml", f"base: {root / 'scenarios' / 'baseline.yaml'}"),
                    encoding="utf-8")
    sweep = load_sweep(path)
    assert sweep.name == "quick_grid" and len(sweep.policies) == 2 and len(sweep.parameters) == 2


def test_spec_reference_matches_the_spec_schemas():
    """docs/spec-reference.md is generated from the sweep and calibration spec schemas, like the scenario's."""
    from sim.spec_reference import render_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "regenerate: python -m sim.spec_reference > docs/spec-reference.md"
    assert "## Sweep spec: `parameters.<setting>`" in text and "## Calibration spec" in text
    assert "| `base` |" in text and "| `fit_until` |" in text


def test_the_calibration_spec_example_in_the_calibration_doc_is_valid(tmp_path):
    """docs/calibration.md's spec example loads (its scenario as if the file were in scenarios/calibration/)."""
    from sim.calibration.spec import load_calibration

    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "calibration.md").read_text(encoding="utf-8")
    block = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)[0]
    path = tmp_path / "example.yaml"
    path.write_text(block.replace("scenario: ../backcast_2010_2020.yaml",
                                  f"scenario: {root / 'scenarios' / 'backcast_2010_2020.yaml'}"), encoding="utf-8")
    spec = load_calibration(path)
    assert spec.name == "backcast_fit" and len(spec.parameters) == 2 and spec.fit_districts
