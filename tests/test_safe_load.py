"""The one reader of YAML and JSON (sim/core/safe_load.py): what it refuses, fast, and what it still reads."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from sim.core.safe_load import MAX_BYTES, MAX_DEPTH, MAX_VALUES, Refused, load_json, load_yaml, read_text

ROOT = Path(__file__).resolve().parents[1]


def test_every_yaml_file_of_the_project_reads_as_before():
    import yaml

    for path in [*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("sim/data/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


def test_anchors_aliases_and_merge_keys_within_the_bounds_are_read():
    text = "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\nlist: [*b, *b]\n"
    assert load_yaml(text) == {"base": {"x": 1, "y": 2}, "other": {"x": 3, "y": 2},
                               "list": [{"x": 1, "y": 2}, {"x": 1, "y": 2}]}


def test_a_billion_laughs_is_refused_while_reading():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    start = time.perf_counter()
    with pytest.raises(Refused, match=f"more than {MAX_VALUES} values") as info:
        load_yaml("\n".join(lines))
    assert time.perf_counter() - start < 1.0
    assert info.value.line == 5                  # a4 is the first anchor of more than 20000 values


def test_values_are_counted_without_aliases_too():
    load_yaml("[" + ", ".join(["1"] * (MAX_VALUES - 1)) + "]")          # the list and its items
    with pytest.raises(Refused, match="values"):
        load_yaml("[" + ", ".join(["1"] * MAX_VALUES) + "]")


def test_an_alias_inside_its_own_anchor_is_refused():
    with pytest.raises(Refused, match=r"\*a is inside the collection &a") as info:
        load_yaml("x:\n  y: &a {z: *a}\n")
    assert info.value.field == "x.y"


def test_nesting_is_bounded():
    load_yaml("[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH)
    with pytest.raises(Refused, match=f"more than {MAX_DEPTH} levels"):
        load_yaml("[" * (MAX_DEPTH + 1) + "1" + "]" * (MAX_DEPTH + 1))
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(Refused, match=f"more than {MAX_DEPTH} levels"):
        load_json("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(Refused, match="levels"):
        load_json("[" * 100_000 + "]" * 100_000)          # beyond the interpreter's recursion


def test_a_file_is_read_no_further_than_the_bound(tmp_path):
    path = tmp_path / "large.yaml"
    path.write_bytes(b"x" * MAX_BYTES)
    assert read_text(path) == "x" * MAX_BYTES
    path.write_bytes(b"x" * (MAX_BYTES + 1))
    with pytest.raises(Refused, match="larger than 256 KiB"):
        read_text(path)
    with pytest.raises(Refused, match="longer than 256 KiB"):
        load_yaml("x" * (MAX_BYTES + 1))


def test_numbers_too_long_to_convert_are_refused():
    with pytest.raises(Refused, match="4300 digits"):
        load_yaml("seed: " + "1" * 5000)
    with pytest.raises(Refused, match="number"):
        load_json("1" * 5000)


@pytest.mark.parametrize(("text", "field", "lines"), [
    ("seed: 1\nreplications: 2\nseed: 5\n", "seed", "lines 1 and 3"),
    ("behaviour:\n  hukou:\n    min_insurance_years: 1\n    talent_exempt: true\n    min_insurance_years: 3\n",
     "behaviour.hukou.min_insurance_years", "lines 3 and 5"),
    ("sizes:\n  1: 50\n  '1': 20\n", "sizes.1", "lines 2 and 3"),          # the same key to the settings
    ("runs:\n  - {a: 1, a: 1}\n", "runs.a", "line 2;"),
], ids=["top", "nested", "number and text", "in a list"])
def test_a_key_given_twice_is_refused_naming_it(text, field, lines):
    with pytest.raises(Refused, match=f"the key '{field.rsplit('.', 1)[-1]}' is given twice, at {lines}") as info:
        load_yaml(text)
    assert info.value.field == field


def test_merge_keys_may_be_overridden_and_equal_values_elsewhere_are_fine():
    assert load_yaml("a: &a {x: 1}\nb: {<<: *a, x: 2}\nc: {x: 1}\n") == {"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 1}}


def test_a_date_that_does_not_exist_is_read_as_its_text():
    assert load_yaml("end: 2021-02-30\nstart: 2021-13-01\n2021-02-29: 3\nok: 2021-02-28\n") == {
        "end": "2021-02-30", "start": "2021-13-01", "2021-02-29": 3, "ok": dt.date(2021, 2, 28)}
