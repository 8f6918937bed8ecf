"""A rep's day list: the published plan's route of that rep on a date, as the phone page, the visit card and
the API show it."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from service.core.calendar import cycle_day
from service.core.errors import NotFound
from service.core.tables import PlanDay, stored_id
from service.core.time_of_day import WEEKDAYS, hhmm_of
from service.day_list.schemas import (
    DayEndPublic,
    DayListPublic,
    DayStartPublic,
    DayVisitPublic,
    LunchPublic,
)
from service.plans import repository as plan_repository
from service.plans.convert import place_lonlat


def rep_day_list(session: Session, rep_id: int, on: date) -> DayListPublic:
    """The published plan's ordered visits of a rep on a date; the cycle repeats from the plan's start."""
    found = plan_repository.rep_day_context(session, rep_id)
    if found is None:
        raise NotFound(f"rep {rep_id} does not exist", ("path", "rep_id"))
    rep, office, plan = found
    if plan is None:
        raise NotFound(f"rep {rep.code}'s office has no published plan", ("path", "rep_id"))
    day = cycle_day(plan, on)
    if day is None:
        raise NotFound(
            f"{on.isoformat()} is before the published plan's first day {plan.start_date.isoformat()}", ("path", "date")
        )
    plan_id = stored_id(plan)
    route: PlanDay | None = plan_repository.rep_day(session, plan_id, rep_id, day)
    weekday = day % 7
    listing = DayListPublic(
        rep_id=rep_id,
        rep_code=rep.code,
        rep_name=rep.name,
        date=on,
        plan_id=plan_id,
        day=day,
        week=day // 7,
        weekday=weekday,
        working_day=weekday in rep.working_days,
        start=None,
        visits=[],
        lunch=None,
        end=None,
        travel_s=route.travel_s if route else 0,
        distance_m=route.distance_m if route else 0,
        service_s=route.service_s if route else 0,
        idle_s=route.idle_s if route else 0,
    )
    if route is None:
        return listing
    stops = plan_repository.rep_day_visits(session, plan_id, rep_id, day)
    start_lon, start_lat = place_lonlat(rep.start_place, office, rep)
    end_lon, end_lat = place_lonlat(rep.end_place, office, rep)
    listing.start = DayStartPublic(
        place=str(rep.start_place),
        lon=start_lon,
        lat=start_lat,
        departure=hhmm_of(route.start_s),
        departure_s=route.start_s,
    )
    weekday_key = WEEKDAYS[weekday]
    listing.visits = [
        DayVisitPublic(
            seq=v.seq,
            outlet_id=v.outlet_id,
            outlet_code=v.code,
            outlet_name=v.name,
            channel=v.channel,
            address=v.address,
            phone=v.phone,
            notes=v.notes,
            lon=v.lon,
            lat=v.lat,
            opening_hours=[f"{hhmm_of(a)}-{hhmm_of(b)}" for a, b in v.opening_hours.get(weekday_key, [])],
            arrival=hhmm_of(v.arrival_s),
            start=hhmm_of(v.start_s),
            departure=hhmm_of(v.departure_s),
            arrival_s=v.arrival_s,
            start_s=v.start_s,
            departure_s=v.departure_s,
            travel_s=v.travel_s,
            distance_m=v.distance_m,
        )
        for v in stops
    ]
    if route.lunch_start_s is not None:
        lunch_end_s = route.lunch_start_s + rep.lunch_s
        listing.lunch = LunchPublic(
            start=hhmm_of(route.lunch_start_s),
            end=hhmm_of(lunch_end_s),
            start_s=route.lunch_start_s,
            end_s=lunch_end_s,
            after_seq=route.lunch_after_stops or 0,
        )
    listing.end = DayEndPublic(
        place=str(rep.end_place),
        lon=end_lon,
        lat=end_lat,
        arrival=hhmm_of(route.end_s),
        arrival_s=route.end_s,
        travel_s=route.travel_s - sum(v.travel_s for v in stops),
        distance_m=route.distance_m - sum(v.distance_m for v in stops),
    )
    return listing
