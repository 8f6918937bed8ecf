"""The tiny sample office (sample_routes/tiny: 2 reps, 12 outlets, supervisor TINY-S01) loaded, planned over a
four-week cycle that started three weeks before this week's Monday, and published.

Built once per test module and database (planning takes a few seconds); the tests then only write visit
outcomes and ride-along rows, which `fresh` removes before each test.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, SQLModel

from service.core.tables import RideAlongDay, RideAlongSettings, VisitOutcome, VisitReport
from service.master_data.bundle import load_bundle
from tests.service.auth_headers import bearer

TINY = Path(__file__).resolve().parents[2] / "sample_routes" / "tiny"


def office_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def this_monday() -> date:
    today = office_today()
    return today - timedelta(days=today.weekday())


def build(app: FastAPI, client: TestClient) -> dict:
    """Empty the database, load, plan and publish the tiny office (`client` then sends a new global admin's
    token); returns ids and the plan."""
    with Session(app.state.engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.execute(delete(table))
        office = load_bundle(session, TINY)
        session.commit()
        office_id = office.id
    client.cookies.clear()
    client.headers.update(bearer(app, "admin"))  # the tokens went with the other tables
    start = this_monday() - timedelta(weeks=3)
    response = client.post("/plans", json={"office_id": office_id, "start_date": start.isoformat(), "time_limit_s": 1})
    assert response.status_code == 201, response.text
    plan = response.json()
    assert client.post(f"/plans/{plan['id']}/publish").status_code == 200
    supervisor = client.get("/supervisors", params={"office_id": office_id}).json()[0]
    reps = {r["code"]: r for r in client.get("/reps", params={"office_id": office_id}).json()}
    return {"office_id": office_id, "plan": plan, "supervisor": supervisor, "reps": reps, "start": start}


def fresh(app: FastAPI) -> None:
    """Remove what the visit and ride-along tests write, keeping the office and its published plan."""
    with Session(app.state.engine) as session:
        for table in (VisitReport, VisitOutcome, RideAlongDay, RideAlongSettings):
            session.execute(delete(table))
        session.commit()


def day_list(client: TestClient, rep_id: int, on: date) -> list[dict]:
    response = client.get(f"/reps/{rep_id}/day/{on.isoformat()}")
    assert response.status_code == 200, response.text
    return response.json()["visits"]
