"""HTTP schemas of plans and of the rep's day list. Times of day are office-local: "HH:MM" for people, `*_s`
(seconds since midnight) for programs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from service.core.fields import RequestModel
from service.core.tables import PlanStatus


class PlanCreate(RequestModel):
    office_id: int
    start_date: date = Field(description="the cycle's first day; must be a Monday")
    weeks: int = Field(default=4, ge=4, le=52, description="cycle length in weeks; a multiple of 4")
    time_limit_s: float | None = Field(default=None, gt=0, le=3600, description="solver time per rep")


class PlanVisitPublic(BaseModel):
    seq: int
    outlet_id: int
    outlet_code: str
    outlet_name: str
    arrival: str
    start: str  # service starts, after any wait for the opening window
    departure: str
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int  # from the previous stop
    distance_m: int


class PlanDayPublic(BaseModel):
    rep_id: int
    rep_code: str
    day: int  # 0 = the cycle's first Monday
    week: int
    weekday: int  # 0 = Monday
    start: str  # leaves the start place
    end: str  # reaches the end place
    start_s: int
    end_s: int
    travel_s: int
    distance_m: int
    service_s: int
    lunch_start: str | None
    lunch_start_s: int | None
    lunch_after_stops: int | None
    idle_s: int  # span less travel, service and lunch: waiting for an outlet to open or for the lunch window
    visits: list[PlanVisitPublic]


class UnplacedPublic(BaseModel):
    outlet_id: int
    outlet_code: str
    outlet_name: str
    rep_id: int | None
    visits: int  # visits of the cycle left unplaced
    reason: str
    detail: str


class NearbyRoomPublic(BaseModel):
    rep_id: int
    rep_code: str
    room_s: int = Field(description="working time over the cycle the rep's plan leaves free")
    distance_m: int = Field(description="from the nearest left-out outlet to the rep's nearest outlet")


class DayFullPublic(BaseModel):
    rep_id: int
    rep_code: str
    outlets: int = Field(description="outlets of the rep left out because its days are full")
    visits: int
    nearby_reps_with_room: list[NearbyRoomPublic]


class RoomForUnplacedPublic(BaseModel):
    reps: list[DayFullPublic]
    proposal: dict = Field(
        description="the territory proposal that places every visit moving the fewest outlets: method, href, body"
    )


class PlanSummary(BaseModel):
    id: int
    office_id: int
    start_date: date
    weeks: int
    status: PlanStatus
    created_at: datetime
    published_at: datetime | None
    coverage: float
    unplaced_visits: int


class PlanPublic(BaseModel):
    id: int
    office_id: int
    start_date: date
    weeks: int
    status: PlanStatus
    based_on_id: int | None  # the version this one was made from (a change set's base)
    change_set_id: int | None
    created_by: str
    created_at: datetime
    published_at: datetime | None
    time_limit_s: float
    kpis: dict
    days: list[PlanDayPublic]
    unplaced: list[UnplacedPublic]
    room_for_unplaced: RoomForUnplacedPublic | None = Field(
        default=None, description="when outlets are left out for day_full: nearby reps with room, and the proposal"
    )
