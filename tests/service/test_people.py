"""Supervisors and reps through HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import OFFICE


def _other_office(client: TestClient) -> dict:
    response = client.post("/offices", json={**OFFICE, "code": "SH-MH", "name": "Minhang", "lon": 121.38, "lat": 31.11})
    assert response.status_code == 201
    return response.json()


def test_supervisors_are_listed_per_office(client: TestClient, office: dict, supervisor: dict) -> None:
    other = _other_office(client)
    client.post("/supervisors", json={"office_id": other["id"], "code": "SUP-2", "name": "Zhao Lei"})
    assert client.get("/supervisors", params={"office_id": office["id"]}).json() == [supervisor]
    assert len(client.get("/supervisors").json()) == 2


def test_supervisor_of_unknown_office_is_refused(client: TestClient) -> None:
    response = client.post("/supervisors", json={"office_id": 42, "code": "SUP-9", "name": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "office_id"]
    assert client.get("/supervisors").json() == []


def test_rep_without_hours_takes_the_office_defaults_and_mon_to_sat(client: TestClient, office: dict) -> None:
    response = client.post("/reps", json={"office_id": office["id"], "code": "R02", "name": "Chen Jie"})
    assert response.status_code == 201, response.text
    rep = response.json()
    assert rep["working_days"] == [0, 1, 2, 3, 4, 5]
    assert (rep["shift_start"], rep["shift_end"], rep["lunch_min"]) == (
        office["shift_start"],
        office["shift_end"],
        office["lunch_min"],
    )
    assert rep["travel_mode"] == "ebike"
    assert client.get(f"/reps/{rep['id']}").json() == rep


def test_rep_patch_changes_only_what_is_sent(client: TestClient, rep: dict) -> None:
    response = client.patch(
        f"/reps/{rep['id']}", json={"working_days": [5, 0, 2], "travel_mode": "walking", "speed_kmh": 4.5}
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["working_days"] == [0, 2, 5]
    assert (changed["travel_mode"], changed["speed_kmh"]) == ("walking", 4.5)
    assert {k: v for k, v in changed.items() if k not in ("working_days", "travel_mode", "speed_kmh")} == {
        k: v for k, v in rep.items() if k not in ("working_days", "travel_mode", "speed_kmh")
    }


def _rep_body(office: dict, **change) -> dict:
    return {"office_id": office["id"], "code": "R09", "name": "Sun Hao", **change}


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"start_place": "home"}, "home_lon", "required because start_place is home"),
        ({"end_place": "home", "home_lon": 121.5}, "home_lat", "required because end_place is home"),
        ({"start_place": "home", "home_lon": 31.2, "home_lat": 121.5}, "home_lat", "look swapped"),
        ({"lunch_earliest": "12:00", "lunch_latest": "12:30", "lunch_min": 45}, "lunch_min", "does not fit"),
        ({"lunch_latest": "18:00"}, "lunch_latest", "after the shift"),
        ({"shift_start": "17:00", "shift_end": "08:00"}, "shift_end", "before it starts"),
        ({"working_days": []}, "working_days", "at least one weekday"),
        ({"working_days": [0, 7]}, "working_days", "less than or equal to 6"),
        ({"travel_mode": "bus"}, "travel_mode", "walking"),
        ({"office_id": 999}, "office_id", "office 999 does not exist"),
        ({"supervisor_id": 999}, "supervisor_id", "supervisor 999 does not exist"),
    ],
)
def test_bad_rep_is_refused_naming_the_field(
    client: TestClient, office: dict, change: dict, field: str, reason: str
) -> None:
    response = client.post("/reps", json=_rep_body(office, **change))
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(field in e["loc"] and reason in e["msg"] for e in errors), errors
    assert client.get("/reps").json() == []


def test_rep_with_supervisor_of_another_office_is_refused(client: TestClient, office: dict) -> None:
    other = _other_office(client)
    foreign = client.post("/supervisors", json={"office_id": other["id"], "code": "SUP-2", "name": "Zhao Lei"}).json()
    response = client.post("/reps", json=_rep_body(office, supervisor_id=foreign["id"]))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "supervisor_id"]
    assert "another office" in response.json()["detail"][0]["msg"]
    assert client.get("/reps").json() == []


def test_duplicate_rep_code_is_a_conflict(client: TestClient, office: dict, rep: dict) -> None:
    response = client.post("/reps", json=_rep_body(office, code=rep["code"]))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "code"]


def test_patch_that_breaks_the_lunch_is_refused_and_the_rep_unchanged(client: TestClient, rep: dict) -> None:
    response = client.patch(f"/reps/{rep['id']}", json={"shift_end": "12:00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "lunch_latest"]
    assert client.get(f"/reps/{rep['id']}").json() == rep


def test_unknown_rep_is_404(client: TestClient) -> None:
    assert client.get("/reps/999").status_code == 404
    response = client.patch("/reps/999", json={"name": "x"})
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "rep_id"]


def test_patch_may_clear_optional_fields_but_not_required_ones(client: TestClient, rep: dict) -> None:
    refused = client.patch(f"/reps/{rep['id']}", json={"name": None, "shift_start": None})
    assert refused.status_code == 422
    assert sorted(e["loc"][-1] for e in refused.json()["detail"]) == ["name", "shift_start"]
    cleared = client.patch(f"/reps/{rep['id']}", json={"supervisor_id": None})
    assert cleared.status_code == 200
    assert cleared.json()["supervisor_id"] is None and cleared.json()["name"] == rep["name"]
