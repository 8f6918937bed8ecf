"""Field types of request bodies, forms and parameters: values that can be stored, codes and names, coordinates,
times of day, opening hours, working days, the ids in paths. Checks on one field live here (pydantic names the
field); checks across fields or against stored rows live with the feature (e.g. service/master_data/writes.py)."""

from __future__ import annotations

import math
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, Field, field_validator

from geo.coords import CoordSystem
from service.core.time_of_day import Weekday, day_windows_of, seconds_of

# one upload's rows (service/master_data/outlet_import.py) and one change set's outlet items: the OM file becomes a
# change set
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


# --- times of day and opening hours ------------------------------------------------------------------------


def _check_hhmm(value: str) -> str:
    seconds_of(value)
    return value


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


TimeOfDay = Annotated[str, AfterValidator(_check_hhmm), Field(examples=["08:30"])]
TimeZoneName = Annotated[str, AfterValidator(_check_timezone), Field(max_length=64)]
# Ranges are checked with the office at hand (service/master_data/writes.py), so a swapped pair is called swapped.
Lon = Annotated[float, Field(allow_inf_nan=False, description="WGS84 longitude, degrees, -180..180")]
Lat = Annotated[float, Field(allow_inf_nan=False, description="WGS84 latitude, degrees, -90..90")]
Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^\S(.*\S)?$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Address = Annotated[str, Field(max_length=400)]
Phone = Annotated[str, Field(max_length=40, pattern=r"^[0-9+()\- ]*$", examples=["021-6412 3456"])]
Notes = Annotated[str, Field(max_length=400)]
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


# --- path and query parameters (described once for the API reference) ----------------------------------------

OfficeId = Annotated[int, Path(description="The sales office's id.")]
RepId = Annotated[int, Path(description="The rep's id.")]
PlanId = Annotated[int, Path(description="The plan version's id (a draft or a published plan).")]
JobId = Annotated[int, Path(description="The job's id, as in the Location header of a 202 answer.")]
ChangeSetId = Annotated[int, Path(description="The change set's id.")]
TokenId = Annotated[int, Path(description="The API token's id (not the token itself).")]
SupervisorId = Annotated[int, Path(description="The supervisor's id.")]
OutletCode = Annotated[str, Path(description='The outlet\'s customer code (客编), e.g. "MH0000123".')]
OfficeFilter = Annotated[
    int | None,
    Query(description="Only this office's. Default: the token's office; every office for a global admin."),
]
OfficePage = Annotated[int | None, Query(description="The office whose page this is. Default: the token's office.")]
SupervisorFilter = Annotated[int | None, Query(description="Only the reps of this supervisor's team.")]
