"""Every route of the app refuses a request without a token (401), with an unknown token (401) and with a token
of the wrong role and office (403), so a route added without an access rule fails here. Skipped: /health, the
API docs, the sign-in and the pages' static files (the phone's service worker too), which are public."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from tests.service.conftest import OFFICE

PUBLIC = {"/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/web/static/{path:path}"}
PUBLIC |= {"/sign-in", "/sign-in/link", "/sign-out"}  # the phone's sign-in: what a browser without a token opens
PUBLIC |= {"/reps/app/service-worker.js"}  # the phone app's offline script: a static file served at its scope


def every_route(app: FastAPI) -> list[tuple[str, str]]:
    routes = []
    for route in iter_route_contexts(app.routes):
        if route.path not in PUBLIC:
            routes += [(method, route.path) for method in sorted(route.methods - {"HEAD"})]
    return routes


@pytest.fixture
def ids(client: TestClient, office: dict, supervisor: dict, rep: dict, token_for) -> dict:
    """Office A's office, supervisor and rep (conftest), and a rep token of another office."""
    other = client.post("/offices", json=OFFICE | {"code": "SH-XH", "name": "Xuhui"}).json()
    other_rep = client.post(
        "/reps",
        json={
            "office_id": other["id"],
            "code": "X01",
            "name": "Zhao Lei",
            "shift_start": "08:30",
            "shift_end": "17:30",
            "lunch_earliest": "11:30",
            "lunch_latest": "13:30",
            "lunch_min": 60,
        },
    ).json()
    return {
        "office_id": office["id"],
        "supervisor_id": supervisor["id"],
        "rep_id": rep["id"],
        "plan_id": 1,
        "job_id": 1,
        "proposal_id": 1,
        "study_id": 1,
        "change_set_id": 1,
        "token_id": 1,
        "code": "N01",
        "date": "2026-11-30",
        "wrong": token_for("rep", office_id=other["id"], rep_id=other_rep["id"]),
    }


# Routes a rep may call for its own rep name the rep in the body or query: they refuse another rep's once
# that is read.
BODIES = {
    ("POST", "/visits"): lambda ids: {
        "rep_id": ids["rep_id"],
        "outlet_code": "N01",
        "date": date.today().isoformat(),
        "visited": True,
    }
}
QUERIES = {("GET", "/visits"): lambda ids: {"rep_id": ids["rep_id"], "from": ids["date"], "to": ids["date"]}}


def _url(path: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m[1]]), path)


def _without_token(client: TestClient, method: str, url: str):
    request = client.build_request(method, url)
    del request.headers["Authorization"]
    return client.send(request)


def test_the_walk_covers_the_whole_api(app):
    paths = {path for _, path in every_route(app)}
    assert {
        "/offices",
        "/reps/{rep_id}/day/{date}",
        "/plans/{plan_id}/publish",
        "/map",
        "/tokens",
        "/audit",
        "/reps/{rep_id}/day/{date}/sheet.pdf",
        "/change-sets/om-file",
    } <= paths
    assert len(every_route(app)) >= 40


def test_every_route_refuses_without_a_token_or_with_an_unknown_one(app, client, ids):
    for method, path in every_route(app):
        url = _url(path, ids)
        for response in (
            _without_token(client, method, url),
            client.request(method, url, headers={"Authorization": "Bearer rp_not-a-token"}),
            client.request(method, url, headers={"Authorization": "Bearer"}),
            client.request(method, url, headers={"Authorization": "Basic dXNlcjpwdw=="}),
        ):
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]


def test_every_route_refuses_a_rep_token_of_another_office(app, client, ids):
    for method, path in every_route(app):
        body, query = BODIES.get((method, path)), QUERIES.get((method, path))
        response = client.request(
            method,
            _url(path, ids),
            headers=ids["wrong"],
            json=body(ids) if body else None,
            params=query(ids) if query else None,
        )
        assert response.status_code == 403, (method, path, response.text)
        detail = response.json()["detail"][0]
        assert detail["type"] == "forbidden" and detail["msg"], (method, path)
