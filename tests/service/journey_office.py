"""Offices for the plan and day-list tests: the tiny sample bundle, and a hand-checkable office created through
the API.

Rep R01 (conftest: Mon-Sat, 08:30-17:30, lunch 11:30-13:30 for 60 min, e-bike) has six outlets within 2 km of
the office, one of each frequency, a restaurant with split hours and an internet cafe closed on Mondays;
rep R02 works Mon-Fri from home and has two outlets. Outlet N99 opens only in the evening, after every shift.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.core.time_of_day import WEEKDAYS
from service.master_data.bundle import load_bundle

TINY_SAMPLE = Path(__file__).resolve().parents[2] / "sample_routes" / "tiny"

ALL_WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOME = (121.560, 31.230)


def hours(windows: list[str], days: tuple[str, ...] = ALL_WEEK) -> dict[str, list[str]]:
    return {d: (windows if d in days else []) for d in WEEKDAYS}


# code, channel, lon, lat, service_min, visits per cycle, opening hours
R01_OUTLETS = [
    ("S01", "supermarket", 121.550, 31.225, 30, 12, hours(["08:00-22:00"])),
    ("G02", "grocery", 121.538, 31.218, 10, 8, hours(["07:00-21:00"])),
    ("R03", "restaurant", 121.547, 31.230, 15, 4, hours(["10:00-11:30", "14:00-17:00"])),
    ("C04", "convenience", 121.552, 31.214, 10, 2, hours(["00:00-24:00"])),
    ("K05", "school_shop", 121.535, 31.226, 10, 1, hours(["08:00-16:00"], ALL_WEEK[:5])),
    ("I06", "internet_cafe", 121.541, 31.232, 10, 4, hours(["12:00-23:00"], ALL_WEEK[1:])),
]
R02_OUTLETS = [
    ("G11", "grocery", 121.562, 31.228, 10, 4, hours(["08:00-20:00"])),
    ("C12", "convenience", 121.558, 31.236, 10, 8, hours(["07:00-23:00"])),
]
EVENING_ONLY = ("N99", "restaurant", 121.545, 31.222, 15, 4, hours(["19:00-22:00"]))


def add_outlet(client: TestClient, office_id: int, rep_id: int | None, spec: tuple) -> dict:
    code, channel, lon, lat, service_min, visits, opening = spec
    body = {
        "office_id": office_id,
        "code": code,
        "name": f"{channel} {code}",
        "address": f"{code} Road",
        "channel": channel,
        "lon": lon,
        "lat": lat,
        "service_min": service_min,
        "visits_per_cycle": visits,
        "opening_hours": opening,
        "rep_id": rep_id,
    }
    response = client.post("/outlets", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def build_office(client: TestClient, office: dict, supervisor: dict, rep: dict) -> dict:
    """Adds rep R02 and all outlets; returns {"office": office, "reps": {code: rep}, "outlets": {code: outlet}}."""
    response = client.post(
        "/reps",
        json={
            "office_id": office["id"],
            "supervisor_id": supervisor["id"],
            "code": "R02",
            "name": "Zhang Min",
            "start_place": "home",
            "end_place": "home",
            "home_lon": HOME[0],
            "home_lat": HOME[1],
            "working_days": [0, 1, 2, 3, 4],
            "travel_mode": "walking",
        },
    )
    assert response.status_code == 201, response.text
    rep2 = response.json()
    outlets = [add_outlet(client, office["id"], rep["id"], spec) for spec in R01_OUTLETS]
    outlets += [add_outlet(client, office["id"], rep2["id"], spec) for spec in R02_OUTLETS]
    return {"office": office, "reps": {r["code"]: r for r in (rep, rep2)}, "outlets": {o["code"]: o for o in outlets}}


def load_tiny_sample(app: FastAPI, client: TestClient) -> dict:
    """Loads sample_routes/tiny; returns {"office": office, "reps": {code: rep}, "outlets": {code: outlet}}."""
    with Session(app.state.engine) as session:
        office_id = load_bundle(session, TINY_SAMPLE).id
        session.commit()
    reps = client.get("/reps", params={"office_id": office_id}).json()
    outlets = client.get("/outlets", params={"office_id": office_id}).json()
    return {
        "office": client.get(f"/offices/{office_id}").json(),
        "reps": {r["code"]: r for r in reps},
        "outlets": {o["code"]: o for o in outlets},
    }


def create_plan(client: TestClient, office_id: int, start_date: str = "2026-11-30", **body) -> dict:
    # half a second per rep plans these few outlets completely; a short limit keeps the suite fast
    response = client.post(
        "/plans", json={"office_id": office_id, "start_date": start_date, "time_limit_s": 0.5} | body
    )
    assert response.status_code == 201, response.text
    return response.json()


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)
