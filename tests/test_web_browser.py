"""The what-if page in a real headless browser (issue 17 item 6): Chromium via selenium against the page served
by uvicorn on this machine. It loads in Chinese, a lever is set, the run is waited for, the scorecard and the
district map show, English is one click away, and the what-if is compared with the baseline. Skipped without
Chromium and chromedriver, unless QINGDAO_REQUIRE_BROWSER=1 (CI), where their absence fails."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from .test_report_browser import ARTIFACTS, driver  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from sim.web.app import make_app

    out = tmp_path_factory.mktemp("page")
    app = make_app(out)
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", out
    instance.should_exit = True
    thread.join(10)
    app.state.jobs.close()


def wait_for(driver, address: str, css: str, seconds: float = 240.0):  # noqa: F811
    """Wait until the browser is at an address containing ``address`` (the job page has sent it on: the page
    it left may still be in the DOM until then) and the element ``css`` is on it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, seconds, poll_frequency=0.2)
    wait.until(expected_conditions.url_contains(address))
    return wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_a_planner_runs_a_what_if_and_compares_it(driver, server):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    address, out = server
    driver.get(address + "/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert "政策措施" in driver.page_source
    driver.find_element(By.NAME, "lever.zero_threshold_settlement").click()
    driver.execute_script("document.getElementById('intensity.zero_threshold_settlement').value = '0.5'")
    replications = driver.find_element(By.NAME, "replications")
    replications.clear()
    replications.send_keys("2")
    Select(driver.find_element(By.NAME, "scale")).select_by_value("2000")
    driver.find_element(By.ID, "run").click()
    wait_for(driver, "/view/whatif-", "#scorecard")
    assert "/view/whatif-" in driver.current_url
    assert len(driver.find_elements(By.CSS_SELECTOR, "#scorecard tbody tr")) >= 1
    image = driver.find_element(By.ID, "map")
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image)
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "page_run_screenshot.png"))

    driver.find_element(By.ID, "switch").click()                           # English
    wait_for(driver, "lang=en", "html[lang='en']", seconds=30)
    assert "Scorecard of the plan's targets" in driver.page_source

    driver.find_element(By.ID, "compare").click()                          # against the baseline
    wait_for(driver, "/view/comparisons/", "#scorecard")
    assert "/view/comparisons/whatif-" in driver.current_url and "-vs-baseline/" in driver.current_url
    assert "points" in driver.find_element(By.ID, "briefing").text
    assert (out / "baseline").is_dir()
