"""HTTP schemas of plans and of the rep's day list. Times of day are office-local: "HH:MM" for people, `*_s`
(seconds since midnight) for programs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from service.core.fields import RequestModel
from service.core.tables import PlanStatus


class PlanCreate(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"office_id": 1, "start_date": "2027-01-04", "weeks": 4, "time_limit_s": 10}]}
    )
    office_id: int = Field(description="the office whose active reps and outlets to plan")
    start_date: date = Field(description="the cycle's first day; must be a Monday")
    weeks: int = Field(default=4, ge=4, le=52, description="cycle length in weeks; a multiple of 4")
    time_limit_s: float | None = Field(default=None, gt=0, le=3600, description="solver time per rep")


class PlanVisitPublic(BaseModel):
    seq: int = Field(description="the visit's number in the rep's day, from 1")
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code (客编)")
    outlet_name: str = Field(description="the outlet's shop name")
    arrival: str = Field(description="arrives at the outlet at, HH:MM office-local")
    start: str = Field(description="service starts at, after any wait for the opening window, HH:MM")
    departure: str = Field(description="leaves the outlet at, HH:MM")
    arrival_s: int = Field(description="arrival, seconds since midnight")
    start_s: int = Field(description="start of service, seconds since midnight")
    departure_s: int = Field(description="departure, seconds since midnight")
    travel_s: int = Field(description="travel time from the previous stop, seconds")
    distance_m: int = Field(description="travel distance from the previous stop, metres")


class PlanDayPublic(BaseModel):
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    day: int = Field(description="day of the cycle, 0 = the cycle's first Monday")
    week: int = Field(description="week of the cycle, from 0")
    weekday: int = Field(description="0 = Monday .. 6 = Sunday")
    start: str = Field(description="leaves the start place at, HH:MM office-local")
    end: str = Field(description="reaches the end place at, HH:MM")
    start_s: int = Field(description="leaves the start place, seconds since midnight")
    end_s: int = Field(description="reaches the end place, seconds since midnight")
    travel_s: int = Field(description="the day's travel time, seconds")
    distance_m: int = Field(description="the day's travel distance, metres")
    service_s: int = Field(description="the day's time in outlets, seconds")
    lunch_start: str | None = Field(description="the lunch break starts at, HH:MM (null: no lunch planned)")
    lunch_start_s: int | None = Field(description="lunch start, seconds since midnight")
    lunch_after_stops: int | None = Field(description="the lunch is taken after this many visits")
    idle_s: int = Field(
        description=(
            "span less travel, service and lunch: waiting for an outlet to open or for the lunch window, seconds"
        )
    )
    visits: list[PlanVisitPublic] = Field(description="the day's visits, in order")


class UnplacedPublic(BaseModel):
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code (客编)")
    outlet_name: str = Field(description="the outlet's shop name")
    rep_id: int | None = Field(description="the outlet's rep (null: none)")
    visits: int = Field(description="visits of the cycle left unplaced")
    reason: str = Field(
        description=(
            "why: no_rep, rep_inactive, no_allowed_pattern, closed_on_pattern_days, no_window_in_shift,"
            " service_longer_than_window, unreachable, capacity or day_full"
        )
    )
    detail: str = Field(description="the reason in words, naming the outlet, rep or window")


class NearbyRoomPublic(BaseModel):
    rep_id: int = Field(description="the nearby rep's id")
    rep_code: str = Field(description="the nearby rep's code")
    room_s: int = Field(description="working time over the cycle the rep's plan leaves free")
    distance_m: int = Field(description="from the nearest left-out outlet to the rep's nearest outlet")


class DayFullPublic(BaseModel):
    rep_id: int = Field(description="the rep whose days are full")
    rep_code: str = Field(description="that rep's code")
    outlets: int = Field(description="outlets of the rep left out because its days are full")
    visits: int = Field(description="visits of those outlets left out over the cycle")
    nearby_reps_with_room: list[NearbyRoomPublic] = Field(
        description="reps near the left-out outlets with free time, nearest first"
    )


class RoomForUnplacedPublic(BaseModel):
    reps: list[DayFullPublic] = Field(description="per rep with full days: what is left out and who has room nearby")
    proposal: dict = Field(
        description="the territory proposal that places every visit moving the fewest outlets: method, href, body"
    )


class PlanSummary(BaseModel):
    id: int = Field(description="the plan version's id")
    office_id: int = Field(description="the office planned")
    start_date: date = Field(description="the cycle's first day (a Monday), ISO date")
    weeks: int = Field(description="cycle length in weeks")
    status: PlanStatus = Field(description="draft, published (the one the reps follow) or superseded")
    created_at: datetime = Field(description="when the plan was made (UTC)")
    published_at: datetime | None = Field(description="when it was published (UTC); null for a draft")
    coverage: float = Field(description="share of the cycle's required visits placed, 0..1")
    unplaced_visits: int = Field(description="required visits of the cycle left unplaced")


class PlanPublic(BaseModel):
    id: int = Field(description="the plan version's id")
    office_id: int = Field(description="the office planned")
    start_date: date = Field(description="the cycle's first day (a Monday), ISO date")
    weeks: int = Field(description="cycle length in weeks")
    status: PlanStatus = Field(description="draft, published (the one the reps follow) or superseded")
    based_on_id: int | None = Field(description="the version this one was made from (a change set's base)")
    change_set_id: int | None = Field(description="the change set that made this version")
    created_by: str = Field(description="who asked for the plan or the change set")
    created_at: datetime = Field(description="when the plan was made (UTC)")
    published_at: datetime | None = Field(description="when it was published (UTC); null for a draft")
    time_limit_s: float = Field(description="solver time per rep, seconds")
    kpis: dict = Field(
        description=(
            "coverage, visits per day, travel and workload per rep and day, balance, unplaced visits by reason"
        )
    )
    days: list[PlanDayPublic] = Field(description="every rep's working days of the cycle with their visits")
    unplaced: list[UnplacedPublic] = Field(description="outlets with visits left out, and why")
    room_for_unplaced: RoomForUnplacedPublic | None = Field(
        default=None, description="when outlets are left out for day_full: nearby reps with room, and the proposal"
    )
