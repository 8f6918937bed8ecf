"""The office bundle (office.json + outlets.csv) loaded all or nothing, with the API's checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.core.errors import Conflict, InvalidInput
from service.master_data.bundle import load_bundle
from tests.service.test_outlet_import import csv_bytes, row

SAMPLE_OFFICE = Path(__file__).resolve().parents[2] / "sample_routes" / "shanghai_minhang"

OFFICE_JSON = {
    "office": {
        "code": "SH-PD",
        "name": "浦东营业所",
        "lon": 121.544,
        "lat": 31.221,
        "timezone": "Asia/Shanghai",
        "shift_start": "08:30",
        "shift_end": "17:30",
        "lunch_earliest": "11:30",
        "lunch_latest": "13:30",
        "lunch_min": 60,
    },
    "supervisors": [{"code": "S1", "name": "周建国"}],
    "reps": [
        {
            "code": "R01",
            "name": "张伟",
            "supervisor_code": "S1",
            "start_place": "office",
            "end_place": "office",
            "home_lon": None,
            "home_lat": None,
            "working_days": [0, 1, 2, 3, 4, 5],
            "shift_start": "08:30",
            "shift_end": "17:30",
            "lunch_earliest": "11:30",
            "lunch_latest": "13:30",
            "lunch_min": 60,
            "travel_mode": "ebike",
            "started_on": "2018-09-17",
        },
        {
            "code": "R02",
            "name": "李娜",
            "supervisor_code": "S1",
            "start_place": "home",
            "end_place": "office",
            "home_lon": 121.52,
            "home_lat": 31.20,
            "working_days": [1, 2, 3, 4, 5],
            "shift_start": "09:00",
            "shift_end": "18:00",
            "lunch_earliest": "12:00",
            "lunch_latest": "13:30",
            "lunch_min": 45,
            "travel_mode": "walking",
            "started_on": None,
        },
    ],
}


def write_bundle(folder: Path, office_json: dict, outlet_rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "office.json").write_text(json.dumps(office_json, ensure_ascii=False), encoding="utf-8")
    (folder / "outlets.csv").write_bytes(csv_bytes(outlet_rows))
    return folder


def test_bundle_creates_office_people_and_outlets(client: TestClient, db_session: Session, tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "pd", OFFICE_JSON, [row("SH001"), row("SH002", rep_code="R02")])
    office = load_bundle(db_session, folder)
    db_session.commit()

    assert client.get(f"/offices/{office.id}").json()["name"] == "浦东营业所"
    reps = {r["code"]: r for r in client.get("/reps", params={"office_id": office.id}).json()}
    assert reps["R02"]["start_place"] == "home" and reps["R02"]["lunch_min"] == 45
    assert reps["R02"]["working_days"] == [1, 2, 3, 4, 5]
    assert reps["R01"]["supervisor_id"] == client.get("/supervisors").json()[0]["id"]
    stored = client.get("/outlets", params={"office_id": office.id}).json()
    assert {o["code"]: o["rep_id"] for o in stored} == {"SH001": reps["R01"]["id"], "SH002": reps["R02"]["id"]}


@pytest.mark.parametrize(
    ("breakage", "loc_part", "error"),
    [
        (lambda d, rows: d["reps"][1].update(home_lat=None), "home_lat", InvalidInput),
        (lambda d, rows: d["reps"][0].update(supervisor_code="S9"), "supervisor_code", InvalidInput),
        (lambda d, rows: d["office"].update(timezone="Mars/Olympus"), "timezone", InvalidInput),
        (lambda d, rows: rows.append(row("SH003", visits_per_cycle="5")), "visits_per_cycle", InvalidInput),
        (lambda d, rows: d["reps"].append({**d["reps"][0]}), "code", Conflict),
    ],
)
def test_a_bad_bundle_leaves_nothing_behind(
    client: TestClient, db_session: Session, tmp_path: Path, breakage, loc_part: str, error: type
) -> None:
    office_json = json.loads(json.dumps(OFFICE_JSON))
    rows = [row("SH001")]
    breakage(office_json, rows)
    folder = write_bundle(tmp_path / "bad", office_json, rows)
    with pytest.raises(error) as raised:
        load_bundle(db_session, folder)
    db_session.rollback()
    assert any(loc_part in d.loc for d in raised.value.details), raised.value.details
    assert client.get("/offices").json() == []
    assert client.get("/reps").json() == []


def test_the_sample_office_loads(client: TestClient, db_session: Session, tmp_path: Path) -> None:
    folder = shutil.copytree(SAMPLE_OFFICE, tmp_path / "sample")  # a snapshot: the generator may be rerunning
    office = load_bundle(db_session, folder)
    db_session.commit()
    reps = client.get("/reps", params={"office_id": office.id}).json()
    assert 6 <= len(reps) <= 8
    page = client.get("/outlets", params={"office_id": office.id, "limit": 5000}).json()
    assert 1000 <= len(page) <= 1500
    assert all(o["rep_id"] in {r["id"] for r in reps} for o in page)
