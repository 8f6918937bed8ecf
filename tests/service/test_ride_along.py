"""The supervisor's ride-along week (GET /supervisors/{id}/ride-along) on the tiny sample office, planned and
published: the shape of the plan and the constraints a supervisor would check by hand."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.core import calendar
from service.core.time_of_day import WEEKDAYS, seconds_of, window_of
from service.ride_along import planner as ride_along
from tests.service import tiny_published
from tests.service.tiny_published import day_list, this_monday
from tests.solver.coaching_checks import assert_coaching_spaced


@pytest.fixture(scope="module")
def tiny(app: FastAPI, started_client: TestClient) -> dict:
    return tiny_published.build(app, started_client)


@pytest.fixture
def api(app: FastAPI, started_client: TestClient, tiny: dict) -> TestClient:
    tiny_published.fresh(app)
    return started_client


def week(api: TestClient, tiny: dict, monday: date | None = None) -> dict:
    response = api.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along",
        params={"start_date": (monday or this_monday()).isoformat()},
    )
    assert response.status_code == 200, response.text
    return response.json()


def inside_a_window(start_s: int, end_s: int, windows: list[str]) -> bool:
    return any(ws <= start_s and end_s <= we for ws, we in map(window_of, windows))


def assert_morning_coaching(supervised: list[dict], every: int, morning_end: str, coaching_min: int) -> None:
    """The supervised stops' coaching: every coaching `coaching_min` long, on the office's rule."""
    coached = [k for k, s in enumerate(supervised) if s["coaching"]]
    assert all(s["coaching_min"] == (coaching_min if s["coaching"] else 0) for s in supervised)
    dropped = {k for k, s in enumerate(supervised) if s["coaching_dropped"]}
    departures = [s["departure_s"] for s in supervised]
    assert_coaching_spaced(coached, dropped, every, departures, seconds_of(morning_end), coaching_min * 60)


def test_every_day_has_a_rep_a_coached_morning_and_spot_checks_back_before_the_meeting(api, tiny):
    plan = week(api, tiny)
    settings = plan["settings"]
    assert (
        settings["morning_end"],
        settings["coaching_min"],
        settings["demonstrate_every"],
        settings["meeting"],
        settings["period_weeks"],
    ) == ("11:30", 10, 3, "17:00", 2)
    assert plan["days"], "the team works this week"
    team = {r["code"] for r in tiny["reps"].values()}
    for day in plan["days"]:
        assert day["rep_code"] in team and day["why"]
        morning = day["morning"]
        assert [s["seq"] for s in morning["stops"]] == [
            v["seq"] for v in day_list(api, day["rep_id"], date.fromisoformat(day["date"]))
        ]
        supervised = [s for s in morning["stops"] if s["with_supervisor"]]
        assert morning["stops"][: len(supervised)] == supervised  # from the first stop on, then leaves
        assert_morning_coaching(supervised, every=3, morning_end="11:30", coaching_min=10)
        for stop in morning["stops"]:
            assert stop["start"] >= stop["planned_start"]  # coaching only delays, the order stays
            assert inside_a_window(stop["start_s"], stop["departure_s"], stop["opening_hours"]), stop
        assert morning["rep_day_feasible"]
        leave = morning["leave"]
        assert leave["time_s"] <= seconds_of("11:30")
        assert leave["after_seq"] == (supervised[-1]["seq"] if supervised else 0)

        afternoon = day["afternoon"]
        assert afternoon["start_s"] >= leave["time_s"]
        previous_s = afternoon["start_s"]
        for stop in afternoon["stops"]:
            assert previous_s <= stop["start_s"] and stop["departure_s"] - stop["start_s"] == 600
            assert inside_a_window(stop["start_s"], stop["departure_s"], stop["opening_hours"]), stop
            assert stop["value"] == sum(stop["value_parts"].values()) and stop["why"]
            assert date.fromisoformat(stop["ordered_on"]) < date.fromisoformat(day["date"])
            previous_s = stop["departure_s"]
        assert afternoon["return_s"] >= previous_s and afternoon["return_s"] <= seconds_of("17:00")
        assert afternoon["back_before_meeting"]
    for before, after in zip(plan["days"], plan["days"][1:]):  # never twice in a row unless nobody else works
        if before["rep_code"] == after["rep_code"]:
            others = [r for r in tiny["reps"].values() if r["code"] != after["rep_code"]]
            assert not any(day_list(api, r["id"], date.fromisoformat(after["date"])) for r in others)
    assert plan["kpis"]["all_back_before_meeting"] and plan["kpis"]["mornings"] == len(plan["days"])
    assert plan["kpis"]["spot_checks_planned"] == sum(len(d["afternoon"]["stops"]) for d in plan["days"])


def test_the_same_week_asked_again_gives_the_same_plan(api, tiny):
    assert week(api, tiny) == week(api, tiny)


def test_rides_of_the_periods_first_week_count_in_its_second(api, tiny):
    period = week(api, tiny)
    first_monday = date.fromisoformat(period["period_start"])
    second_monday = first_monday + timedelta(days=7)
    first = week(api, tiny, first_monday)
    assert first["kpis"]["reps_not_ridden_in_period"] == []
    second = week(api, tiny, second_monday)
    rides = {p["rep_code"]: p["rides_earlier_in_period"] for p in second["priorities"]}
    assert rides == {code: sum(d["rep_code"] == code for d in first["days"]) for code in rides}
    # the spot checks of the first week are remembered: an outlet checked then is no longer "never spot-checked"
    checked = {s["outlet_code"] for d in first["days"] for s in d["afternoon"]["stops"]}
    for stop in (s for d in second["days"] for s in d["afternoon"]["stops"] if s["outlet_code"] in checked):
        assert "never_checked" not in [r["key"] for r in stop["why"]]
        assert [r["key"] for r in stop["why"]].count("last_checked") == 1


def test_spot_checks_follow_the_reported_orders_of_the_previous_working_day(api, tiny):
    r1 = tiny["reps"]["TINY-R01"]
    # the first day of the week whose previous working day is past and had R01 visits
    day, orders_from, visits = next(
        (d, on, codes)
        for d in week(api, tiny)["days"]
        for on in [date.fromisoformat(d["afternoon"]["orders_from"])]
        for codes in [[v["outlet_code"] for v in day_list(api, r1["id"], on)]]
        if on <= tiny_published.office_today() and codes
    )
    for k, code in enumerate(visits):
        response = api.post(
            "/visits",
            json={
                "rep_id": r1["id"],
                "outlet_code": code,
                "date": orders_from.isoformat(),
                "visited": True,
                "order_taken": k == 0,
            },
        )
        assert response.status_code == 201, response.text
    replanned = next(d for d in week(api, tiny)["days"] if d["date"] == day["date"])
    r1_stops = [s for s in replanned["afternoon"]["stops"] if s["rep_code"] == "TINY-R01"]
    assert all(s["outlet_code"] == visits[0] and s["source"] == "outcome" for s in r1_stops), r1_stops
    assert all(s["source"] == "plan" for s in replanned["afternoon"]["stops"] if s["rep_code"] == "TINY-R02")


def test_office_settings_change_the_plan(api, tiny):
    office_id = tiny["office_id"]
    response = api.patch(
        f"/offices/{office_id}/ride-along-settings",
        json={"morning_end": "10:00", "coaching_min": 20, "demonstrate_every": 2, "meeting": "14:00"},
    )
    assert response.status_code == 200, response.text
    assert api.get(f"/offices/{office_id}/ride-along-settings").json() == response.json()
    plan = week(api, tiny)
    for day in plan["days"]:
        supervised = [s for s in day["morning"]["stops"] if s["with_supervisor"]]
        assert all(s["departure_s"] <= seconds_of("10:00") for s in supervised)
        assert_morning_coaching(supervised, every=2, morning_end="10:00", coaching_min=20)
        assert day["afternoon"]["return_s"] <= seconds_of("14:00") and day["afternoon"]["meeting"] == "14:00"


def test_long_coaching_is_cut_where_it_would_break_the_reps_day(api, tiny):
    response = api.patch(
        f"/offices/{tiny['office_id']}/ride-along-settings",
        json={"coaching_min": 120, "demonstrate_every": 1, "morning_end": "16:00"},
    )
    assert response.status_code == 200, response.text
    days = week(api, tiny)["days"]
    for day in days:
        morning = day["morning"]
        assert morning["rep_day_feasible"]
        for stop in morning["stops"]:
            assert inside_a_window(stop["start_s"], stop["departure_s"], stop["opening_hours"]), stop
        dropped = [s["seq"] for s in morning["stops"] if s["coaching_dropped"]]
        notes = {n["text"] for n in morning["notes"]}
        assert all(any(note.startswith(f"coaching left out at seq {seq}:") for note in notes) for seq in dropped)
        assert all(s["coaching_min"] in (0, 120) for s in morning["stops"])
    assert any(s["coaching"] for day in days for s in day["morning"]["stops"]), "the week coaches where it fits"


def test_the_supervisor_rides_with_a_rep_whose_morning_can_take_coaching(app, api, tiny):
    # This week TINY-R01's last outlet of every day closes the minute its visit ends: any coaching that morning
    # would make it miss that, so no coaching fits; next week R01's days are as planned.
    monday = this_monday()
    with Session(app.state.engine) as session:
        data = ride_along.read_week(session, tiny["supervisor"]["id"], monday, None)
    r01 = tiny["reps"]["TINY-R01"]["id"]
    this_week = {calendar.cycle_day(data.plan, monday + timedelta(days=k)): k for k in range(7)}
    for (rep_id, day), stops in data.stops.items():
        if rep_id == r01 and day in this_week:
            visit, outlet = stops[-1]
            closing = {WEEKDAYS[this_week[day]]: [[visit.start_s, visit.start_s + outlet.service_s]]}
            stops[-1] = (visit, outlet.model_copy(update={"opening_hours": outlet.opening_hours | closing}))
    # R01 is the rep most in need of coaching, and both were ridden with already this period: without regard for
    # coaching, most mornings would go to R01
    data.priorities[r01] = dataclasses.replace(data.priorities[r01], weight=9)
    data.rides_done.update([r01, tiny["reps"]["TINY-R02"]["id"]])
    data.settings.demonstrate_every = 1  # the tiny office's mornings are short: coach at every stop
    plan = ride_along.plan_week(data, monday)

    rules = ride_along._rules(data)
    both_working = 0
    for day in plan.days:
        on = day.date
        others = [r for r in ride_along._working_reps(data, on) if r.id != r01]
        coachable = [r for r in others if any(s.coaching_s for s in ride_along._morning(data, r, on, rules).stops)]
        both_working += bool(others) and any(r.id == r01 for r in ride_along._working_reps(data, on))
        if coachable:
            assert day.rep_id != r01, f"{on}: R01's morning cannot take coaching, {coachable[0].code}'s can"
            assert any(s.coaching for s in day.morning.stops)
    assert both_working, "a morning where R01 and another rep both work"


def test_plain_text_rendering(api, tiny):
    response = api.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along",
        params={"start_date": this_monday().isoformat(), "format": "text", "lang": "en"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert "ride with" in response.text and "back at the office" in response.text


def test_plain_text_of_the_plans_first_week_names_no_missing_order_day(api, tiny):
    """The plan's first working day has no earlier day whose orders could be checked: the text says so (it printed
    "orders of None")."""
    monday = tiny["start"] - timedelta(days=tiny["start"].weekday())
    params = {"start_date": monday.isoformat()}
    days = api.get(f"/supervisors/{tiny['supervisor']['id']}/ride-along", params=params).json()["days"]
    text = api.get(
        f"/supervisors/{tiny['supervisor']['id']}/ride-along", params={**params, "format": "text", "lang": "en"}
    ).text
    assert "None" not in text
    for day in days:
        orders = day["afternoon"]["orders_from"]
        expected = f"orders of {orders}" if orders else "no earlier working day's orders"
        assert f"afternoon from {day['afternoon']['start']}, {expected}:" in text
    assert any(day["afternoon"]["orders_from"] is None for day in days), "the plan's first day is in this week"


def test_bad_requests_name_the_field(api, tiny):
    supervisor_id = tiny["supervisor"]["id"]

    def error(path, params=None, status=422, method="get", json=None):
        response = api.request(method, path, params=params, json=json)
        assert response.status_code == status, response.text
        return response.json()["detail"][0]["loc"]

    monday = this_monday().isoformat()
    assert error("/supervisors/999999/ride-along", {"start_date": monday}, 404) == ["path", "supervisor_id"]
    tuesday = (this_monday() + timedelta(days=1)).isoformat()
    assert error(f"/supervisors/{supervisor_id}/ride-along", {"start_date": tuesday}) == ["query", "start_date"]
    assert error(f"/supervisors/{supervisor_id}/ride-along") == ["query", "start_date"]
    before = (tiny["start"] - timedelta(days=7)).isoformat()
    assert error(f"/supervisors/{supervisor_id}/ride-along", {"start_date": before}, 404) == ["query", "start_date"]
    office_id = tiny["office_id"]
    assert error(f"/offices/{office_id}/ride-along-settings", method="patch", json={"morning_end": "18:00"}) == [
        "body",
        "morning_end",
    ]
    assert error(f"/offices/{office_id}/ride-along-settings", method="patch", json={"coaching_min": -5}) == [
        "body",
        "coaching_min",
    ]
    assert error("/offices/999999/ride-along-settings", status=404) == ["path", "office_id"]


def test_a_team_without_reps_and_an_office_without_a_published_plan(api, tiny):
    office = api.post("/offices", json={"code": "EMPTY-01", "name": "No plan yet", "lon": 121.4, "lat": 31.2})
    assert office.status_code == 201, office.text
    supervisor = api.post("/supervisors", json={"office_id": office.json()["id"], "code": "EMPTY-S1", "name": "Qian"})
    path = f"/supervisors/{supervisor.json()['id']}/ride-along"
    response = api.get(path, params={"start_date": this_monday().isoformat()})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["path", "supervisor_id"]
    api.post(
        "/reps",
        json={
            "office_id": office.json()["id"],
            "supervisor_id": supervisor.json()["id"],
            "code": "EMPTY-R1",
            "name": "Sun",
        },
    )
    response = api.get(path, params={"start_date": this_monday().isoformat()})
    assert response.status_code == 404 and "no published plan" in response.json()["detail"][0]["msg"]


def test_no_afternoon_spot_check_is_an_outlet_of_that_mornings_ride_along(api, tiny):
    """The supervisor has just stood in the morning's outlets with the rep: the afternoon checks other deliveries,
    even when the rep took an order at one of them the day before (the last one is where the supervisor leaves
    the route, a check at no travel: the afternoon went back to it)."""
    monday = tiny["start"]
    for day in week(api, tiny, monday)["days"]:
        orders_from = day["afternoon"]["orders_from"]
        for stop in (s for s in day["morning"]["stops"] if orders_from and s["with_supervisor"]):
            order = {"rep_id": day["rep_id"], "outlet_code": stop["outlet_code"], "date": orders_from}
            response = api.post("/visits", json={**order, "visited": True, "order_taken": True})
            assert response.status_code == 201, response.text
    for day in week(api, tiny, monday)["days"]:
        ridden = {s["outlet_code"] for s in day["morning"]["stops"] if s["with_supervisor"]}
        checked = {s["outlet_code"] for s in day["afternoon"]["stops"]}
        assert not ridden & checked, (day["date"], sorted(ridden & checked))
