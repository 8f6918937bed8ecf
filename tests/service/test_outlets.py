"""Outlets through HTTP: create, read by customer code, list with filters and pages, change; bad input refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from geo.coords import from_wgs84
from geo.sphere import great_circle_m
from tests.service.conftest import OFFICE

HOURS = {
    "mon": ["09:30-11:00", "14:00-17:00"],
    "tue": ["09:30-11:00", "14:00-17:00"],
    "wed": [],
    "thu": ["08:00-20:00"],
    "fri": ["08:00-20:00"],
    "sat": ["10:00-12:00"],
    "sun": [],
}


def outlet_body(office: dict, rep: dict | None, code: str = "C10001", **change) -> dict:
    return {
        "office_id": office["id"],
        "code": code,
        "name": "Lao Zhang noodles",
        "address": "88 Zhangyang Rd",
        "channel": "restaurant",
        "lon": 121.531,
        "lat": 31.229,
        "service_min": 20,
        "visits_per_cycle": 4,
        "opening_hours": HOURS,
        "rep_id": rep["id"] if rep else None,
        **change,
    }


def test_outlet_is_created_and_read_by_customer_code(client: TestClient, office: dict, rep: dict) -> None:
    response = client.post("/outlets", json=outlet_body(office, rep))
    assert response.status_code == 201, response.text
    outlet = response.json()
    assert outlet["code"] == "C10001"
    assert outlet["opening_hours"] == HOURS
    assert (outlet["service_min"], outlet["visits_per_cycle"], outlet["status"]) == (20, 4, "active")
    assert client.get("/outlets/C10001").json() == outlet


def test_missing_days_are_closed_and_windows_come_back_sorted(client: TestClient, office: dict, rep: dict) -> None:
    response = client.post(
        "/outlets", json=outlet_body(office, rep, opening_hours={"mon": ["14:00-17:00", "09:30-11:00"]})
    )
    assert response.status_code == 201, response.text
    assert response.json()["opening_hours"] == {
        "mon": ["09:30-11:00", "14:00-17:00"],
        "tue": [],
        "wed": [],
        "thu": [],
        "fri": [],
        "sat": [],
        "sun": [],
    }


def test_outlets_are_filtered_by_rep_and_status_and_paged(client: TestClient, office: dict, rep: dict) -> None:
    for i in range(5):
        body = outlet_body(
            office, rep if i % 2 == 0 else None, code=f"C{i:05d}", status="closed" if i == 4 else "active"
        )
        assert client.post("/outlets", json=body).status_code == 201

    def codes(**params) -> list[str]:
        response = client.get("/outlets", params=params)
        assert response.status_code == 200
        return [o["code"] for o in response.json()]

    assert codes() == ["C00000", "C00001", "C00002", "C00003", "C00004"]
    assert codes(rep_id=rep["id"]) == ["C00000", "C00002", "C00004"]
    assert codes(rep_id=rep["id"], status="active") == ["C00000", "C00002"]
    assert codes(office_id=office["id"], limit=2, offset=2) == ["C00002", "C00003"]
    assert client.get("/outlets", params={"status": "active", "limit": 1}).headers["X-Total-Count"] == "4"
    assert codes(office_id=office["id"] + 1) == []


def test_patch_moves_an_outlet_to_another_rep_and_closes_it(client: TestClient, office: dict, rep: dict) -> None:
    client.post("/outlets", json=outlet_body(office, None))
    response = client.patch("/outlets/C10001", json={"rep_id": rep["id"], "status": "closed", "service_min": 30})
    assert response.status_code == 200, response.text
    outlet = response.json()
    assert (outlet["rep_id"], outlet["status"], outlet["service_min"]) == (rep["id"], "closed", 30)
    assert client.get("/outlets/C10001").json() == outlet


def test_unknown_outlet_is_404(client: TestClient) -> None:
    assert client.get("/outlets/NOPE").status_code == 404
    response = client.patch("/outlets/NOPE", json={"name": "x"})
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "code"]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"lat": 91.0}, "lat", "[-90, 90]"),
        ({"lon": 200.0}, "lon", "[-180, 180]"),
        ({"lon": 31.229, "lat": 121.531}, "lat", "look swapped"),
        ({"rep_id": 999}, "rep_id", "rep 999 does not exist"),
        ({"office_id": 999}, "office_id", "office 999 does not exist"),
        ({"visits_per_cycle": 3}, "visits_per_cycle", "1, 2, 4, 8 or 12"),
        ({"channel": "bar"}, "channel", "grocery"),
        ({"opening_hours": {"mon": ["11:00-09:30"]}}, "mon", "ends before it starts"),
        ({"opening_hours": {"mon": ["09:00-12:00", "11:30-14:00"]}}, "mon", "overlap"),
        ({"opening_hours": {"mon": ["9-12"]}}, "mon", "HH:MM"),
        ({"opening_hours": {"monday": ["09:00-12:00"]}}, "opening_hours", "'mon'"),
        (
            {"service_min": 45, "opening_hours": {"mon": ["09:00-09:30"], "sat": ["10:00-10:40"]}},
            "service_min",
            "fits none of the opening windows (longest 40 min)",
        ),
        ({"opening_hours": {}}, "opening_hours", "open on no day"),
    ],
)
def test_bad_outlet_is_refused_naming_the_field(
    client: TestClient, office: dict, rep: dict, change: dict, field: str, reason: str
) -> None:
    response = client.post("/outlets", json=outlet_body(office, rep, **change))
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(field in e["loc"] and reason in e["msg"] for e in errors), errors
    assert client.get("/outlets").json() == []


def test_rep_of_another_office_is_refused(client: TestClient, office: dict, rep: dict) -> None:
    other = client.post(
        "/offices", json={**OFFICE, "code": "SH-MH", "name": "Minhang", "lon": 121.38, "lat": 31.11}
    ).json()
    response = client.post("/outlets", json=outlet_body(other, rep, lon=121.39, lat=31.12))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "rep_id"]
    assert "another office" in response.json()["detail"][0]["msg"]
    assert client.get("/outlets").json() == []


def test_duplicate_customer_code_is_a_conflict_and_the_first_outlet_stays(
    client: TestClient, office: dict, rep: dict
) -> None:
    first = client.post("/outlets", json=outlet_body(office, rep)).json()
    response = client.post("/outlets", json=outlet_body(office, None, name="Another shop"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "code"]
    assert client.get("/outlets").json() == [first]


def test_patch_with_a_visit_longer_than_every_window_is_refused_and_nothing_changes(
    client: TestClient, office: dict, rep: dict
) -> None:
    outlet = client.post("/outlets", json=outlet_body(office, rep)).json()
    response = client.patch("/outlets/C10001", json={"opening_hours": {"sat": ["10:00-10:15"]}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "service_min"]
    assert client.get("/outlets/C10001").json() == outlet


def test_a_point_from_a_chinese_map_app_is_stored_as_wgs84(client: TestClient, office: dict, rep: dict) -> None:
    amap_lon, amap_lat = 121.5355, 31.2270  # as copied from AMap (GCJ-02)
    response = client.post("/outlets", json=outlet_body(office, rep, lon=amap_lon, lat=amap_lat, coord_system="gcj02"))
    assert response.status_code == 201, response.text
    stored = response.json()
    # GCJ-02 is offset from WGS84 by a few hundred metres in Shanghai; stored + offset gives back the input
    assert 200 < great_circle_m(stored["lon"], stored["lat"], amap_lon, amap_lat) < 800
    assert from_wgs84(stored["lon"], stored["lat"], "gcj02") == pytest.approx((amap_lon, amap_lat), abs=1e-7)


def test_unknown_coordinate_system_is_refused(client: TestClient, office: dict, rep: dict) -> None:
    response = client.post("/outlets", json=outlet_body(office, rep, coord_system="mars"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "coord_system"]
    assert client.get("/outlets").json() == []


def test_phone_and_notes_are_kept_for_the_rep_and_a_bad_phone_is_named(
    client: TestClient, office: dict, rep: dict
) -> None:
    body = outlet_body(office, rep, phone="021-6412 3456", notes="找王店长；后门进货")
    assert client.post("/outlets", json=body).status_code == 201
    stored = client.get("/outlets/C10001").json()
    assert (stored["phone"], stored["notes"]) == ("021-6412 3456", "找王店长；后门进货")
    refused = client.patch("/outlets/C10001", json={"phone": "call me"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "phone"]
    assert client.get("/outlets/C10001").json()["phone"] == "021-6412 3456"
