"""Hostile and malformed settings files (issue 14): each is refused with exit code 2 and one line, fast, with
no traceback and nothing written. The readers' own bounds are tested in test_safe_load.py."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from sim import cli
from sim.core.districts import DISTRICTS
from sim.core.safe_load import MAX_BYTES, MAX_DEPTH, MAX_VALUES
from sim.scenario.load import MAX_EXTENDS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: generous against the under-a-second the issue asks, so that a busy machine does not fail the test
SECONDS = 5.0
#: what an alias bomb is told
BOMB = f"more than {MAX_VALUES} values"


def classic_bomb() -> str:
    """Billion laughs: nine anchors of ten aliases each, 10**9 values once expanded."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def nested_bomb(level: int = 8) -> str:
    """One value of 10**9 values, its anchors defined inside it: a list whose first item is 10**8 values
    (what took 40 s and 5.7 GB as a lever's districts, expanded into an error message)."""
    if level == 0:
        return "&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
    return f"&a{level} [{nested_bomb(level - 1)}, {', '.join([f'*a{level - 1}'] * 9)}]"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def refused(capsys, tmp_path: Path, *args, words: tuple[str, ...] = ()) -> str:
    """Run the CLI; assert exit 2, one line on stderr without a traceback, in under SECONDS, nothing written
    under ``tmp_path/out``. Return the line."""
    out_root = tmp_path / "out"
    if args[0] in ("run", "compare", "sweep", "calibrate", "backtest"):
        args = (*args, "--out", out_root, "--quiet")
    start = time.perf_counter()
    code = cli.main([str(a) for a in args])
    seconds = time.perf_counter() - start
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, err
    assert captured.out == ""
    assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert seconds < SECONDS, f"{seconds:.2f} s"
    for word in words:
        assert word in err, (word, err)
    assert not out_root.exists() or not any(out_root.rglob("*"))
    return err


# -- alias bombs, recursion, size, depth ----------------------------------------------------------------


def test_a_billion_laughs_scenario_is_refused_at_once(capsys, tmp_path):
    # refused quickly before too, by luck: its anchors are unknown top-level keys; now by its size
    path = write(tmp_path / "bomb.yaml", classic_bomb())
    refused(capsys, tmp_path, "run", path, words=("bomb.yaml", BOMB, "line"))


def test_a_bomb_in_a_lever_setting_is_refused_at_once(capsys, tmp_path):
    # the value a message used to spell in full: 10**8 values expanded into one line
    path = write(tmp_path / "districts.yaml",
                 f"extends: {BASELINE}\npolicies:\n  talent_attraction:\n    districts: {nested_bomb()}\n")
    refused(capsys, tmp_path, "validate", path, words=("districts.yaml", BOMB))


def test_a_bomb_in_the_file_extended_is_refused_naming_it(capsys, tmp_path):
    write(tmp_path / "parent.yaml", f"policies:\n  talent_attraction:\n    districts: {nested_bomb()}\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nseed: 3\n")
    refused(capsys, tmp_path, "run", child, words=("parent.yaml", BOMB))


def test_two_bombs_that_extend_each_other_are_refused(capsys, tmp_path):
    # refused quickly before too (the cycle is found before the values are looked at); now at the first file
    first = write(tmp_path / "a.yaml", f"extends: b.yaml\n{classic_bomb()}")
    write(tmp_path / "b.yaml", f"extends: a.yaml\n{classic_bomb()}")
    refused(capsys, tmp_path, "run", first, words=("a.yaml", BOMB))


def test_a_bomb_in_a_sweep_spec_is_refused(capsys, tmp_path):
    spec = write(tmp_path / "sweep.yaml", f"base: {BASELINE}\ndesign: grid\noutputs: [urbanization_rate@2021]\n"
                 "parameters:\n  behaviour.hukou.min_insurance_years: {values: [1, 2]}\n"
                 f"set:\n  policies.talent_attraction.districts: {nested_bomb()}\n")
    refused(capsys, tmp_path, "sweep", spec, "--dry-run", words=("sweep.yaml", BOMB))


