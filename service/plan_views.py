"""Stored plans as people read them: the plan with its KPIs, the routes as GeoJSON, and a rep's day list.

The day list and the GeoJSON number the stops from the same stored sequence, so the map, the list and the
visit card agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlmodel import Session

from service import plan_repository, repository
from service.convert import place_lonlat, visits_required
from service.errors import NotFound
from service.plan_schemas import (
    DayEndPublic,
    DayListPublic,
    DayStartPublic,
    DayVisitPublic,
    LunchPublic,
    PlanDayPublic,
    PlanPublic,
    PlanSummary,
    PlanVisitPublic,
    UnplacedPublic,
)
from service.schemas import WEEKDAYS, hhmm_of
from service.tables import Outlet, PlanDay, PlanVisit


def _visit_public(visit: PlanVisit, outlet: Outlet) -> PlanVisitPublic:
    return PlanVisitPublic(
        seq=visit.seq,
        outlet_id=outlet.id,
        outlet_code=outlet.code,
        outlet_name=outlet.name,
        arrival=hhmm_of(visit.arrival_s),
        start=hhmm_of(visit.start_s),
        departure=hhmm_of(visit.departure_s),
        arrival_s=visit.arrival_s,
        start_s=visit.start_s,
        departure_s=visit.departure_s,
        travel_s=visit.travel_s,
        distance_m=visit.distance_m,
    )


def plan_summaries(session: Session, office_id: int | None) -> list[PlanSummary]:
    return [
        PlanSummary(
            id=p.id,
            office_id=p.office_id,
            start_date=p.start_date,
            weeks=p.weeks,
            status=p.status,
            created_at=p.created_at,
            published_at=p.published_at,
            coverage=p.kpis["coverage"],
            unplaced_visits=p.kpis["unplaced_visits"],
        )
        for p in plan_repository.office_plans(session, office_id)
    ]


def plan_public(session: Session, plan_id: int) -> PlanPublic:
    plan = plan_repository.get_plan(session, plan_id)
    reps = plan_repository.plan_reps(session, plan_id)
    visits_by_route: dict[tuple[int, int], list[PlanVisitPublic]] = defaultdict(list)
    placed_by_outlet: Counter[int] = Counter()
    for visit, outlet in plan_repository.plan_visits(session, plan_id):
        visits_by_route[(visit.rep_id, visit.day)].append(_visit_public(visit, outlet))
        placed_by_outlet[outlet.id] += 1
    days = [
        PlanDayPublic(
            rep_id=d.rep_id,
            rep_code=reps[d.rep_id].code,
            day=d.day,
            week=d.day // 7,
            weekday=d.day % 7,
            start=hhmm_of(d.start_s),
            end=hhmm_of(d.end_s),
            start_s=d.start_s,
            end_s=d.end_s,
            travel_s=d.travel_s,
            distance_m=d.distance_m,
            service_s=d.service_s,
            lunch_start=None if d.lunch_start_s is None else hhmm_of(d.lunch_start_s),
            lunch_start_s=d.lunch_start_s,
            lunch_after_stops=d.lunch_after_stops,
            idle_s=d.idle_s,
            visits=visits_by_route[(d.rep_id, d.day)],
        )
        for d in plan_repository.plan_days(session, plan_id)
    ]
    unplaced = [
        UnplacedPublic(
            outlet_id=outlet.id,
            outlet_code=outlet.code,
            outlet_name=outlet.name,
            rep_id=u.rep_id,
            visits=visits_required(outlet, plan.weeks) - placed_by_outlet[outlet.id],
            reason=u.reason,
            detail=u.detail,
        )
        for u, outlet in plan_repository.plan_unplaced(session, plan_id)
    ]
    return PlanPublic(
        id=plan.id,
        office_id=plan.office_id,
        start_date=plan.start_date,
        weeks=plan.weeks,
        status=plan.status,
        based_on_id=plan.based_on_id,
        change_set_id=plan.change_set_id,
        created_by=plan.created_by,
        created_at=plan.created_at,
        published_at=plan.published_at,
        time_limit_s=plan.time_limit_s,
        kpis=plan.kpis,
        days=days,
        unplaced=unplaced,
    )


def publish_plan(session: Session, plan_id: int) -> PlanPublic:
    plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
    return plan_public(session, plan_id)


def plan_geojson(session: Session, plan_id: int) -> dict:
    """A FeatureCollection: one Point per visit (numbered as in the day list) and one LineString per rep and
    day, from the start place through the visits in order to the end place."""
    plan = plan_repository.get_plan(session, plan_id)
    office = repository.office(session, plan.office_id)
    reps = plan_repository.plan_reps(session, plan_id)
    visits_by_route: dict[tuple[int, int], list[tuple[PlanVisit, Outlet]]] = defaultdict(list)
    for visit, outlet in plan_repository.plan_visits(session, plan_id):
        visits_by_route[(visit.rep_id, visit.day)].append((visit, outlet))

    features = []
    for route in plan_repository.plan_days(session, plan_id):
        rep = reps[route.rep_id]
        when = {
            "rep_id": rep.id,
            "rep_code": rep.code,
            "day": route.day,
            "week": route.day // 7,
            "weekday": route.day % 7,
        }
        stops = visits_by_route[(route.rep_id, route.day)]
        for visit, outlet in stops:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [outlet.lon, outlet.lat]},
                    "properties": when
                    | {
                        "kind": "visit",
                        "seq": visit.seq,
                        "outlet_code": outlet.code,
                        "outlet_name": outlet.name,
                        "arrival": hhmm_of(visit.arrival_s),
                        "departure": hhmm_of(visit.departure_s),
                    },
                }
            )
        line = (
            [list(place_lonlat(rep.start_place, office, rep))]
            + [[o.lon, o.lat] for _, o in stops]
            + [list(place_lonlat(rep.end_place, office, rep))]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": when
                | {
                    "kind": "route",
                    "visits": len(stops),
                    "start": hhmm_of(route.start_s),
                    "end": hhmm_of(route.end_s),
                    "travel_s": route.travel_s,
                    "distance_m": route.distance_m,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "properties": {"plan_id": plan.id, "status": str(plan.status)},
        "features": features,
    }


def rep_day_list(session: Session, rep_id: int, on: date) -> DayListPublic:
    """The published plan's ordered visits of a rep on a date; the cycle repeats from the plan's start."""
    found = plan_repository.rep_day_context(session, rep_id)
    if found is None:
        raise NotFound(f"rep {rep_id} does not exist", ("path", "rep_id"))
    rep, office, plan = found
    if plan is None:
        raise NotFound(f"rep {rep.code}'s office has no published plan", ("path", "rep_id"))
    if on < plan.start_date:
        raise NotFound(
            f"{on.isoformat()} is before the published plan's first day {plan.start_date.isoformat()}", ("path", "date")
        )
    day = (on - plan.start_date).days % (7 * plan.weeks)
    route: PlanDay | None = plan_repository.rep_day(session, plan.id, rep.id, day)
    weekday = day % 7
    listing = DayListPublic(
        rep_id=rep.id,
        rep_code=rep.code,
        rep_name=rep.name,
        date=on,
        plan_id=plan.id,
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
    stops = plan_repository.rep_day_visits(session, plan.id, rep.id, day)
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
