"""The pages people look at, through HTTP: the plan map, the rep's day page, the A4 day sheet, their languages,
and the base-map settings. (The same pages in a real browser: tests/browser.)"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from shapely.geometry import Point, shape

from geo.coords import wgs84_to_gcj02
from service.core.fields import Channel
from service.core.i18n import LANGUAGES, Translator, choose_language, messages
from service.day_list.day_sheet import day_sheet_pdf, spread_labels
from service.day_list.schemas import DayEndPublic, DayListPublic, DayStartPublic, DayVisitPublic
from service.pages.tiles import TileConfigError, tile_source
from service.plans.map_data import REP_COLOURS
from solver.model import UnplacedReason
from tests.service.journey_office import EVENING_ONLY, HOME, add_outlet, build_office, create_plan

START = date(2026, 11, 30)  # a Monday
AMAP_TILES = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


@pytest.fixture(autouse=True)
def no_base_map(monkeypatch):
    for name in ("URL", "COORDS", "SUBDOMAINS", "ATTRIBUTION"):
        monkeypatch.delenv(f"ROUTEPLAN_TILE_{name}", raising=False)


@pytest.fixture
def journey(client, office, supervisor, rep) -> dict:
    """The hand-checkable office with one outlet open only in the evening and one without a rep, planned and
    published."""
    built = build_office(client, office, supervisor, rep)
    built["outlets"]["N99"] = add_outlet(client, office["id"], rep["id"], EVENING_ONLY)
    built["outlets"]["X98"] = add_outlet(client, office["id"], None, ("X98",) + EVENING_ONLY[1:])
    built["plan"] = create_plan(client, office["id"], START.isoformat())
    assert client.post(f"/plans/{built['plan']['id']}/publish").status_code == 200
    return built


def embedded_json(html: str, element_id: str) -> dict:
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def page(client, path: str, **params) -> str:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def day_list(client, rep_id: int, on: date) -> dict:
    response = client.get(f"/reps/{rep_id}/day/{on.isoformat()}")
    assert response.status_code == 200, response.text
    return response.json()


def first_day_with_visits(client, rep_id: int, at_least: int = 1) -> tuple[date, dict]:
    for d in range(28):
        listing = day_list(client, rep_id, START + timedelta(days=d))
        if len(listing["visits"]) >= at_least:
            return START + timedelta(days=d), listing
    raise AssertionError(f"rep {rep_id} has no day with {at_least} visits")


# --- the plan map ------------------------------------------------------------------------------------------


def test_map_numbers_every_route_as_the_rep_day_list(client, journey):
    data = embedded_json(page(client, f"/plans/{journey['plan']['id']}/map"), "plan-data")
    outlets = {o["code"]: o for o in journey["outlets"].values()}
    assert len(data["routes"]) == len(journey["plan"]["days"]) > 0
    for route in data["routes"]:
        listing = day_list(client, route["rep_id"], START + timedelta(days=route["day"]))
        assert [(s[0], s[1], s[5]) for s in route["stops"]] == [
            (v["seq"], v["outlet_code"], v["arrival"]) for v in listing["visits"]
        ]
        for _seq, code, _name, lon, lat, _arrival in route["stops"]:
            assert (lon, lat) == pytest.approx((outlets[code]["lon"], outlets[code]["lat"]), abs=1e-6)
        # the line runs from the start place through the stops in order to the end place
        assert route["line"][1:-1] == [[s[3], s[4]] for s in route["stops"]]
        assert route["line"][0] == pytest.approx([listing["start"]["lon"], listing["start"]["lat"]], abs=1e-6)
    assert data["office"]["lonlat"] == pytest.approx([journey["office"]["lon"], journey["office"]["lat"]])
    assert data["tiles"] is None  # no base map configured: the page draws on a plain background


def test_each_rep_territory_is_the_convex_hull_of_its_outlets(client, journey):
    data = embedded_json(page(client, f"/plans/{journey['plan']['id']}/map"), "plan-data")
    reps = {r["id"]: r for r in data["reps"]}
    assert set(reps) == {r["id"] for r in journey["reps"].values()}
    assert len({r["colour"] for r in data["reps"]}) == len(reps)
    for rep in journey["reps"].values():
        hull = shape(reps[rep["id"]]["territory"])
        own = [o for o in journey["outlets"].values() if o["rep_id"] == rep["id"]]
        assert all(hull.buffer(1e-9).contains(Point(o["lon"], o["lat"])) for o in own)
        if hull.geom_type == "Polygon":  # its corners are outlets
            corners = {tuple(c) for c in reps[rep["id"]]["territory"]["coordinates"][0]}
            assert corners <= {(o["lon"], o["lat"]) for o in own}
    # R02 starts from home: the map marks it; R01 starts at the office
    assert reps[journey["reps"]["R02"]["id"]]["home"] == pytest.approx(list(HOME))
    assert reps[journey["reps"]["R01"]["id"]]["home"] is None


def test_key_figures_and_unplaced_visits_with_their_reasons_in_both_languages(client, journey):
    plan = journey["plan"]
    data = embedded_json(page(client, f"/plans/{plan['id']}/map"), "plan-data")
    kpis = data["kpis"]
    placed = sum(len(d["visits"]) for d in plan["days"])
    assert kpis["visits_placed"] == placed
    assert kpis["visits_required"] == placed + 4 + 4  # N99 and X98 are visited 4 times a cycle, never placed
    assert kpis["coverage"] == pytest.approx(placed / (placed + 8))
    assert kpis["distance_m"] == sum(d["distance_m"] for d in plan["days"])
    reasons = {u["outlet_code"]: u["reason"] for u in data["unplaced"]}
    assert reasons == {"N99": "no_window_in_shift", "X98": "no_rep"}
    workload = {(w["rep_id"], w["day"]): w for w in data["workload"]}
    for d in plan["days"]:
        assert workload[(d["rep_id"], d["day"])]["workload_s"] == d["service_s"] + d["travel_s"]

    chinese = page(client, f"/plans/{plan['id']}/map", lang="zh-CN")
    english = page(client, f"/plans/{plan['id']}/map", lang="en")
    for reason in ("no_window_in_shift", "no_rep"):
        assert escape(messages("zh-CN")["reasons"][reason]) in chinese
        assert escape(messages("en")["reasons"][reason]) in english
    assert f"{kpis['coverage'] * 100:.1f}%" in english


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("colour", REP_COLOURS)
def test_white_stop_numbers_are_readable_on_every_rep_colour(colour):
    assert 1.05 / (_luminance(colour) + 0.05) >= 4.5  # WCAG AA for normal text


def test_map_of_the_published_plan(client, journey, office):
    response = client.get("/map", params={"lang": "en"})
    assert response.status_code == 200
    assert embedded_json(response.text, "plan-data")["plan"]["id"] == journey["plan"]["id"]
    assert embedded_json(page(client, "/map", office_id=office["id"]), "plan-data")["plan"]["status"] == "published"
    response = client.get("/map", params={"office_id": office["id"] + 1000})
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["query", "office_id"]


def test_map_without_a_published_plan_is_not_found(client, office):
    response = client.get("/map")
    assert response.status_code == 404
    assert client.get("/plans/987654/map").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"week": 5}, "week"),
        ({"week": -1}, "week"),
        ({"weekday": "someday"}, "weekday"),
        ({"rep": 987654}, "rep"),
    ],
)
def test_map_filters_are_checked(client, journey, params, field):
    response = client.get(f"/plans/{journey['plan']['id']}/map", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_map_opens_with_the_filters_asked_for(client, journey):
    rep = journey["reps"]["R01"]
    data = embedded_json(
        page(client, f"/plans/{journey['plan']['id']}/map", rep=rep["id"], week=2, weekday="wed"), "plan-data"
    )
    assert data["filters"] == {"rep": rep["id"], "week": 2, "weekday": 2}
    assert embedded_json(page(client, f"/plans/{journey['plan']['id']}/map", week=1), "plan-data")["filters"] == {
        "rep": None,
        "week": 1,
        "weekday": None,
    }


def test_map_without_filters_opens_on_todays_routes(client, office, journey):
    """A supervisor opening the map sees what the reps do today (the first day of a plan not started yet), one
    route per rep, not a week's routes on top of each other."""
    data = embedded_json(page(client, f"/plans/{journey['plan']['id']}/map"), "plan-data")
    start = date.fromisoformat(data["plan"]["start_date"])
    today = datetime.now(ZoneInfo(office["timezone"])).date()
    day = (max(today, start) - start).days % (7 * data["plan"]["weeks"])
    works = any(d["day"] == day for d in data["workload"])
    assert data["filters"] == {"rep": None, "week": day // 7 + 1, "weekday": day % 7 if works else None}


# --- base map and coordinates ------------------------------------------------------------------------------


def test_on_gcj02_tiles_the_geometry_is_shifted_to_gcj02(client, journey, monkeypatch):
    monkeypatch.setenv("ROUTEPLAN_TILE_URL", AMAP_TILES)
    monkeypatch.setenv("ROUTEPLAN_TILE_SUBDOMAINS", "1234")
    data = embedded_json(page(client, f"/plans/{journey['plan']['id']}/map"), "plan-data")
    assert data["tiles"] == {"url": AMAP_TILES, "attribution": "", "subdomains": "1234"}
    outlets = {o["code"]: o for o in journey["outlets"].values()}
    stops = [s for r in data["routes"] for s in r["stops"]]
    for _seq, code, _name, lon, lat, _arrival in stops:
        assert (lon, lat) == pytest.approx(wgs84_to_gcj02(outlets[code]["lon"], outlets[code]["lat"]), abs=1e-6)
        assert abs(lon - outlets[code]["lon"]) > 0.003  # several hundred metres in Shanghai

    monkeypatch.setenv("ROUTEPLAN_TILE_COORDS", "wgs84")  # an explicit setting wins over the host
    data = embedded_json(page(client, f"/plans/{journey['plan']['id']}/map"), "plan-data")
    _seq, code, _name, lon, lat, _arrival = data["routes"][0]["stops"][0]
    assert (lon, lat) == pytest.approx((outlets[code]["lon"], outlets[code]["lat"]), abs=1e-6)


def test_day_page_points_follow_the_tiles_too(client, journey, monkeypatch):
    monkeypatch.setenv("ROUTEPLAN_TILE_URL", AMAP_TILES)
    rep = journey["reps"]["R01"]
    on, listing = first_day_with_visits(client, rep["id"])
    visit = listing["visits"][0]
    data = embedded_json(page(client, f"/reps/{rep['id']}/day/{on.isoformat()}/page"), "day-data")
    assert data["stops"][0][3:5] == pytest.approx(wgs84_to_gcj02(visit["lon"], visit["lat"]), abs=1e-6)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"ROUTEPLAN_TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png"}, ("wgs84", "abc")),
        ({"ROUTEPLAN_TILE_URL": AMAP_TILES, "ROUTEPLAN_TILE_SUBDOMAINS": "1234"}, ("gcj02", "1234")),
        ({"ROUTEPLAN_TILE_URL": "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={y}"}, ("gcj02", "abc")),
        (
            {"ROUTEPLAN_TILE_URL": "https://tiles.example.cn/{z}/{x}/{y}.png", "ROUTEPLAN_TILE_COORDS": "GCJ-02"},
            ("gcj02", "abc"),
        ),
    ],
)
def test_tile_settings(environ, expected):
    source = tile_source(environ)
    assert (None if source is None else (source.coords.value, source.subdomains)) == expected


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"ROUTEPLAN_TILE_URL": "https://tile.openstreetmap.org/tiles.png"}, "ROUTEPLAN_TILE_URL"),
        ({"ROUTEPLAN_TILE_URL": AMAP_TILES, "ROUTEPLAN_TILE_COORDS": "mercator"}, "ROUTEPLAN_TILE_COORDS"),
        ({"ROUTEPLAN_TILE_URL": AMAP_TILES, "ROUTEPLAN_TILE_COORDS": "bd09"}, "ROUTEPLAN_TILE_COORDS"),
    ],
)
def test_unusable_tile_settings_are_named(environ, variable):
    with pytest.raises(TileConfigError) as error:
        tile_source(environ)
    assert error.value.details[0].loc == ("environment", variable)


