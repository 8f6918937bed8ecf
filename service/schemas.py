"""HTTP schemas of the stored entities (XCreate, XUpdate, XPublic), apart from the tables.

The API speaks people's units: times of day as "HH:MM", durations in minutes, opening hours as
{"mon": ["09:30-11:00", "14:00-17:00"], ..., "sun": []}. Tables store seconds (see service/tables.py); the
helpers below convert. Checks on one field live here (pydantic names the field); checks across fields or
against stored rows live in service/master_data.py.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from geo.coords import CoordSystem
from service import tables
from service.tables import OutletStatus, Place, TravelMode

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = weekday (0 = Monday)
DAY_S = 24 * 3600

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# one upload's rows (service/imports.py) and one change set's outlet items: the OM file becomes a change set
MAX_ITEMS = 50_000
MAX_REPS = 1_000  # rep-level items of a change set (reps leaving, new reps)
MAX_WINDOWS = 12  # opening windows of one weekday


class Channel(StrEnum):
    GROCERY = "grocery"
    CONVENIENCE = "convenience"
    SUPERMARKET = "supermarket"
    RESTAURANT = "restaurant"
    SCHOOL_SHOP = "school_shop"
    INTERNET_CAFE = "internet_cafe"
    KIOSK = "kiosk"
    WHOLESALE = "wholesale"


# --- values that can be stored ------------------------------------------------------------------------------

DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1  # BIGINT; SQLite's INTEGER


def unstorable(value: Any) -> str | None:
    """Why `value` (or a string or integer anywhere inside its lists and dicts) cannot be stored or looked up,
    else None. PostgreSQL's text refuses NUL; a lone surrogate (JSON's "\\ud800") is not Unicode text, so no
    database driver can encode it; integers are 64-bit in both databases; numbers are finite. Everything else in
    text (CJK, emoji and their ZWJ sequences, RTL, combining marks) is kept as sent."""
    pending = [value]
    while pending:  # a loop, not recursion: a polygon may nest deeper than the stack
        item = pending.pop()
        if isinstance(item, int) and not isinstance(item, bool) and not DB_INT_MIN <= item <= DB_INT_MAX:
            return f"must be within {DB_INT_MIN}..{DB_INT_MAX}"
        if isinstance(item, float) and not math.isfinite(item):  # JSON's NaN, Infinity, or 1e309
            return f"must be a finite number, not {item}"
        if isinstance(item, str):
            if "\x00" in item:
                return "must not contain the NUL character (\\u0000)"
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return "must not contain a lone surrogate (\\ud800-\\udfff): it is not Unicode text"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(item)
    return None


def _check_storable(value: Any) -> Any:
    problem = unstorable(value)
    if problem:
        raise ValueError(problem)
    return value


# a form field or query parameter that is stored or looked up (request bodies inherit RequestModel instead)
StorableText = Annotated[str, AfterValidator(_check_storable)]


class RequestModel(BaseModel):
    """Base of every request body: every field's values (nested models check their own) must be storable, so a
    NUL, a lone surrogate or a 20-digit id is a 422 naming the field, never a database error. One validator for
    all fields, present and future."""

    @field_validator("*")
    @classmethod
    def _storable_values(cls, value: Any) -> Any:
        return _check_storable(value)


# --- times of day -------------------------------------------------------------------------------------------


def seconds_of(hhmm: str, *, allow_midnight_end: bool = False) -> int:
    """Seconds since midnight of "HH:MM"; "24:00" only where an end of day is meant."""
    if allow_midnight_end and hhmm == "24:00":
        return DAY_S
    match = _HHMM.match(hhmm)
    if not match:
        raise ValueError(f"time must be HH:MM (00:00-23:59), not {hhmm!r}")
    return int(match[1]) * 3600 + int(match[2]) * 60


def hhmm_of(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _check_hhmm(value: str) -> str:
    seconds_of(value)
    return value


def window_of(text: str) -> tuple[int, int]:
    """(start_s, end_s) of an opening window "HH:MM-HH:MM"; it must end after it starts."""
    parts = text.strip().split("-")
    if len(parts) != 2:
        raise ValueError(f"opening window must be HH:MM-HH:MM, not {text!r}")
    start_s = seconds_of(parts[0].strip())
    end_s = seconds_of(parts[1].strip(), allow_midnight_end=True)
    if end_s <= start_s:
        raise ValueError(f"opening window {text.strip()} ends before it starts")
    return start_s, end_s


def day_windows_of(texts: list[str]) -> list[list[int]]:
    """One weekday's windows in seconds, sorted; overlapping windows are refused (touching ones are fine)."""
    windows = sorted(window_of(t) for t in texts)
    for (start_a, end_a), (start_b, end_b) in zip(windows, windows[1:]):
        if start_b < end_a:
            raise ValueError(
                f"opening windows {hhmm_of(start_a)}-{hhmm_of(end_a)} and {hhmm_of(start_b)}-{hhmm_of(end_b)} overlap"
            )
    return [[start_s, end_s] for start_s, end_s in windows]


