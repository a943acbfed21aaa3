"""The one reader of YAML and JSON (sim/core/safe_load.py): what it refuses, fast, and what it still reads."""

from __future__ import annotations

import datetime as dt
import re
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


# -- YAML 1.1's surprising plain scalars (issue 14) ----------------------------------------------------


@pytest.mark.parametrize(("value", "number"), [
    ("1:30", "90"), ("1:30:00", "5400"), ("-1:30", "-90"), ("190:20:30.15", "685230.15"), ("1:30.5", "90.5"),
], ids=["int", "hours", "negative", "float", "float, two parts"])
def test_a_base_60_number_is_refused_naming_the_setting_and_what_to_write(value, number):
    with pytest.raises(Refused) as info:
        load_yaml(f"seed: 1\nbehaviour:\n  hukou:\n    min_insurance_years: {value}\n")
    err = info.value
    assert err.field == "behaviour.hukou.min_insurance_years"
    assert (err.line, err.column) == (4, 26)
    assert f"{value} is a base-60 number to YAML 1.1 ({number})" in err.message
    assert f"write {number} for the number, or quote it ('{value}') for text" in err.message
    assert err.message.endswith("(line 4, column 26)") and "line" not in err.reason


@pytest.mark.parametrize(("text", "field", "words"), [
    ("replications: 017\n", "replications", "the octal number 15, YAML 1.2 as 17; write 15 or 17 as meant"),
    ("replications: 08\n", "replications", "reads it as text, YAML 1.2 as 8; write 8 as meant"),
    ("seed: -010\n", "seed", "the octal number -8, YAML 1.2 as -10"),
    ("seed: 0x1F\n", "seed", "0x1F is a hexadecimal number (31); write it in decimals (31)"),
    ("seed: 0b101\n", "seed", "0b101 is a binary number (5)"),
    ("runs: [1, 2, 1:30]\n", "runs", "1:30 is a base-60 number"),
    ("sizes:\n  1:30: 4\n", "sizes", "the key 1:30 is a base-60 number"),
], ids=["octal", "leading zero, not octal", "negative octal", "hexadecimal", "binary", "in a list", "a key"])
def test_numbers_whose_meaning_surprises_are_refused(text, field, words):
    with pytest.raises(Refused, match=re.escape(words)) as info:
        load_yaml(text)
    assert info.value.field == field


def test_the_surprising_forms_quoted_or_tagged_mean_what_they_say():
    assert load_yaml("a: '1:30'\nb: \"017\"\nc: !!int 017\nd: !!str 0x1F\ne: 0:30\nf: 0o17\n") == {
        "a": "1:30", "b": "017", "c": 15, "d": "0x1F", "e": "0:30", "f": "0o17"}


def test_yes_no_on_off_are_text_and_only_true_false_are_booleans():
    assert load_yaml("a: [yes, no, on, off, Yes, NO, On, OFF]\nb: [true, false, True, FALSE]\nno: 1\n") == {
        "a": ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF"], "b": [True, False, True, False], "no": 1}


def test_digit_groups_infinity_and_nan_are_read_as_yaml_1_1_reads_them():
    data = load_yaml("a: 1_000\nb: 1_000.5\nc: .inf\nd: -.inf\ne: .nan\nf: 0\ng: -0\nh: +5\ni: 1.0e+5\nj: 1e5\n")
    assert {k: v for k, v in data.items() if k != "e"} == {
        "a": 1000, "b": 1000.5, "c": float("inf"), "d": float("-inf"), "f": 0, "g": 0, "h": 5, "i": 1e5, "j": "1e5"}
    assert data["e"] != data["e"]
