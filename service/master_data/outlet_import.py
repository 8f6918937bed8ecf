"""Outlet import: CSV, XLSX or GeoJSON, all rows or none; at most MAX_ITEMS (50,000) rows a file.

Columns (CSV/XLSX header; GeoJSON feature properties, the Point geometry giving lon/lat):
    customer_code, name, address, channel, lon, lat, service_min, visits_per_cycle, rep_code,
    hours_mon, ..., hours_sun, and optionally status (active/closed), phone and notes (for the rep)
An hours cell is windows separated by ";" ("09:30-11:00;14:00-17:00"), or "closed" / empty.

Every row is checked before anything is written; a rejected file raises InvalidInput listing each bad row as
loc ["file", "row", <number>, <column>], the number being the spreadsheet row (header = row 1) or the
GeoJSON feature (first = 1). A customer code already stored for the same office is updated (the monthly
master-data file); one stored for another office is refused.

Text files (CSV, GeoJSON) may be UTF-8 with or without BOM, GB18030 (so GBK and GB2312: what Chinese Excel
writes as "CSV (comma delimited)") or UTF-16 with BOM (Excel's "Unicode text"). The order: a BOM decides; else
strict UTF-8, because CJK text in GBK is practically never valid UTF-8 while UTF-8 CJK text often decodes as
(garbled) GB18030; else strict GB18030. Anything else (UTF-16 without BOM, binary files, cp1252 bytes that are
not GB18030) is refused naming the file and the accepted encodings. cp1252 text that happens to be valid GB18030
cannot be told apart from it and reads as Chinese characters: the name and address checks cannot catch that.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Annotated, Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from pydantic import BeforeValidator, ConfigDict, ValidationError
from sqlmodel import Session

from geo.coords import CoordSystem
from service.core.errors import ErrorDetail, InvalidInput, Loc
from service.core.fields import (
    MAX_ITEMS,
    Address,
    Channel,
    Code,
    Lat,
    Lon,
    Name,
    Notes,
    Phone,
    RequestModel,
    ServiceMinutes,
    VisitsPerCycle,
)
from service.core.i18n import LANGUAGES, messages
from service.core.tables import Office, Outlet, OutletStatus, stored_id, utcnow
from service.core.time_of_day import WEEKDAYS, day_windows_of
from service.master_data import repository
from service.master_data.writes import new_outlet, outlet_problems

HOURS_COLUMNS = tuple(f"hours_{day}" for day in WEEKDAYS)
REQUIRED_COLUMNS = ("customer_code", "name", "channel", "lon", "lat", "service_min", "visits_per_cycle", *HOURS_COLUMNS)
# what a re-import of a stored customer code replaces (its id, code, office and history stay)
_UPDATED_FIELDS = (
    "name",
    "address",
    "phone",
    "notes",
    "channel",
    "lon",
    "lat",
    "service_s",
    "visits_per_cycle",
    "opening_hours",
    "rep_id",
    "status",
)
# where a check on the stored form (service/master_data/writes.py) points, in the file's terms
_COLUMN_OF_FIELD = {"rep_id": "rep_code", "opening_hours": "hours_mon..hours_sun"}
ACCEPTED_ENCODINGS = "UTF-8 (with or without BOM), GB18030/GBK or UTF-16 with BOM"
_C1_CONTROLS = re.compile("[\x80-\x9f]")  # what GB18030's four-byte forms make of stray bytes, never a name


@dataclass(frozen=True)
class FileRow:
    number: int  # what the user sees: spreadsheet row (header = 1) or GeoJSON feature (first = 1)
    values: dict[str, Any]
    read_problems: tuple[tuple[str, str], ...] = ()  # (column, message) found while reading the file


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


# --- reading the file -------------------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes, source: Loc = ("file",)) -> list[FileRow]:
    """The outlet rows of an uploaded file, chosen by its extension (.csv, .xlsx, .geojson or .json)."""
    suffix = PurePath(filename or "").suffix.lower()
    name = PurePath(filename or "").name or "the file"
    if suffix == ".csv":
        columns, rows = _read_csv(name, data, source)
    elif suffix == ".xlsx":
        columns, rows = _read_xlsx(name, data, source)
    elif suffix in (".geojson", ".json"):
        columns, rows = list(REQUIRED_COLUMNS), _read_geojson(name, data, source)  # a feature lacking one: its row
    else:
        raise InvalidInput(f"unsupported file type {suffix or '(none)'!r}: send .csv, .xlsx or .geojson", source)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InvalidInput(
            "required columns are missing",
            details=[ErrorDetail((*source, "columns", c), f"column {c} is missing", "missing") for c in missing],
        )
    if not rows:
        raise InvalidInput(f"{name} has no outlet rows", source)
    return rows


def _header(cells: Iterable[Any]) -> list[str]:
    return [str(c).strip().lower() if c is not None else "" for c in cells]


def _is_blank(cells: Iterable[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def decode_text(name: str, data: bytes, source: Loc) -> str:
    """The text of an uploaded text file, in the first of its possible encodings that reads it strictly (the
    order and why: see the module docstring)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = [("utf-8", data[len(codecs.BOM_UTF8) :])]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", data)]  # the codec reads the BOM for the byte order
    elif b"\x00" in data:  # valid UTF-8, but no text file has NUL: UTF-16 without BOM, or not text at all
        raise InvalidInput(f"{name} contains NUL bytes: it is not text in {ACCEPTED_ENCODINGS}", source)
    else:
        candidates = [("utf-8", data), ("gb18030", data)]
    for encoding, body in candidates:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and not (encoding == "gb18030" and _C1_CONTROLS.search(text)):
            return text
    raise InvalidInput(f"{name} is not text in {ACCEPTED_ENCODINGS}; save it as UTF-8 (Excel: 'CSV UTF-8')", source)


