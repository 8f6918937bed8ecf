"""HTTP schemas of the stored entities (XCreate, XUpdate, XPublic), apart from the tables.

The API speaks people's units: times of day as "HH:MM", durations in minutes, opening hours as
{"mon": ["09:30-11:00", "14:00-17:00"], ..., "sun": []}. Tables store seconds (see service/core/tables.py);
service/core/time_of_day.py converts. Field types and their checks live in service/core/fields.py; checks across
fields or against stored rows live in service/master_data/writes.py.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from geo.coords import CoordSystem
from service.core import tables
from service.core.fields import (
    Address,
    Channel,
    Code,
    CoordSystemName,
    Lat,
    Lon,
    LunchMinutes,
    Name,
    Notes,
    OpeningHours,
    Phone,
    RequestModel,
    ServiceMinutes,
    SpeedKmh,
    TimeOfDay,
    TimeZoneName,
    VisitsPerCycle,
    WorkingDays,
)
from service.core.tables import OutletStatus, Place, TravelMode
from service.core.time_of_day import (
    hhmm_of,
    opening_hours_text,
)

_FORBID = ConfigDict(extra="forbid")


def _example(example: dict) -> ConfigDict:
    """A request body's config: unknown fields refused, and the example the API reference shows (the sample
    office, Shanghai Minhang; tests/service/test_api_docs.py posts it)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


