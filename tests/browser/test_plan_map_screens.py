"""The plan map on the screens a supervisor has: a phone, a tablet, a printout. The map must have room and its
stops, whatever the width (it was 0 px high below 800 px and missing from a printout)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import WAIT_S, open_page
from tests.browser.page_checks import check_page
from tests.browser.test_pages_in_browser import api, choose, renders


def _map_box(browser) -> tuple[float, int]:
    """The map's height in CSS pixels and the markers drawn in it."""
    height = browser.execute_script("return document.getElementById('map').getBoundingClientRect().height")
    return height, len(browser.find_elements(By.CSS_SELECTOR, "#map .leaflet-marker-icon"))


@pytest.mark.parametrize(("width", "height"), [(390, 844), (768, 1024), (1400, 900)])
def test_the_map_has_room_and_stops_on_every_screen(browser, live_server, screenshots, width, height):
    browser.set_window_size(width, height)
    try:
        open_page(browser, f"{live_server.base_url}/plans/{live_server.plan_id}/map?token={live_server.token}")
        map_height, markers = _map_box(browser)
        assert map_height >= 0.4 * browser.execute_script("return window.innerHeight"), map_height
        assert markers > 0
        browser.save_screenshot(str(screenshots / f"plan-map-{width}x{height}.png"))
    finally:
        browser.set_window_size(1400, 900)


def test_a_printout_shows_the_map_and_the_key_figures(browser, live_server):
    browser.set_window_size(1400, 900)
    open_page(browser, f"{live_server.base_url}/plans/{live_server.plan_id}/map?token={live_server.token}")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        map_height, markers = _map_box(browser)
        assert map_height > 300 and markers > 0
        assert browser.find_element(By.ID, "kpis").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_contrast_and_every_control_before_the_markers(browser, live_server, screenshots):
    """A supervisor on the keyboard reaches the filters without tabbing through every stop on the map."""
    open_page(browser, f"{live_server.base_url}/plans/{live_server.plan_id}/map?token={live_server.token}")
    try:
        check_page(browser, screenshots, "plan-map")
    finally:
        browser.set_window_size(1400, 900)
    assert browser.find_element(By.ID, "map").get_attribute("aria-label") == "计划地图"  # the browser asks for Chinese


def _summary(browser) -> dict[str, list[str]]:
    return {
        row.find_element(By.CSS_SELECTOR, "button").text: [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        for row in browser.find_elements(By.CSS_SELECTOR, "#rep-summary tbody tr")
    }


def test_one_reps_summary_follows_the_filters_and_rows_select(browser, live_server):
    """A supervisor picks one rep and reads its days: the visits per day are the plan's for that rep; a workload
    row shows that day on the map."""
    browser.set_window_size(1400, 900)
    open_page(browser, f"{live_server.base_url}/plans/{live_server.plan_id}/map?token={live_server.token}&week=0")
    plan = api(live_server, f"/plans/{live_server.plan_id}")
    reps = {d["rep_code"]: d["rep_id"] for d in plan["days"]}
    assert set(_summary(browser)) == set(reps)  # every rep, every week

    code = sorted(reps)[-1]
    choose(browser, "filter-rep", str(reps[code]))
    summary = _summary(browser)
    assert list(summary) == [code]
    visits = [len(d["visits"]) for d in plan["days"] if d["rep_code"] == code]
    mean = sum(visits) / len(visits)
    assert summary[code][1] == str(len(visits))
    assert summary[code][2].split("\n") == [f"{mean:.1f}", f"{min(visits)}–{max(visits)}"]
    legend = browser.find_element(By.ID, "legend").text
    assert "星期一" in legend  # one rep: a colour per weekday

    row = browser.find_elements(By.CSS_SELECTOR, "#workload tbody tr:not([hidden])")[3]
    before = renders(browser)
    row.click()
    WebDriverWait(browser, WAIT_S).until(lambda b: renders(b) > before)
    picked = {
        name: Select(browser.find_element(By.ID, f"filter-{name}")).first_selected_option.get_attribute("value")
        for name in ("rep", "week", "weekday")
    }
    assert picked == {
        "rep": row.get_attribute("data-rep"),
        "week": row.get_attribute("data-week"),
        "weekday": row.get_attribute("data-weekday"),
    }
    assert browser.find_elements(By.CSS_SELECTOR, "#day-list li")  # that day's stops listed
