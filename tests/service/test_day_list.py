"""The rep's day list through HTTP: GET /reps/{id}/day/{date} from the published plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from service.app import create_app
from service.day_list import cache as day_list_cache
from service.day_list import views as day_list_views
from service.day_list.fast_path import DayListFastPath
from service.day_list.schemas import DayListPublic
from tests.service.journey_office import build_office, create_plan, minutes

START = date(2026, 11, 30)  # a Monday


@pytest.fixture
def journey(client, office, supervisor, rep) -> dict:
    built = build_office(client, office, supervisor, rep)
    built["plan"] = create_plan(client, office["id"], START.isoformat())
    assert client.post(f"/plans/{built['plan']['id']}/publish").status_code == 200
    return built


def day_list(client, rep_id: int, on: date) -> dict:
    response = client.get(f"/reps/{rep_id}/day/{on.isoformat()}")
    assert response.status_code == 200, response.text
    return response.json()


def test_day_list_is_numbered_in_time_order_inside_windows_shift_and_lunch(client, journey):
    rep = journey["reps"]["R01"]
    listings = [day_list(client, rep["id"], START + timedelta(days=d)) for d in range(28)]
    assert sum(len(x["visits"]) for x in listings) == 31  # R01's visits per cycle: 12 + 8 + 4 + 2 + 1 + 4
    for listing in (x for x in listings if x["visits"]):
        visits = listing["visits"]
        assert [v["seq"] for v in visits] == list(range(1, len(visits) + 1))
        assert listing["start"]["place"] == "office" and listing["end"]["place"] == "office"
        times = [listing["start"]["departure_s"]] + [t for v in visits for t in (v["arrival_s"], v["departure_s"])]
        times.append(listing["end"]["arrival_s"])
        assert times == sorted(times)
        assert minutes(rep["shift_start"]) * 60 <= times[0] and times[-1] <= minutes(rep["shift_end"]) * 60
        for v in visits:
            assert v["arrival"] == f"{v['arrival_s'] // 3600:02d}:{v['arrival_s'] % 3600 // 60:02d}"
            windows = [tuple(minutes(t) * 60 for t in w.split("-")) for w in v["opening_hours"]]
            assert any(a <= v["start_s"] and v["departure_s"] <= b for a, b in windows), v
        lunch = listing["lunch"]
        assert minutes(rep["lunch_earliest"]) * 60 <= lunch["start_s"]
        assert lunch["end_s"] == lunch["start_s"] + rep["lunch_min"] * 60 <= minutes(rep["lunch_latest"]) * 60
        before, after = visits[: lunch["after_seq"]], visits[lunch["after_seq"] :]
        assert all(v["departure_s"] <= lunch["start_s"] for v in before)
        assert all(v["arrival_s"] >= lunch["end_s"] for v in after)
        assert listing["travel_s"] == sum(v["travel_s"] for v in visits) + listing["end"]["travel_s"]
        assert listing["distance_m"] == sum(v["distance_m"] for v in visits) + listing["end"]["distance_m"]


def test_day_list_carries_the_outlet_details(client, journey):
    rep = journey["reps"]["R01"]
    listing = next(x for d in range(7) if (x := day_list(client, rep["id"], START + timedelta(days=d)))["visits"])
    for v in listing["visits"]:
        outlet = next(o for o in journey["outlets"].values() if o["code"] == v["outlet_code"])
        assert (v["outlet_name"], v["channel"], v["address"]) == (outlet["name"], outlet["channel"], outlet["address"])


def test_day_list_numbers_equal_the_plan_and_the_geojson(client, journey):
    plan = journey["plan"]
    points = client.get(f"/plans/{plan['id']}/geojson").json()["features"]
    for route in plan["days"]:
        listing = day_list(client, route["rep_id"], START + timedelta(days=route["day"]))
        listed = [(v["seq"], v["outlet_code"], v["arrival"]) for v in listing["visits"]]
        assert listed == [(v["seq"], v["outlet_code"], v["arrival"]) for v in route["visits"]]
        mapped = sorted(
            (f["properties"]["seq"], f["properties"]["outlet_code"], f["properties"]["arrival"])
            for f in points
            if f["geometry"]["type"] == "Point"
            and (f["properties"]["rep_id"], f["properties"]["day"]) == (route["rep_id"], route["day"])
        )
        assert mapped == listed


def test_the_cycle_repeats_every_four_weeks(client, journey):
    rep = journey["reps"]["R02"]
    for d in range(7):
        first = day_list(client, rep["id"], START + timedelta(days=d))
        later = day_list(client, rep["id"], START + timedelta(days=d + 3 * 28))
        assert later["day"] == first["day"] == d
        assert later["visits"] == first["visits"]


def test_day_off_gives_an_empty_list(client, journey):
    sunday = day_list(client, journey["reps"]["R01"]["id"], START + timedelta(days=6))
    assert (sunday["working_day"], sunday["visits"], sunday["lunch"], sunday["end"]) == (False, [], None, None)
    saturday = day_list(client, journey["reps"]["R02"]["id"], START + timedelta(days=5))  # R02 works Mon-Fri
    assert (saturday["working_day"], saturday["visits"]) == (False, [])


def test_rep_home_is_the_start_and_end_place(client, journey):
    rep = journey["reps"]["R02"]
    listing = next(x for d in range(5) if (x := day_list(client, rep["id"], START + timedelta(days=d)))["visits"])
    assert (listing["start"]["place"], listing["start"]["lon"], listing["start"]["lat"]) == (
        "home",
        rep["home_lon"],
        rep["home_lat"],
    )
    assert listing["end"]["place"] == "home"


def test_date_before_the_plan_starts_is_404(client, journey):
    response = client.get(f"/reps/{journey['reps']['R01']['id']}/day/{(START - timedelta(days=1)).isoformat()}")
    assert response.status_code == 404
    assert START.isoformat() in response.json()["detail"][0]["msg"]


def test_no_published_plan_is_404_with_a_message(client, office, supervisor, rep):
    build_office(client, office, supervisor, rep)
    create_plan(client, office["id"], START.isoformat())  # a draft only
    response = client.get(f"/reps/{rep['id']}/day/{START.isoformat()}")
    assert response.status_code == 404
    assert "no published plan" in response.json()["detail"][0]["msg"]


def test_unknown_rep_and_bad_date(client):
    assert client.get(f"/reps/999999/day/{START.isoformat()}").status_code == 404
    response = client.get("/reps/1/day/2026-13-01")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["path", "date"]


def test_newly_published_plan_replaces_the_day_list(client, office, journey):
    second = create_plan(client, office["id"], START.isoformat())
    client.post(f"/plans/{second['id']}/publish")
    assert day_list(client, journey["reps"]["R01"]["id"], START)["plan_id"] == second["id"]


# --- the in-memory day lists (service/day_list/cache.py) ----------------------------------------------------------


def _first_day_with_visits(client, rep_id: int) -> tuple[date, dict]:
    return next(
        (on, x) for d in range(28) if (x := day_list(client, rep_id, on := START + timedelta(days=d)))["visits"]
    )


def builds(app) -> int:
    """Day lists the app has built from the database so far (a read answered from memory builds none)."""
    return app.state.day_list_cache.builds


def test_cached_day_list_equals_a_fresh_build(app, client, journey, db_session):
    for rep in journey["reps"].values():
        for d in range(7):
            on = START + timedelta(days=d)
            built = client.get(f"/reps/{rep['id']}/day/{on.isoformat()}")  # built and kept
            before = builds(app)
            again = client.get(f"/reps/{rep['id']}/day/{on.isoformat()}")  # from memory
            assert builds(app) == before
            # byte for byte what the endpoint sent before it had a cache: the response model's serializer
            fresh = TypeAdapter(DayListPublic).dump_json(day_list_views.rep_day_list(db_session, rep["id"], on))
            assert built.content == again.content == fresh
            assert built.headers["content-type"] == again.headers["content-type"] == "application/json"


def test_gzip_and_plain_answers_carry_the_same_list(client, journey):
    on, listing = _first_day_with_visits(client, journey["reps"]["R01"]["id"])
    path = f"/reps/{journey['reps']['R01']['id']}/day/{on.isoformat()}"
    for _ in range(2):  # built, then from memory
        zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        if len(plain.content) >= 2048:
            assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.json() == plain.json() == listing


def test_a_newly_published_plan_replaces_a_cached_day_list(app, client, office, journey):
    rep_id = journey["reps"]["R01"]["id"]
    on, _ = _first_day_with_visits(client, rep_id)
    before = builds(app)
    assert day_list(client, rep_id, on)["plan_id"] == journey["plan"]["id"]
    assert builds(app) == before  # answered from memory
    second = create_plan(client, office["id"], START.isoformat())
    assert client.post(f"/plans/{second['id']}/publish").status_code == 200
    listing = day_list(client, rep_id, on)
    assert builds(app) == before + 1
    assert listing["plan_id"] == second["id"]
    route = next(r for r in second["days"] if (r["rep_id"], r["day"]) == (rep_id, listing["day"]))
    assert [(v["seq"], v["outlet_code"]) for v in listing["visits"]] == [
        (v["seq"], v["outlet_code"]) for v in route["visits"]
    ]


def test_another_api_process_sees_the_new_plan_at_once(database_url, client, office, journey):
    """Two apps on one database stand for two uvicorn workers, each with its own cache."""
    rep_id = journey["reps"]["R01"]["id"]
    other_app = create_app(database_url)
    try:
        with TestClient(other_app, headers={"Authorization": client.headers["Authorization"]}) as other:
            on, _ = _first_day_with_visits(other, rep_id)
            assert day_list(other, rep_id, on)["plan_id"] == journey["plan"]["id"]  # kept by the other worker
            second = create_plan(client, office["id"], START.isoformat())
            assert client.post(f"/plans/{second['id']}/publish").status_code == 200  # through this worker
            assert day_list(other, rep_id, on)["plan_id"] == second["id"]
    finally:
        other_app.state.engine.dispose()


def test_master_data_edits_show_in_a_cached_day_list(app, client, journey):
    rep = journey["reps"]["R01"]
    on, listing = _first_day_with_visits(client, rep["id"])
    code = listing["visits"][-1]["outlet_code"]
    before = builds(app)
    day_list(client, rep["id"], on)
    assert builds(app) == before  # answered from memory
    assert client.patch(f"/outlets/{code}", json={"name": "Renamed kiosk", "address": "1 New Road"}).status_code == 200
    edited = day_list(client, rep["id"], on)
    assert (edited["visits"][-1]["outlet_name"], edited["visits"][-1]["address"]) == ("Renamed kiosk", "1 New Road")
    assert client.patch(f"/reps/{rep['id']}", json={"name": "Li Wei (renamed)"}).status_code == 200
    assert day_list(client, rep["id"], on)["rep_name"] == "Li Wei (renamed)"


def test_a_404_is_not_kept(client, office, supervisor, rep):
    build_office(client, office, supervisor, rep)
    assert client.get(f"/reps/{rep['id']}/day/{START.isoformat()}").status_code == 404  # nothing published yet
    plan = create_plan(client, office["id"], START.isoformat())
    client.post(f"/plans/{plan['id']}/publish")
    assert day_list(client, rep["id"], START)["plan_id"] == plan["id"]


def test_dropped_check_connections_are_replaced(database_url, app, client, journey):
    """PostgreSQL restarted or the check's connections killed: reads still answer, then come from memory
    again."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the SQLite check reads a local file, there is no connection to lose")
    rep_id = journey["reps"]["R01"]["id"]
    on, listing = _first_day_with_visits(client, rep_id)
    day_list(client, rep_id, on)  # the check's connection is open now
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'routeplan-day-list-check' AND datname = current_database()"
        ).fetchall()
    assert killed
    for _ in range(10):  # each dropped connection costs one rebuilt list, then it is replaced
        before = builds(app)
        assert day_list(client, rep_id, on) == listing
        if builds(app) == before:
            break
    else:
        pytest.fail("reads never came from memory again after the connections were dropped")


