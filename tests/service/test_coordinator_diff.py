"""The change set's diff page: per rep-day with dates, outlet names and HH:MM; the draft's changes on the map;
the supervisor publishes from it, a coordinator cannot (service/access/policy.py: PLAN)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.auth_headers import bearer
from tests.service.test_change_sets import new_outlet, submit
from tests.service.tiny_published import build

HTML = {"Accept": "text/html"}


@pytest.fixture
def change_set(app: FastAPI, client: TestClient) -> dict:
    tiny = build(app, client)
    coordinator = bearer(app, "coordinator", office_id=tiny["office_id"])
    client.headers.update(coordinator)
    made = submit(
        client,
        tiny["plan"]["id"],
        "diff-page",
        new_outlets=[new_outlet("NEW-1", 121.356, 31.154)],
        closures=["SH0900012"],
    )
    return {**tiny, "change_set": made, "coordinator": coordinator}


def page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found[1])


def test_the_diff_reads_as_dates_names_and_times(client: TestClient, change_set: dict) -> None:
    made = change_set["change_set"]
    response = client.get(f"/change-sets/{made['id']}/page", headers=HTML)
    assert response.status_code == 200, response.text
    html = response.text
    added_day = made["diff"]["added"][0]["day"]
    on: date = change_set["start"] + timedelta(days=added_day)
    assert on.isoformat() in html
    assert "新店 NEW-1 (NEW-1)" in html and "惠民小卖部 (SH0900012)" in html
    shown = html.split('<script type="application/json"')[0]  # what the reader sees, not the script's data
    assert "old_arrival_s" not in shown and "arrival_s" not in shown
    shifts = made["diff"]["arrival_shifts"]
    if shifts:  # an arrival moved more than 10 minutes: shown as HH:MM -> HH:MM
        old = shifts[0]["old_arrival_s"]
        assert f"{old // 3600:02d}:{old % 3600 // 60:02d} → " in html
    kinds = {p["kind"] for p in page_data(html)["points"]}
    assert kinds == {"added", "removed"}
    assert "发布这份草稿" not in html  # a coordinator does not publish


def test_the_supervisor_publishes_from_the_diff_page(app: FastAPI, client: TestClient, change_set: dict) -> None:
    made = change_set["change_set"]
    refused = client.post(f"/change-sets/{made['id']}/page/publish", json={})
    assert refused.status_code == 403
    client.headers.update(
        bearer(app, "supervisor", office_id=change_set["office_id"], supervisor_id=change_set["supervisor"]["id"])
    )
    html = client.get(f"/change-sets/{made['id']}/page", params={"lang": "en"}, headers=HTML).text
    assert "Publish this draft" in html
    published = client.post(f"/change-sets/{made['id']}/page/publish", json={})
    assert published.status_code == 200, published.text
    assert client.get(f"/plans/{made['result_plan_id']}").json()["status"] == "published"
    assert (
        "Publish this draft"
        not in client.get(f"/change-sets/{made['id']}/page", params={"lang": "en"}, headers=HTML).text
    )
