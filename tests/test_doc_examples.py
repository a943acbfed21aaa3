"""Every scenario, sweep and calibration example the documentation shows is valid.

The examples are found in README.md, docs/**/*.md and benchmarks/README.md:

- fenced ```yaml blocks, and untagged fenced or indented blocks that read as a mapping of settings;
- inline settings in backticks: ``population.census: 2010`` and ``--set behaviour.x.y=0.006``.

Each is checked by what it is: a sweep spec (it has ``base`` or ``design``) with ``load_sweep``, a
calibration spec (``scenario`` or ``design_points``) with ``load_calibration``, a whole scenario (``name``
or ``extends``) with ``load_scenario``, and anything else as a fragment merged into
``{name: doc_example}`` and validated. Files are written into a copy of ``scenarios/`` (a scenario at
its top, sweeps in ``sweeps/``, calibrations in ``calibration/``), so that their relative paths
(``extends: baseline.yaml``, ``base: ../baseline.yaml``) resolve as they would for a user.

An example that is meant to be wrong says so with ``<!-- invalid example -->`` on the line before its
fence, and must then fail validation with a ``ScenarioError``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sim.calibration.spec import CALIBRATION_SPEC, load_calibration
from sim.experiment.spec import SWEEP_SPEC, load_sweep
from sim.scenario import ScenarioError, load_scenario, validate
from sim.scenario.load import parse_override
from sim.scenario.schema import SCENARIO

ROOT = Path(__file__).resolve().parents[1]
#: docs/history/ is left out: it keeps earlier sessions' notes verbatim, about the code of their time
DOCS = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "history" not in p.parts),
        ROOT / "benchmarks" / "README.md"]
INVALID = "<!-- invalid example -->"
SECTIONS = set(SCENARIO.fields)
#: top-level keys a settings block may have; a block with any other key is not an example (prose, output)
KNOWN_KEYS = SECTIONS | {"extends"} | set(SWEEP_SPEC.fields) | set(CALIBRATION_SPEC.fields)
#: `population.census: 2010` (a setting as it would sit in a file) or `--set population.scale=1` (an override)
INLINE_SETTING = re.compile(r"`(?:--set ([a-z_]+(?:\.[a-z0-9_]+)+)=|([a-z_]+(?:\.[a-z0-9_]+)+): )([^`]+)`")
FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)\s*$")


@dataclass(frozen=True)
class Example:
    doc: Path
    line: int           # 1-based line of the example's first line (the fence's line for fenced blocks)
    text: str
    invalid: bool
    how: str            # "yaml" (tagged block), "block" (untagged block that reads as settings), "inline"
    column: int = 0     # inline examples: 1-based column, so that two on one line have their own ids

    @property
    def id(self) -> str:
        where = f"{self.doc.relative_to(ROOT)}:{self.line}"
        return f"{where}:{self.column}" if self.column else where


def _settings_mapping(text: str):
    """The block read as YAML if it is a mapping of known top-level keys, else None."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) for k in data):
        return None
    if not set(data) <= KNOWN_KEYS or not set(data) & (SECTIONS | {"extends", "base", "scenario"}):
        return None
    return data


def _marked_invalid(lines: list[str], index: int) -> bool:
    """Whether the nearest non-blank line above ``lines[index]`` is the invalid-example marker."""
    for line in reversed(lines[:index]):
        if line.strip():
            return line.strip() == INVALID
    return False


def examples_in(doc: Path) -> list[Example]:
    lines = doc.read_text(encoding="utf-8").split("\n")
    found: list[Example] = []
    prose: list[tuple[int, str]] = []
    k = 0
    while k < len(lines):
        fence = FENCE.match(lines[k])
        if fence:
            indent, ticks, info = fence.groups()
            end = k + 1
            while end < len(lines) and not lines[end].strip().startswith(ticks):
                end += 1
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                             for line in lines[k + 1:end])
            if info in ("yaml", "yml"):
                found.append(Example(doc, k + 1, body, _marked_invalid(lines, k), "yaml"))
            elif not info and _settings_mapping(body) is not None:
                found.append(Example(doc, k + 1, body, _marked_invalid(lines, k), "block"))
            k = end + 1
            continue
        if lines[k].startswith("    ") and (k == 0 or not lines[k - 1].strip()):
            end = k
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            body = "\n".join(line[4:] for line in lines[k:end])
            if _settings_mapping(body) is not None:
                found.append(Example(doc, k + 1, body, _marked_invalid(lines, k), "block"))
                k = end
                continue
        prose.append((k, lines[k]))
        k += 1
    for k, line in prose:
        for match in INLINE_SETTING.finditer(line):
            path = match.group(1) or match.group(2)
            if path.split(".")[0] in SECTIONS:
                found.append(Example(doc, k + 1, f"{path}={match.group(3)}", False, "inline", match.start() + 1))
    return found


EXAMPLES = [example for doc in DOCS for example in examples_in(doc)]


def kind(data: dict) -> str:
    if "base" in data or "design" in data:
        return "sweep"
    if "scenario" in data or "design_points" in data:
        return "calibration"
    if "name" in data or "extends" in data:
        return "scenario"
    return "fragment"