def _too_many_rows(name: str, source: Loc) -> InvalidInput:
    return InvalidInput(f"{name} has more than {MAX_ITEMS} rows, the limit of one import: split it", source)


def _read_csv(name: str, data: bytes, source: Loc) -> tuple[list[str], list[FileRow]]:
    reader = csv.reader(io.StringIO(decode_text(name, data, source), newline=""))
    number = 0  # the last record read (header = 1)
    rows: list[FileRow] = []
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput(f"{name} is empty", source)
        number, columns = 1, _header(header)
        for number, cells in enumerate(reader, start=2):
            if _is_blank(cells):
                continue
            if len(rows) == MAX_ITEMS:
                raise _too_many_rows(name, source)
            rows.append(FileRow(number, dict(zip(columns, cells))))
    except csv.Error as exc:  # a cell over the csv module's field limit, a stray quote at the end...
        raise InvalidInput(f"{name} row {number + 1} is not readable CSV: {exc}", (*source, "row", number + 1)) from exc
    return columns, rows


# What the parts of an XLSX (a zip of XML) may unpack to, together: a sheet of MAX_ITEMS outlets is a few tens of
# MB; a file of shared strings that inflate a thousandfold would otherwise take gigabytes before a row is read.
MAX_XLSX_UNPACKED_BYTES = 100 * 2**20
# Shared strings a workbook may hold: each outlet row has a few texts of its own (code, name, address), channels and
# opening hours repeat. openpyxl reads them all before the first row, at ~14 us and ~90 bytes each, so a 250 KB
# file of six million one-letter strings would otherwise cost a minute and half a gigabyte.
MAX_XLSX_SHARED_STRINGS = 8 * MAX_ITEMS
MAX_XLSX_ROWS = 2 * MAX_ITEMS  # rows read, blank ones included: a sheet may hold millions of empty rows
MAX_XLSX_COLUMNS = 100  # header columns: the import knows 16, a few more are ignored
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def _check_parts(name: str, data: bytes, source: Loc) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_XLSX_UNPACKED_BYTES (the zip's own sizes: reading a
    part stops at its stated size, so a part cannot unpack to more than it says) or that holds more than
    MAX_XLSX_SHARED_STRINGS shared strings (counted as the part streams by, stopping at the limit)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
        if unpacked > MAX_XLSX_UNPACKED_BYTES:
            raise InvalidInput(
                f"{name} unpacks to {unpacked / 2**20:.0f} MiB, more than the "
                f"{MAX_XLSX_UNPACKED_BYTES // 2**20} MiB an import of {MAX_ITEMS} rows needs",
                source,
            )
        with archive.open("[Content_Types].xml") as manifest:
            overrides = ElementTree.parse(manifest).iter(f"{CONTENT_TYPES}Override")
            shared = [
                o.get("PartName", "").lstrip("/") for o in overrides if o.get("ContentType") == SHARED_STRINGS_TYPE
            ]
        for part in set(shared) & set(archive.namelist()):
            count = 0
            with archive.open(part) as strings:
                for _, element in ElementTree.iterparse(strings):
                    if element.tag.endswith("}si") or element.tag == "si":
                        count += 1
                        if count > MAX_XLSX_SHARED_STRINGS:
                            raise InvalidInput(
                                f"{name} holds more than {MAX_XLSX_SHARED_STRINGS} shared strings, "
                                f"more than an import of {MAX_ITEMS} rows needs",
                                source,
                            )
                        element.clear()


