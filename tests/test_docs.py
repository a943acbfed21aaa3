"""docs/model.md (the ODD description) names every model parameter and every indicator.

A parameter counts as documented when its dotted path (``behaviour.hukou.min_insurance_years``)
or its last key in backticks (`` `min_insurance_years` ``) appears in the document; an
indicator when its name appears in backticks. Its table of constants in the code (section 9.3) must
match the code. The YAML examples of every doc are checked in test_doc_examples.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.fields import Field, MapOf, Section, walk
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


def test_readme_lists_every_indicator():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in INDICATOR_NAMES if f"`{name}`" not in readme]
    assert not missing, f"README.md does not list {missing}"


def constant_rows(model_doc: str) -> list[list[str]]:
    """The rows of docs/model.md's table of constants in the code (section 9.3), as lists of cells."""
    section = model_doc.split("### 9.3 Constants in the code", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split(" | ")]
            for line in section.splitlines() if line.startswith("| ")]
    return [cells for cells in rows[1:] if not set(cells[0]) <= set("-")]   # without the header and rule


def test_the_constants_table_matches_the_code(model_doc):
    """Every named constant has the value shown in every module said to define it; every module exists."""
    import ast
    import importlib

    root = Path(__file__).resolve().parents[1]
    rows = constant_rows(model_doc)
    named = [cells for cells in rows if re.fullmatch(r"`[A-Z][A-Z0-9_]*`", cells[0])]
    assert len(named) >= 20, "the table of constants was not found or lost its rows"
    for cells in rows:
        modules = re.findall(r"`(sim/[\w/]+\.py)`", cells[2])
        assert modules, f"no module named for {cells[0]}"
        for module in modules:
            assert (root / module).is_file(), f"{cells[0]}: {module} does not exist"
        if cells not in named:
            continue
        name = cells[0].strip("`")
        value = ast.literal_eval(re.match(r"`([^`]+)`", cells[1]).group(1))
        for module in modules:
            actual = getattr(importlib.import_module(module[:-3].replace("/", ".")), name, "missing")
            assert actual == value, f"docs/model.md 9.3 says {name} = {value!r} in {module}; the code has {actual!r}"


def test_spec_reference_matches_the_spec_schemas():
    """docs/spec-reference.md is generated from the sweep and calibration spec schemas, like the scenario's."""
    from sim.spec_reference import render_markdown

    text = (Path(__file__).resolve().parents[1] / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "regenerate: python -m sim.spec_reference > docs/spec-reference.md"
    assert "## Sweep spec: `parameters.<setting>`" in text and "## Calibration spec" in text
    assert "| `base` |" in text and "| `fit_until` |" in text


def test_the_targets_provenance_table_matches_the_catalogue():
    """docs/targets.md shows each target's provenance; the catalogue holds it (one place), so the doc follows."""
    from sim.core.catalogue import BY_NAME, PROVENANCES
    from sim.targets import plan_targets

    text = (Path(__file__).resolve().parents[1] / "docs" / "targets.md").read_text(encoding="utf-8")
    section = text.split("## Which indicator measures each target", 1)[1].split("\n## ", 1)[0]
    shown = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) >= 4 and cells[0].startswith("`") and cells[3].strip("`") in PROVENANCES:
            shown[cells[0].strip("`")] = cells[3].strip("`")
    assert shown == {t.id: BY_NAME[t.indicator].provenance for t in plan_targets()}
    for p in PROVENANCES.values():
        assert f"| `{p.name}` | `{p.mark}` | {p.zh} |" in section
