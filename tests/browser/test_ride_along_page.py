"""The supervisor's ride-along week in headless Chromium, as a supervisor reads it on a phone, a desktop and a
printout: every working day's morning and afternoon on its own map, with as many numbered stops as the tables
list, in Chinese (the browser's language) and in English; contrast and keyboard order as on every page."""

from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser.conftest import START, WAIT_S
from tests.browser.page_checks import check_page
from tests.browser.test_pages_in_browser import api


def open_week(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script("return document.body.dataset.painted"))


def week_url(live_server, supervisor_id: int, monday: date, lang: str | None = None) -> str:
    url = f"{live_server.base_url}/supervisors/{supervisor_id}/ride-along/page?start_date={monday}"
    return url + (f"&lang={lang}" if lang else "") + f"&token={live_server.token}"


def test_a_supervisor_reads_the_week_with_a_map_per_day(browser, live_server, screenshots):
    supervisor = api(live_server, f"/supervisors?office_id={live_server.office_id}")[0]
    monday = START + timedelta(days=7)  # the plan's second week: every afternoon has earlier orders to check
    week = api(live_server, f"/supervisors/{supervisor['id']}/ride-along?start_date={monday}")
    assert week["days"], "the tiny office works in its second week"

    open_week(browser, week_url(live_server, supervisor["id"], monday))
    for day in week["days"]:
        section = browser.find_element(By.ID, f"day-{day['date']}")
        ridden = [s for s in day["morning"]["stops"] if s["with_supervisor"]]
        assert len(section.find_elements(By.CSS_SELECTOR, "table.morning tbody tr")) == len(ridden)
        assert len(section.find_elements(By.CSS_SELECTOR, "table.afternoon tbody tr")) == len(day["afternoon"]["stops"])
        drawn = section.find_elements(By.CSS_SELECTOR, ".ride-map .stop")
        assert [m.text for m in drawn] == [str(s["seq"]) for s in ridden] + [
            str(s["order"]) for s in day["afternoon"]["stops"]
        ]
        assert section.find_elements(By.CSS_SELECTOR, ".ride-map path.leaflet-interactive")  # the two routes
        assert day["rep_code"] in section.find_element(By.TAG_NAME, "h2").text
    assert "上午随访" in browser.find_element(By.TAG_NAME, "main").text  # the browser asks for Chinese
    check_page(browser, screenshots, "ride-along-week")

    browser.set_window_size(390, 844)
    try:
        height = browser.execute_script("return document.querySelector('.ride-map').getBoundingClientRect().height")
        assert height >= 0.4 * 844  # on a phone each map sits below its day's tables with room of its own
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert browser.execute_script("return document.querySelector('.ride-map').getBoundingClientRect().height") > 300
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.set_window_size(1400, 900)

    open_week(browser, week_url(live_server, supervisor["id"], monday, "en"))
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Morning with" in text and "Why " in text
    browser.save_screenshot(str(screenshots / "ride-along-week-en.png"))
