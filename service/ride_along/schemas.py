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

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"morning_end": "11:30", "coaching_min": 15, "demonstrate_every": 2}]},
    )
    # A None default is pydantic's "optional, not nullable" (defaults are not validated); mypy reads it as a value.
    morning_end: TimeOfDay = Field(default=None, description="the supervisor leaves the rep's route by then")  # type: ignore[assignment]
    coaching_min: int = Field(default=None, ge=0, le=120, description="added at every demonstrated outlet")  # type: ignore[assignment]
    demonstrate_every: int = Field(
        default=None, ge=1, le=20, description="demonstrate at every n-th outlet (or the next one where coaching fits)"
    )  # type: ignore[assignment]
    meeting: TimeOfDay = Field(default=None, description="the evening meeting at the office")  # type: ignore[assignment]
    period_weeks: int = Field(default=None, ge=1, le=8, description="every rep ridden with once per period")  # type: ignore[assignment]
    spot_check_min: int = Field(default=None, ge=1, le=120, description="minutes at each afternoon spot check")  # type: ignore[assignment]
    supervisor_travel_mode: TravelMode = Field(  # type: ignore[assignment]
        default=None, description="how the supervisor travels alone: walking, ebike or car"
    )
    new_rep_days: int = Field(default=None, ge=0, le=3650, description="in post fewer days: a new rep")  # type: ignore[assignment]


class RideAlongSettingsPublic(BaseModel):
    office_id: int = Field(description="the office these settings belong to")
    morning_end: str = Field(description="the supervisor leaves the rep's route by then, HH:MM office-local")
    coaching_min: int = Field(description="minutes added at every demonstrated outlet")
    demonstrate_every: int = Field(
        description="the supervisor demonstrates at every n-th outlet of the morning; where coaching there would "
        "break the rep's day, at the next outlet where it fits"
    )
    meeting: str = Field(description="the evening meeting at the office, HH:MM; the afternoon ends there")
    period_weeks: int = Field(description="every rep is ridden with once per period of this many weeks")
    spot_check_min: int = Field(description="minutes at each afternoon spot check")
    supervisor_travel_mode: str = Field(description="how the supervisor travels alone: walking, ebike or car")
    new_rep_days: int = Field(description="a rep in post fewer days than this counts as new (a reason to ride along)")

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
    seq: int = Field(
        description="the rep's sequence number of the visit (as on the day list, the map and the visit card)"
    )
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code")
    outlet_name: str = Field(description="the outlet's name")
    planned_start: str = Field(description="the visit's start as published, HH:MM")
    arrival: str = Field(description="arrival with the coaching counted, HH:MM")
    start: str = Field(description="the visit's start with the coaching counted, HH:MM")
    departure: str = Field(description="the visit's end with the coaching counted, HH:MM")
    start_s: int = Field(description="start, seconds after midnight office-local")
    departure_s: int = Field(description="end, seconds after midnight office-local")
    opening_hours: list[str] = Field(description="the outlet's opening windows that day, HH:MM-HH:MM")
    with_supervisor: bool = Field(description="the supervisor is with the rep at this visit")
    coaching: bool = Field(description="the supervisor demonstrates here")
    coaching_min: int = Field(description="minutes of coaching added here (0 without)")
    coaching_dropped: bool = Field(
        description="coaching was due here, but it would have made this or a later visit miss its window, the lunch "
        "start too late or the rep back after the shift; it moves on to the next visit where it fits"
    )
    fits: bool = Field(description="the visit starts and ends inside an opening window")


class LeavePublic(BaseModel):
    after_seq: int = Field(description="the supervisor leaves the route after this visit (0: never joined the route)")
    outlet_code: str | None = Field(description="the outlet where the supervisor leaves (none when never joined)")
    lon: float = Field(description="WGS84 longitude of the point where the supervisor leaves, degrees")
    lat: float = Field(description="WGS84 latitude of the point where the supervisor leaves, degrees")
    time: str = Field(description="when the supervisor leaves, HH:MM")
    time_s: int = Field(description="when the supervisor leaves, seconds after midnight office-local")


class MorningPublic(BaseModel):
    meets_rep_at: str = Field(description="'office', or 'first stop' for a rep who starts from home")
    stops: list[MorningStopPublic] = Field(description="the rep's whole day, re-timed with the coaching")
    leave: LeavePublic = Field(description="where and when the supervisor leaves the route")
    rep_lunch_start: str | None = Field(
        description="the rep's lunch break start that day with the coaching, HH:MM (none without lunch)"
    )
    rep_day_end: str = Field(description="when the rep's day ends with the coaching, HH:MM")
    rep_day_feasible: bool = Field(
        description="every visit of the rep's day still fits its opening hours and the shift"
    )
    notes: list[Reason] = Field(
        description="what the morning brings (coaching stops) and what it could not (coaching left out, and why)"
    )


class ValueParts(BaseModel):
    """Why an outlet was checked, in points (one point = one minute of supervisor travel)."""

    delivery: int = Field(description="points for an order delivered within 24 hours")
    big_account: int = Field(description="points for a supermarket or wholesale outlet")
    high_frequency: int = Field(description="points for an outlet visited at least twice a week")
    not_checked_recently: int = Field(
        description="points growing with the days since the outlet's last spot check (most when never)"
    )
    first_of_rep: int = Field(
        description="points for the first check of this rep's orders today (spreads the checks across reps)"
    )