def test_a_bomb_in_a_calibration_spec_is_refused(capsys, tmp_path):
    spec = write(tmp_path / "calibration.yaml", f"scenario: {BASELINE}\n"
                 "parameters:\n  behaviour.in_migration.rate_per_year: {low: 0.01, high: 0.09}\n"
                 f"set:\n  policies.talent_attraction.districts: {nested_bomb()}\n")
    refused(capsys, tmp_path, "calibrate", spec, words=("calibration.yaml", BOMB))


def test_a_bomb_in_a_set_value_is_refused(capsys, tmp_path):
    refused(capsys, tmp_path, "run", BASELINE, "--set", f"policies.talent_attraction.districts={nested_bomb()}",
            words=("--set", "policies.talent_attraction.districts", BOMB))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    """A real small run's folder, to tamper with copies of."""
    out = tmp_path_factory.mktemp("run")
    assert cli.main(["run", str(BASELINE), "--set", "population.scale=5000", "--set", "period.end=2021-03-31",
                     "--set", "outputs.plots=false", "--quiet", "--out", str(out)]) == 0
    [folder] = (out / "baseline").iterdir()
    return folder


def _tampered(run_folder: Path, tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_tampered_scenario_yaml_given_to_report_is_refused(capsys, tmp_path, run_folder):
    # before: 79 s and 4.7 GB, then exit 1 (the report spelled the description out)
    folder = _tampered(run_folder, tmp_path, "scenario.yaml", f"name: x\ndescription: {nested_bomb()}\n")
    before = sorted(folder.rglob("*"))
    refused(capsys, tmp_path, "report", folder, words=("RUN_DIR", "scenario.yaml", BOMB))
    assert sorted(folder.rglob("*")) == before


def test_a_deeply_nested_manifest_given_to_report_is_refused(capsys, tmp_path, run_folder):
    folder = _tampered(run_folder, tmp_path, "manifest.json", "[" * 100_000 + "]" * 100_000)
    refused(capsys, tmp_path, "report", folder, words=("manifest.json", f"more than {MAX_DEPTH} levels"))


def test_an_alias_inside_its_own_anchor_is_refused(capsys, tmp_path):
    path = write(tmp_path / "loop.yaml", "policies:\n  talent_attraction:\n    districts: &d [pingdu, *d]\n")
    refused(capsys, tmp_path, "validate", path, words=("loop.yaml", "policies.talent_attraction.districts",
                                                        "*d", "never end"))


@pytest.mark.parametrize("text", [
    "seed: " + "[" * 5000 + "]" * 5000 + "\n",                                      # flow
    "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n",     # block
], ids=["flow", "block"])
def test_deep_nesting_is_one_line(capsys, tmp_path, text):
    path = write(tmp_path / "deep.yaml", text)
    refused(capsys, tmp_path, "validate", path, words=("deep.yaml", f"more than {MAX_DEPTH} levels"))


def test_a_file_larger_than_the_bound_is_refused_unread(capsys, tmp_path):
    path = write(tmp_path / "large.yaml", "description: '" + "x" * (MAX_BYTES + 10) + "'\n")
    refused(capsys, tmp_path, "run", path, words=("large.yaml", "larger than 256 KiB"))


def test_a_number_too_long_to_convert_is_one_line(capsys, tmp_path):
    path = write(tmp_path / "digits.yaml", "seed: " + "9" * 5000 + "\n")
    refused(capsys, tmp_path, "validate", path, words=("digits.yaml", "4300 digits"))


# -- YAML 1.1's surprising scalars: base 60, octal, hexadecimal, yes/no ---------------------------------


def test_a_base_60_number_in_a_file_is_refused_naming_the_setting(capsys, tmp_path):
    # before: replications: 1:30 ran 90 replications without a word
    path = write(tmp_path / "sixty.yaml", f"extends: {BASELINE}\nname: sixty\nreplications: 1:30\n")
    refused(capsys, tmp_path, "validate", path, words=(
        "sixty.yaml: replications: 1:30 is a base-60 number to YAML 1.1 (90)", "write 90 for the number",
        "quote it ('1:30') for text", "(line 3, column 15)"))


@pytest.mark.parametrize(("setting", "words"), [
    ("replications=1:30", ("--set: the value of replications is refused: 1:30 is a base-60 number", "write 90")),
    ("seed=1:30:00", ("--set: the value of seed is refused: 1:30:00 is a base-60 number to YAML 1.1 (5400)",)),
    ("replications=017", ("replications is refused: 017 has a leading zero", "the octal number 15")),
    ("seed=0x1F", ("seed is refused: 0x1F is a hexadecimal number (31)",)),
    ("population={scale: 1:30}", ("the value of population is refused: scale: 1:30 is a base-60 number",)),
], ids=["base 60", "hours", "octal", "hexadecimal", "nested"])
def test_a_surprising_number_in_a_set_is_refused(capsys, tmp_path, setting, words):
    err = refused(capsys, tmp_path, "run", BASELINE, "--set", setting, words=words)
    assert "(line" not in err                    # a --set value has no lines


def test_a_base_60_number_in_a_spec_is_refused(capsys, tmp_path):
    sweep = write(tmp_path / "sweep.yaml", f"base: {BASELINE}\ndesign: grid\nreplications: 1:30\n"
                  "parameters:\n  behaviour.hukou.min_insurance_years: {values: [1, 2]}\n"
                  "outputs: [urbanization_rate@2021]\n")
    refused(capsys, tmp_path, "sweep", sweep, "--dry-run", words=("sweep.yaml: replications: 1:30 is a base-60",))
    calibration = write(tmp_path / "calibration.yaml", f"scenario: {BASELINE}\nseed: 0x1F\n"
                        "parameters:\n  behaviour.in_migration.rate_per_year: {low: 0.01, high: 0.09}\n")
    refused(capsys, tmp_path, "calibrate", calibration, words=("calibration.yaml: seed: 0x1F is a hexadecimal",))


def test_a_district_called_no_is_text_not_false(capsys, tmp_path):
    # before: [no] was read as [false] and refused as "unknown district false"
    path = write(tmp_path / "no.yaml", f"extends: {BASELINE}\npolicies:\n  talent_attraction:\n    districts: [no]\n")
    refused(capsys, tmp_path, "validate", path, words=("unknown district 'no'",))


def test_yes_no_on_off_still_switch_a_true_or_false_setting(capsys, tmp_path):
    from sim.scenario import load_scenario

    path = write(tmp_path / "off.yaml", f"extends: {BASELINE}\nname: on\noutputs:\n  plots: no\n")
    scenario = load_scenario(path)
    assert scenario.name == "on" and scenario.outputs.plots is False
    assert load_scenario(path, ["outputs.plots=yes"]).outputs.plots is True
    assert load_scenario(path, ["outputs.plots=OFF"]).outputs.plots is False
    refused(capsys, tmp_path, "validate", BASELINE, "--set", "outputs.plots=maybe",
            words=("outputs.plots: expected true or false, got 'maybe'",))


#: a file name longer than the file system allows (255 bytes)
LONG = "a" * 300


@pytest.mark.parametrize("args", [
    ("run", f"{LONG}.yaml"), (LONG,), ("validate", "child.yaml"), ("compare", BASELINE, "--against", f"{LONG}.yaml"),
    ("sweep", f"{LONG}.yaml", "--dry-run"), ("calibrate", f"{LONG}.yaml"), ("backtest", f"{LONG}.yaml"),
    ("report", LONG),
], ids=["run", "default command", "extends", "against", "sweep", "calibrate", "backtest", "report"])
def test_an_over_long_file_name_is_one_line(capsys, tmp_path, monkeypatch, args):
    # each a traceback before (OSError: File name too long, from the first look at the file)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "child.yaml", f"extends: {LONG}.yaml\n")
    refused(capsys, tmp_path, *args, words=(f"{LONG}", "File name too long"))


# -- duplicate keys ----------------------------------------------------------------------------------


def test_a_setting_given_twice_in_a_scenario_is_refused_naming_it(capsys, tmp_path):
    path = write(tmp_path / "twice.yaml", "behaviour:\n  hukou:\n    min_insurance_years: 1\n"
                                          "    min_insurance_years: 3\n")
    refused(capsys, tmp_path, "run", path, words=(
        "twice.yaml: behaviour.hukou.min_insurance_years: the key 'min_insurance_years' is given twice, at lines 3 "
        "and 4",))


def test_a_key_given_twice_in_a_sweep_spec_is_refused(capsys, tmp_path):
    spec = write(tmp_path / "sweep.yaml", f"base: {BASELINE}\ndesign: grid\nreplications: 1\nreplications: 3\n")
    refused(capsys, tmp_path, "sweep", spec, "--dry-run", words=("sweep.yaml: replications", "given twice"))


def test_a_key_given_twice_in_a_set_value_is_refused(capsys, tmp_path):
    refused(capsys, tmp_path, "run", BASELINE, "--set", "targets={urbanization_rate: 70, urbanization_rate: 80}",
            words=("--set", "targets", "'urbanization_rate' is given twice"))


# -- impossible dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "field"), [
    ("period:\n  end: 2021-02-30\n", "period.end"),
    ("period:\n  start: 2021-13-01\n", "period.start"),
    ("policies:\n  talent_attraction:\n    start: 2022-02-29\n", "policies.talent_attraction.start"),
    ("policies:\n  new_town_development:\n    upgrade_dates: {boli: 2022-04-31}\n",
     "policies.new_town_development.upgrade_dates.boli"),
    ("submodels:\n  transport:\n    rail_operating_km: {2021-02-30: 300}\n", "submodels.transport.rail_operating_km"),
], ids=["day", "month", "lever", "map of dates", "schedule key"])
def test_an_impossible_date_in_a_file_names_the_setting(capsys, tmp_path, text, field):
    path = write(tmp_path / "dates.yaml", f"extends: {BASELINE}\n{text}")
    refused(capsys, tmp_path, "run", path, words=(f"dates.yaml: {field}:", "no such day"))


