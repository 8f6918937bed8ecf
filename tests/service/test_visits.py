"""Visit outcomes (POST /visits) and the KPIs (GET /kpis) on the tiny sample office with a published plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from service.core.tables import VisitOutcome, VisitReport
from tests.service import tiny_published
from tests.service.concurrency import at_once
from tests.service.tiny_published import day_list, this_monday


@pytest.fixture(scope="module")
def tiny(app: FastAPI, started_client: TestClient) -> dict:
    return tiny_published.build(app, started_client)


@pytest.fixture
def api(app: FastAPI, started_client: TestClient, tiny: dict) -> TestClient:
    tiny_published.fresh(app)
    return started_client


R01_OUTLETS = ("SH0900001", "SH0900002", "SH0900003", "SH0900004", "SH0900005", "SH0900006")


def report(api: TestClient, rep_id: int, outlet_code: str, on, visited=True, reason=None, order_taken=False):
    return api.post(
        "/visits",
        json={
            "rep_id": rep_id,
            "outlet_code": outlet_code,
            "date": on.isoformat(),
            "visited": visited,
            "reason": reason,
            "order_taken": order_taken,
        },
    )


def count(app: FastAPI, table) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_repeating_a_report_changes_nothing(api, app, tiny):
    rep = tiny["reps"]["TINY-R01"]
    on = this_monday()
    outlet = day_list(api, rep["id"], on)[0]["outlet_code"]
    first = report(api, rep["id"], outlet, on, order_taken=True)
    assert first.status_code == 201, first.text
    assert first.json()["result"] == "recorded" and first.json()["planned"]
    assert not {"unplanned", "corrected"} & set(first.json()["flags"])
    again = report(api, rep["id"], outlet, on, order_taken=True)
    assert again.status_code == 200
    assert again.json()["result"] == "unchanged" and len(again.json()["reports"]) == 1
    assert count(app, VisitOutcome) == 1 and count(app, VisitReport) == 1


def test_a_phone_retrying_at_once_gets_its_report_recorded_once(api, app, tiny):
    rep = tiny["reps"]["TINY-R01"]
    on = this_monday()
    outlet = day_list(api, rep["id"], on)[0]["outlet_code"]
    answers = at_once(*[lambda: report(api, rep["id"], outlet, on, order_taken=True)] * 50)
    assert sorted(a.status_code for a in answers) == [200] * 49 + [201], [
        a.text for a in answers if a.status_code > 201
    ]
    assert sorted(a.json()["result"] for a in answers) == ["recorded"] + ["unchanged"] * 49
    assert count(app, VisitOutcome) == 1 and count(app, VisitReport) == 1


def test_more_reports_at_once_than_the_server_has_threads_are_all_answered(api, app, tiny):
    # 60 corrections of one rep's visit at once, more than the 40 threads that run requests: each waits for the
    # rep's lock; the one holding it must still get to commit (it once waited for a thread, and none came free)
    rep = tiny["reps"]["TINY-R01"]
    on = this_monday()
    outlet = day_list(api, rep["id"], on)[0]["outlet_code"]
    answers = at_once(
        *(
            lambda k=k: report(api, rep["id"], outlet, on, visited=k % 2 == 0, reason=None if k % 2 == 0 else "closed")
            for k in range(60)
        )
    )
    assert all(a.status_code in (200, 201) for a in answers), [a.text for a in answers if a.status_code > 201][:3]
    assert count(app, VisitOutcome) == 1 and count(app, VisitReport) == sum(
        a.json()["result"] != "unchanged" for a in answers
    )


def test_a_different_report_is_a_correction_kept_with_its_time(api, app, tiny):
    rep = tiny["reps"]["TINY-R01"]
    on = this_monday()
    outlet = day_list(api, rep["id"], on)[0]["outlet_code"]
    report(api, rep["id"], outlet, on, order_taken=True)
    corrected = report(api, rep["id"], outlet, on, visited=False, reason="closed")
    assert corrected.status_code == 200
    body = corrected.json()
    assert body["result"] == "corrected" and "corrected" in body["flags"]
    assert (body["visited"], body["reason"], body["order_taken"]) == (False, "closed", False)
    assert [(r["number"], r["visited"], r["order_taken"]) for r in body["reports"]] == [
        (1, True, True),
        (2, False, False),
    ]
    assert body["reports"][0]["reported_at"] <= body["reports"][1]["reported_at"] == body["reported_at"]
    kpis = api.get("/kpis", params={"rep_id": rep["id"], "from": on.isoformat(), "to": on.isoformat()}).json()
    assert kpis["total"]["successful_visits"] == 0 and kpis["total"]["orders"] == 0  # the latest report counts
    listed = api.get("/visits", params={"rep_id": rep["id"], "from": on.isoformat(), "to": on.isoformat()}).json()
    assert len(listed) == 1 and len(listed[0]["reports"]) == 2


def test_a_visit_not_in_the_plan_is_accepted_and_flagged_and_a_late_report_is_flagged(api, tiny):
    rep = tiny["reps"]["TINY-R01"]
    on = tiny["start"]  # three weeks ago: reported late
    planned = {v["outlet_code"] for v in day_list(api, rep["id"], on)}
    unplanned = next(code for code in R01_OUTLETS if code not in planned)
    response = report(api, rep["id"], unplanned, on)
    assert response.status_code == 201
    assert response.json()["planned"] is False and response.json()["flags"] == ["unplanned", "late"]


def planned_so_far(api: TestClient, tiny: dict, rep_code: str) -> list[tuple]:
    """(date, outlet code) of every planned visit of the rep from the cycle's start to today, in order."""
    rep_id = tiny["reps"][rep_code]["id"]
    days = [tiny["start"] + timedelta(days=k) for k in range((tiny_published.office_today() - tiny["start"]).days + 1)]
    return [(d, v["outlet_code"]) for d in days for v in day_list(api, rep_id, d)]