# --- kept lists answered before FastAPI (service/day_list/fast_path.py) ----------------------------------------------


@pytest.fixture
def endpoint_only(database_url, client) -> Iterator[TestClient]:
    """An app on the same database without the fast path: what the endpoint alone answers."""
    other_app = create_app(database_url)
    other_app.user_middleware = [m for m in other_app.user_middleware if m.cls is not DayListFastPath]
    try:
        with TestClient(other_app, headers={"Authorization": client.headers["Authorization"]}) as other:
            yield other
    finally:
        other_app.state.engine.dispose()


def fast_path_answer(
    client, path: str, accept_encoding: str = "identity", method: str = "GET"
) -> tuple[int, list, bytes] | None:
    """Status, raw headers and raw body the fast path alone sends for `path` on the client's app (with the
    client's token); None when it hands the request on to the app."""
    handed_on, messages = [], []

    async def app_behind(scope, receive, send) -> None:
        handed_on.append(scope["path"])

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"accept-encoding", accept_encoding.encode()),
            (b"authorization", client.headers["Authorization"].encode()),
        ],
        "app": client.app,
    }
    client.portal.call(DayListFastPath(app_behind), scope, receive, send)  # on the app's event loop
    if handed_on:
        assert not messages
        return None
    start, body = messages
    return start["status"], start["headers"], body["body"]


