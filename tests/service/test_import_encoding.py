"""Outlet files in the encodings people's tools write (UTF-8 with/without BOM, GBK/GB18030 from Chinese Excel,
UTF-16 with BOM from Excel's "Unicode text"), and unreadable files refused naming the file, nothing written."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from service.master_data.outlet_import import ACCEPTED_ENCODINGS
from tests.service.journey_office import create_plan
from tests.service.test_outlet_import import COLUMNS, csv_bytes, row, upload

NAME = "门店名称 利民小卖部"
ADDRESS = "上海市浦东新区张杨路88号"


def csv_text(rows: list[dict]) -> str:
    return csv_bytes(rows).decode("utf-8")


def stored_names(client: TestClient) -> dict[str, tuple[str, str]]:
    return {o["code"]: (o["name"], o["address"]) for o in client.get("/outlets").json()}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_in_every_accepted_encoding_is_stored_as_written(
    client: TestClient, office: dict, rep: dict, encoding: str
) -> None:
    name = NAME + ("𠮷" if encoding == "gb18030" else "")  # a four-byte GB18030 character (not in GBK)
    data = csv_text([row("SH001", name=name, address=ADDRESS)]).encode(encoding)
    response = upload(client, office, "门店.csv", data)
    assert response.status_code == 200, response.text
    assert stored_names(client) == {"SH001": (name, ADDRESS)}


def test_gbk_geojson_is_read_too(client: TestClient, office: dict, rep: dict) -> None:
    properties = {k: v for k, v in row("SH001", name=NAME).items() if k not in ("lon", "lat")}
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [121.531, 31.229]},
                "properties": properties,
            }
        ],
    }
    response = upload(client, office, "outlets.geojson", json.dumps(document, ensure_ascii=False).encode("gbk"))
    assert response.status_code == 200, response.text
    assert stored_names(client)["SH001"][0] == NAME


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (csv_bytes([row("SH001")]).decode().encode("utf-16-le"), "NUL bytes"),  # UTF-16 without its BOM
        (csv_bytes([row("SH001", name="Café, Ñandú", address="Rua Direita, 1")]).decode().encode("cp1252"), "not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL bytes"),
        (bytes(range(0x80, 0x100)) * 4, "not text"),
    ],
    ids=["utf16-no-bom", "cp1252", "png", "high-bytes"],
)
def test_unreadable_text_is_refused_naming_the_file_and_the_encodings(
    client: TestClient, office: dict, rep: dict, data: bytes, why: str
) -> None:
    response = upload(client, office, "outlets.csv", data)
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["file"]
    assert "outlets.csv" in detail["msg"] and why in detail["msg"] and ACCEPTED_ENCODINGS in detail["msg"]
    assert stored_names(client) == {}


def xlsx_bytes(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for values in rows:
        sheet.append([values.get(c) for c in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_garbage_workbooks_are_422(client: TestClient, office: dict, rep: dict) -> None:
    good = xlsx_bytes([row("SH001", name=NAME)])
    broken_sheet = zipfile.ZipFile(io.BytesIO(good))
    files = {info.filename: broken_sheet.read(info) for info in broken_sheet.infolist()}
    files["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r='A1' t='s'><v>99</v></c></row>"
    for data in [
        b"",
        b"PK\x03\x04 not really",
        good[: len(good) // 2],
        zip_of({"readme.txt": b"hello"}),
        zip_of(files),
        bytes(range(256)) * 10,
    ]:
        response = upload(client, office, "outlets.xlsx", data)
        assert response.status_code == 422, response.text
        [detail] = response.json()["detail"]
        assert detail["loc"] == ["file"] and "outlets.xlsx" in detail["msg"], detail
    assert stored_names(client) == {}
    assert upload(client, office, "outlets.xlsx", good).status_code == 200
    assert stored_names(client)["SH001"][0] == NAME


def test_garbage_geojson_is_422_naming_the_feature(client: TestClient, office: dict, rep: dict) -> None:
    for data in [b"[" * 100_000, b'{"type": "FeatureCollection", "features": [' + b"1" * 5000 + b"]}", b"\xff\xfe\x00"]:
        response = upload(client, office, "outlets.geojson", data)
        assert response.status_code == 422, response.text
        assert "outlets.geojson" in response.json()["detail"][0]["msg"]
    point = {"type": "Point", "coordinates": [121.531, 31.229]}
    features = [
        {"type": "Feature", "geometry": point, "properties": ["not", "an", "object"]},
        {"type": "Feature", "geometry": "Point", "properties": row("SH002")},
        {"type": "Feature", "geometry": point, "properties": row("SH003", name="bad\u0000name")},
        {"type": "Feature", "geometry": point, "properties": row("SH004", address="x" * 401)},
    ]
    response = upload(
        client, office, "outlets.geojson", json.dumps({"type": "FeatureCollection", "features": features}).encode()
    )
    assert response.status_code == 422, response.text
    locs = [d["loc"] for d in response.json()["detail"]]
    assert locs == [
        ["file", "row", 1, "properties"],
        ["file", "row", 2, "geometry"],
        ["file", "row", 3, "name"],
        ["file", "row", 4, "address"],
    ]
    assert stored_names(client) == {}


def test_gbk_om_file_becomes_a_change_set(client: TestClient, office: dict, rep: dict) -> None:
    assert upload(client, office, "outlets.csv", csv_bytes([row("SH001")])).status_code == 200
    plan = create_plan(client, office["id"])
    too_long = csv_text([row("SH001"), row("SH003", address="地" * 401), row("SH004", rep_code="R" * 33)])
    response = client.post(
        "/change-sets/om-file",
        files={"file": ("OM.csv", too_long.encode("gbk"))},
        data={"base_plan_id": str(plan["id"]), "idempotency_key": "om-bad"},
    )
    assert response.status_code == 422, response.text  # cells the change set could not hold: rows named
    assert [d["loc"] for d in response.json()["detail"]] == [
        ["file", "row", 3, "address"],
        ["file", "row", 4, "rep_code"],
    ]
    data = csv_text([row("SH001"), row("SH002", name=NAME, address=ADDRESS)]).encode("gbk")
    response = client.post(
        "/change-sets/om-file",
        files={"file": ("OM月度.csv", data)},
        data={"base_plan_id": str(plan["id"]), "idempotency_key": "om-2026-11", "created_by": "协调员 王芳"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["created_by"] == "协调员 王芳"
    assert stored_names(client)["SH002"] == (NAME, ADDRESS)
