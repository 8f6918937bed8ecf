"""GET /plans/{id}/export.csv: one row per visit, UTF-8 with BOM, formulas neutralised; SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from service.plans.export_csv import COLUMNS
from tests.service.journey_office import create_plan, hours

HOSTILE_NAMES = {
    "X01": '=HYPERLINK("http://x","y")',
    "X02": "@SUM(1)",
    "X03": "+1",
    "X04": "-1+2",
    "X05": "\tcmd",
    "X06": "利民小卖部",
}


def add_outlet(client: TestClient, office: dict, rep: dict, code: str, name: str, address: str = "") -> None:
    response = client.post(
        "/outlets",
        json={
            "office_id": office["id"],
            "code": code,
            "name": name,
            "address": address,
            "channel": "grocery",
            "lon": 121.545,
            "lat": 31.225,
            "service_min": 10,
            "visits_per_cycle": 4,
            "opening_hours": hours(["08:00-20:00"]),
            "rep_id": rep["id"],
        },
    )
    assert response.status_code == 201, response.text


def exported(client: TestClient, plan_id: int) -> tuple[bytes, list[dict]]:
    response = client.get(f"/plans/{plan_id}/export.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert f"plan-{plan_id}.csv" in response.headers["content-disposition"]
    return response.content, list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_export_neutralises_formulas_and_keeps_chinese(client: TestClient, office: dict, rep: dict) -> None:
    for code, name in HOSTILE_NAMES.items():
        add_outlet(client, office, rep, code, name, address="=1+1" if code == "X01" else "上海市浦东新区张杨路88号")
    plan = create_plan(client, office["id"])
    raw, rows = exported(client, plan["id"])

    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8 instead of the ANSI code page
    assert list(rows[0]) == list(COLUMNS)
    planned = sum(len(day["visits"]) for day in plan["days"])
    assert len(rows) == planned == 4 * len(HOSTILE_NAMES)
    names = {r["outlet_code"]: r["outlet_name"] for r in rows}
    assert names == {
        "X01": '\'=HYPERLINK("http://x","y")',
        "X02": "'@SUM(1)",
        "X03": "'+1",
        "X04": "'-1+2",
        "X05": "'\tcmd",
        "X06": "利民小卖部",
    }
    assert {r["address"] for r in rows if r["outlet_code"] == "X01"} == {"'=1+1"}
    assert {r["address"] for r in rows if r["outlet_code"] == "X06"} == {"上海市浦东新区张杨路88号"}
    first = rows[0]
    assert (first["rep_code"], first["rep_name"], first["channel"]) == ("R01", "Li Wei", "grocery")
    # numbers stay numbers: bare in the file, neither quoted nor prefixed
    lines = raw.decode("utf-8-sig").split("\r\n")[1:-1]
    assert all(re.match(r"R01,Li Wei,[1-4],[a-z]{3},\d+,\d{4}-\d\d-\d\d,\d+,X0\d,", line) for line in lines), lines


def test_export_rows_match_the_plan(client: TestClient, office: dict, rep: dict) -> None:
    add_outlet(client, office, rep, "S01", "Sun Market")
    plan = create_plan(client, office["id"], start_date="2026-11-30")
    _, rows = exported(client, plan["id"])
    expected = sorted(
        (day["day"], visit["seq"], visit["arrival"], visit["departure"])
        for day in plan["days"]
        for visit in day["visits"]
    )
    assert sorted((int(r["day"]), int(r["seq"]), r["arrival"], r["departure"]) for r in rows) == expected
    for r in rows:  # the date is the cycle day counted from the plan's Monday
        day = int(r["day"])
        assert r["date"] == (date(2026, 11, 30) + timedelta(days=day)).isoformat()
        assert r["weekday"] == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day % 7]
        assert int(r["week"]) == day // 7 + 1


def test_export_of_unknown_plan_is_404(client: TestClient) -> None:
    response = client.get("/plans/999999/export.csv")
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["path", "plan_id"]
