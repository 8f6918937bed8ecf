"""The supervisor's ride-along week as a page (/supervisors/{id}/ride-along/page): per working day the rep to
ride with and why, the morning on the rep's route with its coaching stops, the afternoon's delivery spot checks
and their reasons, and a map of the day (the morning's route with the rep, then the spot-check route back to the
office). The week is the one GET /supervisors/{id}/ride-along plans (and stores), in the page's language."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from service.access import policy, sign_in
from service.access.auth import Principal
from service.core.calendar import office_today
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import SupervisorId
from service.core.tables import Office, Outlet, stored_id
from service.master_data import repository
from service.master_data import writes as master_data
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out
from service.pages.tiles import TileSource, page_json, tile_source, to_display
from service.plans import repository as plan_repository
from service.ride_along import planner
from service.ride_along.reasons import said
from service.ride_along.schemas import RideAlongDayPublic

router = APIRouter(route_class=CommittingRoute, tags=["pages"])


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _day_map(day: RideAlongDayPublic, office: Office, outlets: dict[int, Outlet], tiles: TileSource | None) -> dict:
    """The day's places shifted for the base map: the office, the morning stops ridden along (numbered by the
    rep's sequence), the point where the supervisor leaves the route, the spot checks (numbered in order)."""
    morning = [(s.seq, s.outlet_id, f"{s.outlet_code} {s.outlet_name}") for s in day.morning.stops if s.with_supervisor]
    spots = [(s.order, s.outlet_id, f"{s.outlet_code} {s.outlet_name}") for s in day.afternoon.stops]
    lonlat = [[office.lon, office.lat], [day.morning.leave.lon, day.morning.leave.lat]]
    lonlat += [[outlets[outlet_id].lon, outlets[outlet_id].lat] for _, outlet_id, _ in [*morning, *spots]]
    shown = to_display(np.array(lonlat, dtype=float), tiles).tolist()
    numbered = [[number, label, place] for (number, _, label), place in zip([*morning, *spots], shown[2:])]
    return {
        "office": shown[0],
        "leave": shown[1],
        "morning": numbered[: len(morning)],
        "afternoon": numbered[len(morning) :],
    }


@router.get(
    "/supervisors/{supervisor_id}/ride-along/page",
    summary="A supervisor's ride-along week (page)",
    response_class=HTMLResponse,
)
def ride_along_page(
    supervisor_id: SupervisorId,
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    principal: Annotated[Principal | None, Depends(sign_in.optional_page_principal)],
    start_date: Annotated[
        dt.date | None, Query(description="the week's Monday; default: this week in the office's time zone")
    ] = None,
) -> HTMLResponse:
    """The supervisor's week of ride-alongs, with a map per day (see GET /supervisors/{id}/ride-along)."""
    if principal is None:
        return signed_out(request, t)
    supervisor = master_data.require_supervisor(session, supervisor_id, ("path", "supervisor_id"))
    policy.check(principal, policy.RIDE_ALONG, policy.supervisor_scope(supervisor), ("path", "supervisor_id"))
    office = repository.office(session, supervisor.office_id)
    assert office is not None  # the supervisor's office (a foreign key)
    plan = plan_repository.published_plan(session, supervisor.office_id)
    monday = start_date or _monday(office_today(office))
    if plan is not None and start_date is None:
        monday = max(monday, plan.start_date)  # before the plan starts, its first week
    links = {
        name: str(request.url.include_query_params(start_date=d.isoformat(), lang=t.language))
        for name, d in (("previous", monday - dt.timedelta(days=7)), ("next", monday + dt.timedelta(days=7)))
    }
    context = {"supervisor": supervisor, "monday": monday, "links": links, "week": None, "data": {}}
    if plan is None or monday < plan.start_date:
        return page(request, "ride_along_week.html", t, **context)
    outlets = {stored_id(o): o for o in repository.outlets(session, office.id)}
    session.commit()  # no connection held while the solvers run (the week uses short sessions of its own)
    week = planner.ride_along_week(request.app.state.engine, supervisor_id, monday)
    tiles = tile_source()
    data = {
        "tiles": page_json(tiles),
        "days": {d.date.isoformat(): _day_map(d, office, outlets, tiles) for d in week.days},
        "messages": {k: t(f"ride_along.page.{k}") for k in ("legend_morning", "legend_afternoon", "legend_office")},
    }
    text_url = str(
        request.url_for("read_ride_along_week", supervisor_id=supervisor_id).include_query_params(
            start_date=monday.isoformat(), format="text", lang=t.language
        )
    )
    return page(
        request,
        "ride_along_week.html",
        t,
        **(context | {"week": week, "data": data}),
        said=lambda reasons: said(reasons, t),
        text_url=text_url,
        separator=t.messages["ride_along.separator"],
    )
