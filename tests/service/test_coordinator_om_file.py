"""The monthly OM file page: the file with Chinese channel names and "7:00" times submitted from the page becomes a
change set; a bad row is refused in Chinese and changes nothing."""

from __future__ import annotations

import base64

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.auth_headers import bearer
from tests.service.test_coordinator_diff import HTML, page_data
from tests.service.tiny_published import build

HEADER = (
    "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,status,"
    "hours_mon,hours_tue,hours_wed,hours_thu,hours_fri,hours_sat,hours_sun"
)
WEEK = ",".join(["7:00-21:00"] * 7)


def body(tiny: dict, key: str, *lines: str) -> dict:
    data = "\n".join([HEADER, *lines]).encode()
    return {
        "office_id": tiny["office_id"],
        "filename": "om.csv",
        "content_base64": base64.b64encode(data).decode(),
        "base_plan_id": tiny["plan"]["id"],
        "idempotency_key": key,
    }


def test_the_om_file_page_submits_the_month_as_a_change_set(app: FastAPI, client: TestClient) -> None:
    tiny = build(app, client)
    client.headers.update(bearer(app, "coordinator", office_id=tiny["office_id"]))
    page = client.get("/line-cleanup/om-file/page", headers=HTML)
    assert page.status_code == 200 and "月度 OM 文件" in page.text
    assert page_data(page.text)["base_plan_id"] == tiny["plan"]["id"]

    refused = client.post(
        "/line-cleanup/om-file/page/submit",
        json=body(tiny, "om-bad", f"OM-NEW-1,新店,,花店,121.350,31.155,5,2,TINY-R01,,{WEEK}"),
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"].startswith("第 2 行「渠道」")
    assert client.get("/outlets/OM-NEW-1").status_code == 404

    made = client.post(
        "/line-cleanup/om-file/page/submit",
        json=body(
            tiny,
            "om-2026-12",
            f"SH0900002,阿强烟杂店,,小卖部,121.348,31.156,10,4,TINY-R01,closed,{WEEK}",
            f"OM-NEW-1,新店,,报亭,121.350,31.155,5,2,TINY-R01,,{WEEK}",
        ),
    )
    assert made.status_code == 201, made.text
    changes = made.json()["diff"]["changes"]
    assert changes["closed"] == ["SH0900002"] and changes["new_outlets"] == ["OM-NEW-1"]
    assert client.get("/outlets/OM-NEW-1").json()["channel"] == "kiosk"