class SpotStopPublic(BaseModel):
    order: int = Field(description="position in the afternoon route, from 1")
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code")
    outlet_name: str = Field(description="the outlet's name")
    channel: str = Field(description="the outlet's channel code")
    rep_code: str = Field(description="the rep whose order is checked")
    ordered_on: dt.date = Field(description="the day of the order (the previous working day), ISO date")
    source: str = Field(
        description="'outcome' (an order the rep reported) or 'plan' (a planned visit, nothing reported)"
    )
    arrival: str = Field(description="arrival, HH:MM")
    start: str = Field(description="start of the check (after the outlet opens), HH:MM")
    departure: str = Field(description="end of the check, HH:MM")
    start_s: int = Field(description="start, seconds after midnight office-local")
    departure_s: int = Field(description="end, seconds after midnight office-local")
    opening_hours: list[str] = Field(description="the outlet's opening windows that day, HH:MM-HH:MM")
    travel_s: int = Field(description="the supervisor's travel to this outlet, seconds")
    value: int = Field(
        description="the check's value in points (one point is worth a minute of travel): the sum of value_parts"
    )
    value_parts: ValueParts = Field(description="the value's parts")
    why: list[Reason] = Field(description="why this outlet is checked")


class AfternoonPublic(BaseModel):
    start: str = Field(description="leaving the ride-along point after the supervisor's lunch, HH:MM")
    start_s: int = Field(description="the afternoon's start, seconds after midnight office-local")
    orders_from: dt.date | None = Field(
        description="the previous working day, whose orders are checked (none on a plan's first day), ISO date"
    )
    candidates: int = Field(
        description="outlets with an order to check that day (the morning's ride-along outlets left out)"
    )
    stops: list[SpotStopPublic] = Field(description="the spot checks in the order driven")
    return_time: str = Field(description="back at the office, HH:MM")
    return_s: int = Field(description="back at the office, seconds after midnight office-local")
    meeting: str = Field(description="the evening meeting, HH:MM")
    back_before_meeting: bool = Field(description="the supervisor is back before the meeting")
    travel_s: int = Field(description="the afternoon's travel, seconds")
    distance_m: int = Field(description="the afternoon's distance, metres")
    value: int = Field(description="the spot checks' value in points")


class RideAlongDayPublic(BaseModel):
    date: dt.date = Field(description="the day, ISO date")
    weekday: int = Field(description="0 = Monday ... 6 = Sunday")
    rep_id: int = Field(description="the rep ridden with")
    rep_code: str = Field(description="the rep's code")
    rep_name: str = Field(description="the rep's name")
    why: list[Reason] = Field(description="why this rep was chosen")
    morning: MorningPublic = Field(description="the morning on the rep's route")
    afternoon: AfternoonPublic = Field(description="the afternoon's delivery spot checks")
    supervisor_travel_s: int = Field(
        description="the supervisor's travel that day (morning to the rep and along, afternoon), seconds"
    )
    supervisor_distance_m: int = Field(description="the supervisor's distance that day, metres")


class RideAlongWeekKpis(BaseModel):
    reps_in_team: int = Field(description="active reps of the supervisor's team")
    reps_ridden_this_week: list[str] = Field(description="codes of the reps ridden with this week")
    reps_ridden_in_period: list[str] = Field(
        description="codes of the reps ridden with in the period: earlier weeks (stored) and this one"
    )
    reps_not_ridden_in_period: list[str] = Field(
        description="codes of the reps planned for later weeks of the period, or missed"
    )
    reps_the_period_cannot_fit: list[str] = Field(
        description="codes of the reps the period has too few mornings left for (or who do not work)"
    )
    mornings: int = Field(description="mornings with a ride-along this week")
    repeats: int = Field(description="mornings with the previous morning's rep")
    spot_checks_planned: int = Field(description="spot checks this week")
    spot_check_value: int = Field(description="the spot checks' value in points")
    supervisor_travel_s: int = Field(description="the supervisor's travel this week, seconds")
    supervisor_distance_m: int = Field(description="the supervisor's distance this week, metres")
    all_back_before_meeting: bool = Field(description="every afternoon ends before the evening meeting")


class RepPriorityPublic(BaseModel):
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    weight: int = Field(
        description="1 + one per reason; a rep of weight 2 gets about twice the mornings of a rep of weight 1"
    )
    reasons: list[Reason] = Field(
        description="why the rep needs coaching: KPIs below target over the last four weeks, new in post"
    )
    success_rate: float | None = Field(
        description="successful visits over reported visits, last four weeks, 0..1 (none without reports)"
    )
    compliance: float | None = Field(
        description="planned visits reported over planned visits, last four weeks, 0..1 (none without reports)"
    )
    rides_earlier_in_period: int = Field(description="ride-alongs with this rep stored for earlier weeks of the period")


class RideAlongWeekPublic(BaseModel):
    supervisor_id: int = Field(description="the supervisor's id")
    supervisor_code: str = Field(description="the supervisor's code")
    office_id: int = Field(description="the office's id")
    plan_id: int = Field(description="the published plan the reps' routes come from")
    start_date: dt.date = Field(description="the week's Monday, ISO date")
    period_start: dt.date = Field(description="the first day of the period the week belongs to")
    period_end: dt.date = Field(description="the last day of the period")
    settings: RideAlongSettingsPublic = Field(description="the office's ride-along settings used")
    priorities: list[RepPriorityPublic] = Field(description="each rep's priority for a ride-along")
    days: list[RideAlongDayPublic] = Field(description="the ride-along of each working day of the week")
    kpis: RideAlongWeekKpis = Field(description="the week's figures")
