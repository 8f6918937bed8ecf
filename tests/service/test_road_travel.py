"""Plans on road times from a real osrm-routed (Porto Alegre, car profile), through HTTP.

The OSRM fixtures of tests/geo/osrm_server.py build the graph once per session; every test here points the
service at a server through the environment (service/plans/travel.py) with a fresh matrix cache.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta

import httpx
import numpy as np
import pytest
from sqlmodel import select
from typer.testing import CliRunner

from geo.osrm import OsrmTable, osrm_data_version
from geo.osrm_local import PORTO_ALEGRE_PBF, find_bin_dir, start_routed, stop_routed
from service.cli import app, local_osrm, prepare_demo
from service.core.db import make_engine, migrate
from service.core.errors import EngineUnavailable, InvalidInput
from service.core.tables import Office, Plan, Rep, TravelMode
from service.plans.travel import EngineChoice, OfficeTravel, check_road_engines, road_engine

START = date(2026, 11, 30)  # a Monday
OFFICE_LONLAT = (-51.2065, -30.0355)  # central Porto Alegre, on the extract's dense street grid
ALL_DAY = {d: ["08:00-20:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CSV_HEADER = (
    "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,"
    "hours_mon,hours_tue,hours_wed,hours_thu,hours_fri,hours_sat,hours_sun"
)
ENV_NAMES = [
    f"ROUTEPLAN_OSRM_{what}{mode}"
    for what in ("URL", "DATA_VERSION", "DATA")
    for mode in ("", "_CAR", "_EBIKE", "_WALKING")
]


def use_engine(monkeypatch, tmp_path, base_url: str, data_version: str) -> None:
    """The car mode planned on `base_url`, nothing else configured, a fresh matrix cache."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL_CAR", base_url)
    monkeypatch.setenv("ROUTEPLAN_OSRM_DATA_VERSION_CAR", data_version)
    monkeypatch.setenv("ROUTEPLAN_MATRIX_CACHE", str(tmp_path / "matrix.sqlite"))


@pytest.fixture
def porto_alegre_engine(monkeypatch, tmp_path, osrm_server):
    use_engine(monkeypatch, tmp_path, osrm_server.base_url, osrm_data_version(osrm_server.osrm_path))
    return osrm_server


def create_office(client, lonlat=OFFICE_LONLAT, code="POA-T") -> dict:
    office = client.post(
        "/offices",
        json={
            "code": code,
            "name": "Porto Alegre test office",
            "lon": lonlat[0],
            "lat": lonlat[1],
            "timezone": "America/Sao_Paulo",
        },
    )
    assert office.status_code == 201, office.text
    return office.json()


def create_rep(client, office: dict, code: str) -> dict:
    rep = client.post(
        "/reps",
        json={
            "office_id": office["id"],
            "code": code,
            "name": f"Rep {code}",
            "travel_mode": "car",
            "working_days": [0, 1, 2, 3, 4],
        },
    )
    assert rep.status_code == 201, rep.text
    return rep.json()


def add_outlet(client, office: dict, rep: dict, code: str, lon: float, lat: float, visits: int = 4) -> dict:
    outlet = client.post(
        "/outlets",
        json={
            "office_id": office["id"],
            "code": code,
            "name": f"Mercado {code}",
            "channel": "grocery",
            "lon": lon,
            "lat": lat,
            "service_min": 10,
            "visits_per_cycle": visits,
            "opening_hours": ALL_DAY,
            "rep_id": rep["id"],
        },
    )
    assert outlet.status_code == 201, outlet.text
    return outlet.json()


def small_office(client) -> dict:
    """Two car reps with seven outlets each, scattered over about 3 x 3 km of the centre."""
    office = create_office(client)
    rng = np.random.default_rng(6)
    reps = [create_rep(client, office, code) for code in ("POA-T1", "POA-T2")]
    for k, rep in enumerate(reps):
        for i in range(7):
            lon, lat = rng.uniform(-51.225, -51.195), rng.uniform(-30.050, -30.022)
            add_outlet(client, office, rep, f"T{k + 1}-{i}", round(lon, 6), round(lat, 6), visits=(4, 8)[i % 2])
    return {"office": office, "reps": reps}


def post_plan(client, office: dict):
    return client.post("/plans", json={"office_id": office["id"], "start_date": START.isoformat(), "time_limit_s": 1})