@pytest.fixture(scope="module")
def scenarios_copy(tmp_path_factory) -> Path:
    """A copy of scenarios/, where examples are written so that their relative paths resolve."""
    copy = tmp_path_factory.mktemp("doc_examples") / "scenarios"
    shutil.copytree(ROOT / "scenarios", copy)
    return copy


def check(example: Example, folder: Path) -> None:
    """Load or validate the example; raise ScenarioError when it is not valid."""
    name = re.sub(r"\W", "_", example.id)
    if example.how == "inline":
        keys, value = parse_override(example.text)       # inline examples are kept as key.path=value
        fragment = value
        for key in reversed(keys):
            fragment = {key: fragment}
        validate({"name": "doc_example", **fragment}, file=example.id)
        return
    data = yaml.safe_load(example.text)
    if not isinstance(data, dict):
        raise AssertionError(f"{example.id}: a yaml block that is not a mapping of settings")
    what = kind(data)
    if what == "fragment":
        validate({"name": "doc_example", **data}, file=example.id)
        return
    where = {"sweep": folder / "sweeps", "calibration": folder / "calibration", "scenario": folder}[what]
    path = where / f"{name}.yaml"
    path.write_text(example.text, encoding="utf-8")
    {"sweep": load_sweep, "calibration": load_calibration, "scenario": load_scenario}[what](path)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_every_doc_example_is_valid_or_marked_invalid(example, scenarios_copy):
    if example.invalid:
        with pytest.raises(ScenarioError):
            check(example, scenarios_copy)
    else:
        try:
            check(example, scenarios_copy)
        except ScenarioError as err:
            pytest.fail(f"{example.id}: the example does not validate: {err}\n{example.text}")


def test_the_examples_are_found():
    """Guards against a vacuous pass: each kind of example is found where the docs show one."""
    kinds: dict[str, set[str]] = {}
    for example in EXAMPLES:
        what = "inline" if example.how == "inline" else kind(yaml.safe_load(example.text))
        kinds.setdefault(what, set()).add(str(example.doc.relative_to(ROOT)))
    assert "README.md" in kinds.get("scenario", set())
    assert "docs/experiments.md" in kinds.get("sweep", set())
    assert "docs/calibration.md" in kinds.get("calibration", set())
    assert "docs/targets.md" in kinds.get("fragment", set())
    assert "docs/model.md" in kinds.get("inline", set())
    assert any(example.invalid for example in EXAMPLES), "no error example is marked and checked to fail"


def test_every_invalid_marker_precedes_an_example():
    """A marker that no longer sits before an example (the example moved or lost its yaml tag) is an error."""
    marked = {(e.doc, e.line) for e in EXAMPLES if e.invalid}
    for doc in DOCS:
        lines = doc.read_text(encoding="utf-8").split("\n")
        for k, line in enumerate(lines):
            if line.strip() == INVALID:
                following = next(j for j in range(k + 1, len(lines)) if lines[j].strip()) if k + 1 < len(lines) else k
                assert (doc, following + 1) in marked, (
                    f"{doc.relative_to(ROOT)}:{k + 1}: {INVALID} is not followed by a yaml example")


def test_a_broken_example_is_caught(scenarios_copy):
    """The check fails on what a user would get wrong: census as text, a misspelt key, a missing base."""
    readme = ROOT / "README.md"
    broken = [
        Example(readme, 0, "population:\n  census: \"2010\"\n", False, "yaml"),
        Example(readme, 0, "extends: baseline.yaml\nname: x\nbehaviour:\n  hukou:\n    min_insurance_yeras: 1\n",
                False, "yaml"),
        Example(readme, 0, "name: s\nbase: ../missing.yaml\nparameters: {population.scale: {low: 1000, high: 2000}}\n"
                "outputs: [urbanization_rate@2023]\n", False, "yaml"),
        Example(readme, 0, "population.census=\"2010\"", False, "inline"),
    ]
    for example in broken:
        with pytest.raises(ScenarioError):
            check(example, scenarios_copy)


def test_the_finder_reads_untagged_fenced_and_indented_settings(tmp_path):
    """Scenario files shown without a yaml tag, or as an indented block, are found; prose and output are not."""
    doc = tmp_path / "doc.md"
    doc.write_text("\n".join([
        "Text with `seed: 7` inline.", "",
        "```", "name: a", "seed: 1", "```", "",
        "    policies:", "      homestead_reform: {start: 2021-07-01}", "",
        "```", "error: x.yaml: seed: expected a whole number", "```", "",
        "    h_death(a) = level * exp(slope * a)", "",
        "1. A list item", "   ```yaml", "   outputs:", "     plots: false", "   ```", ""]), encoding="utf-8")
    found = examples_in(doc)
    assert [(e.how, e.line) for e in found] == [("block", 3), ("block", 8), ("yaml", 18)]
    assert yaml.safe_load(found[2].text) == {"outputs": {"plots": False}}


def test_every_example_reads_the_same_with_the_projects_reader():
    """The reader's YAML 1.2 booleans and its refusals of base-60, octal and hexadecimal numbers
    (core.safe_load) change no example: each reads to the values PyYAML gives it."""
    from sim.core.safe_load import load_yaml

    for example in EXAMPLES:
        if example.how == "inline":
            keys, value = parse_override(example.text)
            assert value == yaml.safe_load(example.text.partition("=")[2]), example.id
        else:
            assert load_yaml(example.text) == yaml.safe_load(example.text), example.id