def _read_xlsx(name: str, data: bytes, source: Loc) -> tuple[list[str], list[FileRow]]:
    rows: list[FileRow] = []
    try:
        _check_parts(name, data, source)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the stated dimension may claim a million empty rows: read the rows there are
            sheet_rows = sheet.iter_rows(values_only=True)  # read lazily, row by row
            header = next(sheet_rows, None)
            if header is None:
                raise InvalidInput(f"the first worksheet of {name} is empty", source)
            if len(header) > MAX_XLSX_COLUMNS:
                raise InvalidInput(
                    f"the first worksheet of {name} has {len(header)} columns, more than {MAX_XLSX_COLUMNS}", source
                )
            columns = _header(header)
            for number, cells in enumerate(sheet_rows, start=2):
                if number > MAX_XLSX_ROWS:
                    raise InvalidInput(
                        f"the first worksheet of {name} has more than {MAX_XLSX_ROWS} rows, blank "
                        f"ones included: an import takes at most {MAX_ITEMS} outlets",
                        source,
                    )
                if _is_blank(cells):
                    continue
                if len(rows) == MAX_ITEMS:
                    raise _too_many_rows(name, source)
                rows.append(FileRow(number, {c: _cell_text(v) for c, v in zip(columns, cells)}))
        finally:
            workbook.close()
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001  openpyxl on arbitrary bytes fails in many ways (zip, XML, styles...)
        raise InvalidInput(f"{name} is not a readable XLSX workbook: {type(exc).__name__}: {exc}", source) from exc
    return columns, rows


def _cell_text(value: Any) -> Any:
    """Spreadsheet numbers as the text a person typed: 100234.0 -> "100234" (customer codes are often numeric)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _read_geojson(name: str, data: bytes, source: Loc) -> list[FileRow]:
    text = decode_text(name, data, source)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON, or a number of over 4300 digits
        raise InvalidInput(f"{name} is not a readable GeoJSON document: {exc}", source) from exc
    if (
        not isinstance(document, dict)
        or document.get("type") != "FeatureCollection"
        or not isinstance(document.get("features"), list)
    ):
        raise InvalidInput(f"{name}: a GeoJSON FeatureCollection is expected", source)
    if len(document["features"]) > MAX_ITEMS:
        raise _too_many_rows(name, source)
    rows = []
    for number, feature in enumerate(document["features"], start=1):
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry")
        geometry = geometry if isinstance(geometry, dict) else {}
        if not isinstance(properties, dict):
            rows.append(FileRow(number, {}, (("properties", "the feature's properties must be an object"),)))
            continue
        values = dict(properties)
        coordinates = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
            values["lon"], values["lat"] = coordinates[0], coordinates[1]
            rows.append(FileRow(number, values))
        else:
            rows.append(FileRow(number, values, (("geometry", "the feature's geometry must be a Point [lon, lat]"),)))
    return rows


# --- checking one row ---------------------------------------------------------------------------------------------


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _int_text(value: Any) -> Any:
    """Spreadsheets and CSV give "4"; the frequency is checked against its set afterwards."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


