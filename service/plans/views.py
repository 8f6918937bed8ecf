"""Stored plans as people read them: the plan with its KPIs and the routes as GeoJSON (a rep's day list is
service/day_list/views.py).

The day list and the GeoJSON number the stops from the same stored sequence, so the map, the list and the
visit card agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlmodel import Session

from service.access import audit
from service.access.auth import Principal
from service.core.tables import Outlet, PlanVisit, stored_id
from service.core.time_of_day import hhmm_of
from service.master_data import repository
from service.plans import repository as plan_repository
from service.plans.convert import place_lonlat, visits_required
from service.plans.room import room_for_unplaced
from service.plans.schemas import PlanDayPublic, PlanPublic, PlanSummary, PlanVisitPublic, UnplacedPublic


def _visit_public(visit: PlanVisit, outlet: Outlet) -> PlanVisitPublic:
    return PlanVisitPublic(
        seq=visit.seq,
        outlet_id=visit.outlet_id,
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
            id=stored_id(p),
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
        placed_by_outlet[visit.outlet_id] += 1
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
            outlet_id=u.outlet_id,
            outlet_code=outlet.code,
            outlet_name=outlet.name,
            rep_id=u.rep_id,
            visits=visits_required(outlet, plan.weeks) - placed_by_outlet[u.outlet_id],
            reason=u.reason,
            detail=u.detail,
        )
        for u, outlet in plan_repository.plan_unplaced(session, plan_id)
    ]
    return PlanPublic(
        id=plan_id,
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
        room_for_unplaced=room_for_unplaced(session, plan),
    )


def publish_plan(session: Session, principal: Principal, plan_id: int) -> PlanPublic:
    """Make the plan the one the office's reps see (the published one before is superseded), recorded in the audit
    trail with who published it."""
    plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
    plan = plan_public(session, plan_id)
    audit.record(
        session,
        principal,
        "plan.published",
        plan.office_id,
        "plan",
        plan.id,
        {"based_on_id": plan.based_on_id, "change_set_id": plan.change_set_id},
    )
    return plan


def plan_geojson(session: Session, plan_id: int) -> dict:
    """A FeatureCollection: one Point per visit (numbered as in the day list) and one LineString per rep and
    day, from the start place through the visits in order to the end place."""
    plan = plan_repository.get_plan(session, plan_id)
    office = repository.office(session, plan.office_id)
    assert office is not None  # the plan's office (a foreign key)
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