@pytest.mark.parametrize(("setting", "field"), [
    ("period.end=2021-02-30", "period.end"),
    ("period.start=2021-13-01", "period.start"),
    ("submodels.transport.rail_operating_km={2021-02-30: 300}", "submodels.transport.rail_operating_km"),
], ids=["day", "month", "schedule key"])
def test_an_impossible_date_in_a_set_names_the_setting(capsys, tmp_path, setting, field):
    refused(capsys, tmp_path, "run", BASELINE, "--set", setting, words=(f"--set: {field}:", "no such day"))


def test_an_impossible_date_in_a_sweep_spec_names_the_setting(capsys, tmp_path):
    spec = write(tmp_path / "sweep.yaml", f"base: {BASELINE}\ndesign: grid\nset:\n  period.end: 2021-02-30\n"
                 "parameters:\n  behaviour.hukou.min_insurance_years: {values: [1, 2]}\n"
                 "outputs: [urbanization_rate@2021]\n")
    refused(capsys, tmp_path, "sweep", spec, "--dry-run", words=("period.end", "no such day"))


# -- empty files and empty names ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n\n   # and another\n", "\ufeff# with a BOM\n"],
                         ids=["empty", "blank lines", "comments", "BOM and a comment"])
def test_an_empty_scenario_file_is_an_error_not_the_defaults(capsys, tmp_path, text):
    path = write(tmp_path / "empty.yaml", text)
    refused(capsys, tmp_path, "run", path, words=("empty.yaml: the file is empty",))


