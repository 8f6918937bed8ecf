"""GET /health, and the Alembic migrations every other test stands on."""

from __future__ import annotations

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from service.app import create_app
from service.core.db import alembic_config, make_engine, migrate
from service.core.tables import Supervisor

TABLES = {t.name for t in SQLModel.metadata.sorted_tables}


def test_health_reports_the_database(client: TestClient, database_url: str) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {
        "status": "ok",
        "dialect": "sqlite" if database_url.startswith("sqlite") else "postgresql",
    }


def _stored_tables(url: str) -> set[str]:
    engine = make_engine(url, pooled=False)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(url: str, alembic_command, *args) -> None:
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            alembic_command(config, *args)
    finally:
        engine.dispose()


def test_migrations_build_the_tables_match_the_models_and_go_down_and_up_again(blank_database_url: str) -> None:
    url = blank_database_url
    migrate(url)
    assert TABLES | {"alembic_version"} <= _stored_tables(url)
    migrate(url)  # already at head: a no-op, not an error
    _run(url, command.check)  # raises when the tables in service/core/tables.py differ from what the migrations built
    _run(url, command.downgrade, "base")
    assert _stored_tables(url) & TABLES == set()
    migrate(url)
    assert TABLES <= _stored_tables(url)


def test_an_unreachable_database_is_503_on_health_and_on_requests() -> None:
    app = create_app("postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2")
    client = TestClient(app)  # not started: startup would migrate, and there is no database to migrate
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["status"] == "unavailable" and health.json()["database"]["status"] == "down"
    offices = client.get("/offices", headers={"Authorization": "Bearer rp_any"})  # looked up: the database is down
    assert offices.status_code == 503
    assert offices.json()["detail"][0]["loc"] == ["database"]
    assert offices.json()["detail"][0]["type"] == "unavailable"
    app.state.engine.dispose()


def test_the_database_enforces_foreign_keys(client: TestClient, db_session, office: dict) -> None:
    """SQLite only does when asked on every connection (service.core.db turns it on), PostgreSQL always does."""
    db_session.add(Supervisor(office_id=office["id"] + 1000, code="GHOST", name="nobody"))
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_sqlite_files_use_write_ahead_logging(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite setting")
    engine = make_engine(database_url, pooled=False)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()
