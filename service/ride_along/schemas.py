"""HTTP schemas of the supervisor's ride-along week and of an office's ride-along settings."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from service.core import tables
from service.core.fields import RequestModel, TimeOfDay
from service.core.tables import TravelMode
from service.core.time_of_day import hhmm_of
from service.ride_along.reasons import Reason


class RideAlongSettingsUpdate(RequestModel):
    """Fields to change; the others keep their stored (or default) values. None of them can be removed, so null
    is refused (a left-out field keeps its value: the defaults below are never stored)."""

    model_config = ConfigDict(extra="forbid")
    # A None default is pydantic's "optional, not nullable" (defaults are not validated); mypy reads it as a value.
    morning_end: TimeOfDay = Field(default=None, description="the supervisor leaves the rep's route by then")  # type: ignore[assignment]
    coaching_min: int = Field(default=None, ge=0, le=120, description="added at every demonstrated outlet")  # type: ignore[assignment]
    demonstrate_every: int = Field(default=None, ge=1, le=20, description="demonstrate at every n-th outlet")  # type: ignore[assignment]
    meeting: TimeOfDay = Field(default=None, description="the evening meeting at the office")  # type: ignore[assignment]
    period_weeks: int = Field(default=None, ge=1, le=8, description="every rep ridden with once per period")  # type: ignore[assignment]
    spot_check_min: int = Field(default=None, ge=1, le=120)  # type: ignore[assignment]
    supervisor_travel_mode: TravelMode = None  # type: ignore[assignment]
    new_rep_days: int = Field(default=None, ge=0, le=3650, description="in post fewer days: a new rep")  # type: ignore[assignment]


class RideAlongSettingsPublic(BaseModel):
    office_id: int
    morning_end: str
    coaching_min: int
    demonstrate_every: int
    meeting: str
    period_weeks: int
    spot_check_min: int
    supervisor_travel_mode: str
    new_rep_days: int

    @classmethod
    def of(cls, s: tables.RideAlongSettings) -> RideAlongSettingsPublic:
        return cls(
            office_id=s.office_id,
            morning_end=hhmm_of(s.morning_end_s),
            coaching_min=s.coaching_s // 60,
            demonstrate_every=s.demonstrate_every,
            meeting=hhmm_of(s.meeting_s),
            period_weeks=s.period_weeks,
            spot_check_min=s.spot_check_s // 60,
            supervisor_travel_mode=s.supervisor_travel_mode,
            new_rep_days=s.new_rep_days,
        )


class MorningStopPublic(BaseModel):
    seq: int  # the rep's sequence number (day list, map and visit card)
    outlet_id: int
    outlet_code: str
    outlet_name: str
    planned_start: str  # as published
    arrival: str
    start: str
    departure: str
    start_s: int
    departure_s: int
    opening_hours: list[str]  # that day's windows
    with_supervisor: bool
    coaching: bool  # the supervisor demonstrates here
    coaching_min: int
    coaching_dropped: bool  # due here, but it would have made a later visit miss its window or the shift
    fits: bool  # starts and ends inside an opening window


class LeavePublic(BaseModel):
    after_seq: int  # the supervisor leaves after this stop (0: never joined the route)
    outlet_code: str | None
    lon: float
    lat: float
    time: str
    time_s: int


class MorningPublic(BaseModel):
    meets_rep_at: str  # "office" or "first stop" (the rep starts from home)
    stops: list[MorningStopPublic]  # the rep's whole day, re-timed with the coaching
    leave: LeavePublic
    rep_lunch_start: str | None
    rep_day_end: str
    rep_day_feasible: bool
    notes: list[Reason]  # what the morning brings and what it could not


class ValueParts(BaseModel):
    """Why an outlet was checked, in points (one point = one minute of supervisor travel)."""

    delivery: int  # every order delivered within 24 hours is worth checking
    big_account: int  # supermarket or wholesale
    high_frequency: int  # visited at least twice a week
    not_checked_recently: int
    first_of_rep: int  # the first check of this rep's orders today (spreads the sample across reps)


class SpotStopPublic(BaseModel):
    order: int
    outlet_id: int
    outlet_code: str
    outlet_name: str
    channel: str
    rep_code: str  # whose order it was
    ordered_on: dt.date
    source: str  # "outcome" (reported order) or "plan" (planned visit, no outcome reported)
    arrival: str
    start: str
    departure: str
    start_s: int
    departure_s: int
    opening_hours: list[str]
    travel_s: int
    value: int
    value_parts: ValueParts
    why: list[Reason]


class AfternoonPublic(BaseModel):
    start: str  # leaving the ride-along point after the supervisor's lunch
    start_s: int
    orders_from: dt.date | None  # the previous working day
    candidates: int  # outlets with an order to check that day
    stops: list[SpotStopPublic]
    return_time: str
    return_s: int
    meeting: str
    back_before_meeting: bool
    travel_s: int
    distance_m: int
    value: int


class RideAlongDayPublic(BaseModel):
    date: dt.date
    weekday: int
    rep_id: int
    rep_code: str
    rep_name: str
    why: list[Reason]  # why this rep was chosen
    morning: MorningPublic
    afternoon: AfternoonPublic
    supervisor_travel_s: int
    supervisor_distance_m: int


class RideAlongWeekKpis(BaseModel):
    reps_in_team: int
    reps_ridden_this_week: list[str]
    reps_ridden_in_period: list[str]  # earlier weeks of the period (stored) and this week
    reps_not_ridden_in_period: list[str]  # planned for later weeks of the period, or missed
    reps_the_period_cannot_fit: list[str]  # too few mornings left in the period for every rep (or not working)
    mornings: int
    repeats: int  # mornings with the previous morning's rep
    spot_checks_planned: int
    spot_check_value: int
    supervisor_travel_s: int
    supervisor_distance_m: int
    all_back_before_meeting: bool


class RepPriorityPublic(BaseModel):
    rep_id: int
    rep_code: str
    weight: int  # 1 + one per reason; a rep with weight 2 gets about twice the mornings of one with weight 1
    reasons: list[Reason]
    success_rate: float | None
    compliance: float | None
    rides_earlier_in_period: int


class RideAlongWeekPublic(BaseModel):
    supervisor_id: int
    supervisor_code: str
    office_id: int
    plan_id: int
    start_date: dt.date
    period_start: dt.date
    period_end: dt.date
    settings: RideAlongSettingsPublic
    priorities: list[RepPriorityPublic]
    days: list[RideAlongDayPublic]
    kpis: RideAlongWeekKpis
