"""The supervisor's ride-along week as a supervisor reads it: the page (/supervisors/{id}/ride-along/page) in
Chinese and English, the text in the asked language, and a link's `?token=` on both."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.core.i18n import Translator, messages
from service.ride_along.reasons import say
from tests.service import tiny_published
from tests.service.auth_headers import bearer
from tests.service.tiny_published import this_monday

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def tiny(app: FastAPI, started_client: TestClient) -> dict:
    return tiny_published.build(app, started_client)


@pytest.fixture
def supervisor(app: FastAPI, started_client: TestClient, tiny: dict) -> TestClient:
    """The office's supervisor, signed in with its own token (a page reads only its own team's week)."""
    tiny_published.fresh(app)
    client = TestClient(app)
    client.headers.update(
        bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    )
    return client


def week_json(client: TestClient, tiny: dict) -> dict:
    response = client.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along", params={"start_date": this_monday().isoformat()}
    )
    assert response.status_code == 200, response.text
    return response.json()


def page_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_reason_is_a_key_with_values_and_its_english_sentence(supervisor, tiny):
    week = week_json(supervisor, tiny)
    english, chinese = Translator("en"), Translator("zh-CN")
    reasons = [r for d in week["days"] for r in (*d["why"], *d["morning"]["notes"])]
    reasons += [r for d in week["days"] for s in d["afternoon"]["stops"] for r in s["why"]]
    reasons += [r for p in week["priorities"] for r in p["reasons"]]
    assert {"first_ride", "order_planned", "never_checked"} <= {r["key"] for r in reasons}
    for day in week["days"]:  # every morning says whether it coaches
        assert day["morning"]["notes"][0]["key"] in ("coaching_at", "no_coaching")
    for r in reasons:
        assert r["text"] == say(r["key"], r["values"], english)
        assert re.search(r"[\u4e00-\u9fff]", say(r["key"], r["values"], chinese)), r  # the page's Chinese


def test_the_page_shows_each_morning_its_coaching_and_the_spot_checks_in_chinese(supervisor, tiny):
    week = week_json(supervisor, tiny)
    response = supervisor.get(f"/supervisors/{tiny['supervisor']['id']}/ride-along/page", headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "zh-CN"
    html, zh = response.text, Translator("zh-CN")
    text = page_text(html)
    for day in week["days"]:
        heading = f"{zh.weekday(day['weekday'])} {day['date']} — {day['rep_code']} {day['rep_name']}"
        assert heading in text
        for reason in day["why"]:
            assert say(reason["key"], reason["values"], zh) in text
        for stop in day["afternoon"]["stops"]:
            assert stop["outlet_code"] in text
            assert zh.messages["ride_along.separator"].join(say(r["key"], r["values"], zh) for r in stop["why"]) in text
        coached = [s for s in day["morning"]["stops"] if s["coaching"]]
        section = html.split(f'id="day-{day["date"]}"')[1].split("</section>")[0]
        assert section.count('<tr class="coached">') == len(coached)
    assert "ride with" not in text and "coaching at seq" not in text  # no English sentence on the Chinese page
    data = json.loads(unescape(re.search(r'id="page-data">(.*?)</script>', html, re.S).group(1)))
    for day in week["days"]:
        drawn = data["days"][day["date"]]
        assert [s[0] for s in drawn["afternoon"]] == [s["order"] for s in day["afternoon"]["stops"]]
        assert [s[0] for s in drawn["morning"]] == [s["seq"] for s in day["morning"]["stops"] if s["with_supervisor"]]


def test_the_page_in_english_links_the_weeks_and_the_text(supervisor, tiny):
    supervisor_id = tiny["supervisor"]["id"]
    monday = this_monday()
    response = supervisor.get(
        f"/supervisors/{supervisor_id}/ride-along/page", params={"lang": "en", "start_date": monday.isoformat()}
    )
    assert response.status_code == 200
    text = page_text(response.text)
    assert "Morning with" in text and "Afternoon: delivery spot checks from" in text
    assert f"start_date={(monday - timedelta(days=7)).isoformat()}" in response.text
    assert f"start_date={(monday + timedelta(days=7)).isoformat()}" in response.text
    link = re.search(r'id="as-text" href="([^"]+)"', response.text).group(1)
    plain = supervisor.get(unescape(link))
    assert plain.status_code == 200 and plain.text.startswith("Ride-along plan of supervisor")


def test_a_week_before_the_plan_says_so_in_the_pages_language(supervisor, tiny):
    before = tiny["start"] - timedelta(days=14)
    response = supervisor.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along/page", params={"start_date": before.isoformat()}
    )
    assert response.status_code == 200
    assert messages("zh-CN")["ride_along.page.no_plan"].format(monday=before.isoformat()) in page_text(response.text)


def test_the_text_in_chinese(supervisor, tiny):
    week = week_json(supervisor, tiny)
    response = supervisor.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along",
        params={"start_date": this_monday().isoformat(), "format": "text", "lang": "zh-CN"},
    )
    assert response.status_code == 200 and response.headers["content-language"] == "zh-CN"
    zh = Translator("zh-CN")
    assert response.text.startswith(f"主管 {tiny['supervisor']['code']} 的随访计划")
    for day in week["days"]:
        assert f"{zh.weekday(day['weekday'])} {day['date']}：随访 {day['rep_code']}" in response.text
    assert "ride with" not in response.text and "back at the office" not in response.text


def test_a_link_with_a_token_opens_the_page_and_the_text(app, supervisor, tiny):
    supervisor_id = tiny["supervisor"]["id"]
    raw = supervisor.headers.pop("Authorization").removeprefix("Bearer ")
    browser = TestClient(app)
    for path, params in (
        (f"/supervisors/{supervisor_id}/ride-along/page", {}),
        (f"/supervisors/{supervisor_id}/ride-along", {"start_date": this_monday().isoformat(), "format": "text"}),
    ):
        response = browser.get(path, params={**params, "token": raw}, headers=HTML, follow_redirects=False)
        assert response.status_code == 303 and "token=" not in response.headers["location"]
        followed = browser.get(response.headers["location"], headers=HTML)
        assert followed.status_code == 200, followed.text


def test_a_rep_and_a_browser_without_a_token_do_not_see_it(app, supervisor, tiny):
    rep = TestClient(app)
    rep.headers.update(bearer(app, "rep", office_id=tiny["office_id"], rep_id=tiny["reps"]["TINY-R01"]["id"]))
    path = f"/supervisors/{tiny['supervisor']['id']}/ride-along/page"
    signed_out = TestClient(app).get(path, headers=HTML)
    assert signed_out.status_code == 401 and signed_out.headers["content-type"].startswith("text/html")
    assert rep.get(path, headers=HTML).status_code == 403