def endpoint_answer(client, path: str, accept_encoding: str) -> tuple[int, list, bytes]:
    with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        return response.status_code, response.headers.raw, b"".join(response.iter_raw())


def test_fast_path_sends_the_endpoints_bytes_and_headers(monkeypatch, client, endpoint_only, journey):
    monkeypatch.setattr(day_list_cache, "GZIP_MIN_BYTES", 1000)  # the test office's lists are short: some compressed
    gzip_answers = set()  # whether a gzip-accepting answer came compressed
    for rep in journey["reps"].values():
        for d in range(7):
            path = f"/reps/{rep['id']}/day/{(START + timedelta(days=d)).isoformat()}"
            assert client.get(path).status_code == 200  # built and kept
            for accept_encoding in ("gzip", "identity", "gzip, deflate, br"):
                fast = fast_path_answer(client, path, accept_encoding)
                assert fast is not None
                assert fast == endpoint_answer(endpoint_only, path, accept_encoding)
                assert fast == endpoint_answer(client, path, accept_encoding)  # through the whole app
                status, headers, body = fast
                assert (b"content-type", b"application/json") in headers and (b"vary", b"Accept-Encoding") in headers
                assert (b"content-length", str(len(body)).encode()) in headers
                if "gzip" in accept_encoding:
                    gzip_answers.add((b"content-encoding", b"gzip") in headers)
    assert gzip_answers == {True, False}  # lists sent compressed and lists too short for it were both compared