def test_road_plan_day_lists_travel_the_osrm_matrix_legs_in_their_direction(client, porto_alegre_engine):
    data = small_office(client)
    response = post_plan(client, data["office"])
    assert response.status_code == 201, response.text
    plan = response.json()
    assert plan["kpis"]["coverage"] == 1.0
    engines = plan["kpis"]["travel"]["engines"]
    assert sorted(engines) == ["POA-T1", "POA-T2"]
    assert all(e.startswith(f"osrm {porto_alegre_engine.base_url} (driving") for e in engines.values())
    assert client.post(f"/plans/{plan['id']}/publish").status_code == 200

    office = data["office"]
    legs_checked, one_way_legs = 0, 0
    with OsrmTable(porto_alegre_engine.base_url) as osrm:
        for rep in data["reps"]:
            for day in range(28):
                listing = client.get(f"/reps/{rep['id']}/day/{START + timedelta(days=day)}").json()
                if not listing["visits"]:
                    continue
                route = [(office["lon"], office["lat"])] + [(v["lon"], v["lat"]) for v in listing["visits"]]
                road = osrm.table(np.array(route + [route[0]])).matrix.duration_s
                expected = [int(road[i, i + 1]) for i in range(len(route))]
                assert [v["travel_s"] for v in listing["visits"]] + [listing["end"]["travel_s"]] == expected
                legs_checked += len(expected)
                one_way_legs += sum(road[i, i + 1] != road[i + 1, i] for i in range(len(route)))
    assert legs_checked >= 20
    assert one_way_legs > 0  # the legs differ by direction, so matching them checks the direction too


def test_engine_stopped_gives_503_naming_it_and_stores_no_plan(client, db_session, monkeypatch, tmp_path, osrm_server):
    stopped = start_routed(find_bin_dir(), osrm_server.osrm_path, osrm_server.osm_file)
    stop_routed(stopped)
    use_engine(monkeypatch, tmp_path, stopped.base_url, osrm_data_version(osrm_server.osrm_path))
    data = small_office(client)
    response = post_plan(client, data["office"])
    assert response.status_code == 503, response.text
    [detail] = response.json()["detail"]
    assert stopped.base_url in detail["msg"]
    assert detail["loc"] == ["travel_engine", "car"]
    assert db_session.exec(select(Plan)).all() == []


def test_outlet_outside_the_map_is_422_naming_it_and_stores_no_plan(client, db_session, porto_alegre_engine):
    data = small_office(client)
    # about 18 km east of the extract's edge, in the countryside the map does not cover
    add_outlet(client, data["office"], data["reps"][1], "FAR-1", -50.95, -30.03)
    response = post_plan(client, data["office"])
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["outlets", "FAR-1"]
    assert "outlet FAR-1" in detail["msg"] and porto_alegre_engine.base_url in detail["msg"]
    assert db_session.exec(select(Plan)).all() == []


def test_outlet_on_another_road_island_is_unplaced_and_one_far_from_road_flagged(
    client, monkeypatch, tmp_path, osrm_islands
):
    use_engine(monkeypatch, tmp_path, osrm_islands.base_url, osrm_data_version(osrm_islands.osrm_path))
    office = create_office(client, (0.5010, 0.5000), code="ISL")
    rep = create_rep(client, office, "ISL-R1")
    add_outlet(client, office, rep, "A-1", 0.5020, 0.5012)  # on the office's square of road
    add_outlet(client, office, rep, "B-1", 0.5300, 0.5010)  # on the street with no link to it
    add_outlet(client, office, rep, "F-1", 0.5010, 0.5100)  # in a field 890 m north of the square
    response = post_plan(client, office)
    assert response.status_code == 201, response.text
    plan = response.json()
    travel = plan["kpis"]["travel"]
    assert travel["unreachable"] == [{"outlet_code": "B-1", "rep_code": "ISL-R1"}]
    assert [u["outlet_code"] for u in plan["unplaced"]] == ["B-1"]
    assert plan["unplaced"][0]["reason"] == "unreachable"
    [far] = travel["far_from_road"]
    assert far["outlet_code"] == "F-1" and 850 < far["snap_m"] < 930
    visited = {v["outlet_code"] for d in plan["days"] for v in d["visits"]}
    assert visited == {"A-1", "F-1"}


