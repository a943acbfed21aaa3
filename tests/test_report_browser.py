"""The reports in a real headless browser (Chromium via selenium): they load from file:// without console
errors or outside requests, show the scorecard and every image. Skipped without Chromium and chromedriver,
unless QINGDAO_REQUIRE_BROWSER=1 (CI), where their absence fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim.output.report import build_comparison_report, build_run_report

from .report_folders import make_comparison_folder, make_run_folder

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _unavailable(reason: str):
    if os.environ.get("QINGDAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"QINGDAO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed (pip install '.[test]')")
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None)
    chromedriver = shutil.which("chromedriver")
    if browser is None or chromedriver is None:
        _unavailable("Chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,900",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # an explicit driver path: selenium-manager never runs, so nothing is fetched from the network
    chrome = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    yield chrome
    chrome.quit()


def check_page(driver, report: Path, screenshot: Path, min_images: int) -> None:
    driver.get(report.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []
    rows = driver.execute_script("return document.querySelectorAll('#scorecard tbody tr').length")
    assert rows >= 1
    images = driver.execute_script("""
        return Array.from(document.images).map(img => {
            const box = img.getBoundingClientRect();
            return {complete: img.complete, natural: img.naturalWidth, width: box.width, height: box.height};
        });""")
    assert len(images) >= min_images
    for image in images:
        assert image["complete"] and image["natural"] > 0 and image["width"] > 0 and image["height"] > 0, image
    outside = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))")
    assert outside == []
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1200, min(max(height, 900), 16000))        # the whole page in the screenshot
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.is_file() and screenshot.stat().st_size > 0
    driver.set_window_size(1200, 900)


def test_run_report_in_a_browser(driver, tmp_path):
    report = build_run_report(make_run_folder(tmp_path))
    check_page(driver, report, ARTIFACTS / "report_screenshot.png", min_images=4)


def test_comparison_report_in_a_browser(driver, tmp_path):
    report = build_comparison_report(make_comparison_folder(tmp_path / "cmp"))
    check_page(driver, report, ARTIFACTS / "comparison_report_screenshot.png", min_images=2)
