"""The rep's phone app with no connection at all: a day opened once opens again with its list and map when the
server cannot be reached (its service worker kept the page and its files), an outcome recorded then waits in the
outbox, and signing out forgets the kept pages, from any day's page. The server here is the test's own, stopped
mid-test: what the phone sees when the network is gone, not a browser's offline switch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from sqlmodel import Session

from service.access.tokens import create_token
from service.core import db
from tests.browser.conftest import START, WAIT_S, LiveServer, environ_without_base_map, published_office, serve
from tests.browser.test_rep_app import a_rep_with_visits_lately, api_get, record, state

CONTROLLED = "return !!navigator.serviceWorker.controller"


@pytest.fixture
def office(tmp_path) -> Iterator[tuple[str, int, str]]:
    """(database URL, office id, admin token) of the tiny office, with its own server."""
    url = f"sqlite:///{tmp_path / 'routeplan.db'}"
    office_id, plan_id, token = published_office(url)
    yield url, office_id, token


@pytest.fixture(autouse=True)
def a_phone_nobody_used(browser) -> Iterator[None]:
    """Every test starts with no sign-in and leaves nothing kept: no cookies, caches, workers or outbox."""
    browser.delete_all_cookies()
    yield
    browser.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": "*", "storageTypes": "all"})
    browser.delete_all_cookies()


def kept(browser, url: str) -> bool:
    return browser.execute_script(f"return caches.match({url!r}).then((hit) => !!hit)")


def open_day(browser, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script("return document.body.dataset.renders"))


def a_rep_day(url: str, office_id: int, admin: str, base_url: str) -> tuple[LiveServer, int, str, str, str]:
    """(server, rep id, the rep's token, a day with visits, that day's page URL)."""
    server = LiveServer(base_url=base_url, office_id=office_id, plan_id=0, token=admin)
    rep_id, on = a_rep_with_visits_lately(server)
    return server, rep_id, a_rep_token(url, office_id, rep_id), on, f"{base_url}/reps/{rep_id}/day/{on}/page"


def keep_the_day(browser, page: str, rep_token: str) -> None:
    """The rep signs in through the page's link; once the service worker runs, the day is opened again and kept."""
    open_day(browser, f"{page}?token={rep_token}")
    WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script(CONTROLLED))  # the worker runs
    open_day(browser, page)  # and keeps what loads from now on
    WebDriverWait(browser, WAIT_S).until(lambda b: kept(b, page))


def a_free_day(server: LiveServer, rep_id: int) -> str:
    """A day of the plan's cycle on which the rep has no visits."""
    return next(
        d.isoformat()
        for d in (START + timedelta(days=k) for k in range(28))
        if not api_get(server, f"/reps/{rep_id}/day/{d.isoformat()}")["visits"]
    )


def a_rep_token(url: str, office_id: int, rep_id: int) -> str:
    engine = db.make_engine(url)
    with Session(engine) as session:
        _, token = create_token(session, role="rep", name="phone", office_id=office_id, rep_id=rep_id)
        session.commit()
    engine.dispose()
    return token


def test_a_day_opened_once_opens_without_the_server_and_keeps_an_outcome(browser, office):
    url, office_id, admin = office
    with serve(url, environ_without_base_map()) as base_url:
        _, _, rep_token, on, page = a_rep_day(url, office_id, admin, base_url)
        keep_the_day(browser, page, rep_token)

        # signing out on a shared phone forgets the kept pages
        browser.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
        WebDriverWait(browser, WAIT_S).until(lambda b: "/sign-in" in b.current_url)
        assert browser.execute_script("return caches.keys().then((names) => names.length)") == 0

        open_day(browser, f"{page}?token={rep_token}")
        WebDriverWait(browser, WAIT_S).until(lambda b: kept(b, page))
        online_list = browser.find_element(By.CSS_SELECTOR, "main").text
    with pytest.raises(httpx.TransportError):
        httpx.get(page, timeout=5)  # the server is gone

    open_day(browser, page)
    assert on in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.CSS_SELECTOR, "main").text == online_list
    assert browser.find_elements(By.CSS_SELECTOR, "#day-map .leaflet-marker-pane .stop")  # Leaflet came too
    record(browser, 1, "visited", order=True)
    WebDriverWait(browser, WAIT_S).until(lambda b: state(b, 1) == "queued")
    assert browser.execute_script("return JSON.parse(localStorage.getItem('routeplan.outbox')).length") == 1


def test_signing_out_from_a_day_without_visits_forgets_the_kept_pages(browser, office):
    """A day with no visits (none planned, or before the plan starts) shows no list or map, and its sign-out
    button still forgets the pages kept on the phone."""
    url, office_id, admin = office
    with serve(url, environ_without_base_map()) as base_url:
        server, rep_id, rep_token, _, page = a_rep_day(url, office_id, admin, base_url)
        free_day = a_free_day(server, rep_id)
        before_the_plan = (START - timedelta(days=1)).isoformat()
        for empty_day, shown in ((free_day, "no-visits"), (before_the_plan, "no-plan")):
            keep_the_day(browser, page, rep_token)

            browser.get(f"{base_url}/reps/{rep_id}/day/{empty_day}/page")
            WebDriverWait(browser, WAIT_S).until(lambda b, shown=shown: b.find_elements(By.ID, shown))
            browser.find_element(By.CSS_SELECTOR, "form.sign-out button").click()
            WebDriverWait(browser, WAIT_S).until(lambda b: "/sign-in" in b.current_url)
            names = browser.execute_script("return caches.keys()")
            assert names == [], f"signed out from {empty_day}'s page, still kept: {names}"


def test_a_day_without_visits_opened_first_on_the_phone_keeps_itself(browser, office):
    """The first page a rep opens may be a free day: the service worker starts there too, and the day opens again
    without the server."""
    url, office_id, admin = office
    with serve(url, environ_without_base_map()) as base_url:
        server, rep_id, rep_token, _, _ = a_rep_day(url, office_id, admin, base_url)
        free_day = a_free_day(server, rep_id)
        page = f"{base_url}/reps/{rep_id}/day/{free_day}/page"
        browser.get(f"{page}?token={rep_token}")
        WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script(CONTROLLED))  # started by this page
        browser.get(page)
        WebDriverWait(browser, WAIT_S).until(lambda b: kept(b, page))
    browser.get(page)
    assert free_day in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.ID, "no-visits")
