"""Issue 14's catalogue of hostile cases (tests/hostile_catalogue.py): each case a test, judged by the promise
it states (rejected: exit 2, one line, nothing written; survived: exit 0 and its property). Cases another
test asserts with the same inputs (``covered``) are left to that test; the catalogue's table still runs them
(``python -m tests.hostile_catalogue --markdown``)."""

from __future__ import annotations

import re

import pytest

from tests.hostile_catalogue import (
    CASES,
    CLASSES,
    ENDED,
    REJECTED,
    ROOT,
    SECONDS,
    SURVIVED,
    Outcome,
    Result,
    clear_cache,
    markdown,
    run_case,
    shown,
)

TESTED = [c for c in CASES if c.covered is None]


@pytest.fixture(scope="module", autouse=True)
def _shared_folders():
    """The run, sweep and calibration folders the cases copy are made once for the module."""
    yield
    clear_cache()


def _param(case):
    marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=[*marks, *([pytest.mark.slow] if case.slow else [])])


@pytest.mark.parametrize("case", [_param(c) for c in TESTED])
def test_the_case_keeps_its_promise(case, tmp_path):
    outcome = run_case(case, tmp_path)
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    assert outcome.ok, f"{outcome.problem}\n{outcome.result}"


def test_the_catalogue_covers_every_class_with_readable_unique_ids():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) >= 100
    assert all(re.fullmatch(r"c\d{1,2}-[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), [i for i in ids if " " in i]
    assert {c.cls for c in CASES} == set(CLASSES)
    assert all(c.expect in (REJECTED, SURVIVED, ENDED) for c in CASES)
    # the issue asks an answer within about a second for alias bombs and for sizing a sweep
    assert all(c.seconds is not None and c.seconds <= SECONDS for c in CASES if c.cls in (3, 4))
    # a rejected case says what its line must hold, a survived one what must hold after it
    assert all(c.words for c in CASES if c.expect == REJECTED)
    assert all(c.check is not None for c in CASES if c.expect == SURVIVED)


def test_every_covering_test_exists():
    """A case left to another test names a test that is there (file::function)."""
    for case in CASES:
        if case.covered:
            file, name = case.covered.split("::")
            assert re.search(rf"^def {re.escape(name)}\(", (ROOT / file).read_text(encoding="utf-8"), re.M), case.id


def test_the_table_has_a_section_per_class_and_counts_every_outcome():
    picked = [next(c for c in CASES if c.cls == cls) for cls in CLASSES]
    outcomes = [Outcome(c, Result(2 if c.expect == REJECTED else 0, "", "error: \x1b[2J | one line\n", 0.01))
                for c in picked]
    outcomes[0].problem = "exit 1, not 2"
    text = markdown(outcomes)
    assert [f"### {cls}. {title}" in text for cls, title in CLASSES.items()] == [True] * len(CLASSES)
    assert "| FAILED: exit 1, not 2 | error: \\x1b[2J \\| one line |" in text        # escaped, one cell
    ended = sum(c.expect == ENDED for c in picked[1:])
    assert ended >= 1                                                # class 16: Ctrl-C's exit code 130
    assert text.endswith(f"{len(picked)} cases: {sum(c.expect == REJECTED for c in picked[1:])} rejected cleanly, "
                         f"{sum(c.expect == SURVIVED for c in picked[1:])} survived, {ended} ended cleanly with their "
                         "own exit code, 1 failed")


def test_commands_are_shown_as_typed_with_the_tiny_options_named():
    tiny = next(c for c in CASES if c.id == "c1-scenario-name-dotdot-set")
    assert shown(tiny.argv) == "run scenarios/baseline.yaml <tiny> --set name=../escape"
    assert shown(("run", "\x1b[2Jx.yaml", "a" * 300)) == "run '\\x1b[2Jx.yaml' " + "a" * 24 + "…(300 chars)"
    assert shown(()) == "(no arguments)" and shown(None) == "(no command)"
