"""API tokens: created by admins (an office admin within its office) with bindings that suit the role, shown
once, listed without their hashes, revoked; the same on the command line, where the first admin token comes
from."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.cli import app as cli
from service.cli import demo_tokens, prepare_demo
from service.core.db import make_engine, migrate
from service.core.tables import ApiToken, AuditEvent
from tests.service.journey_office import TINY_SAMPLE


def token_body(role: str, **binding) -> dict:
    return {"name": f"{role} phone", "role": role, **binding}


def bearer(created: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {created['token']}"}


def test_a_token_is_shown_once_and_stored_as_its_sha256(client, db_session, office, supervisor):
    response = client.post(
        "/tokens", json=token_body("supervisor", office_id=office["id"], supervisor_id=supervisor["id"])
    )
    assert response.status_code == 201, response.text
    created = response.json()
    raw = created["token"]
    assert raw.startswith("rp_") and len(raw) == 46 and created["prefix"] == raw[:10]
    stored = db_session.get(ApiToken, created["id"])
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.model_dump())
    listed = client.get("/tokens").json()
    assert created["id"] in [t["id"] for t in listed]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert client.get(f"/offices/{office['id']}", headers=bearer(created)).status_code == 200
    assert client.get("/tokens", headers=bearer(created)).status_code == 403  # a supervisor manages none


@pytest.mark.parametrize(
    "body, field, msg",
    [
        (token_body("coordinator"), "office_id", "a coordinator token needs an office"),
        (token_body("supervisor", office_id="OFFICE"), "supervisor_id", "needs the supervisor it acts as"),
        (token_body("rep", office_id="OFFICE", rep_id=999), "rep_id", "rep 999 does not exist"),
        (
            token_body("rep", office_id="OFFICE", rep_id="REP", supervisor_id="SUPERVISOR"),
            "supervisor_id",
            "only a supervisor token is bound to a supervisor",
        ),
        (token_body("coordinator", office_id="OFFICE", rep_id="REP"), "rep_id", "only a rep token is bound to a rep"),
        (token_body("supervisor", office_id="OTHER", supervisor_id="SUPERVISOR"), "supervisor_id", "is not in office"),
        (token_body("admin", office_id=999), "office_id", "office 999 does not exist"),
    ],
)
def test_bindings_that_do_not_suit_the_role_are_422_naming_the_field(
    client, db_session, office, supervisor, rep, body, field, msg
):
    other = client.post("/offices", json={"code": "OTHER", "name": "Other", "lon": 121.4, "lat": 31.2}).json()
    ids = {"OFFICE": office["id"], "OTHER": other["id"], "SUPERVISOR": supervisor["id"], "REP": rep["id"]}
    before = len(db_session.exec(select(ApiToken)).all())
    response = client.post("/tokens", json={k: ids.get(v, v) for k, v in body.items()})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", field] and msg in detail["msg"]
    assert len(db_session.exec(select(ApiToken)).all()) == before


def test_an_office_admin_manages_the_tokens_of_its_office_only(client, office, token_for):
    other = client.post("/offices", json={"code": "OTHER", "name": "Other", "lon": 121.4, "lat": 31.2}).json()
    office_admin = token_for("admin", office_id=office["id"])
    mine = client.post("/tokens", json=token_body("coordinator", office_id=office["id"]), headers=office_admin)
    assert mine.status_code == 201
    theirs = client.post("/tokens", json=token_body("coordinator", office_id=other["id"])).json()
    for body in (token_body("coordinator", office_id=other["id"]), token_body("admin")):
        assert client.post("/tokens", json=body, headers=office_admin).status_code == 403
    listed = client.get("/tokens", headers=office_admin).json()
    assert {t["office_id"] for t in listed} == {office["id"]}
    assert client.get("/tokens", params={"office_id": other["id"]}, headers=office_admin).status_code == 403
    assert client.delete(f"/tokens/{theirs['id']}", headers=office_admin).status_code == 403
    assert client.delete(f"/tokens/{mine.json()['id']}", headers=office_admin).status_code == 200
    assert client.get(f"/offices/{office['id']}", headers=bearer(mine.json())).status_code == 401
    assert client.delete("/tokens/999999").status_code == 404


def test_revoked_tokens_are_listed_on_request(client, office):
    created = client.post("/tokens", json=token_body("coordinator", office_id=office["id"])).json()
    revoked = client.delete(f"/tokens/{created['id']}").json()
    assert revoked["revoked_at"] is not None
    assert created["id"] not in [t["id"] for t in client.get("/tokens").json()]
    assert created["id"] in [t["id"] for t in client.get("/tokens", params={"include_revoked": True}).json()]
    assert client.delete(f"/tokens/{created['id']}").json()["revoked_at"] == revoked["revoked_at"]


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_the_command_line_creates_lists_and_revokes_tokens(runner):
    assert runner.invoke(cli, ["import", str(TINY_SAMPLE)]).exit_code == 0
    first = runner.invoke(cli, ["token", "create", "--role", "admin", "--name", "first admin"])
    assert first.exit_code == 0, first.output
    raw = first.output.split(": ", 1)[1].split()[0]
    assert raw.startswith("rp_")
    rep = runner.invoke(cli, ["token", "create", "--role", "rep", "--name", "Sun Li", "--rep", "TINY-R01"])
    assert rep.exit_code == 0, rep.output
    listed = runner.invoke(cli, ["token", "list"])
    assert "first admin" in listed.output and "Sun Li" in listed.output and "TINY-01" in listed.output
    assert raw not in listed.output and raw[:10] in listed.output
    assert runner.invoke(cli, ["token", "revoke", "1"]).exit_code == 0
    assert "first admin" not in runner.invoke(cli, ["token", "list"]).output
    assert "first admin" in runner.invoke(cli, ["token", "list", "--all"]).output
    with Session(make_engine()) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_name, e.subject_id) for e in events] == [
        ("token.created", "command line", "1"),
        ("token.created", "command line", "2"),
        ("token.revoked", "command line", "1"),
    ]


def test_the_command_line_refuses_bad_bindings(runner):
    assert runner.invoke(cli, ["import", str(TINY_SAMPLE)]).exit_code == 0
    result = runner.invoke(cli, ["token", "create", "--role", "coordinator", "--name", "x"])
    assert result.exit_code == 1 and "office_id: a coordinator token needs an office" in result.output
    result = runner.invoke(cli, ["token", "create", "--role", "rep", "--name", "x", "--rep", "NOPE"])
    assert result.exit_code == 1 and "rep NOPE does not exist" in result.output
    result = runner.invoke(cli, ["token", "revoke", "42"])
    assert result.exit_code == 1 and "token 42 does not exist" in result.output


def test_demo_tokens_replace_the_earlier_demos(runner):
    migrate()
    engine = make_engine()
    _, rep = prepare_demo(engine, TINY_SAMPLE, time_limit_s=0.5)
    first = demo_tokens(engine, rep)
    second = demo_tokens(engine, rep)
    with Session(engine) as session:
        active = session.exec(select(ApiToken).where(ApiToken.revoked_at == None)).all()  # noqa: E711
    assert sorted(t.role for t in active) == sorted(first) and set(first.values()).isdisjoint(second.values())
    assert {t.role: (t.office_id, t.supervisor_id, t.rep_id) for t in active}["rep"] == (rep.office_id, None, rep.id)
    engine.dispose()
