"""The coordinator's outlet import: channels by their Chinese or English names, times as "7:00", problems in the
request's language naming the row and the column, a preview that writes nothing, nothing half-imported."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tests.service.test_outlet_import import HOURS_COLUMNS, csv_bytes, outlets, row, upload


def test_channels_by_chinese_or_english_name_and_times_without_a_leading_zero(
    client: TestClient, office: dict, rep: dict
) -> None:
    rows = [
        row("SH001", channel="小卖部", **{c: "7:00-21:30" for c in HOURS_COLUMNS}),
        row("SH002", channel="便利店"),
        row("SH003", channel="学校小卖部", hours_mon="7:30-11:00; 13:00-16:30"),
        row("SH004", channel="Convenience store"),
        row("SH005", channel=" SUPERMARKET "),
    ]
    response = upload(client, office, "outlets.csv", csv_bytes(rows))
    assert response.status_code == 200, response.text
    stored = outlets(client)
    assert {code: o["channel"] for code, o in stored.items()} == {
        "SH001": "grocery",
        "SH002": "convenience",
        "SH003": "school_shop",
        "SH004": "convenience",
        "SH005": "supermarket",
    }
    assert stored["SH001"]["opening_hours"]["mon"] == ["07:00-21:30"]
    assert stored["SH003"]["opening_hours"]["mon"] == ["07:30-11:00", "13:00-16:30"]


def test_problems_in_chinese_name_the_row_and_column_and_nothing_is_imported(
    client: TestClient, office: dict, rep: dict
) -> None:
    rows = [row("SH001", channel="小卖部"), row("SH002", channel="花店"), row("SH003", hours_tue="7:00-25:00")]
    response = client.post(
        "/outlets/import",
        params={"office_id": office["id"], "lang": "zh-CN"},
        files={"file": ("outlets.csv", csv_bytes(rows))},
    )
    assert response.status_code == 422, response.text
    messages = {tuple(e["loc"][2:]): e["msg"] for e in response.json()["detail"]}
    assert messages[(3, "channel")].startswith("第 3 行「渠道」：未知渠道")
    assert "便利店" in messages[(3, "channel")]
    assert messages[(4, "hours_tue")] == "第 4 行「周二营业时间」：时间须写作 7:00 或 07:00（0:00–23:59）"
    assert outlets(client) == {}


def test_problems_in_english_by_the_browser_language(client: TestClient, office: dict, rep: dict) -> None:
    response = client.post(
        "/outlets/import",
        params={"office_id": office["id"]},
        headers={"Accept-Language": "en-GB,en;q=0.8"},
        files={"file": ("outlets.csv", csv_bytes([row("SH001", visits_per_cycle="3")]))},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Row 2, visits per cycle: must be 1, 2, 4, 8 or 12"


def test_preview_shows_rows_and_problems_and_writes_nothing(client: TestClient, office: dict, rep: dict) -> None:
    good = client.post(
        "/outlets/import/preview",
        params={"office_id": office["id"], "lang": "zh-CN"},
        files={"file": ("outlets.csv", csv_bytes([row("SH001", channel="超市"), row("SH002")]))},
    )
    assert good.status_code == 200, good.text
    assert good.json()["problems"] == [] and good.json()["summary"] is None
    assert [r["row"] for r in good.json()["shown"]] == [2, 3]
    assert good.json()["shown"][0]["channel"] == "超市"
    assert outlets(client) == {}

    bad = client.post(
        "/outlets/import/preview",
        params={"office_id": office["id"], "lang": "zh-CN"},
        files={"file": ("outlets.csv", csv_bytes([row("SH001"), row("SH001")]))},
    )
    assert bad.json()["summary"] == "1 行有错误，未导入任何数据"
    assert bad.json()["problems"] == [
        {"row": 3, "column": "customer_code", "msg": "第 3 行「客编」：客编与前面的行重复"}
    ]
    assert outlets(client) == {}


def test_the_import_page_previews_in_chinese_then_imports(client: TestClient, office: dict, rep: dict) -> None:
    page = client.get("/outlets/import/page", params={"office_id": office["id"]}, headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert "售点导入" in page.text and "file_upload.js" in page.text
    body = {
        "office_id": office["id"],
        "filename": "outlets.csv",
        "content_base64": base64.b64encode(csv_bytes([row("SH001", channel="小卖部"), row("SH002", lat="x")])).decode(),
    }
    preview = client.post("/outlets/import/page/preview", json=body)
    assert preview.json()["problems"] == [{"row": 3, "column": "lat", "msg": "第 3 行「纬度」：须为数字"}]
    refused = client.post("/outlets/import/page/import", json=body)
    assert refused.status_code == 422 and refused.json()["detail"][0]["msg"].startswith("第 3 行")
    assert outlets(client) == {}
    body["content_base64"] = base64.b64encode(csv_bytes([row("SH001", channel="小卖部")])).decode()
    imported = client.post("/outlets/import/page/import", json=body, params={"lang": "en"})
    assert imported.json() == {"rows": 1, "created": 1, "updated": 0}
    assert outlets(client)["SH001"]["channel"] == "grocery"