@cache
def _channel_names() -> dict[str, str]:
    """Every name a file may give a channel, lower-cased: its code, its name in each language of the pages, and
    the shorter names offices write ("小卖部" is the neighbourhood shop; a school's is "学校小卖部")."""
    names = {channel.value: channel.value for channel in Channel}
    for language in LANGUAGES:
        names.update({name.lower(): code for code, name in messages(language)["channels"].items()})
    names.update(_CHANNEL_SYNONYMS)
    return names


_CHANNEL_SYNONYMS = {
    "小卖部": Channel.GROCERY.value,
    "食杂店": Channel.GROCERY.value,
    "杂货店": Channel.GROCERY.value,
    "餐厅": Channel.RESTAURANT.value,
    "饭店": Channel.RESTAURANT.value,
    "报亭": Channel.KIOSK.value,
    "小摊": Channel.KIOSK.value,
}


def _channel_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    return _channel_names().get(text, text)


_ONE_DIGIT_HOUR = re.compile(r"(?<![\d:])(\d):(?=\d\d)")


def _hours_cell(value: Any) -> list[list[int]]:
    """Windows as offices write them: "7:00-21:00" as "07:00-21:00", several separated by ";" (or "；")."""
    if value is None:
        return []
    if isinstance(value, list):  # GeoJSON may carry the windows as a list
        texts = [str(v) for v in value]
    else:
        text = str(value).strip().replace("；", ";")
        if not text or text.lower() == "closed":
            return []
        texts = [t for t in text.split(";") if t.strip()]
    return day_windows_of([_ONE_DIGIT_HOUR.sub(r"0\1:", t.strip()) for t in texts])


HoursCell = Annotated[list[list[int]], BeforeValidator(_hours_cell)]


