"""Roles and offices on the tiny office with a published plan: a rep reaches only its own day and visits, a
supervisor its team and its own ride-along, a coordinator never publishes, nothing crosses offices (through the
day-list fast path neither), a revoked token is refused at once, and a page link's ?token= becomes a cookie."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from service.access.auth import PrincipalCache
from service.core.tables import Plan, PlanStatus, VisitOutcome
from tests.service.auth_headers import bearer
from tests.service.tiny_published import this_monday


@pytest.fixture
def as_(app: FastAPI, world: dict):
    """Headers of a new token: as_("rep", "rep1"), as_("supervisor", "supervisor"), as_("coordinator")..."""

    def headers(role: str, who: str | None = None, office: str = "office_id") -> dict[str, str]:
        office_id = world["other_office"]["id"] if office == "other" else world["office_id"]
        if role == "rep":
            return bearer(app, role, office_id=office_id, rep_id=world[who]["id"])
        if role == "supervisor":
            return bearer(app, role, office_id=office_id, supervisor_id=world[who]["id"])
        return bearer(app, role, office_id=office_id)

    return headers


def day_url(rep: dict, on, suffix: str = "") -> str:
    return f"/reps/{rep['id']}/day/{on.isoformat()}{suffix}"


def visit(rep: dict, code: str = "SH0900001") -> dict:
    return {"rep_id": rep["id"], "outlet_code": code, "date": this_monday().isoformat(), "visited": True}


def test_a_rep_reads_only_its_own_rep_and_day(api, world, as_):
    rep1, rep2, on = world["rep1"], world["rep2"], world["start"]
    me = as_("rep", "rep1")
    assert api.get(f"/reps/{rep1['id']}", headers=me).status_code == 200
    for suffix in ("", "/page", "/sheet.pdf"):
        assert api.get(day_url(rep1, on, suffix), headers=me).status_code == 200, suffix
        refused = api.get(day_url(rep2, on, suffix), headers=me)
        assert refused.status_code == 403, suffix
        assert refused.json()["detail"][0] == {
            "loc": ["path", "rep_id"],
            "type": "forbidden",
            "msg": f"a rep token can read day lists of its own rep (rep {rep1['id']}) only, not of rep {rep2['id']}",
        }
    for path in (
        f"/reps/{rep2['id']}",
        f"/plans/{world['plan']['id']}",
        "/offices",
        "/outlets",
        f"/kpis?rep_id={rep1['id']}",
        f"/supervisors/{world['supervisor']['id']}/ride-along?start_date={on}",
    ):
        assert api.get(path, headers=me).status_code == 403, path
    assert api.get(f"/plans/{world['plan']['id']}", headers=me).json()["detail"][0]["loc"] == ["token", "role"]


def test_a_rep_reports_and_reads_only_its_own_visits(app, api, world, as_):
    rep1, rep2 = world["rep1"], world["rep2"]
    me = as_("rep", "rep1")
    assert api.post("/visits", json=visit(rep1), headers=me).status_code == 201
    refused = api.post("/visits", json=visit(rep2, "SH0900007"), headers=me)
    assert refused.status_code == 403 and refused.json()["detail"][0]["loc"] == ["body", "rep_id"]
    with Session(app.state.engine) as session:
        assert [o.rep_id for o in session.exec(select(VisitOutcome))] == [rep1["id"]]
    week = {"from": this_monday().isoformat(), "to": this_monday().isoformat()}
    assert len(api.get("/visits", params=week | {"rep_id": rep1["id"]}, headers=me).json()) == 1
    assert api.get("/visits", params=week | {"rep_id": rep2["id"]}, headers=me).status_code == 403


def test_a_supervisor_reaches_its_own_team_and_ride_along_only(api, world, as_):
    rep1, on, mine = world["rep1"], world["start"], world["supervisor"]
    boss, other = as_("supervisor", "supervisor"), as_("supervisor", "other_supervisor")
    assert api.get(day_url(rep1, on), headers=boss).status_code == 200
    assert api.post("/visits", json=visit(rep1), headers=boss).status_code == 201
    assert api.get("/kpis", params={"supervisor_id": mine["id"]}, headers=boss).status_code == 200
    assert api.get(f"/reps/{rep1['id']}", headers=other).status_code == 200  # the office is readable
    for path in (
        day_url(rep1, on),
        day_url(rep1, on, "/sheet.pdf"),
        f"/kpis?supervisor_id={mine['id']}",
        f"/kpis?rep_id={rep1['id']}",
        f"/supervisors/{mine['id']}/ride-along?start_date={this_monday()}",
    ):
        refused = api.get(path, headers=other)
        assert refused.status_code == 403, path
        assert "team" in refused.json()["detail"][0]["msg"]
    assert api.post("/visits", json=visit(rep1, "SH0900002"), headers=other).status_code == 403
    assert api.patch(f"/reps/{rep1['id']}", json={"lunch_min": 45}, headers=other).status_code == 403
    assert api.patch(f"/reps/{rep1['id']}", json={"lunch_min": 60}, headers=boss).status_code == 200
    assert api.get(f"/kpis?office_id={world['office_id']}", headers=boss).status_code == 403  # the team's only


def test_a_coordinator_edits_outlets_but_cannot_publish(app, api, world, as_):
    coordinator = as_("coordinator")
    with Session(app.state.engine) as session:
        draft = Plan(office_id=world["office_id"], start_date=world["start"], weeks=4, time_limit_s=1)
        session.add(draft)
        session.commit()
        draft_id = draft.id
    refused = api.post(f"/plans/{draft_id}/publish", headers=coordinator)
    assert refused.status_code == 403
    assert refused.json()["detail"][0] == {
        "loc": ["token", "role"],
        "type": "forbidden",
        "msg": "a coordinator token cannot create, publish or cancel plans (needs admin or supervisor)",
    }
    assert (
        api.post(
            "/plans",
            json={"office_id": world["office_id"], "start_date": world["start"].isoformat()},
            headers=coordinator,
        ).status_code
        == 403
    )
    with Session(app.state.engine) as session:
        assert session.get(Plan, draft_id).status == PlanStatus.DRAFT
        session.delete(session.get(Plan, draft_id))
        session.commit()
    assert api.get(f"/plans/{world['plan']['id']}", headers=coordinator).status_code == 200
    assert api.patch("/outlets/SH0900001", json={"name": "华联超市(七宝店)"}, headers=coordinator).status_code == 200
    assert api.get(day_url(world["rep1"], world["start"]), headers=coordinator).status_code == 403


def test_nothing_crosses_offices(api, world, as_):
    plan_id, office_id, rep1 = world["plan"]["id"], world["office_id"], world["rep1"]
    far_admin = as_("admin", office="other")
    far_coordinator = as_("coordinator", office="other")
    assert [o["id"] for o in api.get("/offices", headers=far_admin).json()] == [world["other_office"]["id"]]
    assert api.get("/plans", headers=far_admin).json() == []
    assert {r["code"] for r in api.get("/reps", headers=far_admin).json()} == {"XH-R1"}
    for path in (
        f"/plans?office_id={office_id}",
        f"/reps?office_id={office_id}",
        f"/plans/{plan_id}",
        f"/plans/{plan_id}/geojson",
        f"/plans/{plan_id}/map",
        f"/offices/{office_id}",
        f"/reps/{rep1['id']}",
        day_url(rep1, world["start"]),
        "/outlets/SH0900001",
        f"/audit?office_id={office_id}",
        f"/map?office_id={office_id}",
    ):
        refused = api.get(path, headers=far_admin)
        assert refused.status_code == 403, path
        assert (
            "not this token's office" in refused.json()["detail"][0]["msg"]
            or "not in this token's office" in refused.json()["detail"][0]["msg"]
        ), path
    assert api.get("/map", headers=far_admin).status_code == 404  # its own office has no published plan
    assert api.post(f"/plans/{plan_id}/publish", headers=far_admin).status_code == 403
    assert api.patch("/outlets/SH0900001", json={"name": "x"}, headers=far_coordinator).status_code == 403
    assert (
        api.post(
            "/tokens", json={"name": "x", "role": "coordinator", "office_id": office_id}, headers=far_admin
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/offices", json={"code": "NEW", "name": "n", "lon": 121.4, "lat": 31.2}, headers=as_("admin")
        ).status_code
        == 403
    )  # only a global admin creates offices


def test_the_fast_path_applies_the_same_rule(app, api, world, as_):
    rep1, on = world["rep1"], world["start"] + timedelta(days=1)
    me, neighbour = as_("rep", "rep1"), as_("rep", "rep2")
    far = bearer(app, "rep", office_id=world["other_office"]["id"], rep_id=world["far_rep"]["id"])
    cache = app.state.day_list_cache
    first = api.get(day_url(rep1, on), headers=me)
    builds = cache.builds
    assert api.get(day_url(rep1, on), headers=me).content == first.content  # kept: the fast path answers
    for other, own_rep in ((neighbour, world["rep2"]), (far, world["far_rep"])):
        assert api.get(f"/reps/{own_rep['id']}", headers=other).status_code == 200  # its principal is cached now
        assert app.state.principals.hit(other["Authorization"].removeprefix("Bearer ")) is not None
        refused = api.get(day_url(rep1, on), headers=other)
        assert refused.status_code == 403 and refused.json()["detail"][0]["type"] == "forbidden"
    assert api.get(day_url(rep1, on), headers=as_("supervisor", "other_supervisor")).status_code == 403
    assert api.get(day_url(rep1, on), headers=as_("supervisor", "supervisor")).content == first.content
    assert cache.builds == builds  # every answer came from the one kept list


def test_a_revoked_token_is_refused_at_once(api, world):
    created = api.post(
        "/tokens", json={"name": "phone", "role": "rep", "office_id": world["office_id"], "rep_id": world["rep1"]["id"]}
    )
    assert created.status_code == 201
    phone = {"Authorization": f"Bearer {created.json()['token']}"}
    day = day_url(world["rep1"], world["start"])
    assert api.get(day, headers=phone).status_code == 200
    assert api.get(day, headers=phone).status_code == 200  # now from the fast path
    assert api.delete(f"/tokens/{created.json()['id']}").status_code == 200
    for path in (day, f"/reps/{world['rep1']['id']}"):
        refused = api.get(path, headers=phone)
        assert refused.status_code == 401 and refused.json()["detail"][0]["msg"] == "unknown or revoked token"


def test_a_page_link_token_becomes_a_cookie_and_leaves_the_address(app, world, as_):
    raw = as_("rep", "rep1")["Authorization"].removeprefix("Bearer ")
    page = day_url(world["rep1"], world["start"], "/page")
    browser = TestClient(app)  # no Authorization header, a cookie jar of its own (the app is started already)
    assert browser.get(page).status_code == 401
    link = browser.get(page, params={"token": raw, "lang": "en"}, follow_redirects=False)
    assert link.status_code == 303
    assert link.headers["location"] == f"http://testserver{page}?lang=en"  # the same page, without the token
    cookie = link.headers["set-cookie"]
    assert cookie.startswith(f"routeplan_token={raw};") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert link.headers["Referrer-Policy"] == "no-referrer"
    response = browser.get(link.headers["location"])
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert raw not in response.text  # the language links and the sheet link rely on the cookie
    assert browser.get(day_url(world["rep1"], world["start"], "/sheet.pdf")).status_code == 200
    assert browser.get(day_url(world["rep1"], world["start"])).status_code == 200  # the day list the page uses
    assert browser.get(day_url(world["rep2"], world["start"], "/page")).status_code == 403
    # the cookie is for the pages and the day list: the rest of the API needs the Authorization header
    assert browser.get(f"/reps/{world['rep1']['id']}").status_code == 401
    assert browser.get(f"/visits?rep_id={world['rep1']['id']}").status_code == 401
    assert browser.post("/visits", json=visit(world["rep1"])).status_code == 401
    assert browser.get(page, params={"token": "rp_wrong"}, follow_redirects=False).status_code == 401


def test_requests_missing_the_cache_at_once_share_one_lookup(app, api, world, as_):
    """Every 5 s a rep's token expires from the cache while its phone has requests in flight: one lookup serves
    them all, so an expiry does not send a burst through the database and the routed path."""
    raw = as_("rep", "rep1")["Authorization"].removeprefix("Bearer ")
    cache = PrincipalCache(app.state.engine)

    async def at_once() -> list:
        return await asyncio.gather(*(cache.principal(raw) for _ in range(20)))

    principals = asyncio.run(at_once())
    assert cache.lookups == 1
    assert {p.rep_id for p in principals} == {world["rep1"]["id"]}


def test_a_malformed_body_without_a_valid_token_is_refused_as_unauthenticated(api, as_):
    """FastAPI reads a JSON body before any access check: the token must still be looked at first."""

    def post(token_headers: dict | None) -> Response:
        request = api.build_request(
            "POST", "/outlets", content=b'{"office_id": 1, "code": ', headers={"Content-Type": "application/json"}
        )
        del request.headers["Authorization"]  # the client's default admin token
        request.headers.update(token_headers or {})
        return api.send(request)

    for refused in (post(None), post({"Authorization": "Bearer rp_not-a-token"})):
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    malformed = post(as_("coordinator"))
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["type"] == "json_invalid"


def test_a_deactivated_reps_token_stops_working_at_once(api, world, as_):
    me = as_("rep", "rep1")
    day = day_url(world["rep1"], world["start"])
    assert api.get(day, headers=me).status_code == 200  # looked up, and cached
    admin = as_("admin", office="office_id")
    assert api.patch(f"/reps/{world['rep1']['id']}", headers=admin, json={"active": False}).status_code == 200
    assert api.get(day, headers=me).status_code == 401
    assert api.post("/visits", headers=me, json=visit(world["rep1"])).status_code == 401
