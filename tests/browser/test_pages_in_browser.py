"""The pages in headless Chromium, as a supervisor and a rep see them: the numbers drawn on the maps are the
day list's, the language switches, the day page fits a phone, and the printed day sheet carries the same
numbers on its map and its list. Screenshots are saved (see conftest `screenshots`)."""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from service.core.i18n import messages
from service.core.time_of_day import WEEKDAYS
from tests.browser.conftest import (
    START,
    TINY_SAMPLE,
    WAIT_S,
    LiveServer,
    environ_without_base_map,
    open_page,
    published_office,
    serve,
)


def api(server: LiveServer, path: str) -> dict:
    response = httpx.get(server.base_url + path, headers=server.headers, timeout=30)
    response.raise_for_status()
    return response.json()


# the map is where the selection put it: no zoom or pan animation running (Leaflet marks them with these classes)
SETTLED = "return !document.querySelector('#map.leaflet-zoom-anim, #map .leaflet-zoom-anim, #map .leaflet-pan-anim')"


def renders(browser) -> int:
    return int(browser.execute_script("return document.body.dataset.renders"))


def choose(browser, select_id: str, value: str) -> None:
    """Pick an option as a person would, and wait for the map to draw the new selection (picking the option
    already chosen changes nothing, so nothing is drawn anew)."""
    select = Select(browser.find_element(By.ID, select_id))
    if select.first_selected_option.get_attribute("value") == value:
        return
    before = renders(browser)
    select.select_by_value(value)
    WebDriverWait(browser, WAIT_S).until(lambda b: renders(b) > before)
    WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script(SETTLED))


def hover_route(browser) -> None:
    """Rest the pointer on a visible stretch of a drawn route, as a person would: the middle of a line's box may
    lie off the line, under a stop's marker or under another day's route."""
    find_point = """
        const routes = ".leaflet-overlay-pane path.leaflet-interactive";
        document.querySelector("#map").scrollIntoView();
        for (const path of document.querySelectorAll(routes)) {
          const length = path.getTotalLength();
          for (let i = 1; i < 40; i++) {
            const at = path.getPointAtLength(length * i / 40).matrixTransform(path.getScreenCTM());
            const hit = document.elementFromPoint(at.x, at.y);
            if (hit && hit.matches(routes)) return [Math.round(at.x), Math.round(at.y)];
          }
        }
        return null;"""
    # the map glides to the new selection's bounds: wait until the point stands still
    seen: list[list[int] | None] = [None]

    def standing_still(b) -> list[int] | None:
        seen.append(b.execute_script(find_point))
        return seen[-1] if seen[-1] is not None and seen[-1] == seen[-2] else None

    point = WebDriverWait(browser, WAIT_S, poll_frequency=0.3).until(
        standing_still, "no stretch of a route is visible to hover"
    )
    actions = ActionBuilder(browser)
    actions.pointer_action.move_to_location(*point)
    actions.perform()


def numbered_markers(browser, container: str) -> list[tuple[int, str]]:
    """(number, outlet code) of every numbered stop drawn on the map, checked to be visible inside the map."""
    area = browser.find_element(By.CSS_SELECTOR, container).rect
    markers = []
    for marker in browser.find_elements(By.CSS_SELECTOR, f"{container} .leaflet-marker-pane .stop"):
        assert marker.is_displayed()
        box = marker.rect
        assert area["x"] <= box["x"] + box["width"] / 2 <= area["x"] + area["width"]
        assert area["y"] <= box["y"] + box["height"] / 2 <= area["y"] + area["height"]
        assert marker.text == marker.get_attribute("data-seq")  # the number a person reads
        markers.append((int(marker.text), marker.get_attribute("data-code")))
    return sorted(markers)


def busiest_days(server: LiveServer) -> list[dict]:
    """Each rep's day with the most visits in the cycle's first week."""
    plan = api(server, f"/plans/{server.plan_id}")
    best: dict[int, dict] = {}
    for day in plan["days"]:
        if day["week"] == 0 and len(day["visits"]) > len(best.get(day["rep_id"], {"visits": []})["visits"]):
            best[day["rep_id"]] = day
    return list(best.values())


