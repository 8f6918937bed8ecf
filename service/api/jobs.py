"""Jobs: GET /jobs/{id} (status, progress, result location); POST /jobs/{id}/cancel or DELETE /jobs/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlmodel import Session

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import PLAN, READ_OFFICE
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import JobId
from service.jobs import lifecycle as jobs
from service.jobs.schemas import JobPublic

router = APIRouter(route_class=CommittingRoute, prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}", dependencies=[policy.on_job(READ_OFFICE)], summary="A job's progress")
def read_job(job_id: JobId, session: SessionDep) -> JobPublic:
    """The job's status, reps solved of all, time elapsed and the estimate of the time left; once it succeeded,
    `location` names its result (a plan, a territory proposal, a rep-count study)."""
    return JobPublic.of(jobs.get(session, job_id))


@router.post("/{job_id}/cancel", summary="Cancel a job")
def cancel_job(job_id: JobId, session: SessionDep, principal: Annotated[Principal, policy.on_job(PLAN)]) -> JobPublic:
    """Cancel a queued or running job: its tasks are cancelled and nothing is stored; 409 once it has ended."""
    return _cancelled(session, principal, job_id)


@router.delete("/{job_id}", summary="Cancel a job (DELETE)")
def delete_job(job_id: JobId, session: SessionDep, principal: Annotated[Principal, policy.on_job(PLAN)]) -> JobPublic:
    """The same as POST /jobs/{id}/cancel (the job's record stays, cancelled)."""
    return _cancelled(session, principal, job_id)


def _cancelled(session: Session, principal: Principal, job_id: int) -> JobPublic:
    job = jobs.cancel(session, job_id)
    audit.record(session, principal, "job.cancelled", job.request.get("office_id"), "job", job.id)
    return JobPublic.of(job)