def _text_cell(value: object) -> str:
    """An optional text column: an empty cell (or a column the file lacks) is ""; a phone number Excel stored as
    a number keeps its digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class OutletRow(RequestModel):
    """One file row, in the file's column names; its text checked as a request body's (RequestModel)."""

    model_config = ConfigDict(extra="ignore")
    customer_code: Annotated[Code, BeforeValidator(_strip)]
    name: Annotated[Name, BeforeValidator(_strip)]
    address: Annotated[Address, BeforeValidator(_text_cell)] = ""
    phone: Annotated[Phone, BeforeValidator(_text_cell)] = ""
    notes: Annotated[Notes, BeforeValidator(_text_cell)] = ""
    channel: Annotated[Channel, BeforeValidator(_channel_cell)]
    lon: Annotated[Lon, BeforeValidator(_strip)]
    lat: Annotated[Lat, BeforeValidator(_strip)]
    service_min: Annotated[ServiceMinutes, BeforeValidator(_int_text)]
    visits_per_cycle: Annotated[VisitsPerCycle, BeforeValidator(_int_text)]
    rep_code: Annotated[Code | None, BeforeValidator(lambda v: _blank_to_none(_strip(v)))] = None
    status: Annotated[OutletStatus | None, BeforeValidator(lambda v: _blank_to_none(_strip(v)))] = None
    hours_mon: HoursCell
    hours_tue: HoursCell
    hours_wed: HoursCell
    hours_thu: HoursCell
    hours_fri: HoursCell
    hours_sat: HoursCell
    hours_sun: HoursCell

    def opening_hours(self) -> dict[str, list[list[int]]]:
        return {day: getattr(self, f"hours_{day}") for day in WEEKDAYS}


# --- the import -------------------------------------------------------------------------------------------------


class RowProblems:
    """Bad cells of the file, each at ["file", "row", <number>, <column>]."""

    def __init__(self, source: Loc) -> None:
        self.source = source
        self.details: list[ErrorDetail] = []

    def add(self, row: FileRow, column: str, msg: str, kind: str = "value_error") -> None:
        self.details.append(ErrorDetail((*self.source, "row", row.number, column), msg, kind))

    def raise_if_any(self, total_rows: int) -> None:
        if not self.details:
            return
        row_at = len(self.source) + 1
        bad_rows = len({d.loc[row_at] for d in self.details})
        self.details.sort(key=lambda d: d.loc[row_at])  # by row, the order a person fixes the file in
        raise InvalidInput(f"{bad_rows} of {total_rows} rows are invalid; nothing was imported", details=self.details)


def checked_rows(rows: list[FileRow], problems: RowProblems) -> list[tuple[FileRow, OutletRow]]:
    """Rows whose every cell is well-formed, each customer code once (a repeat is a problem of the later row)."""
    checked: list[tuple[FileRow, OutletRow]] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        for column, msg in row.read_problems:
            problems.add(row, column, msg)
        if row.read_problems:
            continue
        try:
            data = OutletRow.model_validate(row.values)
        except ValidationError as exc:
            for e in exc.errors():
                problems.add(row, ".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, "), e["type"])
            continue
        if data.customer_code in first_row_of:
            problems.add(
                row,
                "customer_code",
                f"customer code {data.customer_code} repeats row {first_row_of[data.customer_code]}",
                "duplicate",
            )
            continue
        first_row_of[data.customer_code] = row.number
        checked.append((row, data))
    return checked


def import_outlets(
    session: Session,
    office: Office,
    rows: list[FileRow],
    source: Loc = ("file",),
    coord_system: CoordSystem = CoordSystem.wgs84,
) -> ImportResult:
    """Create or update the outlets of `rows` for `office`, or raise InvalidInput naming every bad row and
    change nothing. Coordinates are in `coord_system` and stored as WGS84. Stages the rows in `session`; the
    caller commits."""
    problems = RowProblems(source)
    checked = checked_rows(rows, problems)
    reps = repository.reps_by_code(session, {d.rep_code for _, d in checked if d.rep_code})
    stored = repository.outlets_by_code(session, [d.customer_code for _, d in checked])

    staged: list[tuple[Outlet | None, Outlet]] = []  # (stored outlet to update or None, the row's values)
    for row, data in checked:
        rep = reps.get(data.rep_code) if data.rep_code else None
        if data.rep_code and rep is None:
            problems.add(row, "rep_code", f"rep {data.rep_code} does not exist")
            continue
        existing = stored.get(data.customer_code)
        if existing is not None and existing.office_id != office.id:
            problems.add(
                row, "customer_code", f"customer code {data.customer_code} belongs to another office", "conflict"
            )
            continue
        outlet = new_outlet(
            office_id=stored_id(office),
            code=data.customer_code,
            name=data.name,
            address=data.address,
            phone=data.phone,
            notes=data.notes,
            channel=data.channel,
            lon=data.lon,
            lat=data.lat,
            coord_system=coord_system,
            service_min=data.service_min,
            visits_per_cycle=data.visits_per_cycle,
            opening_hours_s=data.opening_hours(),
            rep_id=rep.id if rep else None,
            status=data.status or (existing.status if existing else OutletStatus.ACTIVE),
        )
        for field, msg in outlet_problems(outlet, office, rep):
            problems.add(row, _COLUMN_OF_FIELD.get(field, field), msg)
        staged.append((existing, outlet))
    problems.raise_if_any(len(rows))

    for existing, outlet in staged:
        if existing is None:
            session.add(outlet)
        else:
            for field in _UPDATED_FIELDS:
                setattr(existing, field, getattr(outlet, field))
            existing.updated_at = utcnow()
    session.flush()
    created = sum(existing is None for existing, _ in staged)
    return ImportResult(created=created, updated=len(staged) - created)