def test_a_fold_leaves_out_a_new_outlet_no_road_reaches_and_measures_the_reps_travel_again(
    client, monkeypatch, tmp_path, osrm_islands
):
    use_engine(monkeypatch, tmp_path, osrm_islands.base_url, osrm_data_version(osrm_islands.osrm_path))
    office = create_office(client, (0.5010, 0.5000), code="ISF")
    rep = create_rep(client, office, "ISF-R1")
    add_outlet(client, office, rep, "A-1", 0.5020, 0.5012)
    base = post_plan(client, office).json()
    assert base["kpis"]["travel"]["unreachable"] == []
    island_street = {"lon": 0.5300, "lat": 0.5010, "service_min": 10, "visits_per_cycle": 4}
    new_outlet = {"code": "B-2", "name": "Mercado B-2", "channel": "grocery", "opening_hours": ALL_DAY, **island_street}
    response = client.post(
        "/change-sets",
        json={
            "base_plan_id": base["id"],
            "idempotency_key": "island-1",
            "change_budget": 0,
            "new_outlets": [{**new_outlet, "rep_code": "ISF-R1"}],
        },
    )
    assert response.status_code == 201, response.text
    [unplaced] = response.json()["diff"]["unplaced"]
    assert unplaced["outlet_code"] == "B-2" and unplaced["reason"] == "unreachable"
    assert "no road route" in unplaced["detail"]
    folded = client.get(f"/plans/{response.json()['result_plan_id']}").json()
    assert folded["kpis"]["travel"]["unreachable"] == [{"outlet_code": "B-2", "rep_code": "ISF-R1"}]
    assert [(u["outlet_code"], u["reason"]) for u in folded["unplaced"]] == [("B-2", "unreachable")]
    assert {v["outlet_code"] for d in folded["days"] for v in d["visits"]} == {"A-1"}


# --- configuration (no server needed) -------------------------------------------------------------------------


def office_with(road_engines: dict) -> Office:
    return Office(code="X", name="x", lon=0.0, lat=0.0, road_engines=road_engines)


def test_office_setting_comes_before_the_environment(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL", "http://osrm-all:5000/")
    monkeypatch.setenv("ROUTEPLAN_OSRM_DATA_VERSION", "v1")
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL_WALKING", "http://osrm-foot:5000")
    office = office_with({"car": {"url": "http://osrm-office-car:5000", "data_version": "2026-11"}, "ebike": None})
    car = road_engine(office, TravelMode.CAR)
    assert (car.url, car.profile, car.data_version) == ("http://osrm-office-car:5000", "driving", "2026-11")
    assert road_engine(office, TravelMode.EBIKE) is None  # null: straight line although ROUTEPLAN_OSRM_URL is set
    walking = road_engine(office, TravelMode.WALKING)
    assert (walking.url, walking.profile, walking.data_version) == ("http://osrm-foot:5000", "foot", "v1")
    assert road_engine(office_with({}), TravelMode.CAR).url == "http://osrm-all:5000"


def test_engine_without_data_version_is_503_naming_the_setting(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL_CAR", "http://osrm-car:5000")
    with pytest.raises(EngineUnavailable, match="ROUTEPLAN_OSRM_DATA_VERSION_CAR"):
        road_engine(office_with({}), TravelMode.CAR)


def test_osrm_choice_without_an_engine_names_the_rep_and_mode(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    rep = Rep(
        code="R9",
        name="r",
        office_id=1,
        travel_mode=TravelMode.EBIKE,
        shift_start_s=0,
        shift_end_s=1,
        lunch_earliest_s=0,
        lunch_latest_s=1,
        lunch_s=0,
    )
    with OfficeTravel(office_with({}), EngineChoice.OSRM) as travel, pytest.raises(InvalidInput) as exc:
        travel.engine_of(rep)
    assert exc.value.details[0].loc == ("reps", "R9", "travel_mode")
    assert "ebike" in exc.value.msg


@pytest.mark.parametrize(
    ("value", "loc"),
    [
        ({"bicycle": None}, ("road_engines", "bicycle")),
        ({"car": {"url": "http://x"}}, ("road_engines", "car")),
        ({"car": {"url": "osrm:5000", "data_version": "v"}}, ("road_engines", "car", "url")),
        ({"car": {"url": "http://x", "data_version": " "}}, ("road_engines", "car", "data_version")),
    ],
)
def test_bad_office_engine_settings_name_the_field(value, loc):
    with pytest.raises(InvalidInput) as exc:
        check_road_engines(value)
    assert exc.value.details[0].loc == loc


# --- command line: per-office engine, plan --engine ------------------------------------------------------------


def test_cli_office_engine_setting_and_plan_engine_choice(tmp_path, monkeypatch, osrm_server):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ROUTEPLAN_MATRIX_CACHE", str(tmp_path / "matrix.sqlite"))
    monkeypatch.setenv("COLUMNS", "200")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "office.json").write_text(
        json.dumps(
            {
                "office": {
                    "code": "POA-C",
                    "name": "CLI office",
                    "lon": OFFICE_LONLAT[0],
                    "lat": OFFICE_LONLAT[1],
                    "timezone": "America/Sao_Paulo",
                },
                "supervisors": [],
                "reps": [{"code": "POA-C1", "name": "Rep", "travel_mode": "car", "working_days": [0, 1, 2, 3, 4]}],
            }
        ),
        encoding="utf-8",
    )
    rows = [
        f"C{i},Mercado {i},Rua {i},grocery,{lon},{lat},10,4,POA-C1," + ",".join(["08:00-20:00"] * 7)
        for i, (lon, lat) in enumerate([(-51.2101, -30.0312), (-51.2003, -30.0401), (-51.2150, -30.0420)])
    ]
    (bundle / "outlets.csv").write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(bundle)]).exit_code == 0
    version = osrm_data_version(osrm_server.osrm_path)
    plan = ["plan", "POA-C", "--start", START.isoformat(), "--time-limit", "1"]

    result = runner.invoke(app, plan + ["--engine", "osrm"])  # nothing configured anywhere
    assert result.exit_code == 1
    assert "no road engine configured for travel mode car (rep POA-C1)" in result.output

    result = runner.invoke(
        app, ["road-engine", "POA-C", "car", "--url", osrm_server.base_url, "--data-version", version]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, plan + ["--engine", "osrm"])
    assert result.exit_code == 0, result.output
    assert f"POA-C1 travel times: osrm {osrm_server.base_url} (driving, data {version})" in result.output

    result = runner.invoke(app, plan + ["--engine", "straight"])
    assert result.exit_code == 0, result.output
    assert "POA-C1 travel times: straight line at 25 km/h" in result.output

    # an explicit straight line for the mode wins over the environment
    monkeypatch.setenv("ROUTEPLAN_OSRM_URL", osrm_server.base_url)
    monkeypatch.setenv("ROUTEPLAN_OSRM_DATA_VERSION", version)
    assert runner.invoke(app, ["road-engine", "POA-C", "car", "--straight-line"]).exit_code == 0
    result = runner.invoke(app, plan)
    assert result.exit_code == 0, result.output
    assert "POA-C1 travel times: straight line at 25 km/h" in result.output
    assert runner.invoke(app, ["road-engine", "POA-C", "car", "--global"]).exit_code == 0
    result = runner.invoke(app, plan)
    assert f"POA-C1 travel times: osrm {osrm_server.base_url}" in result.output


