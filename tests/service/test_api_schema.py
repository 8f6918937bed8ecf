"""Every operation of the OpenAPI document fuzzed by schemathesis against the app in process (SQLite, a seeded
office so that small ids name stored rows), as a global admin: never a 5xx, and the status code, content type
and body as documented (service/api/openapi_errors.py documents the error answers of every route).

Derandomised and a few examples per operation, so CI runs the same cases every time within about a minute.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete
from sqlmodel import Session, SQLModel

from service.app import create_app
from tests.service.auth_headers import bearer
from tests.service.conftest import OFFICE
from tests.service.journey_office import build_office, create_plan

EXAMPLES_PER_OPERATION = 12
PLAN_TIME_LIMIT_S = 0.2  # generated plans are solved at once (wait=true) with this much time per rep
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


_started: dict[str, FastAPI] = {}  # the session's app of the database under test, set by `seeded`
_stored: dict[str, int | str] = {}  # ids and codes of the seeded rows, by parameter name


async def _started_app(scope, receive, send) -> None:
    """The app schemathesis calls: the session's TestClient ran the app's startup once (jobs, caches), which a
    second startup would start twice, so the lifespan is answered here and requests are passed on."""
    if scope["type"] != "lifespan":
        await _started["app"](scope, receive, send)
        return
    while True:
        kind = (await receive())["type"].removeprefix("lifespan.")
        await send({"type": f"lifespan.{kind}.complete"})
        if kind == "shutdown":
            return


# the document depends on the routes only: read it from an app that is never started
schema = schemathesis.openapi.from_dict(create_app(f"sqlite:///{tempfile.gettempdir()}/never-opened.db").openapi())
schema.app = _started_app


def _sometimes_stored(values: dict | None):
    """The generated parameters, or the same with the seeded rows' ids: random ids rarely name a stored row."""
    values = values or {}
    stored = {name: value for name, value in _stored.items() if name in values}
    return st.sampled_from([values, values | stored]) if stored else st.just(values)


@schema.hook("flatmap_path_parameters")
def stored_path_rows(context, path_parameters):
    return _sometimes_stored(path_parameters)


@schema.hook("flatmap_query")
def stored_query_rows(context, query):
    return _sometimes_stored(query)


@schema.hook("map_body")
def bounded_plans(context, body):
    if context.operation.path == "/plans" and isinstance(body, dict):
        body["time_limit_s"] = PLAN_TIME_LIMIT_S
    return body


@schema.hook("map_query")
def waited_plans(context, query):
    if context.operation.path == "/plans" and context.operation.method.upper() == "POST":
        query = {**(query or {}), "wait": "true"}  # no background job outlives its case
    return query


@pytest.fixture(scope="module")
def seeded(app: FastAPI, started_client: TestClient) -> Iterator[dict[str, str]]:
    """An empty database with one office, its supervisor, two reps, eight outlets and a published plan; the
    admin's headers."""
    with Session(app.state.engine) as session:
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    headers = bearer(app, "admin")
    client = TestClient(app)  # no lifespan: the session's client keeps the app started
    client.headers.update(headers)
    office = client.post("/offices", json=OFFICE).json()
    supervisor = client.post(
        "/supervisors", json={"office_id": office["id"], "code": "SUP-1", "name": "Wang Fang"}
    ).json()
    rep = client.post(
        "/reps", json={"office_id": office["id"], "supervisor_id": supervisor["id"], "code": "R01", "name": "Li Wei"}
    ).json()
    outlets = build_office(client, office, supervisor, rep)["outlets"]
    plan = create_plan(client, office["id"])
    assert client.post(f"/plans/{plan['id']}/publish").status_code == 200
    _started["app"] = app
    _stored.update(
        office_id=office["id"],
        supervisor_id=supervisor["id"],
        rep_id=rep["id"],
        plan_id=plan["id"],
        code=next(iter(outlets)),
    )
    yield headers


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    # generated cases only: the documented examples are posted by tests/service/test_api_docs.py, and those of the
    # territory jobs ask for minutes of search each
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, seeded: dict[str, str]) -> None:
    case.call_and_validate(headers=seeded, checks=CHECKS)
