"""Plans: compute a draft for an office's cycle (a job: 201 when waited for, else 202 + /jobs/{id}), list and read
them (JSON or GeoJSON), publish one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse
from sqlmodel import Session

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import PLAN, READ_OFFICE, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import Conflict
from service.core.fields import OfficeFilter, PlanId
from service.core.tables import stored_id
from service.jobs import lifecycle as jobs
from service.jobs import plan_job as plan_jobs
from service.jobs.runner import JobRunner
from service.jobs.schemas import JobPublic
from service.plans import planning
from service.plans import views as plan_views
from service.plans.planning import PlanRequest
from service.plans.schemas import PlanCreate, PlanPublic, PlanSummary

router = APIRouter(route_class=CommittingRoute, prefix="/plans", tags=["plans"])


@router.post(
    "",
    summary="Plan an office's cycle",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanPublic,
    responses={
        status.HTTP_202_ACCEPTED: {"model": JobPublic, "description": "computed in the background: follow Location"},
        status.HTTP_429_TOO_MANY_REQUESTS: {
            "description": "the office or the token holds as many plan jobs or as "
            "much solver time as it may (service/jobs/limits.py): ask again after "
            "Retry-After seconds, or cancel a job"
        },
    },
)
def create_plan(
    body: PlanCreate,
    request: Request,
    principal: Annotated[Principal, policy.role(PLAN)],
    wait: Annotated[
        bool | None,
        Query(
            description="true: answer 201 with the plan; false: 202 with the job at once. Default: wait for a "
            "small plan only."
        ),
    ] = None,
) -> PlanPublic | JSONResponse:
    """Plan every active rep of the office over a cycle from `start_date` (a Monday), as a job on Dask.

    `wait=true`: answer 201 with the draft once it is stored; `wait=false`: answer 202 at once with the job
    (Location: /jobs/{id}). Without `wait`, the request waits only for a small plan, one whose reps need at most
    30 s of solver time one after another (active reps x `time_limit_s`). An office and a token may hold a few
    queued or running plan jobs at once (429 with Retry-After beyond that)."""
    engine = request.app.state.engine
    runner: JobRunner = request.app.state.jobs
    policy.check(principal, PLAN, Scope(f"office {body.office_id}", body.office_id), ("body", "office_id"))
    plan_request = PlanRequest(
        body.office_id, body.start_date, body.weeks, body.time_limit_s or planning.DEFAULT_TIME_LIMIT_S
    )
    # no request session: the job opens its own short ones, none stays open while the reps are solved
    with Session(engine) as session:
        job_id = stored_id(
            plan_jobs.create(
                session,
                plan_request,
                runner.owner,
                runner.lease_s,
                principal.token_id,
                request.app.state.job_limits,
                runner.solver.workers(),
            )
        )
        audit.record(session, principal, "plan.requested", body.office_id, "job", job_id, plan_request.as_json())
        if wait is None:
            wait = plan_jobs.solver_seconds(session, plan_request) <= plan_jobs.WAIT_MAX_SOLVER_S
        session.commit()
    if not wait:
        runner.submit(job_id)
        with Session(engine) as session:
            job = JobPublic.of(jobs.get(session, job_id))
        return JSONResponse(
            job.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED, headers={"Location": f"/jobs/{job_id}"}
        )
    plan_id = runner.run_now(job_id)
    if plan_id is None:
        raise Conflict(f"job {job_id} was cancelled before its plan was stored", ("job_id",))
    with Session(engine) as session:
        return plan_views.plan_public(session, plan_id)


@router.get("", response_model=list[PlanSummary], summary="List plans")
def list_plans(
    session: SessionDep, principal: Annotated[Principal, policy.role(READ_OFFICE)], office_id: OfficeFilter = None
) -> list[PlanSummary]:
    """Plans, newest first, with their status and coverage; filter by office."""
    return plan_views.plan_summaries(session, policy.office_filter(principal, office_id))


@router.get("/{plan_id}", response_model=PlanPublic, dependencies=[policy.on_plan(READ_OFFICE)], summary="A plan")
def read_plan(plan_id: PlanId, session: SessionDep) -> PlanPublic:
    """Every rep-day of the cycle with its ordered visits and times, the KPIs, the outlets left unplaced and why,
    and, when reps' days are full, the nearby reps with room."""
    return plan_views.plan_public(session, plan_id)


@router.get(
    "/{plan_id}/geojson",
    summary="A plan as GeoJSON",
    response_class=JSONResponse,
    dependencies=[policy.on_plan(READ_OFFICE)],
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def read_plan_geojson(plan_id: PlanId, session: SessionDep) -> JSONResponse:
    """Visits as Points numbered as in the day list, each rep's day as a LineString in visiting order."""
    return JSONResponse(plan_views.plan_geojson(session, plan_id), media_type="application/geo+json")


@router.post("/{plan_id}/publish", response_model=PlanPublic, summary="Publish a plan to the reps")
def publish_plan(
    plan_id: PlanId, session: SessionDep, principal: Annotated[Principal, policy.on_plan(PLAN)]
) -> PlanPublic:
    """Make this plan the one the office's reps see; the previously published plan becomes superseded.
    Supervisors and admins only: a coordinator's change set makes a draft, never a published plan."""
    return plan_views.publish_plan(session, principal, plan_id)