def test_an_empty_file_extended_is_named(capsys, tmp_path):
    write(tmp_path / "parent.yaml", "# to be written\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nseed: 3\n")
    refused(capsys, tmp_path, "run", child, words=("parent.yaml: the file is empty",))


@pytest.mark.parametrize("command", ["sweep", "calibrate"])
def test_an_empty_spec_is_an_error(capsys, tmp_path, command):
    spec = write(tmp_path / "spec.yaml", "# nothing yet\n")
    refused(capsys, tmp_path, command, spec, words=("spec.yaml: the file is empty",))


def test_an_empty_name_on_the_command_line_is_refused(capsys, tmp_path):
    refused(capsys, tmp_path, "run", BASELINE, "--set", "name=", words=("--set: name: the name is empty",))


def test_an_empty_name_in_a_file_is_refused(capsys, tmp_path):
    path = write(tmp_path / "unnamed.yaml", f"extends: {BASELINE}\nname:\n")
    refused(capsys, tmp_path, "run", path, words=("unnamed.yaml: name: the name is empty",))


# -- weights that are all zero -----------------------------------------------------------------------

ALL_ZERO = {
    "behaviour.in_migration.household_size_shares_pct": "{1: 0, 2: 0, 3: 0, 4: 0}",
    "population.family_household_size_shares_pct": "{1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}",
    "behaviour.in_migration.district_attraction": "{" + ", ".join(f"{d}: 0" for d in DISTRICTS) + "}",
}


