"""Service tests run through HTTP against real databases: every test runs once on SQLite and once on PostgreSQL.

Fixtures:
- `database_url` (session, parametrised "sqlite" / "postgresql"): a migrated, empty database for the run.
  PostgreSQL: a fresh database on 127.0.0.1:5432 (user postgres), dropped at the end; skipped only when the
  server is unreachable and CI is not set.
- `blank_database_url`: a second, empty (never migrated) database on the same backend, for migration tests.
- `app` (session): `create_app(database_url)`.
- `client`: a TestClient on the started app (lifespan ran once per database); every table is emptied before
  each test, and the client sends a new global admin's token (Authorization: Bearer) and no cookie.
- `token_for(role, **binding)`: the headers of a new token of that role, e.g.
  `token_for("rep", office_id=..., rep_id=...)`; pass them as `headers=` to override the admin's.
- `db_session`: a Session on the app's engine, to check what was (not) written.
- `office`, `supervisor`, `rep`: one of each created through the API (JSON as returned).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, SQLModel

from service.app import create_app
from service.core import tables  # noqa: F401  (registers every table on SQLModel.metadata)
from service.core.db import migrate
from tests.service.auth_headers import bearer

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_DSN, autocommit=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a fresh PostgreSQL database for this test run, dropped afterwards."""
    try:
        admin = _pg_admin()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required under CI: {exc}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {exc}")
    name = f"routeplan_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'routeplan.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    migrate(url)
    return url


@pytest.fixture
def blank_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """A second, never migrated database on the same backend as `database_url`, removed after the test."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    name = f"routeplan_blank_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[FastAPI]:
    app = create_app(database_url)
    yield app
    app.state.engine.dispose()


def _empty_all_tables(app: FastAPI) -> None:
    with Session(app.state.engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()


@pytest.fixture(scope="session")
def started_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:  # runs the app's startup (migrations) once per database
        yield client


@pytest.fixture
def client(app: FastAPI, started_client: TestClient) -> TestClient:
    _empty_all_tables(app)
    started_client.cookies.clear()  # a page's token cookie from an earlier test
    started_client.headers.update(bearer(app, "admin"))
    return started_client


@pytest.fixture
def token_for(app: FastAPI, client: TestClient) -> Callable[..., dict[str, str]]:
    return lambda role, **binding: bearer(app, role, **binding)


@pytest.fixture
def db_session(app: FastAPI, client: TestClient) -> Iterator[Session]:
    with Session(app.state.engine) as session:
        yield session


OFFICE = {
    "code": "SH-PD",
    "name": "Shanghai Pudong sales office",
    "lon": 121.544,
    "lat": 31.221,
    "timezone": "Asia/Shanghai",
}


@pytest.fixture
def office(client: TestClient) -> dict:
    response = client.post("/offices", json=OFFICE)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def supervisor(client: TestClient, office: dict) -> dict:
    response = client.post("/supervisors", json={"office_id": office["id"], "code": "SUP-1", "name": "Wang Fang"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def rep(client: TestClient, office: dict, supervisor: dict) -> dict:
    response = client.post(
        "/reps",
        json={
            "office_id": office["id"],
            "supervisor_id": supervisor["id"],
            "code": "R01",
            "name": "Li Wei",
            "shift_start": "08:30",
            "shift_end": "17:30",
            "lunch_earliest": "11:30",
            "lunch_latest": "13:30",
            "lunch_min": 60,
            "travel_mode": "ebike",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def world(app: FastAPI, started_client: TestClient) -> dict:
    """The offices, people and tokens' subjects of the access tests (tests/service/access_offices.py)."""
    from tests.service import access_offices  # it reads this module's OFFICE

    return access_offices.build(app, started_client)


@pytest.fixture
def api(app: FastAPI, started_client: TestClient, world: dict) -> TestClient:
    """The client on `world` with its published plan as built (tables refreshed), no page cookie left over."""
    from tests.service import tiny_published

    tiny_published.fresh(app)
    started_client.cookies.clear()
    return started_client
