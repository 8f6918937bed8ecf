"""Jobs: GET /jobs/{id} (status, progress, result location); POST /jobs/{id}/cancel or DELETE /jobs/{id}."""

from __future__ import annotations

from fastapi import APIRouter

from service import jobs
from service.db import SessionDep
from service.job_schemas import JobPublic

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("/{job_id}")
def read_job(job_id: int, session: SessionDep) -> JobPublic:
    return JobPublic.of(jobs.get(session, job_id))


@router.post("/{job_id}/cancel")
def cancel_job(job_id: int, session: SessionDep) -> JobPublic:
    """Cancel a queued or running job: its tasks are cancelled and nothing is stored; 409 once it has ended."""
    return JobPublic.of(jobs.cancel(session, job_id))


@router.delete("/{job_id}")
def delete_job(job_id: int, session: SessionDep) -> JobPublic:
    """The same as POST /jobs/{id}/cancel (the job's record stays, cancelled)."""
    return JobPublic.of(jobs.cancel(session, job_id))
