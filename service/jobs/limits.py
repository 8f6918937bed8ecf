"""Limits on the plan jobs held at once, so that one supervisor cannot fill the cluster and make every other
office wait: per office and per token, the queued and running jobs and their solver time (active reps x
`time_limit_s`). A request over a limit is answered 429 with Retry-After: when the soonest of the jobs it counts
against is expected to end. The counts are taken under the office's row lock, so two requests at once cannot
both take the last place.

Settings (environment): ROUTEPLAN_MAX_JOBS (default 3 queued or running jobs per office and per token) and
ROUTEPLAN_MAX_JOB_SOLVER_S (default 86,400: a day of one core, per office and per token).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from service.core.errors import InvalidInput, TooManyRequests
from service.core.tables import Job, utcnow
from service.jobs import lifecycle as jobs
from service.plans import repository as plan_repository

MAX_JOBS_ENV = "ROUTEPLAN_MAX_JOBS"
MAX_SOLVER_S_ENV = "ROUTEPLAN_MAX_JOB_SOLVER_S"
DEFAULT_MAX_JOBS = 3
DEFAULT_MAX_SOLVER_S = 86_400.0


@dataclass(frozen=True)
class JobLimits:
    jobs: int
    solver_s: float

    @classmethod
    def from_env(cls) -> JobLimits:
        return cls(
            int(_env_number(MAX_JOBS_ENV, DEFAULT_MAX_JOBS)), _env_number(MAX_SOLVER_S_ENV, DEFAULT_MAX_SOLVER_S)
        )


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        number = -1.0
    if not number > 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return number


def check(session: Session, limits: JobLimits, office_id: int, token_id: int, solver_s: float, workers: int) -> None:
    """Raise unless a new job of `solver_s` fits the office's and the token's limits (call in the transaction that
    creates the job: it takes the office's row lock)."""
    if solver_s > limits.solver_s:
        raise InvalidInput(
            f"the plan needs {solver_s:g} s of solver time (active reps x time_limit_s), over the "
            f"limit of {limits.solver_s:g} s per job ({MAX_SOLVER_S_ENV}); lower time_limit_s",
            ("body", "time_limit_s"),
        )
    plan_repository.lock_office_versions(session, office_id)
    for scope, held in (
        (f"office {office_id}", _active(session, col(Job.office_id) == office_id)),
        ("this token", _active(session, col(Job.token_id) == token_id)),
    ):
        over = None
        if len(held) >= limits.jobs:
            over = f"{scope} has {len(held)} plan jobs queued or running, the limit is {limits.jobs} ({MAX_JOBS_ENV})"
        elif sum(job.solver_s for job in held) + solver_s > limits.solver_s:
            over = (
                f"{scope}'s queued and running plan jobs hold {sum(job.solver_s for job in held):g} s of solver "
                f"time; this one's {solver_s:g} s would pass the limit of {limits.solver_s:g} s "
                f"({MAX_SOLVER_S_ENV})"
            )
        if over:
            raise TooManyRequests(
                over + "; wait for one to end or cancel one",
                ("body", "office_id"),
                retry_after_s=_soonest_end_s(held, workers),
            )


def _active(session: Session, whose) -> Sequence[Job]:
    return session.exec(select(Job).where(whose, col(Job.status).in_(jobs.ACTIVE))).all()


def _soonest_end_s(held: Sequence[Job], workers: int) -> int:
    """Seconds until the first of these jobs is expected to end: each takes its solver time spread over the
    cluster's workers, a queued one from now."""
    now = utcnow()

    def expected_end(job: Job) -> datetime:
        started = _aware(job.started_at) if job.started_at is not None else now
        return started + timedelta(seconds=job.solver_s / max(1, workers))

    soonest = min(expected_end(job) for job in held) if held else now
    return max(1, math.ceil((soonest - now).total_seconds()))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they are UTC like every stored time
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=utcnow().tzinfo)
