"""The plan on a map (/plans/{id}/map, and /map for an office's published plan): territories, routes with
numbered stops, key figures, unplaced visits; filters by rep, week and weekday redraw it in the browser."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from service.access import policy
from service.access.auth import Principal
from service.core.calendar import office_today
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput, NotFound
from service.core.i18n import Translator
from service.core.tables import stored_id
from service.core.time_of_day import WEEKDAYS
from service.master_data import repository
from service.pages.render import TranslatorDep, page
from service.pages.tiles import tile_source
from service.plans import repository as plan_repository
from service.plans.map_data import plan_map_data

router = APIRouter(route_class=CommittingRoute, tags=["pages"])


def _opening_day(data: dict, today: dt.date) -> tuple[int, int | None]:
    """(week, weekday) a map asked for no filter opens on: the plan's day of today (the first day of a plan not
    started yet), one route per rep rather than a week's; the whole week when nobody works that day."""
    start = dt.date.fromisoformat(data["plan"]["start_date"])
    day = (max(today, start) - start).days % (7 * data["plan"]["weeks"])
    worked = any(d["day"] == day for d in data["workload"])
    return day // 7 + 1, day % 7 if worked else None


def _map_filters(data: dict, today: dt.date, rep: int | None, week: int | None, weekday: str | None) -> dict:
    """The filters the page opens with: as asked, else the plan's day of today (`_opening_day`)."""
    if rep is not None and rep not in {r["id"] for r in data["reps"]}:
        raise InvalidInput(f"rep {rep} has no route or outlet in plan {data['plan']['id']}", ("query", "rep"))
    weeks = data["plan"]["weeks"]
    if week is not None and not 0 <= week <= weeks:
        raise InvalidInput(f"week must be 1..{weeks}, or 0 for every week, not {week}", ("query", "week"))
    if weekday is not None and weekday not in WEEKDAYS:
        raise InvalidInput(f"weekday must be one of {', '.join(WEEKDAYS)}, not {weekday!r}", ("query", "weekday"))
    if rep is None and week is None and weekday is None:
        opening_week, opening_weekday = _opening_day(data, today)
        return {"rep": None, "week": opening_week, "weekday": opening_weekday}
    return {
        "rep": rep,
        "week": 1 if week is None else week,
        "weekday": None if weekday is None else WEEKDAYS.index(weekday),
    }


def _plan_map_page(
    request: Request,
    session: Session,
    plan_id: int,
    t: Translator,
    rep: int | None,
    week: int | None,
    weekday: str | None,
) -> HTMLResponse:
    data = plan_map_data(session, plan_id, tile_source())
    office = repository.office(session, data["plan"]["office_id"])
    assert office is not None  # the plan's office (a foreign key)
    data["filters"] = _map_filters(data, office_today(office), rep, week, weekday)
    data["messages"] = t.messages
    data["language"] = t.language
    return page(request, "plan_map.html", t, data=data, kpis=data["kpis"], reps={r["id"]: r for r in data["reps"]})


RepFilter = Annotated[int | None, Query(description="show only this rep (id)")]
WeekFilter = Annotated[
    int | None,
    Query(description="week of the cycle, 1-based; 0 = every week; default 1 (without any filter: today's week)"),
]
WeekdayFilter = Annotated[
    str | None, Query(description="mon..sun; default every day (without any filter: today, if the reps work)")
]
OfficeChoice = Annotated[int | None, Query(description="default: the only office with a published plan")]


@router.get(
    "/plans/{plan_id}/map",
    summary="A plan on the map (page)",
    response_class=HTMLResponse,
    dependencies=[policy.on_plan(policy.READ_OFFICE, page=True)],
)
def plan_map(
    plan_id: int,
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    rep: RepFilter = None,
    week: WeekFilter = None,
    weekday: WeekdayFilter = None,
) -> HTMLResponse:
    """The plan on a map: territories, routes with numbered stops, key figures, unplaced visits."""
    return _plan_map_page(request, session, plan_id, t, rep, week, weekday)


@router.get("/map", summary="The published plan on the map (page)", response_class=HTMLResponse)
def published_plan_map(
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    principal: Annotated[Principal, policy.role(policy.READ_OFFICE, page=True)],
    office_id: OfficeChoice = None,
    rep: RepFilter = None,
    week: WeekFilter = None,
    weekday: WeekdayFilter = None,
) -> HTMLResponse:
    """The map of the published plan of an office: what the reps are working to (the token's office's, unless
    the token is a global admin's)."""
    office_id = policy.office_filter(principal, office_id)
    if office_id is not None:
        if repository.office(session, office_id) is None:
            raise NotFound(f"no office with id {office_id}", ("query", "office_id"))
        plan = plan_repository.published_plan(session, office_id)
        if plan is None:
            raise NotFound(f"office {office_id} has no published plan", ("query", "office_id"))
    else:
        published = [
            p for o in repository.offices(session) if (p := plan_repository.published_plan(session, stored_id(o)))
        ]
        if not published:
            raise NotFound("no office has a published plan", ("query", "office_id"))
        if len(published) > 1:
            offices = ", ".join(str(p.office_id) for p in published)
            raise InvalidInput(f"several offices have a published plan ({offices}); choose one", ("query", "office_id"))
        plan = published[0]
    return _plan_map_page(request, session, stored_id(plan), t, rep, week, weekday)