def test_demo_engine_serves_the_office_map_plans_on_it_and_stops(tmp_path, monkeypatch, osrm_server):
    """`routeplan demo --engine osrm` minus the HTTP server: the graph built earlier is reused, the office is
    planned on its road times, osrm-routed is stopped and the environment restored afterwards."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # var/osrm, var/cache and the database land here
    folder = tmp_path / "porto_alegre"
    folder.mkdir()
    for name in ("office.json", "outlets.csv", PORTO_ALEGRE_PBF.name):
        shutil.copyfile(PORTO_ALEGRE_PBF.parent / name, folder / name)
    # the graph the session fixture built, as if an earlier demo had built it (newer than the map)
    graph_dir = tmp_path / "var" / "osrm" / folder.name
    shutil.copytree(osrm_server.osrm_path.parent, graph_dir, copy_function=shutil.copyfile)
    build_log = (graph_dir / "build.log").read_bytes()
    db_url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrate(db_url)

    with local_osrm(folder) as base_url:
        assert os.environ["ROUTEPLAN_OSRM_URL_CAR"] == base_url
        plan, rep = prepare_demo(make_engine(db_url), folder, 1.0, EngineChoice.OSRM)
    assert plan.status == "published" and rep.code == "POA-R01"
    assert plan.kpis["coverage"] > 0.9
    assert set(plan.kpis["travel"]["engines"]) == {"POA-R01", "POA-R02"}
    assert all(e.startswith(f"osrm {base_url} (driving") for e in plan.kpis["travel"]["engines"].values())
    assert plan.kpis["travel"]["far_from_road"] == [] and plan.kpis["travel"]["unreachable"] == []
    assert (graph_dir / "build.log").read_bytes() == build_log  # not rebuilt
    assert "ROUTEPLAN_OSRM_URL_CAR" not in os.environ
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/nearest/v1/driving/-51.2,-30.03", timeout=2)
    assert (tmp_path / "var" / "cache" / "matrix.sqlite").is_file()
