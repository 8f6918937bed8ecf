"""Territory proposals through HTTP (SQLite and PostgreSQL) on the office of tests/service/territory_office.py,
whose western rep cannot fit its outlets into its Mondays."""

from __future__ import annotations

import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy import func
from sqlmodel import Session, select

from service.core.tables import AuditEvent, ChangeSet, Job, Outlet, Plan, Rep
from tests.service import territory_office

QUICK = {"time_limit_s": 6}


@pytest.fixture
def office(client: TestClient) -> dict:
    return territory_office.build(client)


def propose(client: TestClient, office_id: int, **options) -> dict:
    response = client.post(
        f"/offices/{office_id}/territory-proposals", params={"wait": "true"}, json={**QUICK, **options}
    )
    assert response.status_code == 201, response.text
    return response.json()


def apply(client: TestClient, proposal_id: int, base_plan_id: int, key: str = "terr-1", **more) -> dict:
    response = client.post(
        f"/territory-proposals/{proposal_id}/apply",
        json={"base_plan_id": base_plan_id, "idempotency_key": key, **more},
    )
    assert response.status_code == 201, response.text
    return response.json()


def rep_of_outlets(app: FastAPI) -> dict[str, str]:
    with Session(app.state.engine) as session:
        codes = {r.id: r.code for r in session.exec(select(Rep))}
        return {o.code: codes[o.rep_id] for o in session.exec(select(Outlet)) if o.rep_id is not None}


def stored_counts(app: FastAPI) -> tuple:
    with Session(app.state.engine) as session:
        counts = tuple(session.exec(select(func.count()).select_from(t)).one() for t in (Plan, ChangeSet, Job))
    return counts + (tuple(sorted(rep_of_outlets(app).items())),)


def test_a_proposal_places_every_visit_with_balanced_workloads_and_applies_as_a_line_cleanup(app, client, office):
    plan = office["plan"]
    assert plan["kpis"]["unplaced_by_reason"].get("day_full", 0) > 0  # rep W's Mondays are too full

    proposal = propose(client, office["office"]["id"])
    assert proposal["all_placed"]
    assert proposal["visits_placed"] == proposal["visits_required"] == 26 * 4
    assert proposal["workload_ratio"] <= 1.10
    assert proposal["base_plan_id"] == plan["id"]
    assert proposal["before"]["unplaced_visits"] > 0
    by_code = {r["rep_code"]: r for r in proposal["reps"]}
    assert by_code["TERR-W"]["outlets_lost"] > 0 and by_code["TERR-E"]["outlets_gained"] > 0
    assert {f["properties"]["rep_code"] for f in proposal["territories"]["features"]} == {"TERR-W", "TERR-E"}
    assert client.get(f"/territory-proposals/{proposal['id']}").json() == proposal

    change_set = apply(client, proposal["id"], plan["id"])
    moved = {code for m in proposal["moves"] for code in m["outlet_codes"]}
    assert {r["outlet_code"] for r in change_set["diff"]["changes"]["reassigned"]} == moved
    reps_now = rep_of_outlets(app)
    for move in proposal["moves"]:
        assert all(reps_now[code] == move["to_rep_code"] for code in move["outlet_codes"])
    new_plan = client.get(f"/plans/{change_set['result_plan_id']}").json()
    assert new_plan["based_on_id"] == plan["id"] and new_plan["status"] == "draft"
    assert new_plan["kpis"]["coverage"] == 1.0
    assert client.post(f"/plans/{new_plan['id']}/publish").status_code == 200
    assert client.get(f"/territory-proposals/{proposal['id']}").json()["change_set_id"] == change_set["id"]

    # the territories are stored as the proposal drew them: each holds its rep's outlets
    for rep in office["reps"].values():
        territory = shape(client.get(f"/reps/{rep['id']}/territory").json()["geometry"])
        outlets = [o for code, o in office["outlets"].items() if reps_now[code] == rep["code"]]
        assert all(territory.covers(Point(o["lon"], o["lat"])) for o in outlets)

    with Session(app.state.engine) as session:
        actions = {e.action for e in session.exec(select(AuditEvent))}
    assert {"territory_proposal.requested", "territory_proposal.applied"} <= actions


