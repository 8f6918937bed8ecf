"""The life of a job in the database: queued -> running -> succeeded | failed | cancelled.

A service process owns the jobs it runs through a lease (`Job.owner`, `Job.lease_until`) that it renews while it
works. Every change a run makes is a conditional UPDATE on (id, owner, status), so a process whose lease was taken
over, or whose job was cancelled, changes nothing: it learns so from the row count and stops. A job whose lease ran
out because its process died is queued again by the next process that looks (`adopt_abandoned`).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from service.core.errors import Conflict, NotFound
from service.core.tables import Job, JobStatus, utcnow

LEASE_ENV = "ROUTEPLAN_JOB_LEASE_S"
DEFAULT_LEASE_S = 30.0
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
ERROR_MAX_CHARS = 2000


def lease_s() -> float:
    """How long a job stays with a process that stopped renewing it (ROUTEPLAN_JOB_LEASE_S, default 30 s)."""
    return float(os.environ.get(LEASE_ENV) or DEFAULT_LEASE_S)


def _lease_end(lease_seconds: float) -> datetime:
    return utcnow() + timedelta(seconds=lease_seconds)


def create(session: Session, kind: str, request: dict, owner: str, lease_seconds: float, **counted_as) -> Job:
    """A queued job held by `owner` (`counted_as`: its office_id, token_id, solver_s); flushed (it has an id), not
    committed."""
    job = Job(kind=kind, request=request, owner=owner, lease_until=_lease_end(lease_seconds), **counted_as)
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} does not exist", ("path", "job_id"))
    return job


def _change(engine: Engine, job_id: int, owner: str, statuses: tuple[JobStatus, ...], values: dict) -> bool:
    """Set `values` on the job if `owner` holds it in one of `statuses`; whether it did."""
    with Session(engine) as session:
        result = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.owner) == owner, col(Job.status).in_(statuses))
            .values(**values)
        )
        session.commit()
        return result.rowcount == 1


def start_run(engine: Engine, job_id: int, owner: str, lease_seconds: float) -> bool:
    """Mark a job `owner` holds as running (a new attempt, progress from zero); False if it no longer holds it."""
    with Session(engine) as session:
        result = session.exec(
            update(Job)
            .where(col(Job.id) == job_id, col(Job.owner) == owner, col(Job.status).in_(ACTIVE))
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                started_at=utcnow(),
                finished_at=None,
                reps_solved=0,
                lease_until=_lease_end(lease_seconds),
            )
        )
        session.commit()
        return result.rowcount == 1


def report_progress(
    engine: Engine, job_id: int, owner: str, reps_solved: int, reps_total: int, lease_seconds: float
) -> bool:
    """Record progress and renew the lease; False when the job was cancelled or another process took it over."""
    return _change(
        engine,
        job_id,
        owner,
        (JobStatus.RUNNING,),
        {"reps_solved": reps_solved, "reps_total": reps_total, "lease_until": _lease_end(lease_seconds)},
    )


def renew(engine: Engine, owner: str, job_ids: list[int], lease_seconds: float) -> None:
    """Extend the leases of the jobs `owner` holds (queued in this process or running)."""
    if not job_ids:
        return
    with Session(engine) as session:
        session.execute(
            update(Job)
            .where(col(Job.id).in_(job_ids), col(Job.owner) == owner, col(Job.status).in_(ACTIVE))
            .values(lease_until=_lease_end(lease_seconds))
        )
        session.commit()


def succeed(session: Session, job_id: int, owner: str, plan_id: int | None) -> bool:
    """In the caller's transaction that stored the result: mark the job succeeded if `owner` still runs it (a plan
    job with its plan's id; other kinds key their result by the job's id).

    False means the result must not be committed (cancelled, or run by another process): one result per job."""
    result = session.exec(
        update(Job)
        .where(
            col(Job.id) == job_id,
            col(Job.owner) == owner,
            col(Job.status) == JobStatus.RUNNING,
            col(Job.plan_id).is_(None),
        )
        .values(status=JobStatus.SUCCEEDED, plan_id=plan_id, finished_at=utcnow(), owner=None, lease_until=None)
    )
    return result.rowcount == 1


def fail(engine: Engine, job_id: int, owner: str, error: str) -> bool:
    """Record why the job failed (if `owner` still holds it)."""
    return _change(
        engine,
        job_id,
        owner,
        ACTIVE,
        {
            "status": JobStatus.FAILED,
            "error": error[:ERROR_MAX_CHARS],
            "finished_at": utcnow(),
            "owner": None,
            "lease_until": None,
        },
    )


def release(engine: Engine, job_id: int, owner: str) -> bool:
    """Hand an unfinished job back (the process is shutting down): queued, free for any process to take."""
    return _change(engine, job_id, owner, ACTIVE, {"status": JobStatus.QUEUED, "owner": None, "lease_until": None})


def adopt_abandoned(engine: Engine, owner: str, lease_seconds: float) -> list[int]:
    """Queue again, now held by `owner`, every queued or running job that nobody holds or whose holder stopped
    renewing its lease (its process died). Each is taken by a conditional UPDATE, so of several processes
    looking at once exactly one gets it."""
    now = utcnow()
    abandoned = or_(col(Job.owner).is_(None), col(Job.lease_until).is_(None), col(Job.lease_until) < now)
    with Session(engine) as session:
        candidates = session.exec(select(Job.id).where(col(Job.status).in_(ACTIVE), abandoned)).all()
        adopted = []
        for job_id in candidates:
            assert job_id is not None  # a primary key
            result = session.exec(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.status).in_(ACTIVE), abandoned)
                .values(status=JobStatus.QUEUED, owner=owner, lease_until=_lease_end(lease_seconds))
            )
            session.commit()
            if result.rowcount == 1:
                adopted.append(job_id)
        return adopted


def cancel(session: Session, job_id: int) -> Job:
    """Cancel a queued or running job; the process running it sees the status, stops and stores nothing."""
    result = session.exec(
        update(Job)
        .where(col(Job.id) == job_id, col(Job.status).in_(ACTIVE))
        .values(status=JobStatus.CANCELLED, finished_at=utcnow(), owner=None, lease_until=None)
    )
    job = get(session, job_id)
    if result.rowcount != 1:
        raise Conflict(
            f"job {job_id} is {job.status.value}: only a queued or running job can be cancelled", ("path", "job_id")
        )
    return job
