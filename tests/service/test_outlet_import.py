"""POST /outlets/import: CSV (with or without BOM), XLSX and GeoJSON; all rows or none; re-import updates."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from geo.coords import from_wgs84
from geo.sphere import great_circle_m
from service.master_data import outlet_import as imports
from service.master_data.outlet_import import HOURS_COLUMNS

COLUMNS = [
    "customer_code",
    "name",
    "address",
    "channel",
    "lon",
    "lat",
    "service_min",
    "visits_per_cycle",
    "rep_code",
    *HOURS_COLUMNS,
]


def row(code: str, **change) -> dict:
    values = {
        "customer_code": code,
        "name": "利民小卖部",
        "address": "上海市浦东新区张杨路88号",
        "channel": "grocery",
        "lon": "121.531",
        "lat": "31.229",
        "service_min": "8",
        "visits_per_cycle": "4",
        "rep_code": "R01",
        **{c: "08:00-21:30" for c in HOURS_COLUMNS},
    }
    values.update(change)
    return values


def csv_bytes(rows: list[dict], *, bom: bool = False, columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


def upload(client: TestClient, office: dict, filename: str, data: bytes):
    return client.post("/outlets/import", params={"office_id": office["id"]}, files={"file": (filename, data)})


def outlets(client: TestClient) -> dict[str, dict]:
    return {o["code"]: o for o in client.get("/outlets").json()}


def test_csv_creates_every_row_with_hours_and_rep(client: TestClient, office: dict, rep: dict) -> None:
    rows = [
        row("SH001"),
        row(
            "SH002",
            channel="restaurant",
            service_min="12",
            visits_per_cycle="2",
            rep_code="",
            hours_mon="09:30-11:00;14:00-17:00",
            hours_sun="closed",
            hours_sat="",
        ),
    ]
    response = upload(client, office, "outlets.csv", csv_bytes(rows))
    assert response.status_code == 200, response.text
    assert response.json() == {"office_id": office["id"], "rows": 2, "created": 2, "updated": 0}
    stored = outlets(client)
    assert stored["SH001"]["rep_id"] == rep["id"]
    assert stored["SH001"]["name"] == "利民小卖部"
    restaurant = stored["SH002"]
    assert restaurant["rep_id"] is None
    assert (restaurant["channel"], restaurant["service_min"], restaurant["visits_per_cycle"]) == ("restaurant", 12, 2)
    assert restaurant["opening_hours"]["mon"] == ["09:30-11:00", "14:00-17:00"]
    assert restaurant["opening_hours"]["sat"] == [] and restaurant["opening_hours"]["sun"] == []


def test_csv_with_a_byte_order_mark_is_read(client: TestClient, office: dict, rep: dict) -> None:
    response = upload(client, office, "outlets.csv", csv_bytes([row("SH001")], bom=True))
    assert response.status_code == 200, response.text
    assert list(outlets(client)) == ["SH001"]


def test_reimport_updates_known_codes_and_creates_new_ones(client: TestClient, office: dict, rep: dict) -> None:
    assert upload(client, office, "outlets.csv", csv_bytes([row("SH001"), row("SH002")])).status_code == 200
    monthly = [row("SH001", name="利民便利店", channel="convenience", visits_per_cycle="8"), row("SH003")]
    response = upload(client, office, "outlets.csv", csv_bytes(monthly))
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1 and response.json()["updated"] == 1
    stored = outlets(client)
    assert sorted(stored) == ["SH001", "SH002", "SH003"]
    assert (stored["SH001"]["name"], stored["SH001"]["channel"], stored["SH001"]["visits_per_cycle"]) == (
        "利民便利店",
        "convenience",
        8,
    )


def test_a_file_with_bad_rows_lists_every_one_and_writes_nothing(client: TestClient, office: dict, rep: dict) -> None:
    assert upload(client, office, "outlets.csv", csv_bytes([row("SH001")])).status_code == 200
    before = outlets(client)
    rows = [
        row("SH001", name="changed"),  # row 2: fine, but must not be written either
        row("SH002", lon="31.229", lat="121.531"),  # row 3: swapped
        row("SH003", visits_per_cycle="3"),  # row 4
        row("SH004", rep_code="R99"),  # row 5
        row("SH005", hours_tue="17:00-09:00"),  # row 6
        row("SH002"),  # row 7: repeats row 3's code
        row("SH007", service_min="90", **{c: "09:00-10:00" for c in HOURS_COLUMNS}),  # row 8
        row("SH008", **{c: "closed" for c in HOURS_COLUMNS}),  # row 9
        row("SH009"),  # row 10: fine
    ]
    response = upload(client, office, "outlets.csv", csv_bytes(rows))
    assert response.status_code == 422, response.text
    where = {(e["loc"][2], e["loc"][3]): e["msg"] for e in response.json()["detail"]}
    assert all(e["loc"][:2] == ["file", "row"] for e in response.json()["detail"])
    assert set(where) == {
        (3, "lat"),
        (4, "visits_per_cycle"),
        (5, "rep_code"),
        (6, "hours_tue"),
        (7, "customer_code"),
        (8, "service_min"),
        (9, "hours_mon..hours_sun"),
    }
    assert "swapped" in where[(3, "lat")]
    assert "repeats row 3" in where[(7, "customer_code")]
    assert "ends before it starts" in where[(6, "hours_tue")]
    assert outlets(client) == before


def test_a_code_of_another_office_or_a_rep_of_another_office_is_refused(
    client: TestClient, office: dict, rep: dict
) -> None:
    other = client.post("/offices", json={"code": "SH-MH", "name": "Minhang", "lon": 121.38, "lat": 31.11}).json()
    assert upload(client, office, "outlets.csv", csv_bytes([row("SH001")])).status_code == 200
    response = upload(client, other, "outlets.csv", csv_bytes([row("SH001", rep_code=""), row("SH002")]))
    assert response.status_code == 422
    where = {(e["loc"][2], e["loc"][3]): e["msg"] for e in response.json()["detail"]}
    assert "another office" in where[(2, "customer_code")]
    assert "another office" in where[(3, "rep_code")]
    assert list(outlets(client)) == ["SH001"]


def test_xlsx_with_numeric_cells_is_imported(client: TestClient, office: dict, rep: dict) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append([100234, "Family Mart", "", "convenience", 121.531, 31.229, 10, 8, "R01", *["07:00-23:00"] * 7])
    sheet.append([None] * len(COLUMNS))  # a blank line left in the sheet
    sheet.append(["SH002", "Wang's kiosk", "", "kiosk", 121.54, 31.23, 5, 12, "R01", *["06:00-20:00"] * 6, "closed"])
    data = io.BytesIO()
    workbook.save(data)
    response = upload(client, office, "outlets.xlsx", data.getvalue())
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    stored = outlets(client)
    assert (stored["100234"]["service_min"], stored["100234"]["visits_per_cycle"]) == (10, 8)
    assert stored["SH002"]["opening_hours"]["sun"] == []


def test_xlsx_errors_carry_the_sheet_row_number(client: TestClient, office: dict, rep: dict) -> None:
    workbook = Workbook()
    workbook.active.append(COLUMNS)
    workbook.active.append(["SH001", "ok", "", "kiosk", 121.531, 31.229, 5, 4, "R01", *["08:00-20:00"] * 7])
    workbook.active.append(["SH002", "bad", "", "kiosk", 121.531, 31.229, 5, 5, "R01", *["08:00-20:00"] * 7])
    data = io.BytesIO()
    workbook.save(data)
    response = upload(client, office, "outlets.xlsx", data.getvalue())
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["file", "row", 3, "visits_per_cycle"]]
    assert outlets(client) == {}


def feature(code: str, lon: float, lat: float, **change) -> dict:
    properties = {k: v for k, v in row(code, **change).items() if k not in ("lon", "lat")}
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def test_geojson_points_are_imported_at_their_coordinates(client: TestClient, office: dict, rep: dict) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [feature("SH001", 121.5, 31.2), feature("SH002", 121.6, 31.25, service_min=15)],
    }
    response = upload(client, office, "outlets.geojson", json.dumps(collection).encode())
    assert response.status_code == 200, response.text
    stored = outlets(client)
    assert (stored["SH001"]["lon"], stored["SH001"]["lat"]) == (121.5, 31.2)
    assert stored["SH002"]["service_min"] == 15


def test_geojson_feature_without_a_point_is_named(client: TestClient, office: dict, rep: dict) -> None:
    line = {
        **feature("SH002", 121.6, 31.25),
        "geometry": {"type": "LineString", "coordinates": [[121.6, 31.2], [121.7, 31.3]]},
    }
    collection = {"type": "FeatureCollection", "features": [feature("SH001", 121.5, 31.2), line]}
    response = upload(client, office, "outlets.geojson", json.dumps(collection).encode())
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["file", "row", 2, "geometry"]]
    assert outlets(client) == {}


def test_missing_columns_are_named(client: TestClient, office: dict) -> None:
    response = upload(client, office, "outlets.csv", csv_bytes([row("SH001")], columns=COLUMNS[:-2]))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["file", "columns", "hours_sat"],
        ["file", "columns", "hours_sun"],
    ]


def test_office_id_may_come_as_a_form_field_and_is_required(client: TestClient, office: dict, rep: dict) -> None:
    files = {"file": ("outlets.csv", csv_bytes([row("SH001")]))}
    missing = client.post("/outlets/import", files=files)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "office_id"]
    unknown = client.post("/outlets/import", params={"office_id": 999}, files=files)
    assert unknown.status_code == 422
    assert "office 999 does not exist" in unknown.json()["detail"][0]["msg"]
    response = client.post("/outlets/import", data={"office_id": str(office["id"])}, files=files)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


def test_unreadable_files_are_refused(client: TestClient, office: dict) -> None:
    for filename, data, reason in [
        ("outlets.txt", b"x", "unsupported file type"),
        ("outlets.csv", "customer_code\n".encode("utf-16-le"), "not text in UTF-8"),  # UTF-16 without BOM
        ("outlets.xlsx", b"not a zip", "not a readable XLSX"),
        ("outlets.geojson", b'{"type": "Feature"}', "FeatureCollection"),
    ]:
        response = upload(client, office, filename, data)
        assert response.status_code == 422, filename
        assert reason in response.json()["detail"][0]["msg"], response.json()


def test_baidu_coordinates_are_stored_as_wgs84(client: TestClient, office: dict, rep: dict) -> None:
    files = {"file": ("outlets.csv", csv_bytes([row("SH001", lon="121.5420", lat="31.2330")]))}
    response = client.post(
        "/outlets/import", data={"office_id": str(office["id"]), "coord_system": "bd09"}, files=files
    )
    assert response.status_code == 200, response.text
    stored = outlets(client)["SH001"]
    assert 500 < great_circle_m(stored["lon"], stored["lat"], 121.5420, 31.2330) < 1500  # BD-09 sits ~1 km off
    assert from_wgs84(stored["lon"], stored["lat"], "bd09") == pytest.approx((121.5420, 31.2330), abs=1e-6)


def small_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append(["SH001", "Family Mart", "", "convenience", 121.531, 31.229, 10, 8, "R01", *["07:00-23:00"] * 7])
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def rezipped(xlsx: bytes, change) -> bytes:
    """The workbook with its parts passed through `change(name, bytes) -> bytes` (and any parts it adds)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            target.writestr(part.filename, change(part.filename, source.read(part.filename)))
    return out.getvalue()