def test_plan_map_numbers_equal_the_day_lists_and_the_language_switches(browser, live_server, screenshots):
    plan = api(live_server, f"/plans/{live_server.plan_id}")
    open_page(browser, f"{live_server.base_url}/plans/{live_server.plan_id}/map?week=1&token={live_server.token}")
    # the browser asks for Chinese
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    assert messages("zh-CN")["kpis"] in browser.find_element(By.ID, "kpis").text
    first_week = sorted((v["seq"], v["outlet_code"]) for d in plan["days"] if d["week"] == 0 for v in d["visits"])
    assert numbered_markers(browser, "#map") == first_week
    assert browser.find_elements(By.CSS_SELECTOR, "#map .leaflet-overlay-pane path")  # routes and territories
    browser.save_screenshot(str(screenshots / "plan-map-zh.png"))

    days = busiest_days(live_server)
    assert len(days) == 2
    for day in days:
        choose(browser, "filter-rep", str(day["rep_id"]))
        choose(browser, "filter-weekday", str(day["weekday"]))
        listing = api(live_server, f"/reps/{day['rep_id']}/day/{(START + timedelta(days=day['day'])).isoformat()}")
        expected = [(v["seq"], v["outlet_code"]) for v in listing["visits"]]
        assert numbered_markers(browser, "#map") == expected
        shown_list = [
            (int(item.get_attribute("data-seq")), item.get_attribute("data-code"))
            for item in browser.find_elements(By.CSS_SELECTOR, "#day-list li")
        ]
        assert shown_list == expected
        browser.save_screenshot(str(screenshots / f"plan-map-zh-rep{day['rep_id']}-day{day['day']}.png"))

    # switch to English: the same view, now in English
    browser.find_element(By.CSS_SELECTOR, 'a.lang-switch[hreflang="en"]').click()
    WebDriverWait(browser, WAIT_S).until(
        lambda b: (
            b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
            and b.execute_script("return document.body.dataset.renders")
        )
    )
    last = days[-1]
    assert f"weekday={WEEKDAYS[last['weekday']]}" in browser.current_url
    assert (
        Select(browser.find_element(By.ID, "filter-weekday")).first_selected_option.text
        == messages("en")["weekdays"][last["weekday"]]
    )
    assert messages("en")["kpis"] in browser.find_element(By.ID, "kpis").text
    assert numbered_markers(browser, "#map") == [(v["seq"], v["outlet_code"]) for v in last["visits"]]
    browser.save_screenshot(str(screenshots / "plan-map-en.png"))


def test_day_page_on_a_phone_lists_and_maps_the_same_numbers(browser, live_server, screenshots):
    day = max(busiest_days(live_server), key=lambda d: len(d["visits"]))
    on = (START + timedelta(days=day["day"])).isoformat()
    listing = api(live_server, f"/reps/{day['rep_id']}/day/{on}")
    expected = [(v["seq"], v["outlet_code"]) for v in listing["visits"]]
    browser.set_window_size(412, 915)
    try:
        open_page(browser, f"{live_server.base_url}/reps/{day['rep_id']}/day/{on}/page?token={live_server.token}")
        rows = browser.find_elements(By.CSS_SELECTOR, "#stops li.stop-row")
        assert [
            (int(r.find_element(By.CLASS_NAME, "seq").text), r.find_element(By.CLASS_NAME, "code").text) for r in rows
        ] == expected
        for row, visit in zip(rows, listing["visits"]):
            assert row.find_element(By.CLASS_NAME, "arrival").text == visit["arrival"]
            assert row.find_element(By.CLASS_NAME, "channel").text == messages("zh-CN")["channels"][visit["channel"]]
        assert numbered_markers(browser, "#day-map") == sorted(expected)
        # nothing sticks out sideways on a phone
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        browser.save_screenshot(str(screenshots / "day-page-zh.png"))

        browser.find_element(By.CSS_SELECTOR, 'a.lang-switch[hreflang="en"]').click()
        WebDriverWait(browser, WAIT_S).until(
            lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        )
        first = browser.find_element(By.CSS_SELECTOR, "#stops li.stop-row .channel").text
        assert first == messages("en")["channels"][listing["visits"][0]["channel"]]
        assert browser.find_element(By.ID, "sheet-link").get_attribute("href").endswith(f"/day/{on}/sheet.pdf?lang=en")
        browser.save_screenshot(str(screenshots / "day-page-en.png"))
    finally:
        browser.set_window_size(1400, 900)


@dataclass(frozen=True)
class PdfWord:
    text: str
    x: float  # centre, points from the left
    y: float  # centre, points from the top


def pdf_words(pdf: Path) -> list[PdfWord]:
    """Every word of page 1, in pdftotext's reading order."""
    bbox = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    return [
        PdfWord(m.group(5), (float(m.group(1)) + float(m.group(3))) / 2, (float(m.group(2)) + float(m.group(4))) / 2)
        for m in word.finditer(bbox)
    ]


