"""docs/model.md (the ODD description) names every model parameter and every indicator.

A parameter counts as documented when its dotted path (``behaviour.hukou.min_insurance_years``)
or its last key in backticks (`` `min_insurance_years` ``) appears in the document; an
indicator when its name appears in backticks. Its table of constants in the code (section 9.3) must
match the code. The YAML examples of every doc are checked in test_doc_examples.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from sim.core.catalogue import INDICATOR_NAMES
from sim.core.fields import Field, MapOf, Section, walk
from sim.scenario.schema import SCENARIO

MODEL_DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"
DOCUMENTED_SECTIONS = ("behaviour", "population", "economy")


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


# --- docs/plan-coverage.md: every measure of the plan, its status and where it lives -------------------------

COVERAGE_DOC = MODEL_DOC.with_name("plan-coverage.md")
STATUSES = ("mechanism", "schedule", "indicator", "out of scope")


def coverage_rows() -> list[dict[str, str]]:
    """The measures' rows of docs/plan-coverage.md: number, quote, measure, status, where, why."""
    rows = []
    for line in COVERAGE_DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and re.fullmatch(r"\d\.\d+", cells[0]):
            assert len(cells) == 6, f"plan-coverage.md: row {cells[0]} has {len(cells)} cells, not 6"
            rows.append(dict(zip(("number", "quote", "measure", "status", "where", "why"), cells, strict=True)))
    return rows


def coverage_references() -> list[tuple[str, str]]:
    """Every backticked name of the doc's tables of measures and of what is not a measure (from the goals' table
    on), with the row it is in (its first cell)."""
    out = []
    text = COVERAGE_DOC.read_text(encoding="utf-8")
    for line in text[text.index("\n## 0. "):].splitlines():
        if line.startswith("| "):
            first = line.strip("| ").split(" | ")[0]
            out += [(first, name) for name in re.findall(r"`([^`]+)`", line)]
    return out


def test_the_coverage_table_quotes_the_plan_and_gives_a_status():
    rows = coverage_rows()
    assert len(rows) >= 80
    plan = (MODEL_DOC.parents[1] / "docs/sources/plan_zh.txt").read_text(encoding="utf-8")
    for row in rows:
        assert row["quote"] in plan, f"plan-coverage.md {row['number']}: {row['quote']!r} is not in the plan's text"
        assert row["status"] in STATUSES, f"plan-coverage.md {row['number']}: status {row['status']!r}"
        assert row["measure"] and row["why"], f"plan-coverage.md {row['number']}: a measure and a reason"
    assert len({r["number"] for r in rows}) == len(rows)
    assert {r["number"].split(".")[0] for r in rows} == {str(k) for k in range(9)}      # the goals, 8 chapters


def test_every_name_the_coverage_table_gives_exists():
    from sim.core.catalogue import INDICATOR_NAMES as INDICATORS
    from sim.core.catalogue import PROVENANCES
    from sim.scenario.schema import SCENARIO

    root = MODEL_DOC.parents[1]
    settings = {path for path, _ in walk(SCENARIO)}
    for row, name in coverage_references():
        if "/" in name:                             # a file, or a module's constant (``sim/x.py:NAME``)
            path, _, constant = name.partition(":")
            assert (root / path.rstrip("/")).exists(), f"plan-coverage.md {row}: no file {path}"
            if constant:
                module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
                assert hasattr(module, constant), f"plan-coverage.md {row}: {path} has no {constant}"
        elif name.split(".")[0] in ("policies", "submodels", "behaviour", "population", "economy", "services"):
            assert name in settings, f"plan-coverage.md {row}: no scenario setting {name}"
        elif name not in PROVENANCES:               # a scored target's provenance, as the scorecard says it
            assert name in INDICATORS, f"plan-coverage.md {row}: {name} is neither a file, a setting nor an indicator"


def test_every_lever_and_target_is_in_the_coverage_table():
    from sim.policy import LEVERS
    from sim.targets import plan_targets

    names = {name for _, name in coverage_references()}
    for lever in LEVERS:
        assert any(n == f"policies.{lever}" or n.startswith(f"policies.{lever}.") for n in names), lever
    for target in plan_targets():
        assert target.id in names, f"plan-coverage.md does not name the target {target.id}"


def test_each_status_names_what_it_claims():
    """A mechanism names a lever, a schedule a sub-model setting, an indicator an indicator."""
    from sim.core.catalogue import INDICATOR_NAMES as INDICATORS

    for row in coverage_rows():
        names = re.findall(r"`([^`]+)`", row["where"])
        if row["status"] == "mechanism":
            assert any(n.startswith("policies.") for n in names), f"{row['number']}: a mechanism with no lever"
        elif row["status"] == "schedule":
            assert any(n.startswith("submodels.") or n.startswith("sim/submodels/") for n in names), row["number"]
        elif row["status"] == "indicator":
            assert any(n in INDICATORS for n in names), f"{row['number']}: an indicator row names no indicator"
        else:
            assert not any(n.startswith("policies.") for n in names), f"{row['number']}: out of scope with a lever"


def test_the_coverage_counts_are_the_rows():
    text = COVERAGE_DOC.read_text(encoding="utf-8")
    section = text.split("## Counts", 1)[1].split("\n## ", 1)[0]
    table = [[c.strip() for c in line.strip().strip("|").split(" | ")] for line in section.splitlines()
             if line.startswith("| ") and not line.startswith("| chapter")]
    rows = coverage_rows()
    for cells in table:
        chapter = cells[0].split(".")[0]
        mine = [r for r in rows if chapter == "all" or r["number"].split(".")[0] == chapter]
        counts = [sum(r["status"] == s for r in mine) for s in STATUSES] + [len(mine)]
        assert [int(c) for c in cells[1:]] == counts, f"plan-coverage.md counts, {cells[0]}"
    assert table[-1][0] == "all" and len(table) == 10
