"""An office's plan as a job: the request stored, the reps solved on Dask, the plan stored once.

The service process reads the office and builds the reps' problems (travel matrices included), sends one task per
rep to the cluster, records progress as the answers come back and stores the plan in the same transaction that
marks the job succeeded: a job run twice (its first process died) can never store two plans.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session

from service.core.errors import ServiceError
from service.core.tables import Job, stored_id
from service.jobs import lifecycle as jobs
from service.jobs import limits as job_limits
from service.jobs.limits import JobLimits
from service.master_data import repository
from service.plans import planning
from service.plans.planning import PlanRequest
from service.solving.rep_solvers import RepSolver, SolveStopped
from solver.model import SolveParams

KIND = "plan"
# A plan whose reps would take longer than this to solve one after another is never waited for by POST /plans
# unless asked: it answers 202 with the job at once.
WAIT_MAX_SOLVER_S = 30.0


def create(
    session: Session,
    request: PlanRequest,
    owner: str,
    lease_seconds: float,
    token_id: int,
    limits: JobLimits,
    workers: int,
) -> Job:
    """A queued plan job for a checked request within the office's and the token's job limits (NotFound /
    InvalidInput / TooManyRequests before anything is written)."""
    planning.check_request(session, request)
    solver_s = solver_seconds(session, request)
    job_limits.check(session, limits, request.office_id, token_id, solver_s, workers)
    return jobs.create(
        session,
        KIND,
        request.as_json(),
        owner,
        lease_seconds,
        office_id=request.office_id,
        token_id=token_id,
        solver_s=solver_s,
    )


def solver_seconds(session: Session, request: PlanRequest) -> float:
    """Solver time of the plan if its reps were solved one after another: active reps x the time limit."""
    active_reps = sum(1 for _ in repository.reps(session, request.office_id, active=True))
    return active_reps * request.time_limit_s


def describe_error(error: Exception) -> str:
    """What a failed job says: a service error as the API would word it, anything else with its type."""
    return str(error) if isinstance(error, ServiceError) else f"{type(error).__name__}: {error}"


def run(
    engine: Engine, solver: RepSolver, job_id: int, owner: str, lease_seconds: float, keep_going: Callable[[], bool]
) -> int | None:
    """Run a plan job `owner` holds: the stored plan's id, or None when the job was cancelled, taken over by
    another process, or `keep_going()` turned False (shutdown). A failure is recorded on the job and raised."""
    if not jobs.start_run(engine, job_id, owner, lease_seconds):
        return None
    with Session(engine) as session:
        job = jobs.get(session, job_id)
        request, attempt = PlanRequest.from_json(job.request), job.attempts
    try:
        prepared = planning.prepare_plan(engine, request)
        total = len(prepared.problems)

        def progress(solved: int) -> bool:
            return keep_going() and jobs.report_progress(engine, job_id, owner, solved, total, lease_seconds)

        if not progress(0):
            return None
        started = time.perf_counter()
        answers = solver.solve(
            [p.problem for p in prepared.problems],
            SolveParams(time_limit_s=request.time_limit_s),
            key_prefix=f"job{job_id}-run{attempt}",
            on_progress=progress,
        )
        solve_wall_s = time.perf_counter() - started
        with Session(engine) as session:
            plan = planning.add_plan(session, prepared, answers, solve_wall_s)
            plan_id = stored_id(plan)  # add_plan flushes it
            if not jobs.succeed(session, job_id, owner, plan_id):
                session.rollback()  # cancelled or taken over meanwhile: the plan is not ours to store
                return None
            session.commit()
            return plan_id
    except SolveStopped:
        return None
    except Exception as error:
        jobs.fail(engine, job_id, owner, describe_error(error))
        raise
