"""HTTP schema of a job: status, progress (reps solved of total, elapsed, estimate) and its result's location."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from service.core.tables import Job, JobStatus, as_utc, stored_id, utcnow


class JobPublic(BaseModel):
    id: int = Field(description="the job's id")
    kind: str = Field(description="what the job computes: plan, territory_proposal or rep_count")
    status: JobStatus = Field(description="queued, running, succeeded, failed or cancelled")
    request: dict = Field(description="what was asked: the job runs it again after a service restart")
    reps_solved: int = Field(description="reps whose routes are computed so far")
    reps_total: int = Field(description="reps to compute in all; 0 until the job has read the office")
    attempts: int = Field(description="runs started; above 1 it was taken over after a service process died")
    created_at: datetime = Field(description="when the job was asked for (UTC)")
    started_at: datetime | None = Field(description="when its latest run started (UTC)")
    finished_at: datetime | None = Field(description="when it ended (UTC)")
    elapsed_s: float | None = Field(description="seconds since the latest run started (until it finished)")
    estimate_s: float | None = Field(
        description="seconds still to go, from the pace so far; null until a rep is solved"
    )
    error: str = Field(description="why a failed job failed (empty otherwise)")
    plan_id: int | None = Field(description="the plan a plan job made")
    location: str | None = Field(description="where the result is, once the job succeeded (e.g. /plans/12)")

    @classmethod
    def of(cls, job: Job) -> JobPublic:
        started, finished = job.started_at and as_utc(job.started_at), job.finished_at and as_utc(job.finished_at)
        elapsed_s = ((finished or utcnow()) - started).total_seconds() if started else None
        estimate_s = None
        if job.status == JobStatus.RUNNING and elapsed_s is not None and job.reps_solved:
            estimate_s = round(elapsed_s / job.reps_solved * (job.reps_total - job.reps_solved), 1)
        return cls(
            id=stored_id(job),
            kind=job.kind,
            status=job.status,
            request=job.request,
            reps_solved=job.reps_solved,
            reps_total=job.reps_total,
            attempts=job.attempts,
            created_at=as_utc(job.created_at),
            started_at=started,
            finished_at=finished,
            elapsed_s=round(elapsed_s, 1) if elapsed_s is not None else None,
            estimate_s=estimate_s,
            error=job.error,
            plan_id=job.plan_id,
            location=_location(job),
        )


RESULT_PATHS = {"territory_proposal": "/territory-proposals/{id}", "rep_count": "/rep-count-studies/{id}"}


def _location(job: Job) -> str | None:
    """Where a succeeded job's result is: its plan, or its result keyed by the job's id."""
    if job.plan_id is not None:
        return f"/plans/{job.plan_id}"
    if job.status == JobStatus.SUCCEEDED and job.kind in RESULT_PATHS:
        return RESULT_PATHS[job.kind].format(id=job.id)
    return None
