"""Offices through HTTP: create, list, read; bad input is refused with the field named and nothing stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import OFFICE


def test_office_is_created_with_default_working_hours_and_read_back(client: TestClient) -> None:
    created = client.post("/offices", json=OFFICE)
    assert created.status_code == 201
    office = created.json()
    assert office["code"] == "SH-PD"
    assert (office["shift_start"], office["shift_end"]) == ("08:30", "17:30")
    assert (office["lunch_earliest"], office["lunch_latest"], office["lunch_min"]) == ("11:30", "13:30", 60)

    assert client.get(f"/offices/{office['id']}").json() == office
    assert client.get("/offices").json() == [office]


def test_unknown_office_is_404_naming_the_id(client: TestClient) -> None:
    response = client.get("/offices/999")
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "office_id"]
    assert "999" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"timezone": "Asia/Beijing"}, "timezone", "unknown time zone"),
        ({"lat": 95.0}, "lat", "[-90, 90]"),
        ({"lon": -181.0}, "lon", "[-180, 180]"),
        ({"shift_start": "8:30"}, "shift_start", "HH:MM"),
        ({"shift_start": "18:00", "shift_end": "09:00"}, "shift_end", "before it starts"),
        ({"lunch_min": 150}, "lunch_min", "does not fit"),
        ({"lunch_earliest": "07:00"}, "lunch_earliest", "before the shift"),
    ],
)
def test_bad_office_is_refused_naming_the_field(client: TestClient, change: dict, field: str, reason: str) -> None:
    response = client.post("/offices", json={**OFFICE, **change})
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(e["loc"][-1] == field and reason in e["msg"] for e in errors), errors
    assert client.get("/offices").json() == []


def test_duplicate_office_code_is_a_conflict(client: TestClient, office: dict) -> None:
    response = client.post("/offices", json={**OFFICE, "name": "another"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "code"]
    assert len(client.get("/offices").json()) == 1
