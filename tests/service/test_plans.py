"""Plans through HTTP: create, read, GeoJSON, publish; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlmodel import select

from service.core.tables import Plan, PlanVisit
from service.core.time_of_day import WEEKDAYS
from solver.patterns import cycle_patterns
from tests.service.journey_office import (
    EVENING_ONLY,
    add_outlet,
    build_office,
    create_plan,
    load_tiny_sample,
    minutes,
)


@pytest.fixture
def journey(client, office, supervisor, rep) -> dict:
    return build_office(client, office, supervisor, rep)


@pytest.fixture
def tiny(app, client) -> dict:
    return load_tiny_sample(app, client)


def visit_days_by_outlet(plan: dict) -> dict[str, list[int]]:
    days = defaultdict(list)
    for day in plan["days"]:
        for visit in day["visits"]:
            days[visit["outlet_code"]].append(day["day"])
    return {code: sorted(d) for code, d in days.items()}


@pytest.mark.parametrize("office_fixture", ["tiny", "journey"])
def test_plan_places_every_visit_on_an_allowed_pattern(client, request, office_fixture):
    journey = request.getfixturevalue(office_fixture)
    plan = create_plan(client, journey["office"]["id"])
    assert plan["status"] == "draft"
    assert plan["kpis"]["coverage"] == 1.0
    assert plan["unplaced"] == []
    required = sum(o["visits_per_cycle"] for o in journey["outlets"].values())
    assert plan["kpis"]["visits_placed"] == plan["kpis"]["visits_required"] == required
    days = visit_days_by_outlet(plan)
    for code, outlet in journey["outlets"].items():
        rep = next(r for r in journey["reps"].values() if r["id"] == outlet["rep_id"])
        allowed = cycle_patterns(outlet["visits_per_cycle"], rep["working_days"], 4)
        assert tuple(days[code]) in allowed, code
        assert all(d["rep_id"] == rep["id"] for d in plan["days"] if code in {v["outlet_code"] for v in d["visits"]})


@pytest.mark.parametrize("office_fixture", ["tiny", "journey"])
def test_every_visit_inside_its_opening_window_the_shift_and_around_lunch(client, request, office_fixture):
    journey = request.getfixturevalue(office_fixture)
    plan = create_plan(client, journey["office"]["id"])
    reps = {r["id"]: r for r in journey["reps"].values()}
    for day in plan["days"]:
        rep = reps[day["rep_id"]]
        assert [v["seq"] for v in day["visits"]] == list(range(1, len(day["visits"]) + 1))
        assert minutes(rep["shift_start"]) * 60 <= day["start_s"] and day["end_s"] <= minutes(rep["shift_end"]) * 60
        lunch_s, lunch_end_s = day["lunch_start_s"], day["lunch_start_s"] + rep["lunch_min"] * 60
        assert minutes(rep["lunch_earliest"]) * 60 <= lunch_s and lunch_end_s <= minutes(rep["lunch_latest"]) * 60
        previous_departure_s = day["start_s"]
        for v in day["visits"]:
            outlet = journey["outlets"][v["outlet_code"]]
            assert previous_departure_s <= v["arrival_s"] <= v["start_s"] < v["departure_s"]
            assert v["departure_s"] - v["start_s"] == outlet["service_min"] * 60
            windows = [tuple(map(minutes, w.split("-"))) for w in outlet["opening_hours"][WEEKDAYS[day["weekday"]]]]
            assert any(a * 60 <= v["start_s"] and v["departure_s"] <= b * 60 for a, b in windows), v
            previous_departure_s = v["departure_s"]
            # the lunch break never overlaps a visit
            assert v["departure_s"] <= lunch_s or v["start_s"] >= lunch_end_s
        assert previous_departure_s <= day["end_s"]


def test_kpis_report_travel_and_workload_per_rep_and_day(client, office, journey):
    plan = create_plan(client, office["id"])
    kpis = plan["kpis"]
    by_rep = {r["rep_code"]: r for r in kpis["reps"]}
    assert set(by_rep) == {"R01", "R02"}
    assert len(by_rep["R01"]["days"]) == 4 * 6 and len(by_rep["R02"]["days"]) == 4 * 5  # working days
    for r in by_rep.values():
        workloads = [d["workload_s"] for d in r["days"]]
        assert r["workload_spread_s"] == max(workloads) - min(workloads)
        # balanced means within an hour, and a rep whose days are not says why
        assert r["balance"]["met"] == (r["workload_spread_s"] <= 3600) and r["balance"]["tolerance_s"] == 3600
        assert (r["balance"]["why"] is None) == r["balance"]["met"]
        assert r["travel_s"] == sum(d["travel_s"] for d in r["days"]) > 0
    routes = {(d["rep_code"], d["day"]): d for d in plan["days"]}
    for r in by_rep.values():
        for d in r["days"]:
            route = routes.get((r["rep_code"], d["day"]))
            assert d["visits"] == (len(route["visits"]) if route else 0)
            assert d["travel_s"] == (route["travel_s"] if route else 0)
    per_day = kpis["visits_per_day"]
    assert per_day["min"] <= per_day["mean"] <= per_day["max"]
    assert kpis["travel_s"] == sum(r["travel_s"] for r in by_rep.values())


def test_every_rep_day_reports_its_idle_time_and_end(client, office, journey):
    plan = create_plan(client, office["id"])
    lunch_s = {r["code"]: 60 * r["lunch_min"] for r in client.get("/reps").json()}
    idle = []
    for day in plan["days"]:
        service_s = sum(v["departure_s"] - v["start_s"] for v in day["visits"])
        lunch = lunch_s[day["rep_code"]] if day["lunch_start_s"] is not None else 0
        assert day["idle_s"] == day["end_s"] - day["start_s"] - day["travel_s"] - service_s - lunch >= 0
        idle.append(day["idle_s"])
    by_rep_day = {(r["rep_code"], d["day"]): d for r in plan["kpis"]["reps"] for d in r["days"]}
    for day in plan["days"]:
        kpi = by_rep_day[(day["rep_code"], day["day"])]
        assert (kpi["idle_s"], kpi["end_s"]) == (day["idle_s"], day["end_s"])
    assert plan["kpis"]["idle"]["max_s"] == max(idle)
    assert plan["kpis"]["idle"]["days_over_hour"] == sum(i > 3600 for i in idle)
    assert client.post(f"/plans/{plan['id']}/publish").status_code == 200
    first = min((d for d in plan["days"] if d["rep_code"] == "R01"), key=lambda d: d["day"])
    on = date.fromisoformat(plan["start_date"]) + timedelta(days=first["day"])
    listing = client.get(f"/reps/{journey['reps']['R01']['id']}/day/{on.isoformat()}").json()
    assert listing["idle_s"] == first["idle_s"] and listing["end"]["arrival_s"] == first["end_s"]


def test_read_plan_returns_what_was_created(client, office, journey):
    created = create_plan(client, office["id"])
    response = client.get(f"/plans/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created


def test_geojson_has_a_point_per_visit_and_a_line_per_route(client, office, journey):
    plan = create_plan(client, office["id"])
    collection = client.get(f"/plans/{plan['id']}/geojson").json()
    assert collection["type"] == "FeatureCollection"
    points = [f for f in collection["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) == plan["kpis"]["visits_placed"]
    assert len(lines) == len(plan["days"])
    outlets = journey["outlets"]
    for day in plan["days"]:
        line = next(
            f for f in lines if (f["properties"]["rep_id"], f["properties"]["day"]) == (day["rep_id"], day["day"])
        )
        stops = line["geometry"]["coordinates"]
        assert stops[1:-1] == [
            [outlets[v["outlet_code"]]["lon"], outlets[v["outlet_code"]]["lat"]] for v in day["visits"]
        ]
        start_place = [office["lon"], office["lat"]] if day["rep_code"] == "R01" else [121.560, 31.230]
        assert stops[0] == stops[-1] == start_place
        numbered = sorted(
            (f["properties"]["seq"], f["properties"]["outlet_code"])
            for f in points
            if (f["properties"]["rep_id"], f["properties"]["day"]) == (day["rep_id"], day["day"])
        )
        assert numbered == [(v["seq"], v["outlet_code"]) for v in day["visits"]]


def test_outlet_open_only_after_the_shift_is_unplaced_with_its_reason(client, office, rep, journey):
    add_outlet(client, office["id"], rep["id"], EVENING_ONLY)
    plan = create_plan(client, office["id"])
    (unplaced,) = plan["unplaced"]
    assert (unplaced["outlet_code"], unplaced["visits"], unplaced["reason"]) == ("N99", 4, "no_window_in_shift")
    assert plan["kpis"]["unplaced_by_reason"] == {"no_window_in_shift": 4}
    placed = sum(o["visits_per_cycle"] for o in journey["outlets"].values())
    assert plan["kpis"]["coverage"] == pytest.approx(placed / (placed + 4))
    assert "N99" not in visit_days_by_outlet(plan)


def test_outlet_without_rep_is_unplaced_as_no_rep(client, office, journey):
    add_outlet(client, office["id"], None, EVENING_ONLY[:1] + ("grocery",) + EVENING_ONLY[2:])
    plan = create_plan(client, office["id"])
    assert [(u["outlet_code"], u["reason"], u["rep_id"]) for u in plan["unplaced"]] == [("N99", "no_rep", None)]


def test_publish_supersedes_the_previously_published_plan(client, office, journey):
    first = create_plan(client, office["id"])
    second = create_plan(client, office["id"])
    published = client.post(f"/plans/{first['id']}/publish").json()
    assert published["status"] == "published" and published["published_at"]
    assert client.get(f"/plans/{second['id']}").json()["status"] == "draft"
    republished = client.post(f"/plans/{second['id']}/publish").json()
    assert republished["status"] == "published"
    assert client.get(f"/plans/{first['id']}").json()["status"] == "superseded"
    listed = client.get("/plans", params={"office_id": office["id"]}).json()
    assert [(p["id"], p["status"], p["coverage"]) for p in listed] == [
        (second["id"], "published", 1.0),
        (first["id"], "superseded", 1.0),
    ]


def test_start_date_not_a_monday_is_rejected_and_nothing_is_written(client, db_session, office, journey):
    response = client.post("/plans", json={"office_id": office["id"], "start_date": "2026-12-01"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][-1] == "start_date" and "Monday" in error["msg"]
    assert db_session.exec(select(Plan)).all() == [] and db_session.exec(select(PlanVisit)).all() == []


def test_weeks_must_be_a_multiple_of_four(client, office, journey):
    response = client.post("/plans", json={"office_id": office["id"], "start_date": "2026-11-30", "weeks": 6})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "weeks"


def test_unknown_office_and_plan_are_404(client):
    response = client.post("/plans", json={"office_id": 999999, "start_date": "2026-11-30"})
    assert response.status_code == 404
    assert "office 999999" in response.json()["detail"][0]["msg"]
    for path in ("/plans/999999", "/plans/999999/geojson"):
        assert client.get(path).status_code == 404
    assert client.post("/plans/999999/publish").status_code == 404