def _check_day_windows(texts: list[str]) -> list[str]:
    day_windows_of(texts)
    return texts


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _check_timezone(name: str) -> str:
    # the IANA list, not ZoneInfo(name): ZoneInfo also opens files such as "posixrules" or "localtime"
    if name not in _iana_zones():
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)")
    return name


def _check_working_days(days: list[int]) -> list[int]:
    if not days:
        raise ValueError("a rep works on at least one weekday")
    if len(set(days)) != len(days):
        raise ValueError("working days repeat a weekday")
    return sorted(days)


def opening_hours_seconds(hours: dict[str, list[str]]) -> dict[str, list[list[int]]]:
    """API opening hours -> stored form, every weekday present (a missing day is closed)."""
    return {day: day_windows_of(hours.get(day, [])) for day in WEEKDAYS}


def opening_hours_text(stored: dict[str, list[list[int]]]) -> dict[str, list[str]]:
    return {day: [f"{hhmm_of(s)}-{hhmm_of(e)}" for s, e in stored.get(day, [])] for day in WEEKDAYS}


TimeOfDay = Annotated[str, AfterValidator(_check_hhmm), Field(examples=["08:30"])]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone), Field(max_length=64)]
# Ranges are checked with the office at hand (service/master_data.py), so a swapped pair is called swapped.
Lon = Annotated[float, Field(allow_inf_nan=False, description="WGS84 longitude, degrees, -180..180")]
Lat = Annotated[float, Field(allow_inf_nan=False, description="WGS84 latitude, degrees, -90..90")]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^\S(.*\S)?$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Address = Annotated[str, Field(max_length=400)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DayWindows = Annotated[list[str], Field(max_length=MAX_WINDOWS), AfterValidator(_check_day_windows)]
OpeningHours = Annotated[
    dict[Weekday, DayWindows],
    Field(
        examples=[{"mon": ["09:30-11:00", "14:00-17:00"], "tue": [], "sun": []}], description="a missing day is closed"
    ),
]
WorkingDays = Annotated[
    list[Annotated[int, Field(ge=0, le=6)]],
    AfterValidator(_check_working_days),
    Field(max_length=7, description="weekdays worked, 0 = Monday"),
]
LunchMinutes = Annotated[int, Field(ge=1, le=240)]
ServiceMinutes = Annotated[int, Field(ge=1, le=600)]
VisitsPerCycle = Literal[1, 2, 4, 8, 12]
SpeedKmh = Annotated[float, Field(gt=0, le=120)]
CoordSystemName = Annotated[
    CoordSystem,
    Field(
        description="system of lon/lat as given: wgs84 (GPS), gcj02 (AMap, Tencent) or bd09 (Baidu); stored as WGS84"
    ),
]

_FORBID = ConfigDict(extra="forbid")


# --- office ---------------------------------------------------------------------------------------------------


class OfficeCreate(RequestModel):
    model_config = _FORBID
    code: Code
    name: Name
    lon: Lon
    lat: Lat
    timezone: TimeZoneName = "Asia/Shanghai"
    shift_start: TimeOfDay = "08:30"
    shift_end: TimeOfDay = "17:30"
    lunch_earliest: TimeOfDay = "11:30"
    lunch_latest: TimeOfDay = "13:30"
    lunch_min: LunchMinutes = 60


class OfficePublic(BaseModel):
    id: int
    code: str
    name: str
    lon: float
    lat: float
    timezone: str
    shift_start: str
    shift_end: str
    lunch_earliest: str
    lunch_latest: str
    lunch_min: int

    @classmethod
    def of(cls, office: tables.Office) -> OfficePublic:
        return cls(
            id=office.id,
            code=office.code,
            name=office.name,
            lon=office.lon,
            lat=office.lat,
            timezone=office.timezone,
            shift_start=hhmm_of(office.shift_start_s),
            shift_end=hhmm_of(office.shift_end_s),
            lunch_earliest=hhmm_of(office.lunch_earliest_s),
            lunch_latest=hhmm_of(office.lunch_latest_s),
            lunch_min=office.lunch_s // 60,
        )


# --- supervisor -----------------------------------------------------------------------------------------------


class SupervisorCreate(RequestModel):
    model_config = _FORBID
    office_id: int
    code: Code
    name: Name


class SupervisorPublic(BaseModel):
    id: int
    office_id: int
    code: str
    name: str

    @classmethod
    def of(cls, supervisor: tables.Supervisor) -> SupervisorPublic:
        return cls(id=supervisor.id, office_id=supervisor.office_id, code=supervisor.code, name=supervisor.name)


# --- rep ------------------------------------------------------------------------------------------------------


class RepUpdate(RequestModel):
    """Fields to change; the shift and lunch are checked together with the stored values."""

    model_config = _FORBID
    supervisor_id: int | None = None
    name: Name | None = None
    start_place: Place | None = None
    end_place: Place | None = None
    home_lon: Lon | None = None
    home_lat: Lat | None = None
    working_days: WorkingDays | None = None
    shift_start: TimeOfDay | None = None
    shift_end: TimeOfDay | None = None
    lunch_earliest: TimeOfDay | None = None
    lunch_latest: TimeOfDay | None = None
    lunch_min: LunchMinutes | None = None
    travel_mode: TravelMode | None = None
    speed_kmh: SpeedKmh | None = None
    started_on: date | None = None
    active: bool | None = None


class RepCreate(RequestModel):
    """A new rep; shift and lunch left out take the office's defaults."""

    model_config = _FORBID
    office_id: int
    supervisor_id: int | None = None
    code: Code
    name: Name
    start_place: Place = Place.OFFICE
    end_place: Place = Place.OFFICE
    home_lon: Lon | None = None
    home_lat: Lat | None = None
    working_days: WorkingDays = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5])
    shift_start: TimeOfDay | None = None
    shift_end: TimeOfDay | None = None
    lunch_earliest: TimeOfDay | None = None
    lunch_latest: TimeOfDay | None = None
    lunch_min: LunchMinutes | None = None
    travel_mode: TravelMode = TravelMode.EBIKE
    speed_kmh: SpeedKmh | None = None
    started_on: date | None = None


