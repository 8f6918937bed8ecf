"""HTTP schema of a rep's day list: the ordered stops with their times, the lunch and the return. Times of day
are office-local: "HH:MM" for people, `*_s` (seconds since midnight) for programs."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class DayStartPublic(BaseModel):
    place: str = Field(description="where the day starts: office or home")
    lon: float = Field(description="WGS84 longitude of the start place, degrees")
    lat: float = Field(description="WGS84 latitude of the start place, degrees")
    departure: str = Field(description="leaves the start place at, HH:MM office-local")
    departure_s: int = Field(description="the same, seconds since midnight")


class DayVisitPublic(BaseModel):
    seq: int = Field(description="the stop's number in the day, from 1")
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code (客编)")
    outlet_name: str = Field(description="the outlet's shop name")
    channel: str = Field(description="the outlet's trade channel (grocery, convenience...)")
    address: str = Field(description="the outlet's street address")
    phone: str = Field(default="", description="the shop's phone number (empty if unknown)")
    notes: str = Field(default="", description="notes for the rep (empty if none)")
    lon: float = Field(description="WGS84 longitude of the outlet, degrees")
    lat: float = Field(description="WGS84 latitude of the outlet, degrees")
    opening_hours: list[str] = Field(description="that weekday's opening windows, HH:MM-HH:MM")
    arrival: str = Field(description="arrives at the outlet at, HH:MM office-local")
    start: str = Field(description="the visit starts at (after any wait for the opening window), HH:MM")
    departure: str = Field(description="leaves the outlet at, HH:MM")
    arrival_s: int = Field(description="arrival, seconds since midnight")
    start_s: int = Field(description="start of the visit, seconds since midnight")
    departure_s: int = Field(description="departure, seconds since midnight")
    travel_s: int = Field(description="travel time from the previous stop, seconds")
    distance_m: int = Field(description="travel distance from the previous stop, metres")


class LunchPublic(BaseModel):
    start: str = Field(description="the lunch break starts at, HH:MM office-local")
    end: str = Field(description="the lunch break ends at, HH:MM")
    start_s: int = Field(description="start, seconds since midnight")
    end_s: int = Field(description="end, seconds since midnight")
    after_seq: int = Field(description="taken after this many visits (0 = before the first)")


class DayEndPublic(BaseModel):
    place: str = Field(description="where the day ends: office or home")
    lon: float = Field(description="WGS84 longitude of the end place, degrees")
    lat: float = Field(description="WGS84 latitude of the end place, degrees")
    arrival: str = Field(description="reaches the end place at, HH:MM office-local")
    arrival_s: int = Field(description="the same, seconds since midnight")
    travel_s: int = Field(description="travel time from the last visit, seconds")
    distance_m: int = Field(description="travel distance from the last visit, metres")


class DayListPublic(BaseModel):
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    rep_name: str = Field(description="the rep's name")
    date: dt.date = Field(description="the day, ISO date (office-local)")
    plan_id: int = Field(description="the published plan the list comes from")
    day: int = Field(description="the date's day in the plan's cycle, 0 = the cycle's first Monday (the cycle repeats)")
    week: int = Field(description="the cycle week of the date, from 0")
    weekday: int = Field(description="0 = Monday .. 6 = Sunday")
    working_day: bool = Field(description="false on a day the rep does not work (no visits)")
    start: DayStartPublic | None = Field(description="leaving the start place; null when there is nothing to visit")
    visits: list[DayVisitPublic] = Field(description="the outlets to visit, in order")
    lunch: LunchPublic | None = Field(description="the lunch break; null without one")
    end: DayEndPublic | None = Field(description="reaching the end place; null when there is nothing to visit")
    travel_s: int = Field(description="the day's travel time, seconds")
    distance_m: int = Field(description="the day's travel distance, metres")
    service_s: int = Field(description="the day's time in outlets, seconds")
    idle_s: int = Field(description="the day's span less travel, service and lunch (waiting for openings), seconds")


class SignInLinkPublic(BaseModel):
    """A one-time link that signs a rep's phone in (service/access/sign_in.py): send it to the rep only."""

    rep_id: int = Field(description="the rep whose phone the link signs in")
    url: str = Field(description="open once, before expires_at, on the rep's phone; it cannot be shown again")
    expires_at: dt.datetime = Field(description="the link is refused after this time (24 h after it was made)")