def test_kpis_per_rep_team_and_office_checked_by_hand(api, tiny):
    r1, r2 = tiny["reps"]["TINY-R01"], tiny["reps"]["TINY-R02"]
    first, last = tiny["start"], tiny_published.office_today()
    planned1, planned2 = planned_so_far(api, tiny, "TINY-R01"), planned_so_far(api, tiny, "TINY-R02")
    assert len(planned1) >= 3 and len(planned2) >= 2
    (d1, a), (d2, b), (d3, c) = planned1[:3]
    on_d1 = {code for d, code in planned1 if d == d1}
    unplanned = next(code for code in R01_OUTLETS if code not in on_d1)
    for on, code, kwargs in (
        (d1, a, {"order_taken": True}),
        (d2, b, {}),
        (d3, c, {"visited": False, "reason": "closed"}),
        (d1, unplanned, {"order_taken": True}),
    ):
        assert report(api, r1["id"], code, on, **kwargs).status_code == 201
    (e1, x), (e2, y) = planned2[:2]
    assert report(api, r2["id"], x, e1, visited=False, reason="skipped").status_code == 201
    assert report(api, r2["id"], y, e2, visited=False, reason="owner_absent").status_code == 201

    response = api.get(
        "/kpis", params={"office_id": tiny["office_id"], "from": first.isoformat(), "to": last.isoformat()}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["targets"] == {"compliance": 1.0, "success_rate": 0.85, "coverage": 1.0}
    rep1, rep2 = (next(r for r in body["reps"] if r["rep_code"] == code) for code in ("TINY-R01", "TINY-R02"))
    # R01: went to 3 of its planned visits (2 visited, 1 closed) plus one unplanned visit with an order
    n1, n2 = len(planned1), len(planned2)
    assert (rep1["planned_visits"], rep1["reported_visits"], rep1["visits_made"], rep1["unplanned_visits"]) == (
        n1,
        3,
        3,
        1,
    )
    assert rep1["compliance"] == pytest.approx(3 / n1)
    assert (rep1["successful_visits"], rep1["attempted_visits"], rep1["orders"]) == (3, 4, 2)
    assert rep1["success_rate"] == pytest.approx(0.75) and rep1["order_rate"] == pytest.approx(2 / 3)
    outlets1 = {code for _, code in planned1}
    assert rep1["outlets_never_visited"] == sorted(outlets1 - {a, b, unplanned})
    assert rep1["coverage"] == pytest.approx(len(outlets1 & {a, b, unplanned}) / len(outlets1))
    assert rep1["meets_target"] == {"compliance": n1 == 3, "success_rate": False, "coverage": False}
    # R02: skipped one (not complied), found the owner absent at the other (complied, not successful)
    assert (rep2["visits_made"], rep2["successful_visits"], rep2["attempted_visits"]) == (1, 0, 1)
    assert rep2["compliance"] == pytest.approx(1 / n2) and rep2["success_rate"] == 0
    assert rep2["order_rate"] is None and rep2["outlets_never_visited"] == sorted({code for _, code in planned2})
    total = body["total"]
    assert total["planned_visits"] == n1 + n2
    assert total["compliance"] == pytest.approx(4 / (n1 + n2))
    assert total["success_rate"] == pytest.approx(3 / 5)
    assert [t["supervisor_id"] for t in body["teams"]] == [tiny["supervisor"]["id"]]
    assert body["teams"][0]["planned_visits"] == total["planned_visits"]

    team = api.get(
        "/kpis", params={"supervisor_id": tiny["supervisor"]["id"], "from": first.isoformat(), "to": last.isoformat()}
    ).json()
    assert team["total"] == total


def test_the_default_range_is_the_current_cycle_up_to_today(api, tiny):
    body = api.get("/kpis", params={"rep_id": tiny["reps"]["TINY-R01"]["id"]}).json()
    assert body["date_from"] == tiny["start"].isoformat()
    assert body["date_to"] == tiny_published.office_today().isoformat()
    assert body["total"]["planned_visits"] > 0 and body["total"]["compliance"] == 0


def test_bad_reports_name_the_field_and_write_nothing(api, app, tiny):
    rep = tiny["reps"]["TINY-R01"]
    on = this_monday()
    tomorrow = tiny_published.office_today() + timedelta(days=1)
    cases = [
        ({"rep_id": 999999}, ["body", "rep_id"]),
        ({"outlet_code": "NOPE"}, ["body", "outlet_code"]),
        ({"date": tomorrow.isoformat()}, ["body", "date"]),
        ({"visited": False}, ["body", "reason"]),
        ({"visited": True, "reason": "closed"}, ["body", "reason"]),
        ({"visited": False, "reason": "skipped", "order_taken": True}, ["body", "order_taken"]),
        ({"reason": "asleep", "visited": False}, ["body", "reason"]),
    ]
    for change, loc in cases:
        body = {"rep_id": rep["id"], "outlet_code": "SH0900001", "date": on.isoformat(), "visited": True} | change
        response = api.post("/visits", json=body)
        assert response.status_code == 422, (change, response.text)
        assert loc in [d["loc"] for d in response.json()["detail"]], (change, response.text)
    assert count(app, VisitOutcome) == 0 and count(app, VisitReport) == 0


def test_bad_kpi_queries_name_the_parameter(api, tiny):
    def loc_of(params):
        response = api.get("/kpis", params=params)
        assert response.status_code == 422, response.text
        return response.json()["detail"][0]["loc"]

    assert loc_of({}) == ["query", "office_id"]
    assert loc_of({"rep_id": 999999}) == ["query", "rep_id"]
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    assert loc_of({"rep_id": rep_id, "from": "2026-11-20", "to": "2026-11-10"}) == ["query", "from"]