class RepPublic(BaseModel):
    id: int
    office_id: int
    supervisor_id: int | None
    code: str
    name: str
    start_place: Place
    end_place: Place
    home_lon: float | None
    home_lat: float | None
    working_days: list[int]
    shift_start: str
    shift_end: str
    lunch_earliest: str
    lunch_latest: str
    lunch_min: int
    travel_mode: TravelMode
    speed_kmh: float | None
    started_on: date | None
    active: bool

    @classmethod
    def of(cls, rep: tables.Rep) -> RepPublic:
        return cls(
            id=rep.id,
            office_id=rep.office_id,
            supervisor_id=rep.supervisor_id,
            code=rep.code,
            name=rep.name,
            start_place=rep.start_place,
            end_place=rep.end_place,
            home_lon=rep.home_lon,
            home_lat=rep.home_lat,
            working_days=list(rep.working_days),
            shift_start=hhmm_of(rep.shift_start_s),
            shift_end=hhmm_of(rep.shift_end_s),
            lunch_earliest=hhmm_of(rep.lunch_earliest_s),
            lunch_latest=hhmm_of(rep.lunch_latest_s),
            lunch_min=rep.lunch_s // 60,
            travel_mode=rep.travel_mode,
            speed_kmh=rep.speed_kmh,
            started_on=rep.started_on,
            active=rep.active,
        )


# --- outlet ---------------------------------------------------------------------------------------------------


class OutletUpdate(RequestModel):
    """Fields to change; the customer code and the office stay. lon/lat here are WGS84."""

    model_config = _FORBID
    name: Name | None = None
    address: Address | None = None
    channel: Channel | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    service_min: ServiceMinutes | None = None
    visits_per_cycle: VisitsPerCycle | None = None
    opening_hours: OpeningHours | None = None
    rep_id: int | None = None
    status: OutletStatus | None = None


class OutletFields(RequestModel):
    """What describes an outlet, whether created here or approved in a change set (service/change_set_schemas)."""

    model_config = _FORBID
    code: Code = Field(description="customer code (客编), unique")
    name: Name
    address: Address = ""
    channel: Channel
    lon: Lon
    lat: Lat
    coord_system: CoordSystemName = CoordSystem.wgs84
    service_min: ServiceMinutes
    visits_per_cycle: VisitsPerCycle = Field(description="visits per 4-week cycle")
    opening_hours: OpeningHours


class OutletCreate(OutletFields):
    office_id: int
    rep_id: int | None = None
    status: OutletStatus = OutletStatus.ACTIVE


class OutletPublic(BaseModel):
    id: int
    office_id: int
    code: str
    name: str
    address: str
    channel: str
    lon: float
    lat: float
    service_min: int
    visits_per_cycle: int
    opening_hours: dict[str, list[str]]
    rep_id: int | None
    status: OutletStatus
    updated_at: datetime

    @classmethod
    def of(cls, outlet: tables.Outlet) -> OutletPublic:
        return cls(
            id=outlet.id,
            office_id=outlet.office_id,
            code=outlet.code,
            name=outlet.name,
            address=outlet.address,
            channel=outlet.channel,
            lon=outlet.lon,
            lat=outlet.lat,
            service_min=outlet.service_s // 60,
            visits_per_cycle=outlet.visits_per_cycle,
            opening_hours=opening_hours_text(outlet.opening_hours),
            rep_id=outlet.rep_id,
            status=outlet.status,
            updated_at=outlet.updated_at,
        )
