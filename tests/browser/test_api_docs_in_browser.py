"""/docs and /redoc as a developer opens them on a machine without internet: the viewers come from the service
and list the API's operations."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import WAIT_S


def _loaded_from(browser) -> set[str]:
    """The hosts the page's resources came from (ReDoc's attribution asks cdn.redoc.ly for its logo: the page's
    Content-Security-Policy refuses it before any request leaves, and the viewer hides the image)."""
    names = browser.execute_script(
        "return performance.getEntriesByType('resource').filter(e => e.responseStatus > 0).map(e => e.name)"
    )
    return {urlsplit(name).netloc for name in names if not name.startswith(("data:", "blob:"))}


@pytest.mark.parametrize(
    ("path", "operation_css"),
    [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id^='operation/']")],
)
def test_the_reference_lists_the_operations_offline(browser, live_server, screenshots, path, operation_css):
    browser.set_window_size(1400, 900)
    browser.get_log("browser")  # the messages of earlier tests in this browser
    browser.get(live_server.base_url + path)
    WebDriverWait(browser, WAIT_S).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, operation_css)) > 20)
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "/reps/{rep_id}/day/{date}" in text
    assert _loaded_from(browser) == {urlsplit(live_server.base_url).netloc}
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [m for m in errors if "cdn.redoc.ly" not in m] == []
    browser.save_screenshot(str(screenshots / f"api{path.replace('/', '-')}-1400x900.png"))
