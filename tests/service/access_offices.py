"""Who the access tests act as: the tiny office with its published plan (supervisor TINY-S01 and its reps
TINY-R01, TINY-R02), a second supervisor there without reps, and a second office with a supervisor and a rep."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service import tiny_published
from tests.service.conftest import OFFICE

REP_HOURS = {
    "shift_start": "08:30",
    "shift_end": "17:30",
    "lunch_earliest": "11:30",
    "lunch_latest": "13:30",
    "lunch_min": 60,
}


def _created(client: TestClient, path: str, body: dict) -> dict:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def build(app: FastAPI, client: TestClient) -> dict:
    tiny = tiny_published.build(app, client)
    office_id = tiny["office_id"]
    other_supervisor = _created(client, "/supervisors", {"office_id": office_id, "code": "TINY-S02", "name": "Qian"})
    other_office = _created(client, "/offices", OFFICE | {"code": "SH-XH", "name": "Xuhui sales office"})
    far_supervisor = _created(
        client, "/supervisors", {"office_id": other_office["id"], "code": "XH-S1", "name": "Zhou"}
    )
    far_rep = _created(
        client,
        "/reps",
        {
            "office_id": other_office["id"],
            "supervisor_id": far_supervisor["id"],
            "code": "XH-R1",
            "name": "Wu",
            **REP_HOURS,
        },
    )
    return tiny | {
        "rep1": tiny["reps"]["TINY-R01"],
        "rep2": tiny["reps"]["TINY-R02"],
        "other_supervisor": other_supervisor,
        "other_office": other_office,
        "far_supervisor": far_supervisor,
        "far_rep": far_rep,
    }