@pytest.mark.parametrize("setting", list(ALL_ZERO))
def test_weights_that_are_all_zero_are_refused_before_the_run(capsys, tmp_path, setting):
    # each crashed the run (Probabilities contain NaN, lam is NaN) after validation passed
    refused(capsys, tmp_path, "run", BASELINE, "--set", "population.scale=5000", "--set", "outputs.plots=false",
            "--set", f"{setting}={ALL_ZERO[setting]}", words=(f"--set: {setting}: ", "all zero"))


def test_weights_set_to_zero_one_by_one_across_files_are_refused_naming_the_last(capsys, tmp_path):
    write(tmp_path / "parent.yaml", f"extends: {BASELINE}\nbehaviour:\n  in_migration:\n"
                                    "    household_size_shares_pct: {1: 0, 2: 0}\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nbehaviour:\n  in_migration:\n"
                                           "    household_size_shares_pct: {3: 0, 4: 0}\n")
    refused(capsys, tmp_path, "run", child, words=("child.yaml: behaviour.in_migration.household_size_shares_pct:",
                                                   "all zero"))


def test_a_single_weight_above_zero_is_enough(capsys):
    assert cli.main(["validate", str(BASELINE), "--set",
                     "behaviour.in_migration.household_size_shares_pct={1: 0, 2: 0, 3: 0, 4: 1}"]) == 0
    assert "OK" in capsys.readouterr().out


# -- extends chains and loops ------------------------------------------------------------------------


def _chain(tmp_path: Path, files: int) -> Path:
    """``c0.yaml`` extends ``c1.yaml`` ... the last extends the baseline: ``files`` files in all."""
    for i in range(files - 1):
        write(tmp_path / f"c{i}.yaml", f"extends: c{i + 1}.yaml\nseed: {i}\n" if i < files - 2 else
              f"extends: {BASELINE}\nseed: {i}\n")
    return tmp_path / "c0.yaml"


def test_an_extends_chain_of_sixteen_files_is_read(capsys, tmp_path):
    assert cli.main(["validate", str(_chain(tmp_path, MAX_EXTENDS))]) == 0
    assert "OK: scenario 'c0'" in capsys.readouterr().out


@pytest.mark.parametrize("files", [MAX_EXTENDS + 1, 1500])
def test_a_longer_extends_chain_is_one_line(capsys, tmp_path, files):
    # 1500 files: a RecursionError traceback before
    refused(capsys, tmp_path, "run", _chain(tmp_path, files),
            words=(f"c{MAX_EXTENDS - 1}.yaml: extends: extends chains more than {MAX_EXTENDS} files", "c0.yaml"))


@pytest.mark.parametrize("files", [{"a": "a"}, {"a": "b", "b": "a"}, {"a": "b", "b": "c", "c": "b"}],
                         ids=["itself", "a pair", "a loop further up"])
def test_an_extends_loop_is_one_line(capsys, tmp_path, files):
    for name, parent in files.items():
        write(tmp_path / f"{name}.yaml", f"extends: {parent}.yaml\nseed: 1\n")
    refused(capsys, tmp_path, "run", tmp_path / "a.yaml", words=("extends forms a cycle",))


