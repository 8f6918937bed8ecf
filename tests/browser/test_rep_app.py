"""The rep's phone app in headless Chromium, as a rep uses it: a one-time link signs the phone in, today's page
opens (or the latest day with visits, through "previous day"), three outcomes are recorded, one while the phone
is offline, and the KPI page counts exactly three. Screenshots at phone and desktop size; text contrast and the
keyboard order (every control before the map's markers) are checked on each page."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from service.core.i18n import messages
from tests.browser.conftest import WAIT_S, LiveServer
from tests.browser.page_checks import SIZES, check_page

OFFLINE_RETRY_S = 40  # the page retries every 10 s, and at once when the browser says it is online again
M_PER_DEG_LAT = 111_195.0
ONLINE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


# the stop numbers on the map that something else covers at their centre (another marker, the office)
HIDDEN_STOPS = """
return Array.from(document.querySelectorAll("#day-map .leaflet-marker-pane .stop")).filter((badge) => {
  const box = badge.getBoundingClientRect();
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return !badge.contains(top);
}).map((badge) => badge.dataset.seq);
"""


def api_get(server: LiveServer, path: str, **params) -> dict | list:
    response = httpx.get(server.base_url + path, headers=server.headers, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def office_today() -> datetime:
    return datetime.now(ZoneInfo("Asia/Shanghai"))


def a_rep_with_visits_lately(server: LiveServer) -> tuple[int, str]:
    """(rep id, date) of the latest day up to today on which a rep has at least three visits."""
    reps = api_get(server, "/reps", office_id=server.office_id)
    for back in range(14):
        on = (office_today() - timedelta(days=back)).date().isoformat()
        for rep in reps:
            if len(api_get(server, f"/reps/{rep['id']}/day/{on}")["visits"]) >= 3:
                return rep["id"], on
    raise AssertionError("no rep has three visits on a day of the last two weeks")


def record(browser, seq: int, status: str, order: bool) -> None:
    form = browser.find_element(By.CSS_SELECTOR, f'form.outcome[data-seq="{seq}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    form.find_element(By.CSS_SELECTOR, f'input[type="radio"][value="{status}"]').click()
    box = form.find_element(By.CSS_SELECTOR, 'input[name="order"]')
    if box.is_selected() != order:
        box.click()
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()


def state(browser, seq: int) -> str:
    return browser.find_element(By.CSS_SELECTOR, f'form.outcome[data-seq="{seq}"] .recorded').get_attribute(
        "data-state"
    )


def set_position(browser, lat: float, lon: float) -> None:
    browser.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": lat, "longitude": lon, "accuracy": 10})


def test_a_rep_signs_in_records_three_outcomes_one_offline_and_the_kpi_page_counts_three(
    browser, live_server, screenshots
):
    rep_id, on = a_rep_with_visits_lately(live_server)
    stops = api_get(live_server, f"/reps/{rep_id}/day/{on}")["visits"]
    zh = messages("zh-CN")
    browser.execute_cdp_cmd(
        "Browser.grantPermissions", {"origin": live_server.base_url, "permissions": ["geolocation"]}
    )
    try:
        # a page opened without a token: the sign-in form, in the phone's language
        browser.delete_all_cookies()
        browser.get(f"{live_server.base_url}/reps/{rep_id}/day/today/page")
        assert browser.find_element(By.ID, "sign-in-form").is_displayed()
        assert browser.find_element(By.TAG_NAME, "h1").text == zh["sign_in.title"]
        check_page(browser, screenshots, "rep-sign-in")

        # the supervisor's one-time link signs the phone in and opens today
        link = httpx.post(
            f"{live_server.base_url}/reps/{rep_id}/sign-in-links", headers=live_server.headers, timeout=30
        ).json()["url"]
        browser.get(link)  # opening the link spends nothing: the button does
        check_page(browser, screenshots, "rep-sign-in-link")
        browser.find_element(By.ID, "sign-in-link-button").click()
        WebDriverWait(browser, WAIT_S).until(lambda b: "/day/today/page" in b.current_url)
        assert office_today().date().isoformat() in browser.find_element(By.TAG_NAME, "h1").text
        for _ in range(14):  # back to the day with the visits, as a rep catching up would
            if on in browser.find_element(By.TAG_NAME, "h1").text:
                break
            browser.get(browser.find_element(By.ID, "previous-day").get_attribute("href"))
        WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script("return document.body.dataset.renders"))
        assert on in browser.find_element(By.TAG_NAME, "h1").text
        browser.execute_script("localStorage.clear()")
        check_page(browser, screenshots, "rep-day")
        browser.set_window_size(*SIZES["phone"])

        # 1: visited, order taken, at the outlet
        set_position(browser, stops[0]["lat"], stops[0]["lon"])
        record(browser, 1, "visited", order=True)
        WebDriverWait(browser, WAIT_S).until(lambda b: state(b, 1) == "saved")

        # 2: offline: kept on the phone, sent when the connection returns; recorded 1 km away: flagged
        browser.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
        set_position(browser, stops[1]["lat"] + 1000 / M_PER_DEG_LAT, stops[1]["lon"])
        record(browser, 2, "closed", order=False)
        WebDriverWait(browser, WAIT_S).until(lambda b: state(b, 2) == "queued")
        assert browser.find_element(By.ID, "sync-status").get_attribute("data-waiting") == "1"
        assert browser.execute_script("return JSON.parse(localStorage.getItem('routeplan.outbox')).length") == 1
        browser.save_screenshot(str(screenshots / "rep-day-offline-phone.png"))
        browser.delete_network_conditions()
        WebDriverWait(browser, OFFLINE_RETRY_S).until(lambda b: state(b, 2) == "saved")
        far_note = browser.find_element(By.CSS_SELECTOR, 'form.outcome[data-seq="2"] .recorded').text
        assert zh["rep_app.far_from_outlet"].split("{")[0] in far_note, far_note

        # 3: visited, no order
        set_position(browser, stops[2]["lat"], stops[2]["lon"])
        record(browser, 3, "visited", order=False)
        WebDriverWait(browser, WAIT_S).until(lambda b: state(b, 3) == "saved")
        assert browser.execute_script("return localStorage.getItem('routeplan.outbox')") == "[]"

        # on the server: three outcomes, one report each (nothing doubled, nothing lost), positions kept
        outcomes = api_get(live_server, "/visits", rep_id=rep_id, **{"from": on, "to": on})
        assert sorted((o["outlet_code"], o["visited"], o["reason"], o["order_taken"]) for o in outcomes) == sorted(
            [
                (stops[0]["outlet_code"], True, None, True),
                (stops[1]["outlet_code"], False, "closed", False),
                (stops[2]["outlet_code"], True, None, False),
            ]
        )
        assert all(len(o["reports"]) == 1 and o["lat"] is not None for o in outcomes)
        far = {o["outlet_code"]: o["far_from_outlet"] for o in outcomes}
        assert far == {stops[0]["outlet_code"]: False, stops[1]["outlet_code"]: True, stops[2]["outlet_code"]: False}

        # a reload shows what was recorded, from the server
        browser.refresh()
        WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script("return document.body.dataset.renders"))
        assert [state(browser, k) for k in (1, 2, 3)] == ["saved"] * 3
        browser.execute_script("document.getElementById('day-map').scrollIntoView()")
        browser.save_screenshot(str(screenshots / "rep-day-map-phone.png"))
        assert browser.execute_script(HIDDEN_STOPS) == []  # every number on top at its own centre
        assert browser.find_element(By.CSS_SELECTOR, "#day-map .office-label").text == zh["rep_app.office_label"]

        # the KPI page (an admin's link) counts exactly these three
        browser.get(
            f"{live_server.base_url}/kpis/page?office_id={live_server.office_id}&from={on}&to={on}"
            f"&token={live_server.token}"
        )
        assert browser.find_element(By.ID, "total-reports").text == "3"
        check_page(browser, screenshots, "kpi")
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", ONLINE)
        browser.execute_cdp_cmd("Emulation.clearGeolocationOverride", {})
        browser.delete_all_cookies()
        browser.set_window_size(*SIZES["desktop"])
