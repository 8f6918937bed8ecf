"""Plans: compute a draft for an office's cycle, list and read them (JSON or GeoJSON), publish one."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service import plan_views, planning
from service.db import SessionDep
from service.plan_schemas import PlanCreate, PlanPublic, PlanSummary

router = APIRouter(prefix="/plans", tags=["plans"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PlanPublic)
def create_plan(body: PlanCreate, request: Request) -> PlanPublic:
    """Plan every active rep of the office over a cycle from `start_date` (a Monday); returns the draft."""
    engine = request.app.state.engine
    # no request session: planning opens its own short ones, none stays open while the reps are solved
    plan_id = planning.plan_office(
        engine,
        body.office_id,
        body.start_date,
        weeks=body.weeks,
        time_limit_s=body.time_limit_s or planning.DEFAULT_TIME_LIMIT_S,
    )
    with Session(engine) as session:
        return plan_views.plan_public(session, plan_id)


@router.get("", response_model=list[PlanSummary])
def list_plans(session: SessionDep, office_id: int | None = None) -> list[PlanSummary]:
    """Plans, newest first, with their status and coverage; filter by office."""
    return plan_views.plan_summaries(session, office_id)


@router.get("/{plan_id}", response_model=PlanPublic)
def read_plan(plan_id: int, session: SessionDep) -> PlanPublic:
    return plan_views.plan_public(session, plan_id)


@router.get("/{plan_id}/geojson", response_class=JSONResponse)
def read_plan_geojson(plan_id: int, session: SessionDep) -> JSONResponse:
    """Visits as Points numbered as in the day list, each rep's day as a LineString in visiting order."""
    return JSONResponse(plan_views.plan_geojson(session, plan_id), media_type="application/geo+json")


@router.post("/{plan_id}/publish", response_model=PlanPublic)
def publish_plan(plan_id: int, session: SessionDep) -> PlanPublic:
    """Make this plan the one the office's reps see; the previously published plan becomes superseded."""
    return plan_views.publish_plan(session, plan_id)