def test_extending_a_symbolic_link_that_loops_is_one_line(capsys, tmp_path):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    child = write(tmp_path / "child.yaml", "extends: loop.yaml\n")
    refused(capsys, tmp_path, "run", child, words=("child.yaml: extends: the file to extend was not found",))


# -- malformed --dask addresses ------------------------------------------------------------------------

SWEEP = ROOT / "scenarios" / "sweeps" / "quick_grid.yaml"
FORM = "; expected an address like tcp://192.168.1.10:8786"


@pytest.mark.parametrize("address, words", [
    ("foo", ("--dask: 'foo': the port is missing", FORM)),
    ("", ("--dask: '': the address is empty", FORM)),
    ("tcp://", ("--dask: 'tcp://': the host is missing",)),
    ("tcp://127.0.0.1:notaport", ("the port must be a whole number from 1 to 65535, got 'notaport'",)),
    ("tcp://[::1", ("the IPv6 address has no closing ']'",)),
    ("tcp://::1:8786", ("an IPv6 address goes in brackets: tcp://[::1]:8786",)),
    ("tcp://127.0.0.1:99999", ("the port must be a whole number from 1 to 65535, got '99999'",)),
    ("tcp://127.0.0.1:0", ("got '0'",)),
    ("udp://127.0.0.1:8786", ("Dask does not connect over 'udp' (it does over tcp, tls, ws, wss)",)),
    ("inproc://127.0.0.1/1/1", ("Dask does not connect over 'inproc'",)),
    ("tcp://" + "a" * 5000 + ":8786", ("is not a host name or IP address",)),
    ("tcp://sched\nuler:8786", ("'tcp://sched\\nuler:8786': 'sched\\nuler' is not a host name",)),
    ("tcp://\x1b[2J\x07:8786", ("'\\x1b[2J\\x07' is not a host name",)),
    # well formed, nothing listening: at once, not after distributed's 20 s of retries
    ("tcp://127.0.0.1:1", ("--dask: cannot reach the Dask scheduler at 'tcp://127.0.0.1:1': nothing listens on "
                           "port 1 of 127.0.0.1 (is the scheduler running?)",)),
    ("tcp://[::1]:1", ("--dask: cannot reach the Dask scheduler at 'tcp://[::1]:1': ",)),
], ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_a_malformed_or_unreachable_dask_address_is_one_line(capsys, tmp_path, address, words):
    err = refused(capsys, tmp_path, "sweep", SWEEP, "--dask", address, words=words)
    assert len(err) < 400 and "\x1b" not in err and "\x07" not in err


def test_a_malformed_dask_address_is_refused_by_a_dry_run_too(capsys, tmp_path):
    refused(capsys, tmp_path, "sweep", SWEEP, "--dry-run", "--dask", "tcp://127.0.0.1:notaport",
            words=("got 'notaport'",))


def test_a_server_that_is_not_a_dask_scheduler_is_given_up_on_after_the_timeout():
    """One that accepts and never answers: distributed waits for its handshake for ever."""
    import socket
    import time as clock

    from sim.experiment.executor import ExecutorError, run_dask

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        started = clock.perf_counter()
        with pytest.raises(ExecutorError) as err:
            run_dask(abs, [1], lambda i, r: None, address=f"tcp://127.0.0.1:{port}", timeout_seconds=1)
    assert err.value.bad_input and clock.perf_counter() - started < 3
    assert f"something listens on port {port} of 127.0.0.1 but no Dask scheduler answered within 1 s" in str(err.value)


@pytest.mark.parametrize("option", [["--dask", "tcp://127.0.0.1:8786"], ["--dask-local", "2"]])
def test_a_sweep_on_dask_without_dask_installed_says_how_to_install_it(capsys, tmp_path, monkeypatch, option):
    monkeypatch.setitem(sys.modules, "distributed", None)          # import distributed: ImportError
    refused(capsys, tmp_path, "sweep", SWEEP, *option, words=("--dask: Dask is not installed: pip install",))