_DAILY_7_TO_22 = {day: ["07:00-22:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


# --- office ---------------------------------------------------------------------------------------------------


class OfficeCreate(RequestModel):
    model_config = _example(
        {
            "code": "SH-MH01",
            "name": "上海闵行营业所",
            "lon": 121.3795,
            "lat": 31.1172,
            "timezone": "Asia/Shanghai",
            "shift_start": "08:30",
            "shift_end": "17:30",
            "lunch_earliest": "11:30",
            "lunch_latest": "13:30",
            "lunch_min": 60,
        }
    )
    code: Code = Field(description="the office's code, unique among offices")
    name: Name = Field(description="the office's name as people use it")
    lon: Lon = Field(description="WGS84 longitude of the office (the reps' depot), degrees")
    lat: Lat = Field(description="WGS84 latitude of the office (the reps' depot), degrees")
    timezone: TimeZoneName = Field(
        default="Asia/Shanghai", description="IANA time zone of the office's times of day and dates, e.g. Asia/Shanghai"
    )
    shift_start: TimeOfDay = Field(
        default="08:30", description="reps' default start of the working day, HH:MM office-local"
    )
    shift_end: TimeOfDay = Field(
        default="17:30", description="reps' default end of the working day (back at the end place), HH:MM"
    )
    lunch_earliest: TimeOfDay = Field(
        default="11:30", description="reps' lunch break starts no earlier than this, HH:MM"
    )
    lunch_latest: TimeOfDay = Field(default="13:30", description="reps' lunch break starts no later than this, HH:MM")
    lunch_min: LunchMinutes = Field(default=60, description="length of the reps' lunch break, minutes")


class OfficePublic(BaseModel):
    id: int = Field(description="the office's id")
    code: str = Field(description="the office's code, unique among offices")
    name: str = Field(description="the office's name as people use it")
    lon: float = Field(description="WGS84 longitude of the office (the reps' depot), degrees")
    lat: float = Field(description="WGS84 latitude of the office (the reps' depot), degrees")
    timezone: str = Field(description="IANA time zone of the office's times of day and dates, e.g. Asia/Shanghai")
    shift_start: str = Field(description="reps' default start of the working day, HH:MM office-local")
    shift_end: str = Field(description="reps' default end of the working day (back at the end place), HH:MM")
    lunch_earliest: str = Field(description="reps' lunch break starts no earlier than this, HH:MM")
    lunch_latest: str = Field(description="reps' lunch break starts no later than this, HH:MM")
    lunch_min: int = Field(description="length of the reps' lunch break, minutes")

    @classmethod
    def of(cls, office: tables.Office) -> OfficePublic:
        return cls(
            id=tables.stored_id(office),
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
    model_config = _example({"office_id": 1, "code": "MH-S01", "name": "周建国"})
    office_id: int = Field(description="the office the supervisor works for")
    code: Code = Field(description="the supervisor's code, unique in the office")
    name: Name = Field(description="the supervisor's name")


class SupervisorPublic(BaseModel):
    id: int = Field(description="the supervisor's id")
    office_id: int = Field(description="the office the supervisor works for")
    code: str = Field(description="the supervisor's code, unique in the office")
    name: str = Field(description="the supervisor's name")

    @classmethod
    def of(cls, supervisor: tables.Supervisor) -> SupervisorPublic:
        return cls(
            id=tables.stored_id(supervisor), office_id=supervisor.office_id, code=supervisor.code, name=supervisor.name
        )


# --- rep ------------------------------------------------------------------------------------------------------


class RepUpdate(RequestModel):
    """Fields to change; the shift and lunch are checked together with the stored values."""

    model_config = _example({"shift_start": "09:00", "shift_end": "18:00", "working_days": [0, 1, 2, 3, 4]})
    supervisor_id: int | None = Field(default=None, description="the supervisor whose team the rep moves to")
    name: Name | None = Field(default=None, description="the rep's name")
    start_place: Place | None = Field(
        default=None, description="where the rep's day starts: the office or home (home_lon/home_lat)"
    )
    end_place: Place | None = Field(default=None, description="where the rep's day ends: the office or home")
    home_lon: Lon | None = Field(
        default=None, description="WGS84 longitude of the rep's home, degrees; needed when a day starts or ends at home"
    )
    home_lat: Lat | None = Field(default=None, description="WGS84 latitude of the rep's home, degrees")
    working_days: WorkingDays | None = Field(
        default=None, description="weekdays the rep works, 0 = Monday .. 6 = Sunday"
    )
    shift_start: TimeOfDay | None = Field(
        default=None, description="start of the rep's working day, HH:MM office-local"
    )
    shift_end: TimeOfDay | None = Field(
        default=None, description="end of the rep's working day, back at the end place, HH:MM"
    )
    lunch_earliest: TimeOfDay | None = Field(
        default=None, description="the lunch break starts no earlier than this, HH:MM"
    )
    lunch_latest: TimeOfDay | None = Field(default=None, description="the lunch break starts no later than this, HH:MM")
    lunch_min: LunchMinutes | None = Field(default=None, description="length of the lunch break, minutes")
    travel_mode: TravelMode | None = Field(
        default=None, description="how the rep gets around: walking, ebike (e-bike or scooter) or car"
    )
    speed_kmh: SpeedKmh | None = Field(
        default=None, description="the rep's average travel speed, km/h (default: the travel mode's)"
    )
    started_on: date | None = Field(
        default=None, description="ISO date the rep started in the post (new reps get more ride-alongs)"
    )
    active: bool | None = Field(default=None, description="false once the rep has left: not planned, tokens refused")


class RepCreate(RequestModel):
    """A new rep; shift and lunch left out take the office's defaults."""

    model_config = _example(
        {
            "office_id": 1,
            "supervisor_id": 1,
            "code": "MH-R01",
            "name": "张伟",
            "start_place": "office",
            "end_place": "home",
            "home_lon": 121.3861,
            "home_lat": 31.1105,
            "working_days": [0, 1, 2, 3, 4, 5],
            "shift_start": "08:30",
            "shift_end": "17:30",
            "travel_mode": "ebike",
            "started_on": "2026-09-01",
        }
    )
    office_id: int = Field(description="the office the rep works for")
    supervisor_id: int | None = Field(
        default=None, description="the supervisor whose team the rep is in (null: none yet)"
    )
    code: Code = Field(description="the rep's code (employee number), unique in the office")
    name: Name = Field(description="the rep's name")
    start_place: Place = Field(
        default=Place.OFFICE, description="where the rep's day starts: the office or home (home_lon/home_lat)"
    )
    end_place: Place = Field(default=Place.OFFICE, description="where the rep's day ends: the office or home")
    home_lon: Lon | None = Field(
        default=None, description="WGS84 longitude of the rep's home, degrees; needed when a day starts or ends at home"
    )
    home_lat: Lat | None = Field(default=None, description="WGS84 latitude of the rep's home, degrees")
    working_days: WorkingDays = Field(
        default_factory=lambda: [0, 1, 2, 3, 4, 5], description="weekdays the rep works, 0 = Monday .. 6 = Sunday"
    )
    shift_start: TimeOfDay | None = Field(
        default=None, description="start of the rep's working day, HH:MM office-local (default: the office's)"
    )
    shift_end: TimeOfDay | None = Field(
        default=None, description="end of the rep's working day, back at the end place, HH:MM (default: the office's)"
    )
    lunch_earliest: TimeOfDay | None = Field(
        default=None, description="the lunch break starts no earlier than this, HH:MM (default: the office's)"
    )
    lunch_latest: TimeOfDay | None = Field(
        default=None, description="the lunch break starts no later than this, HH:MM (default: the office's)"
    )
    lunch_min: LunchMinutes | None = Field(
        default=None, description="length of the lunch break, minutes (default: the office's)"
    )
    travel_mode: TravelMode = Field(
        default=TravelMode.EBIKE, description="how the rep gets around: walking, ebike (e-bike or scooter) or car"
    )
    speed_kmh: SpeedKmh | None = Field(
        default=None, description="the rep's average travel speed, km/h (default: the travel mode's)"
    )
    started_on: date | None = Field(
        default=None, description="ISO date the rep started in the post (new reps get more ride-alongs)"
    )


class RepPublic(BaseModel):
    id: int = Field(description="the rep's id")
    office_id: int = Field(description="the office the rep works for")
    supervisor_id: int | None = Field(description="the supervisor whose team the rep is in (null: none yet)")
    code: str = Field(description="the rep's code (employee number), unique in the office")
    name: str = Field(description="the rep's name")
    start_place: Place = Field(description="where the rep's day starts: the office or home (home_lon/home_lat)")
    end_place: Place = Field(description="where the rep's day ends: the office or home")
    home_lon: float | None = Field(
        description="WGS84 longitude of the rep's home, degrees; needed when a day starts or ends at home"
    )
    home_lat: float | None = Field(description="WGS84 latitude of the rep's home, degrees")
    working_days: list[int] = Field(description="weekdays the rep works, 0 = Monday .. 6 = Sunday")
    shift_start: str = Field(description="start of the rep's working day, HH:MM office-local")
    shift_end: str = Field(description="end of the rep's working day, back at the end place, HH:MM")
    lunch_earliest: str = Field(description="the lunch break starts no earlier than this, HH:MM")
    lunch_latest: str = Field(description="the lunch break starts no later than this, HH:MM")
    lunch_min: int = Field(description="length of the lunch break, minutes")
    travel_mode: TravelMode = Field(description="how the rep gets around: walking, ebike (e-bike or scooter) or car")
    speed_kmh: float | None = Field(description="the rep's average travel speed, km/h (null: the travel mode's)")
    started_on: date | None = Field(description="ISO date the rep started in the post (new reps get more ride-alongs)")
    active: bool = Field(description="false once the rep has left: not planned, tokens refused")

    @classmethod
    def of(cls, rep: tables.Rep) -> RepPublic:
        return cls(
            id=tables.stored_id(rep),
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

    model_config = _example(
        {"service_min": 10, "visits_per_cycle": 8, "opening_hours": {**_DAILY_7_TO_22, "sun": ["08:00-21:00"]}}
    )
    name: Name | None = Field(default=None, description="the outlet's shop name")
    address: Address | None = Field(default=None, description="street address, as written on the visit card")
    phone: Phone | None = Field(default=None, description="the shop's phone number, shown to the rep")
    notes: Notes | None = Field(default=None, description="notes for the rep: whom to ask, where the door is...")
    channel: Channel | None = Field(
        default=None, description="the outlet's trade channel: grocery, convenience, supermarket, restaurant..."
    )
    lon: Lon | None = Field(default=None, description="WGS84 longitude, degrees")
    lat: Lat | None = Field(default=None, description="WGS84 latitude, degrees")
    service_min: ServiceMinutes | None = Field(
        default=None, description="time spent in the outlet on each visit, minutes"
    )
    visits_per_cycle: VisitsPerCycle | None = Field(
        default=None, description="visits per 4-week cycle: 1, 2, 4, 8 or 12"
    )
    opening_hours: OpeningHours | None = Field(
        default=None,
        description=(
            "per weekday (mon..sun) the windows a visit may start and end in, HH:MM-HH:MM; a missing day is closed"
        ),
    )
    rep_id: int | None = Field(
        default=None, description="the rep who visits the outlet (null: the next plan or change set assigns one)"
    )
    status: OutletStatus | None = Field(default=None, description="active, or closed (no longer visited)")


class OutletFields(RequestModel):
    """What describes an outlet, whether created here or approved in a change set (service/change_set_schemas)."""

    model_config = _FORBID
    code: Code = Field(description="customer code (客编), unique")
    name: Name = Field(description="the outlet's shop name")
    address: Address = Field(default="", description="street address, as written on the visit card")
    phone: Phone = Field(default="", description="the shop's phone number, shown to the rep")
    notes: Notes = Field(default="", description="notes for the rep: whom to ask, where the door is...")
    channel: Channel = Field(description="the outlet's trade channel: grocery, convenience, supermarket, restaurant...")
    lon: Lon
    lat: Lat
    coord_system: CoordSystemName = CoordSystem.wgs84
    service_min: ServiceMinutes = Field(description="time spent in the outlet on each visit, minutes")
    visits_per_cycle: VisitsPerCycle = Field(description="visits per 4-week cycle")
    opening_hours: OpeningHours = Field(
        description=(
            "per weekday (mon..sun) the windows a visit may start and end in, HH:MM-HH:MM; a missing day is closed"
        )
    )


class OutletCreate(OutletFields):
    model_config = _example(
        {
            "office_id": 1,
            "code": "MH0000123",
            "name": "好德便利店(莘东路)",
            "address": "上海市闵行区莘庄镇莘东路200号",
            "phone": "021-6412 3456",
            "notes": "找王店长；后门进货",
            "channel": "convenience",
            "lon": 121.3832,
            "lat": 31.1139,
            "coord_system": "wgs84",
            "service_min": 8,
            "visits_per_cycle": 4,
            "opening_hours": _DAILY_7_TO_22,
            "rep_id": 1,
        }
    )
    office_id: int = Field(description="the office the outlet belongs to")
    rep_id: int | None = Field(
        default=None, description="the rep who visits the outlet (null: the next plan or change set assigns one)"
    )
    status: OutletStatus = Field(default=OutletStatus.ACTIVE, description="active, or closed (no longer visited)")


class OutletPublic(BaseModel):
    id: int = Field(description="the outlet's id")
    office_id: int = Field(description="the office the outlet belongs to")
    code: str = Field(description="customer code (客编), unique")
    name: str = Field(description="the outlet's shop name")
    address: str = Field(description="street address, as written on the visit card")
    phone: str = Field(description="the shop's phone number, shown to the rep")
    notes: str = Field(description="notes for the rep")
    channel: str = Field(description="the outlet's trade channel: grocery, convenience, supermarket, restaurant...")
    lon: float = Field(description="WGS84 longitude, degrees")
    lat: float = Field(description="WGS84 latitude, degrees")
    service_min: int = Field(description="time spent in the outlet on each visit, minutes")
    visits_per_cycle: int = Field(description="visits per 4-week cycle: 1, 2, 4, 8 or 12")
    opening_hours: dict[str, list[str]] = Field(
        description="per weekday (mon..sun) the windows, HH:MM-HH:MM; an empty list: closed that day"
    )
    rep_id: int | None = Field(
        description="the rep who visits the outlet (null: the next plan or change set assigns one)"
    )
    status: OutletStatus = Field(description="active, or closed (no longer visited)")
    updated_at: datetime = Field(description="when the outlet was last changed (UTC)")

    @classmethod
    def of(cls, outlet: tables.Outlet) -> OutletPublic:
        return cls(
            id=tables.stored_id(outlet),
            office_id=outlet.office_id,
            code=outlet.code,
            name=outlet.name,
            address=outlet.address,
            phone=outlet.phone,
            notes=outlet.notes,
            channel=outlet.channel,
            lon=outlet.lon,
            lat=outlet.lat,
            service_min=outlet.service_s // 60,
            visits_per_cycle=outlet.visits_per_cycle,
            opening_hours=dict(opening_hours_text(outlet.opening_hours).items()),  # str keys, as declared
            rep_id=outlet.rep_id,
            status=outlet.status,
            updated_at=outlet.updated_at,
        )
