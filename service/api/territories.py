"""Territories: proposals that share an office's outlets among its reps and rep-count studies (jobs: 202 + /jobs/{id},
or 201 once stored with `wait=true`), read back by the job's id; a proposal applied as a line cleanup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import LINE_CLEANUP, READ_OFFICE, TERRITORIES, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import Conflict, Loc, NotFound
from service.core.fields import OfficeId
from service.core.tables import Job, TerritoryProposal, stored_id
from service.jobs import lifecycle as jobs
from service.jobs import territory_job
from service.jobs.runner import JobRunner
from service.jobs.schemas import JobPublic
from service.line_cleanup.schemas import ChangeSetPublic
from service.territories import views
from service.territories.apply import apply_proposal
from service.territories.requests import PROPOSAL, REP_COUNT, ProposalRequest, RepCountRequest
from service.territories.schemas import ProposalApply, ProposalCreate, ProposalPublic, RepCountCreate, RepCountPublic

router = APIRouter(route_class=CommittingRoute, tags=["territories"])

RUNNING: dict[int | str, dict[str, Any]] = {
    status.HTTP_202_ACCEPTED: {"model": JobPublic, "description": "still being computed: follow the job (Location)"}
}
Wait = Annotated[
    bool, Query(description="true: answer 201 with the result once computed; false: 202 with the job at once.")
]
ProposalId = Annotated[int, Path(description="The territory proposal's id (its job's id).")]
StudyId = Annotated[int, Path(description="The rep-count study's id (its job's id).")]


def _asked(
    request: Request,
    principal: Principal,
    job_request: ProposalRequest | RepCountRequest,
    wait: bool,
    public: Callable[[Session, int], BaseModel],
) -> Any:
    """Store the job (checked, within the limits) with its audit event; run it in the background and answer 202 with
    it, or, waited for, run it here and answer its result (`public`)."""
    engine = request.app.state.engine
    runner: JobRunner = request.app.state.jobs
    with Session(engine) as session:
        job = territory_job.create(
            session,
            job_request,
            runner.owner,
            runner.lease_s,
            principal.token_id,
            request.app.state.job_limits,
            runner.solver.workers(),
        )
        job_id = stored_id(job)
        audit.record(session, principal, f"{job.kind}.requested", job_request.office_id, "job", job_id, job.request)
        session.commit()
    if not wait:
        runner.submit(job_id)
        return _job_response(engine, job_id)
    if runner.run_now(job_id) is None:
        raise Conflict(f"job {job_id} was cancelled before its result was stored", ("job_id",))
    with Session(engine) as session:
        return public(session, job_id)


def _read(
    request: Request, session: Session, principal: Principal, job_id: int, kind: str, what: str, loc: Loc
) -> TerritoryProposal | JSONResponse:
    """The stored result the path names, or its job while it runs (or after it failed or was cancelled), if the
    principal may read its office."""
    job = session.get(Job, job_id)
    if job is None or job.kind != kind:
        raise NotFound(f"no {what} {job_id}", loc)
    policy.check(principal, READ_OFFICE, Scope(f"{what} {job_id}", job.office_id), loc)
    row = views.stored(session, job_id, kind)
    return row if row is not None else _job_response(request.app.state.engine, job_id)


def _job_response(engine: Any, job_id: int) -> JSONResponse:
    with Session(engine) as session:
        job = JobPublic.of(jobs.get(session, job_id))
    return JSONResponse(
        job.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED, headers={"Location": f"/jobs/{job_id}"}
    )


@router.post(
    "/offices/{office_id}/territory-proposals",
    summary="Propose territories for an office",
    status_code=status.HTTP_201_CREATED,
    response_model=ProposalPublic,
    responses=RUNNING,
)
def create_proposal(
    office_id: OfficeId,
    body: ProposalCreate,
    request: Request,
    principal: Annotated[Principal, policy.on_office(TERRITORIES)],
    wait: Wait = False,
) -> Any:
    """Share the office's active outlets among its reps (or the reps named, plus new ones for a what-if): every visit
    placed where the reps' time allows, workloads from planned cycles balanced within the tolerance (or the fewest
    outlets moved), at least `keep_share` of the outlets keeping their rep, locked outlets with theirs. A job: 202
    with it at once, or 201 with the proposal once stored when `wait=true`."""
    job_request = ProposalRequest.of(office_id, body, principal.name)
    return _asked(
        request, principal, job_request, wait, lambda s, job_id: views.proposal_public(views.proposal(s, job_id))
    )


@router.get(
    "/territory-proposals/{proposal_id}",
    summary="A territory proposal",
    response_model=ProposalPublic,
    responses=RUNNING,
)
def read_proposal(
    proposal_id: ProposalId,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, policy.role(READ_OFFICE)],
) -> Any:
    """The proposal, or its job while it runs (or after it failed or was cancelled)."""
    found = _read(request, session, principal, proposal_id, PROPOSAL, "territory proposal", ("path", "proposal_id"))
    return views.proposal_public(found) if isinstance(found, TerritoryProposal) else found


@router.post(
    "/territory-proposals/{proposal_id}/apply",
    summary="Apply a territory proposal as a change set",
    status_code=status.HTTP_201_CREATED,
    response_model=ChangeSetPublic,
    responses={409: {"description": "stale base version, the proposal applied already, or a reused key"}},
)
def apply(
    proposal_id: ProposalId,
    body: ProposalApply,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(LINE_CLEANUP)],
) -> Any:
    """Apply the proposal as a change set on the office's current plan version (`base_plan_id`): the moves per rep
    and the reps leaving, folded with the proposal's planned cycles; a new draft version with its diff, published
    like any line cleanup. A repeated idempotency key returns the first result (200)."""
    job = session.get(Job, proposal_id)
    if job is not None and job.kind == PROPOSAL:
        scope = Scope(f"territory proposal {proposal_id}", job.office_id)
        policy.check(principal, LINE_CLEANUP, scope, ("path", "proposal_id"))
    result = apply_proposal(session, views.proposal(session, proposal_id), body)
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        audit.record(
            session,
            principal,
            "territory_proposal.applied",
            result.office_id,
            "change_set",
            result.id,
            {"proposal_id": proposal_id, "base_plan_id": result.base_plan_id, "result_plan_id": result.result_plan_id},
        )
    return result


@router.post(
    "/offices/{office_id}/rep-count-studies",
    summary="Study how many reps an office needs",
    status_code=status.HTTP_201_CREATED,
    response_model=RepCountPublic,
    responses=RUNNING,
)
def create_rep_count_study(
    office_id: OfficeId,
    body: RepCountCreate,
    request: Request,
    principal: Annotated[Principal, policy.on_office(TERRITORIES)],
    wait: Wait = False,
) -> Any:
    """How many reps the office needs: a proposal for every count from `min_reps` to `max_reps` (fewer than today
    keep the reps carrying most visits, more add reps from the office), each with its workload spread and travel,
    and the smallest count that places every visit."""
    job_request = RepCountRequest.of(office_id, body, principal.name)
    return _asked(
        request,
        principal,
        job_request,
        wait,
        lambda s, job_id: views.rep_count_public(views.rep_count_study(s, job_id)),
    )


@router.get(
    "/rep-count-studies/{study_id}", summary="A rep-count study", response_model=RepCountPublic, responses=RUNNING
)
def read_rep_count_study(
    study_id: StudyId, request: Request, session: SessionDep, principal: Annotated[Principal, policy.role(READ_OFFICE)]
) -> Any:
    """The study's row per rep count (placed visits, workload spread, travel, the proposal's request), or its job
    while it runs (or after it failed or was cancelled)."""
    found = _read(request, session, principal, study_id, REP_COUNT, "rep-count study", ("path", "study_id"))
    return views.rep_count_public(found) if isinstance(found, TerritoryProposal) else found
