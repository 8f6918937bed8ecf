"""The change-set form: the page lists the office's outlets and reps; its submit takes a new outlet placed on the
map, a closure and a polygon move as one change set."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.auth_headers import bearer
from tests.service.test_change_sets import new_outlet, routes
from tests.service.test_coordinator_diff import HTML, page_data
from tests.service.tiny_published import build


def test_the_form_submits_a_new_outlet_a_closure_and_a_polygon_move(app: FastAPI, client: TestClient) -> None:
    tiny = build(app, client)
    client.headers.update(bearer(app, "coordinator", office_id=tiny["office_id"]))
    page = client.get("/line-cleanup/page", headers=HTML)
    assert page.status_code == 200, page.text
    assert "线路清理" in page.text and "leaflet.draw.js" in page.text
    data = page_data(page.text)
    assert data["base_plan_id"] == tiny["plan"]["id"]
    assert {o["code"] for o in data["outlets"]} >= {"SH0900001", "SH0900012"}

    # a square around SH0900001 (121.352, 31.157), a TINY-R01 outlet, handed to TINY-R02
    square = [[121.3515, 31.1565], [121.3525, 31.1565], [121.3525, 31.1575], [121.3515, 31.1575], [121.3515, 31.1565]]
    change_set = {
        "base_plan_id": tiny["plan"]["id"],
        "idempotency_key": "form-1",
        "new_outlets": [new_outlet("NEW-9", 121.356, 31.154) | {"opening_hours": {"mon": ["07:00-21:00"]}}],
        "closures": ["SH0900012"],
        "moves": [{"to_rep_code": "TINY-R02", "polygon": {"type": "Polygon", "coordinates": [square]}}],
    }
    response = client.post("/line-cleanup/page/submit", json={"change_set": change_set, "map_coord_system": "wgs84"})
    assert response.status_code == 201, response.text
    made = response.json()
    moved = {m["outlet_code"]: m for m in made["diff"]["moved"]}
    assert {e["rep_code"] for e in moved["SH0900001"]["to"]} == {"TINY-R02"}
    after = routes(client, made["result_plan_id"])
    assert any("NEW-9" in codes for codes in after.values())
    assert not any("SH0900012" in codes for codes in after.values())


def test_a_supervisor_cannot_submit_line_cleanup(app: FastAPI, client: TestClient) -> None:
    tiny = build(app, client)
    client.headers.update(
        bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    )
    change_set = {"base_plan_id": tiny["plan"]["id"], "idempotency_key": "form-2", "closures": ["SH0900012"]}
    response = client.post("/line-cleanup/page/submit", json={"change_set": change_set})
    assert response.status_code == 403