def png_size(path: Path) -> tuple[int, int]:
    return struct.unpack(">II", path.read_bytes()[16:24])


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_day_sheet_pdf_has_the_same_numbers_on_its_map_and_its_list(live_server, screenshots, poppler, lang):
    day = max(busiest_days(live_server), key=lambda d: len(d["visits"]))
    on = (START + timedelta(days=day["day"])).isoformat()
    listing = api(live_server, f"/reps/{day['rep_id']}/day/{on}")
    response = httpx.get(
        f"{live_server.base_url}/reps/{day['rep_id']}/day/{on}/sheet.pdf",
        params={"lang": lang},
        headers=live_server.headers,
        timeout=30,
    )
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pdf = screenshots / f"day-sheet-{lang}.pdf"
    pdf.write_bytes(response.content)

    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    width, height = png_size(next(screenshots.glob(f"day-sheet-{lang}-*1.png")))
    assert height / width == pytest.approx(297 / 210, rel=0.01)  # A4 portrait

    # the list, read in order: number then customer code on each row
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    rows = [
        (int(n), code)
        for n, code in re.findall(r"^\s*(\d+)\s+(\S+)\s", text, re.M)
        if code in {v["outlet_code"] for v in listing["visits"]}
    ]
    assert rows == [(v["seq"], v["outlet_code"]) for v in listing["visits"]]
    names = [v["outlet_name"] for v in listing["visits"]]
    assert [name for name in names if name in text] == names
    assert messages(lang)["channels"][listing["visits"][0]["channel"]] in text

    # the map, between the summary line and the list's header: one numbered circle per stop, at its outlet
    words = pdf_words(pdf)
    header_y = next(w.y for w in words if w.text == messages(lang)["number"])
    summary_y = min(w.y for w in words if listing["start"]["departure"] in w.text and w.y < header_y)
    on_map = [w for w in words if summary_y < w.y < header_y]
    circles = {
        int(w.text): w
        for i, w in enumerate(on_map)  # not the scale bar's "100 m"
        if w.text.isdigit() and [n.text for n in on_map[i + 1 : i + 2]] not in (["m"], ["km"])
    }
    assert sorted(circles) == list(range(1, len(listing["visits"]) + 1))
    assert {messages(lang)["office"], messages(lang)["home"]} & {w.text for w in on_map}
    for a in listing["visits"]:
        for b in listing["visits"]:
            east_m = (a["lon"] - b["lon"]) * 111_320 * math.cos(math.radians(a["lat"]))
            north_m = (a["lat"] - b["lat"]) * 111_320
            if east_m > 60:  # clearly east of b: drawn to the right of b
                assert circles[a["seq"]].x > circles[b["seq"]].x, (a["seq"], b["seq"])
            if north_m > 60:  # clearly north: drawn above (smaller y from the top)
                assert circles[a["seq"]].y < circles[b["seq"]].y, (a["seq"], b["seq"])


HOSTILE_CODE = "<img src=x onerror=title=7>"  # rep codes hold 32 characters at most


def test_a_rep_code_holding_markup_shows_as_text_and_runs_nothing(browser, tmp_path):
    # An office admin may name a rep anything; a global admin who opens the office's map must not run it.
    folder = tmp_path / "hostile"
    shutil.copytree(TINY_SAMPLE, folder)
    for name in ("office.json", "outlets.csv"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace("TINY-R01", HOSTILE_CODE), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'hostile.db'}"
    _, plan_id, token = published_office(url, folder)
    with serve(url, environ_without_base_map()) as base_url:
        open_page(browser, f"{base_url}/plans/{plan_id}/map?week=1&token={token}&lang=en")  # the rep's whole week
        assert "token=" not in browser.current_url  # exchanged for the cookie
        hostile = next(o for o in Select(browser.find_element(By.ID, "filter-rep")).options if HOSTILE_CODE in o.text)
        choose(browser, "filter-rep", hostile.get_attribute("value"))
        hover_route(browser)
        # the tooltip fades in: its text is read once it shows
        tooltip = WebDriverWait(browser, WAIT_S).until(
            lambda b: next((t for t in b.find_elements(By.CSS_SELECTOR, ".leaflet-tooltip") if t.text), None)
        )
        assert tooltip.text.startswith(HOSTILE_CODE + " · ")  # the code as the text it is
        assert not browser.find_elements(By.CSS_SELECTOR, "img[src='x']")
        assert browser.title != "7"
