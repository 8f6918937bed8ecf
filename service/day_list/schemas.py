"""HTTP schema of a rep's day list: the ordered stops with their times, the lunch and the return. Times of day
are office-local: "HH:MM" for people, `*_s` (seconds since midnight) for programs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class DayStartPublic(BaseModel):
    place: str  # office or home
    lon: float
    lat: float
    departure: str
    departure_s: int


class DayVisitPublic(BaseModel):
    seq: int
    outlet_id: int
    outlet_code: str
    outlet_name: str
    channel: str
    address: str
    lon: float
    lat: float
    opening_hours: list[str]  # that weekday's windows, "HH:MM-HH:MM"
    arrival: str
    start: str
    departure: str
    arrival_s: int
    start_s: int
    departure_s: int
    travel_s: int  # from the previous stop
    distance_m: int


class LunchPublic(BaseModel):
    start: str
    end: str
    start_s: int
    end_s: int
    after_seq: int  # taken after this many visits (0 = before the first)


class DayEndPublic(BaseModel):
    place: str
    lon: float
    lat: float
    arrival: str
    arrival_s: int
    travel_s: int  # from the last visit
    distance_m: int


class DayListPublic(BaseModel):
    rep_id: int
    rep_code: str
    rep_name: str
    date: date
    plan_id: int
    day: int  # index in the cycle: (date - start_date) mod (7 * weeks)
    week: int
    weekday: int
    working_day: bool
    start: DayStartPublic | None  # None when there is nothing to visit
    visits: list[DayVisitPublic]
    lunch: LunchPublic | None
    end: DayEndPublic | None
    travel_s: int
    distance_m: int
    service_s: int
    idle_s: int  # the day's span less travel, service and lunch


class SignInLinkPublic(BaseModel):
    """A one-time link that signs a rep's phone in (service/access/sign_in.py): send it to the rep only."""

    rep_id: int = Field(description="the rep whose phone the link signs in")
    url: str = Field(description="open once, before expires_at, on the rep's phone; it cannot be shown again")
    expires_at: datetime = Field(description="the link is refused after this time (24 h after it was made)")
