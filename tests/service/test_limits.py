"""Hostile sizes: bodies over the limits get 413 in the error shape before they are read; over-long lists and
files get 422 naming the field or the limit; nothing is written. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from service.app import create_app
from service.core.fields import MAX_ITEMS
from service.core.request_limits import DEFAULT_BODY_BYTES, DEFAULT_UPLOAD_BYTES
from service.core.tables import Office, Outlet
from tests.service.test_outlet_import import csv_bytes, row, upload


def offices_stored(db_session: Session) -> int:
    db_session.expire_all()
    return db_session.exec(select(func.count()).select_from(Office)).one()


def padded_office(size: int) -> bytes:
    body = {"code": "BIG", "name": "Big office", "lon": 121.5, "lat": 31.2, "padding": ""}
    body["padding"] = "x" * (size - len(json.dumps(body)))
    return json.dumps(body).encode()


def assert_too_large(response, limit: int) -> None:
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body"] and detail[0]["type"] == "too_large"
    assert str(limit) in detail[0]["msg"]


def test_json_body_over_the_limit_is_413(client: TestClient, db_session: Session) -> None:
    response = client.post(
        "/offices", content=padded_office(DEFAULT_BODY_BYTES + 1), headers={"content-type": "application/json"}
    )
    assert_too_large(response, DEFAULT_BODY_BYTES)
    assert offices_stored(db_session) == 0


def test_chunked_body_is_cut_off_once_past_the_limit(client: TestClient, db_session: Session) -> None:
    body = padded_office(DEFAULT_BODY_BYTES + 100_000)

    def chunks():  # no Content-Length: the server counts while it reads
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = client.post("/offices", content=chunks(), headers={"content-type": "application/json"})
    assert_too_large(response, DEFAULT_BODY_BYTES)
    assert offices_stored(db_session) == 0


def test_upload_may_exceed_the_json_limit_but_not_its_own(client: TestClient, office: dict, rep: dict) -> None:
    # blank lines are skipped: a 1.5 MiB file with one outlet
    data = csv_bytes([row("SH001")]) + b"\n" * (DEFAULT_BODY_BYTES * 3 // 2)
    response = upload(client, office, "outlets.csv", data)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
    response = upload(client, office, "outlets.csv", csv_bytes([row("SH002")]) + b"\n" * DEFAULT_UPLOAD_BYTES)
    assert_too_large(response, DEFAULT_UPLOAD_BYTES)
    assert [o["code"] for o in client.get("/outlets").json()] == ["SH001"]


def test_limits_come_from_the_environment(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTEPLAN_MAX_BODY_BYTES", "2000")
    app = create_app(database_url)
    try:
        response = TestClient(app).post(
            "/offices", content=padded_office(2001), headers={"content-type": "application/json"}
        )
    finally:
        app.state.engine.dispose()
    assert_too_large(response, 2000)
    assert "ROUTEPLAN_MAX_BODY_BYTES" in response.json()["detail"][0]["msg"]


def test_over_long_lists_are_422_naming_the_field(client: TestClient, office: dict) -> None:
    response = client.post(
        "/change-sets",
        json={"base_plan_id": 1, "idempotency_key": "k", "closures": [f"C{i}" for i in range(MAX_ITEMS + 1)]},
    )
    assert response.status_code == 422, response.text
    assert [d["loc"] for d in response.json()["detail"]] == [["body", "closures"]]
    response = client.post(
        "/reps", json={"office_id": office["id"], "code": "R9", "name": "Li", "working_days": [0, 1, 2, 3, 4, 5, 6, 0]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "working_days"]


def test_import_over_the_row_limit_is_refused_naming_the_limit(
    client: TestClient, office: dict, rep: dict, db_session: Session
) -> None:
    rows = [row(f"SH{i:05d}") for i in range(MAX_ITEMS + 1)]
    response = upload(client, office, "outlets.csv", csv_bytes(rows))
    assert response.status_code == 422, response.text
    assert f"more than {MAX_ITEMS} rows" in response.json()["detail"][0]["msg"]
    assert "outlets.csv" in response.json()["detail"][0]["msg"]
    assert db_session.exec(select(func.count()).select_from(Outlet)).one() == 0