def test_a_misconfigured_base_map_is_a_clear_server_error(client, journey, monkeypatch):
    monkeypatch.setenv("ROUTEPLAN_TILE_URL", "https://tiles.example.cn/tile.png")
    response = client.get(f"/plans/{journey['plan']['id']}/map")
    assert response.status_code == 500
    assert response.json()["detail"][0]["loc"] == ["environment", "ROUTEPLAN_TILE_URL"]


# --- the rep's day page and day sheet ----------------------------------------------------------------------


def test_day_page_lists_the_stops_in_order_with_channel_arrival_and_hours(client, journey):
    rep = journey["reps"]["R01"]
    on, listing = first_day_with_visits(client, rep["id"], at_least=2)
    html = page(client, f"/reps/{rep['id']}/day/{on.isoformat()}/page", lang="en")
    rows = re.findall(r'<li class="stop-row" data-seq="(\d+)" data-code="([^"]+)">(.*?)</li>', html, re.S)
    assert [(int(seq), code) for seq, code, _ in rows] == [(v["seq"], v["outlet_code"]) for v in listing["visits"]]
    for (_seq, _code, row), visit in zip(rows, listing["visits"]):
        assert visit["arrival"] in row
        assert ", ".join(visit["opening_hours"]) in row
        assert messages("en")["channels"][visit["channel"]] in row
    data = embedded_json(html, "day-data")
    assert [s[:2] for s in data["stops"]] == [[v["seq"], v["outlet_code"]] for v in listing["visits"]]
    assert f"/reps/{rep['id']}/day/{on.isoformat()}/sheet.pdf?lang=en" in html


