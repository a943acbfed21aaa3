"""The sources the docs, code, data files and report cite are in the repository (docs/sources/), and every
citation points there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "docs" / "sources"
#: the reference files, as cited
CITED = ("plan_zh.txt", "qingdao_facts.yaml", "literature.md")
#: files that can hold a citation: code, docs, data, scenarios, templates, configuration
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".txt", ".j2", ".css", ".toml", ".json", ".cfg", ".sh"}
#: generated or local folders, not the project's text
SKIPPED = {".git", "results", ".pytest_cache", ".ruff_cache", ".mypy_cache", "__pycache__", "out", "artifacts",
           ".hypothesis", "build", "dist", ".venv"}
CITATION = re.compile(r"docs/sources/[\w.\-/]*[\w\-/]")


def project_files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and path.suffix in SUFFIXES and not set(parts[:-1]) & SKIPPED \
                and not any(p.endswith(".egg-info") for p in parts):
            out.append(path)
    return out


def citing_files() -> list[Path]:
    """Every project file outside docs/sources (whose files are verbatim copies, citing each other), but this
    one, which names what it looks for."""
    return [p for p in project_files() if SOURCES not in p.parents and p != Path(__file__).resolve()]


def test_the_sources_are_in_the_project():
    for name in (*CITED, "README.md"):
        assert (SOURCES / name).is_file(), name
    readme = (SOURCES / "README.md").read_text(encoding="utf-8")
    for name in CITED:
        assert f"`{name}`" in readme, f"docs/sources/README.md does not say where {name} comes from"


def test_every_cited_source_path_exists():
    cited = {}
    for path in citing_files():
        for match in CITATION.finditer(path.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(match.group(0).rstrip("/"), path.relative_to(ROOT))
    assert {f"docs/sources/{name}" for name in CITED} <= set(cited), "a reference file is cited nowhere"
    missing = {c: str(f) for c, f in cited.items() if not (ROOT / c).exists()}
    assert not missing, f"cited but not in the repository: {missing}"


def test_every_citation_points_into_docs_sources():
    """No citation of a reference file by its bare name, nor of the shared folder a user does not have."""
    bare = re.compile(r"(?<![\w/.])(" + "|".join(re.escape(n) for n in CITED) + ")")
    wrong = []
    for path in citing_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if "shared/reference" in line or bare.search(line):
                wrong.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not wrong, "cite docs/sources/<file> instead:\n" + "\n".join(wrong)


def test_the_check_finds_what_it_looks_for():
    """Guards against a vacuous pass: the walk sees the schema, the data and the docs."""
    names = {p.relative_to(ROOT).as_posix() for p in citing_files()}
    assert {"sim/scenario/schema.py", "sim/data/census.yaml", "docs/model.md", "README.md"} <= names
    assert not any(n.startswith("docs/sources/") for n in names)
    assert CITATION.findall("(docs/sources/qingdao_facts.yaml policy_history).") == \
        ["docs/sources/qingdao_facts.yaml"]


def test_the_demography_search_names_a_source_and_a_basis_for_every_vital_figure():
    """docs/sources/demography_search.yaml: each year's births and deaths say where they were read and on which
    population (resident or registered), and the years after the 2020 cut-off are marked as such."""
    import yaml

    found = yaml.safe_load((SOURCES / "demography_search.yaml").read_text(encoding="utf-8"))
    records = found["births_deaths"]["qingdao"] + found["births_deaths"]["shandong_fallback"]
    assert len(records) >= 15
    for record in records:
        assert record.get("source") or record.get("url") or record.get("confirms"), record
        assert record["basis"] in ("resident", "registered", "health", "unknown"), record
        assert record.get("post_2020", False) == (record["year"] > 2020), record
    assert found["not_found"], "what was searched for and not found is part of the record"


def test_the_reclassification_search_says_what_it_did_not_find():
    import yaml

    found = yaml.safe_load((SOURCES / "reclassification_search.yaml").read_text(encoding="utf-8"))
    assert found["not_found"] and "reclassification" in found
