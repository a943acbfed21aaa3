"""The what-if page (issue 17 item 1), through Starlette's TestClient: Chinese first with an English switch, a
run from the form is an ordinary run folder from a scenario file experts can edit, an identical repeat reuses
it, a comparison with the baseline, bad input gets the CLI's one-line messages, and nothing outside the results
folder is served."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
import yaml

from sim.policy import LEVERS
from sim.scenario import load_scenario

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from sim.web.app import make_app  # noqa: E402

FORM = {"lever.zero_threshold_settlement": "on", "intensity.zero_threshold_settlement": "0.5",
        "start.zero_threshold_settlement": "2021-01-01", "end.zero_threshold_settlement": "",
        "districts.zero_threshold_settlement": ["shinan", "pingdu"], "replications": "2", "scale": "2000"}


def finish(client: TestClient, location: str, seconds: float = 240.0) -> str:
    """Poll the job page until it sends the browser on to the result; the result's address."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        reply = client.get(location, follow_redirects=False)
        if reply.status_code == 303:
            return reply.headers["location"]
        assert reply.status_code == 200, reply.text
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("web")
    with TestClient(make_app(out)) as client:
        yield client, out


@pytest.fixture(scope="module")
def ran(site):
    client, out = site
    reply = client.post("/run", data=FORM, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/jobs/")
    return finish(client, reply.headers["location"])


def error_of(html: str) -> str:
    return re.search(r'id="error">([^<]*)</p>', html).group(1)


def test_the_form_is_chinese_first_with_every_lever(site):
    client, _ = site
    page = client.get("/").text
    assert '<html lang="zh-Hans">' in page and "政策措施" in page and "运行" in page
    assert all(f'name="lever.{name}"' in page for name in LEVERS)
    assert "市南区" in page
    english = client.get("/?lang=en").text
    assert '<html lang="en">' in english and "Levers" in english and 'href="/?lang=zh"' in english


@pytest.mark.slow
def test_a_run_from_the_page_is_an_ordinary_run_folder(site, ran):
    client, out = site
    assert ran.startswith("/view/whatif-")
    view = client.get(ran)
    assert view.status_code == 200
    assert 'id="scorecard"' in view.text and 'id="fan"' in view.text and 'id="map"' in view.text
    folder = out / ran.removeprefix("/view/").split("?")[0]
    assert {"manifest.json", "summary.csv", "timeseries.csv", "scorecard.csv", "results.xlsx"} <= {
        p.name for p in folder.iterdir()}
    image = client.get(f"/files/{folder.relative_to(out)}/plots/district_map.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    # the scenario the page saved is the YAML experts edit, and the CLI runs it
    saved = out / "web" / "scenarios" / f"{folder.parent.name}.yaml"
    settings = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert settings["policies"]["zero_threshold_settlement"] == {
        "intensity": 0.5, "start": "2021-01-01", "districts": ["shinan", "pingdu"]}
    assert load_scenario(saved).policies.zero_threshold_settlement.intensity == 0.5
    assert f"python run_sim.py run results/web/scenarios/{folder.parent.name}.yaml --reuse" in view.text


@pytest.mark.slow
def test_an_identical_repeat_reuses_the_stored_run(site, ran):
    client, out = site
    reply = client.post("/run", data=FORM, follow_redirects=False)
    assert finish(client, reply.headers["location"]) == ran
    assert len(list((out / ran.removeprefix("/view/").split("?")[0]).parent.iterdir())) == 1


@pytest.mark.slow
def test_a_what_if_is_compared_with_the_baseline(site, ran):
    client, out = site
    name = ran.removeprefix("/view/").split("/")[0]
    reply = client.post("/compare", data={"scenario": name}, follow_redirects=False)
    result = finish(client, reply.headers["location"])
    assert result.startswith(f"/view/comparisons/{name}-vs-baseline/")
    page = client.get(result).text
    assert "个百分点" in page and 'id="map"' in page
    assert (out / "baseline").is_dir()                  # the baseline stored as a run, for the next what-if


@pytest.mark.parametrize("change, words", [
    ({"intensity.zero_threshold_settlement": "7"},
     "intensity.zero_threshold_settlement: expected a number from 0 to 1"),
    ({"start.zero_threshold_settlement": "2021-02-30"}, "policies.zero_threshold_settlement.start: expected a date"),
    ({"replications": "0"}, "replications: expected a whole number from 1 to 50"),
    ({"districts.zero_threshold_settlement": []}, "districts.zero_threshold_settlement: choose at least one district"),
])
def test_bad_input_gets_one_line_naming_the_field_and_nothing_is_saved(site, change, words):
    client, out = site
    before = sorted((out / "web" / "scenarios").glob("*")) if (out / "web" / "scenarios").is_dir() else []
    reply = client.post("/run", data={**FORM, **change})
    assert reply.status_code == 400
    assert words in error_of(reply.text).replace("&#39;", "'")
    now = sorted((out / "web" / "scenarios").glob("*")) if (out / "web" / "scenarios").is_dir() else []
    assert now == before


def test_text_from_the_form_is_escaped(site):
    client, _ = site
    reply = client.post("/run", data={**FORM, "start.zero_threshold_settlement": "<script>alert(1)</script>"})
    assert reply.status_code == 400
    assert "<script>alert(1)" not in reply.text and "&lt;script&gt;" in reply.text


@pytest.mark.parametrize("path", ["/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd", "/files//etc/passwd",
                                  "/view/..%2F..%2Fetc", "/files/web/scenarios", "/jobs/nonexistent",
                                  "/view/nothing/here"])
def test_nothing_outside_the_results_folder_is_served(site, path):
    client, _ = site
    assert client.get(path).status_code == 404


def test_a_link_out_of_the_results_folder_is_not_followed(site, tmp_path):
    client, out = site
    secret = tmp_path / "secret.csv"
    secret.write_text("password", encoding="utf-8")
    (out / "planted.csv").symlink_to(secret)
    assert client.get("/files/planted.csv").status_code == 404


def test_only_the_results_files_kinds_are_served(site):
    client, out = site
    (out / "code.py").write_text("print(1)", encoding="utf-8")
    assert client.get("/files/code.py").status_code == 404


def test_the_page_answers_while_requests_come_at_once(site):
    client, _ = site
    codes: list[int] = []

    def fetch() -> None:
        codes.append(client.get("/?lang=en").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [200] * 8


def test_a_compare_of_an_unknown_what_if_is_refused(site):
    client, _ = site
    assert client.post("/compare", data={"scenario": "../../baseline"}).status_code == 404
    assert client.post("/compare", data={"scenario": "whatif-0000000000"}).status_code == 404


def test_the_serve_command_refuses_a_bad_port(capsys):
    from sim import cli

    with pytest.raises(SystemExit) as info:               # argparse's errors leave through SystemExit
        cli.main(["serve", "--port", "70000"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "expected a port number from 1 to 65535" in err and err.count("\n") == 1


def test_the_server_listens_on_this_machine_only_by_default():
    from sim import cli

    parser = cli._parser()
    args = parser.parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000
    assert Path(cli.__file__).read_text(encoding="utf-8").count("0.0.0.0 opens it to the network") == 1