def test_day_page_of_a_day_without_visits(client, journey):
    rep = journey["reps"]["R02"]  # works Monday to Friday
    sunday = START + timedelta(days=6)
    html = page(client, f"/reps/{rep['id']}/day/{sunday.isoformat()}/page", lang="zh-CN")
    assert messages("zh-CN")["not_working_day"] in html
    assert 'id="day-map"' not in html


def test_day_page_of_an_unknown_rep_or_a_date_before_the_plan(client, journey):
    assert client.get(f"/reps/987654/day/{START.isoformat()}/page").status_code == 404
    rep = journey["reps"]["R01"]
    response = client.get(f"/reps/{rep['id']}/day/{(START - timedelta(days=1)).isoformat()}/sheet.pdf")
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "date"]


def test_day_sheet_is_an_a4_pdf(client, journey):
    rep = journey["reps"]["R01"]
    on, _listing = first_day_with_visits(client, rep["id"])
    response = client.get(f"/reps/{rep['id']}/day/{on.isoformat()}/sheet.pdf", params={"lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="visit-card-R01-{on.isoformat()}.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in response.content  # A4 in points


def long_day(visits: int) -> DayListPublic:
    """A made-up day of `visits` stops along a street, some sharing a building."""

    def at(seq: int) -> tuple[float, float]:
        return 121.35 + 0.0004 * (seq // 3), 31.155

    stops = [
        DayVisitPublic(
            seq=k,
            outlet_id=k,
            outlet_code=f"SH{k:07d}",
            outlet_name=f"测试售点{k}号",
            channel="grocery",
            address="",
            lon=at(k)[0],
            lat=at(k)[1],
            opening_hours=["07:00-21:00"],
            arrival="09:00",
            start="09:00",
            departure="09:10",
            arrival_s=32400,
            start_s=32400,
            departure_s=33000,
            travel_s=60,
            distance_m=100,
        )
        for k in range(1, visits + 1)
    ]
    return DayListPublic(
        rep_id=1,
        rep_code="R01",
        rep_name="李伟",
        date=START,
        plan_id=1,
        day=0,
        week=0,
        weekday=0,
        working_day=True,
        start=DayStartPublic(place="office", lon=121.35, lat=31.155, departure="08:30", departure_s=30600),
        visits=stops,
        lunch=None,
        end=DayEndPublic(
            place="office", lon=121.35, lat=31.155, arrival="17:00", arrival_s=61200, travel_s=60, distance_m=100
        ),
        travel_s=60 * (visits + 1),
        distance_m=100 * (visits + 1),
        service_s=600 * visits,
        idle_s=0,
    )


def test_a_long_day_sheet_continues_on_a_second_page():
    pdf = day_sheet_pdf(long_day(45), Translator("zh-CN"))
    assert pdf.count(b"/Type /Page\n") == 2


def test_numbered_circles_on_the_sheet_map_are_pushed_apart_inside_the_box():
    points = [(100.0, 100.0)] * 4 + [(104.0, 100.0), (300.0, 50.0), (2.0, 199.0)]
    office = (110.0, 95.0)
    centres = spread_labels(points, 10.0, 400.0, 200.0, fixed=(office,))
    for i, a in enumerate(centres):
        assert 10.0 <= a[0] <= 390.0 and 10.0 <= a[1] <= 190.0
        assert math.dist(a, office) >= 20.0 - 1e-6
        for b in centres[i + 1 :]:
            assert math.dist(a, b) >= 20.0 - 1e-6
    assert centres[5] == (300.0, 50.0)  # alone: stays on its outlet
    assert spread_labels(points, 10.0, 400.0, 200.0, fixed=(office,)) == centres  # the same day prints the same


# --- languages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "accept_language", "expected"),
    [
        (None, None, "zh-CN"),
        (None, "en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        (None, "zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, "fr-FR,fr;q=0.9,en;q=0.5", "en"),
        (None, "de, en;q=0", "zh-CN"),
        (None, "en;q=0.4, zh;q=0.7", "zh-CN"),
        ("en", "zh-CN", "en"),
        ("zh-cn", "en", "zh-CN"),
    ],
)
def test_choose_language(lang, accept_language, expected):
    assert choose_language(lang, accept_language) == expected


def test_pages_follow_the_browser_language_unless_lang_is_given(client, journey):
    path = f"/plans/{journey['plan']['id']}/map"
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and english.headers["content-language"] == "en"
    assert messages("en")["kpis"] in english.text
    chinese = client.get(path, params={"lang": "zh-CN"}, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="zh-CN">' in chinese.text and messages("zh-CN")["kpis"] in chinese.text
    assert "Accept-Language" in chinese.headers["vary"].split(", ")
    # the language links keep the page's filters
    assert f'href="http://testserver{path}?lang=en"' in chinese.text.replace("&amp;", "&")
    response = client.get(path, params={"lang": "fr"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "lang"]


def _keys(tree, prefix=()) -> set[tuple]:
    if isinstance(tree, dict):
        return {k for key, value in tree.items() for k in _keys(value, prefix + (key,))}
    if isinstance(tree, list):
        return {prefix + (len(tree),)}
    return {prefix}


def test_both_languages_translate_the_same_texts_every_channel_and_every_reason():
    zh, en = (messages(language) for language in LANGUAGES)
    assert _keys(zh) == _keys(en)
    for language in (zh, en):
        assert set(language["channels"]) == {c.value for c in Channel}
        assert set(language["reasons"]) == {r.value for r in UnplacedReason} | {"no_rep", "rep_inactive"}
        assert len(language["weekdays"]) == len(language["weekdays_short"]) == 7
    assert zh["channels"]["supermarket"] == "超市" and en["reasons"]["day_full"] == "The rep's days are full"


# --- static files ------------------------------------------------------------------------------------------


def test_leaflet_is_served_from_the_package(client):
    script = client.get("/web/static/vendor/leaflet/leaflet.js")
    assert script.status_code == 200 and b't.version="1.9.4"' in script.content
    assert client.get("/web/static/vendor/leaflet/leaflet.css").headers["content-type"].startswith("text/css")
    assert client.get("/web/static/vendor/leaflet/images/marker-icon.png").status_code == 200
    assert client.get("/web/static/../routes.py").status_code == 404
    assert client.get("/web/static/%2e%2e/routes.py").status_code == 404


def test_pages_load_nothing_from_other_hosts(client, journey):
    html = page(client, f"/plans/{journey['plan']['id']}/map")
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "data:", "http://testserver/")), url
