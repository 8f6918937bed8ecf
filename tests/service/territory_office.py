"""A small office for the territory tests, created through the API.

Two reps work Mondays only, 09:00-12:00 (a 1-minute lunch between 10:00 and 11:00): three hours a week. 26 weekly
outlets (10 minutes each, open all day) lie on a west-east line of 13 columns x 2 rows, 250 m apart: rep W holds the
ten western columns (20 outlets, more than its Mondays hold), rep E the three eastern ones (6 outlets).
"""

from __future__ import annotations

from fastapi.testclient import TestClient

LON, LAT = 121.40, 31.10
STEP_DEG = 0.0025
COLUMNS, WESTERN_COLUMNS = 13, 10
ALL_DAY = {day: ["07:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
MONDAY_MORNING = {
    "shift_start": "09:00",
    "shift_end": "12:00",
    "lunch_earliest": "10:00",
    "lunch_latest": "11:00",
    "lunch_min": 1,
    "working_days": [0],
    "travel_mode": "ebike",
}


def add_rep(client: TestClient, office_id: int, supervisor_id: int, code: str) -> dict:
    response = client.post(
        "/reps",
        json={"office_id": office_id, "supervisor_id": supervisor_id, "code": code, "name": code, **MONDAY_MORNING},
    )
    assert response.status_code == 201, response.text
    return response.json()


def build(client: TestClient) -> dict:
    """The office, its supervisor, reps W and E with their outlets, and its plan (a draft, from a Monday)."""
    office = client.post(
        "/offices", json={"code": "TERR-1", "name": "Territory test office", "lon": LON, "lat": LAT}
    ).json()
    supervisor = client.post("/supervisors", json={"office_id": office["id"], "code": "TERR-S", "name": "S"}).json()
    reps = {code: add_rep(client, office["id"], supervisor["id"], code) for code in ("TERR-W", "TERR-E")}
    outlets = {}
    for column in range(COLUMNS):
        for row in range(2):
            code = f"T{column:02d}{row}"
            rep = reps["TERR-W" if column < WESTERN_COLUMNS else "TERR-E"]
            response = client.post(
                "/outlets",
                json={
                    "office_id": office["id"],
                    "code": code,
                    "name": f"grocery {code}",
                    "channel": "grocery",
                    "lon": LON + (column - 6) * STEP_DEG,
                    "lat": LAT + 0.002 + row * STEP_DEG,
                    "service_min": 10,
                    "visits_per_cycle": 4,
                    "opening_hours": ALL_DAY,
                    "rep_id": rep["id"],
                },
            )
            assert response.status_code == 201, response.text
            outlets[code] = response.json()
    plan = client.post(
        "/plans",
        params={"wait": "true"},
        json={"office_id": office["id"], "start_date": "2026-11-30", "time_limit_s": 1},
    )
    assert plan.status_code == 201, plan.text
    return {"office": office, "supervisor": supervisor, "reps": reps, "outlets": outlets, "plan": plan.json()}