def test_the_keep_share_and_locked_outlets_are_honoured(client, office):
    locked = ["T090", "T091", "T080"]  # western outlets nearest rep E: a free split would hand them over
    proposal = propose(
        client, office["office"]["id"], keep_share=0.7, locked=[{"outlet_code": code} for code in locked]
    )
    assert proposal["keep_share"] >= 0.7 and proposal["outlets_kept"] >= 0.7 * 26
    assert proposal["all_placed"]
    moved = {code for m in proposal["moves"] for code in m["outlet_codes"]}
    assert moved and not moved & set(locked)


def test_a_what_if_with_a_new_rep_applies_once_the_rep_is_named(app, client, office):
    proposal = propose(client, office["office"]["id"], new_reps=1, rep_codes=["TERR-W", "TERR-E"])
    assert [r["rep_code"] for r in proposal["reps"] if r["new"]] == ["NEW-1"]
    assert proposal["all_placed"]
    before = stored_counts(app)

    response = client.post(
        f"/territory-proposals/{proposal['id']}/apply",
        json={"base_plan_id": office["plan"]["id"], "idempotency_key": "k"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_rep_codes", "NEW-1"]
    assert stored_counts(app) == before  # nothing applied

    new_rep = territory_office.add_rep(client, office["office"]["id"], office["supervisor"]["id"], "TERR-N")
    change_set = apply(client, proposal["id"], office["plan"]["id"], new_rep_codes={"NEW-1": "TERR-N"})
    assert any(r["rep_code"] == "TERR-N" for r in change_set["diff"]["changes"]["reassigned"])
    assert set(rep_of_outlets(app).values()) == {"TERR-W", "TERR-E", new_rep["code"]}


def test_fewer_reps_than_today_make_the_others_leave(client, office):
    proposal = propose(client, office["office"]["id"], rep_codes=["TERR-E"])
    assert proposal["reps_leaving"] == ["TERR-W"]
    assert not proposal["all_placed"]  # 26 outlets do not fit one rep's Mondays
    assert proposal["unplaced"] and all(u["rep_code"] == "TERR-E" for u in proposal["unplaced"])


def test_bad_input_names_the_field_and_starts_nothing(app, client, office):
    office_id = office["office"]["id"]
    before = stored_counts(app)
    for body, loc in [
        ({"rep_codes": ["TERR-W", "NOPE"]}, ["body", "rep_codes", 1]),
        ({"keep_share": 1.5}, ["body", "keep_share"]),
        ({"locked": [{"outlet_code": "NOPE"}]}, ["body", "locked", 0, "outlet_code"]),
        ({"locked": [{"outlet_code": "T000", "rep_code": "NOPE"}]}, ["body", "locked", 0, "rep_code"]),
        ({"balance_tolerance": 0}, ["body", "balance_tolerance"]),
    ]:
        response = client.post(f"/offices/{office_id}/territory-proposals", json=body)
        assert response.status_code == 422, body
        assert loc in [d["loc"] for d in response.json()["detail"]], response.json()
    response = client.post(f"/offices/{office_id}/rep-count-studies", json={"min_reps": 3, "max_reps": 2})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body"]
    assert client.post("/offices/999999/territory-proposals", json={}).status_code in (403, 404)
    assert stored_counts(app) == before


def test_apply_refuses_a_stale_base_and_answers_a_repeated_key_with_the_first_result(app, client, office):
    proposal = propose(client, office["office"]["id"])
    first = apply(client, proposal["id"], office["plan"]["id"], key="same")
    again = client.post(
        f"/territory-proposals/{proposal['id']}/apply",
        json={"base_plan_id": office["plan"]["id"], "idempotency_key": "same"},
    )
    assert again.status_code == 200 and again.json()["id"] == first["id"] and again.json()["replayed"]
    stale = client.post(
        f"/territory-proposals/{proposal['id']}/apply",
        json={"base_plan_id": office["plan"]["id"], "idempotency_key": "other"},
    )
    assert stale.status_code == 409


def test_who_may_ask_read_and_apply(client, office, token_for):
    office_id = office["office"]["id"]
    rep_token = token_for("rep", office_id=office_id, rep_id=office["reps"]["TERR-W"]["id"])
    assert client.post(f"/offices/{office_id}/territory-proposals", json=QUICK, headers=rep_token).status_code == 403
    other = client.post("/offices", json={"code": "OTHER", "name": "Other", "lon": 121.0, "lat": 31.0}).json()
    outsider = token_for("coordinator", office_id=other["id"])
    assert client.post(f"/offices/{office_id}/territory-proposals", json=QUICK, headers=outsider).status_code == 403

    supervisor = token_for("supervisor", office_id=office_id, supervisor_id=office["supervisor"]["id"])
    response = client.post(
        f"/offices/{office_id}/territory-proposals", params={"wait": "true"}, json=QUICK, headers=supervisor
    )
    assert response.status_code == 201, response.text
    proposal_id = response.json()["id"]
    assert client.get(f"/territory-proposals/{proposal_id}", headers=outsider).status_code == 403
    body = {"base_plan_id": office["plan"]["id"], "idempotency_key": "s"}
    refused = client.post(f"/territory-proposals/{proposal_id}/apply", json=body, headers=supervisor)
    assert refused.status_code == 403  # a supervisor publishes line cleanups, a coordinator submits them
    coordinator = token_for("coordinator", office_id=office_id)
    assert client.post(f"/territory-proposals/{proposal_id}/apply", json=body, headers=coordinator).status_code == 201


def test_a_proposal_runs_as_a_job_when_not_waited_for(client, office):
    response = client.post(f"/offices/{office['office']['id']}/territory-proposals", json=QUICK)
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.headers["Location"] == f"/jobs/{job_id}"
    deadline = time.monotonic() + 120
    while (job := client.get(f"/jobs/{job_id}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["status"] == "succeeded", job
    assert job["location"] == f"/territory-proposals/{job_id}"
    assert client.get(job["location"]).json()["all_placed"]


def test_the_rep_count_study_answers_the_smallest_count_that_places_every_visit(client, office):
    response = client.post(
        f"/offices/{office['office']['id']}/rep-count-studies",
        params={"wait": "true"},
        json={"min_reps": 1, "max_reps": 3, **QUICK},
    )
    assert response.status_code == 201, response.text
    study = response.json()
    assert [row["reps"] for row in study["rows"]] == [1, 2, 3]
    assert not study["rows"][0]["all_placed"] and study["rows"][1]["all_placed"]
    assert study["smallest_reps"] == 2
    assert study["rows"][2]["rep_codes"][-1] == "NEW-1"
    assert study["rows"][1]["proposal_request"]["new_reps"] == 0


def test_a_plan_that_leaves_outlets_out_for_day_full_points_at_reps_with_room_and_the_proposal(client, office):
    room = office["plan"]["room_for_unplaced"]
    assert [r["rep_code"] for r in room["reps"]] == ["TERR-W"]
    assert room["reps"][0]["outlets"] > 0
    assert [n["rep_code"] for n in room["reps"][0]["nearby_reps_with_room"]] == ["TERR-E"]
    assert room["reps"][0]["nearby_reps_with_room"][0]["room_s"] > 0

    offered = room["proposal"]
    assert offered["href"] == f"/offices/{office['office']['id']}/territory-proposals"
    response = client.post(offered["href"], params={"wait": "true"}, json={**offered["body"], **QUICK})
    assert response.status_code == 201, response.text
    proposal = response.json()
    assert proposal["all_placed"]
    free = propose(client, office["office"]["id"])
    assert proposal["outlets_moved"] <= free["outlets_moved"]
