"""Property tests of the outlet import through HTTP: random bytes, mutated CSV/XLSX/GeoJSON files, cells of any
text or type, any encoding. Every upload is either imported or refused with a 422 naming the file, a row and a
column, or the missing columns; a refused file writes nothing; no exception escapes (the TestClient re-raises).
Derandomised: CI runs the same examples every time."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests.service.test_outlet_import import COLUMNS, csv_bytes, row, upload

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALID_ROWS = [row("SH001"), row("SH002", name="Café ☕", rep_code=""), row("SH003", hours_sun="closed")]
ENCODINGS = [
    "utf-8",
    "utf-8-sig",
    "gbk",
    "gb18030",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "cp1252",
    "latin-1",
    "shift_jis",
    "big5",
]

cell_values = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.integers(),
    st.floats(),
    st.none(),
    st.booleans(),
    st.sampled_from(
        [
            "",
            " ",
            "closed",
            "09:00-12:00;11:00-13:00",
            "24:00-25:00",
            "nan",
            "1e999",
            "-0",
            "=1+1",
            "\u0000",
            "R01",
            "R99",
            "12",
            "８",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def outlets_stored(client: TestClient) -> int:
    return int(client.get("/outlets", params={"limit": 1}).headers["x-total-count"])


def assert_clean(client: TestClient, office: dict, filename: str, data: bytes) -> None:
    before = outlets_stored(client)
    response = upload(client, office, filename, data)
    if response.status_code == 200:
        report = response.json()
        assert outlets_stored(client) == before + report["created"]
        return
    assert response.status_code == 422, response.text
    details = response.json()["detail"]
    assert details
    for detail in details:
        loc, msg = detail["loc"], detail["msg"]
        assert loc[0] == "file" and msg, detail
        if len(loc) == 1:  # about the whole file: it says which
            assert filename in msg or "file type" in msg, detail
        else:
            assert (loc[1] == "row" and isinstance(loc[2], int) and isinstance(loc[3], str)) or loc[1] == "columns"
    assert outlets_stored(client) == before


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """`data` with a few random edits: bytes flipped, inserted, deleted, repeated, or cut short."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        edit = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        if edit == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif edit == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def geojson_bytes(rows: list[dict]) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
            "properties": {k: v for k, v in r.items() if k not in ("lon", "lat")},
        }
        for r in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


VALID = {
    "outlets.csv": csv_bytes(VALID_ROWS),
    "outlets.xlsx": xlsx_bytes([COLUMNS] + [[r[c] for c in COLUMNS] for r in VALID_ROWS]),
    "outlets.geojson": geojson_bytes(VALID_ROWS),
}


def test_the_unmutated_files_import(client: TestClient, office: dict, rep: dict) -> None:
    for filename, data in VALID.items():
        response = upload(client, office, filename, data)
        assert response.status_code == 200, response.text


@FUZZ
@given(filename=st.sampled_from([*VALID, "outlets.json", "outlets.CSV", "outlets"]), data=st.binary(max_size=2000))
def test_random_bytes(client: TestClient, office: dict, rep: dict, filename: str, data: bytes) -> None:
    assert_clean(client, office, filename, data)


@FUZZ
@given(st.data())
def test_mutated_files(client: TestClient, office: dict, rep: dict, data: st.DataObject) -> None:
    filename = data.draw(st.sampled_from(list(VALID)))
    assert_clean(client, office, filename, data.draw(mutated(VALID[filename])))


@FUZZ
@given(
    encoding=st.sampled_from(ENCODINGS),
    bom=st.booleans(),
    cells=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(COLUMNS), st.text(max_size=20)), max_size=3),
)
def test_any_text_in_any_encoding(
    client: TestClient, office: dict, rep: dict, encoding: str, bom: bool, cells: list[tuple[int, str, str]]
) -> None:
    rows = [dict(r) for r in VALID_ROWS]
    for index, column, text in cells:
        rows[index][column] = text
    body = csv_bytes(rows).decode("utf-8")
    data = (("\ufeff" if bom else "") + body).encode(encoding, errors="replace")
    assert_clean(client, office, "outlets.csv", data)


@FUZZ
@given(
    cells=st.lists(st.tuples(st.integers(0, 2), st.integers(0, len(COLUMNS) - 1), cell_values), max_size=4),
    header=st.lists(st.one_of(st.sampled_from(COLUMNS), st.text(max_size=8), st.none()), max_size=3),
)
def test_workbook_cells_of_any_type(client: TestClient, office: dict, rep: dict, cells: list, header: list) -> None:
    sheet = [list(COLUMNS) + header] + [[r[c] for c in COLUMNS] for r in VALID_ROWS]
    for index, column, value in cells:
        sheet[index + 1][column] = value
    writable = [[ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in line] for line in sheet]
    assert_clean(client, office, "outlets.xlsx", xlsx_bytes(writable))  # openpyxl writes no control characters


@FUZZ
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["Feature", "Point"]) | json_values,
                "geometry": st.fixed_dictionaries({"type": st.just("Point"), "coordinates": json_values}) | json_values,
                "properties": st.dictionaries(st.sampled_from(COLUMNS), cell_values | json_values, max_size=3).map(
                    lambda changed: {c: v for c, v in VALID_ROWS[0].items() if c not in ("lon", "lat")} | changed
                )
                | json_values,
            },
        ),
        max_size=3,
    )
)
def test_geojson_of_any_shape(client: TestClient, office: dict, rep: dict, features: list) -> None:
    document = {"type": "FeatureCollection", "features": features}
    assert_clean(client, office, "outlets.geojson", json.dumps(document).encode())