def fast_list(client, rep_id: int, on: date) -> dict | None:
    answer = fast_path_answer(client, f"/reps/{rep_id}/day/{on.isoformat()}")
    return None if answer is None else json.loads(answer[2])


def test_fast_path_serves_the_new_list_after_a_publish_or_an_outlet_edit(client, office, journey):
    rep_id = journey["reps"]["R01"]["id"]
    on, listing = _first_day_with_visits(client, rep_id)
    assert fast_list(client, rep_id, on) == listing
    second = create_plan(client, office["id"], START.isoformat())
    assert client.post(f"/plans/{second['id']}/publish").status_code == 200
    assert fast_list(client, rep_id, on) is None  # outdated: handed to the endpoint, which builds it again
    assert day_list(client, rep_id, on)["plan_id"] == second["id"]
    assert fast_list(client, rep_id, on)["plan_id"] == second["id"]
    code = fast_list(client, rep_id, on)["visits"][0]["outlet_code"]
    assert client.patch(f"/outlets/{code}", json={"name": "Renamed kiosk"}).status_code == 200
    assert fast_list(client, rep_id, on) is None
    assert day_list(client, rep_id, on)["visits"][0]["outlet_name"] == "Renamed kiosk"
    assert fast_list(client, rep_id, on)["visits"][0]["outlet_name"] == "Renamed kiosk"


def test_fast_path_hands_everything_else_to_the_app(client, journey):
    rep_id = journey["reps"]["R01"]["id"]
    on, _ = _first_day_with_visits(client, rep_id)  # kept now
    kept = f"/reps/{rep_id}/day/{on.isoformat()}"
    assert fast_path_answer(client, kept) is not None
    assert fast_path_answer(client, kept, method="HEAD") is None
    assert fast_path_answer(client, kept, method="POST") is None
    assert fast_path_answer(client, f"{kept}/page") is None
    assert fast_path_answer(client, f"/reps/0{rep_id}/day/{on.isoformat()}") is None  # not the canonical spelling
    for path in ("/reps/1/day/2026-13-01", "/reps/1/day/2026-02-30", "/reps/x/day/2026-12-01"):
        assert fast_path_answer(client, path) is None
        response = client.get(path)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "path"
    for path in (f"/reps/999999/day/{on.isoformat()}", f"/reps/{rep_id}/day/{(START - timedelta(days=1)).isoformat()}"):
        assert fast_path_answer(client, path) is None
        response = client.get(path)
        assert response.status_code == 404 and response.json()["detail"][0]["type"] == "not_found"


def test_other_routes_are_answered_as_before(client, journey):
    rep_id = journey["reps"]["R01"]["id"]
    on, listing = _first_day_with_visits(client, rep_id)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "/reps/{rep_id}/day/{date}" in client.get("/openapi.json").json()["paths"]
    assert client.get(f"/reps/{rep_id}").json()["name"] == journey["reps"]["R01"]["name"]
    page = client.get(f"/reps/{rep_id}/day/{on.isoformat()}/page")
    assert page.status_code == 200 and listing["visits"][0]["outlet_name"] in page.text
    assert client.head(f"/reps/{rep_id}/day/{on.isoformat()}").status_code == 405  # as FastAPI answers a GET route