def with_shared_strings(xlsx: bytes, strings_xml: bytes) -> bytes:
    """The workbook with a shared-strings part, registered as Excel registers it (openpyxl writes inline strings)."""

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        return data

    out = io.BytesIO(rezipped(xlsx, change))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", strings_xml)
    return out.getvalue()


SST = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_before_it_is_read(
    client: TestClient, office: dict, rep: dict
) -> None:
    # shared strings of one character repeated: 400 MiB that deflate to under a megabyte
    bomb = with_shared_strings(small_workbook(), SST % (b"<si><t>" + b"x" * (400 * 2**20) + b"</t></si>"))
    assert len(bomb) < 2 * 2**20
    response = upload(client, office, "outlets.xlsx", bomb)
    assert response.status_code == 422
    assert "unpacks to" in response.json()["detail"][0]["msg"]
    assert "SH001" not in outlets(client)


def test_a_workbook_of_millions_of_tiny_shared_strings_is_refused_while_they_are_counted(
    client: TestClient, office: dict, rep: dict
) -> None:
    # 6 million one-letter strings: 97 MiB unpacked (under that limit), 250 KB sent; openpyxl would take a minute
    # and half a gigabyte to read them before the first row
    bomb = with_shared_strings(small_workbook(), SST % (b"<si><t>x</t></si>" * 6_000_000))
    assert len(bomb) < 300 * 2**10
    response = upload(client, office, "outlets.xlsx", bomb)
    assert response.status_code == 422
    assert f"more than {imports.MAX_XLSX_SHARED_STRINGS} shared strings" in response.json()["detail"][0]["msg"]
    assert "SH001" not in outlets(client)
    # an ordinary number of them is read
    fine = with_shared_strings(small_workbook(), SST % (b"<si><t>x</t></si>" * 1000))
    assert upload(client, office, "outlets.xlsx", fine).json()["created"] == 1


def test_a_sheet_of_a_million_blank_rows_is_refused_at_the_row_limit(
    client: TestClient, office: dict, rep: dict, monkeypatch
) -> None:
    monkeypatch.setattr(imports, "MAX_XLSX_ROWS", 1000)

    def blank_rows(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            rows = b"".join(b'<row r="%d"/>' % r for r in range(3, 3 + 1_000_000))
            return data.replace(b"</sheetData>", rows + b"</sheetData>")
        return data

    response = upload(client, office, "outlets.xlsx", rezipped(small_workbook(), blank_rows))
    assert response.status_code == 422
    assert "more than 1000 rows, blank ones included" in response.json()["detail"][0]["msg"]
    assert "SH001" not in outlets(client)


def test_a_forged_sheet_dimension_does_not_make_rows_up(client: TestClient, office: dict, rep: dict) -> None:
    def claim_a_million_rows(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:P1000000"', data)
        return data

    response = upload(client, office, "outlets.xlsx", rezipped(small_workbook(), claim_a_million_rows))
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1
