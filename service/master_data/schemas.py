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
    OpeningHours,
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
        return cls(
            id=tables.stored_id(supervisor), office_id=supervisor.office_id, code=supervisor.code, name=supervisor.name
        )


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
            id=tables.stored_id(outlet),
            office_id=outlet.office_id,
            code=outlet.code,
            name=outlet.name,
            address=outlet.address,
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
