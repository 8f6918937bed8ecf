"""Territory proposals and rep-count studies as jobs: the request stored, the office read, the territories searched
with reps' cycles planned on the job runner's RepSolver (Dask), the result stored in the transaction that marks the
job succeeded (service/territories).

Progress is the search's clock: `reps_solved` counts the seconds spent of `reps_total`, its time limit (a rep-count
study's: per count), so the job's estimate is the time left.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session

from service.core.tables import Job
from service.jobs import lifecycle as jobs
from service.jobs import limits as job_limits
from service.jobs.limits import JobLimits
from service.jobs.plan_job import describe_error
from service.solving.rep_solvers import RepSolver, SolveStopped
from service.territories import proposals
from service.territories.planner import RepSolverPlanner
from service.territories.requests import (
    PROPOSAL,
    REP_COUNT,
    ProposalRequest,
    RepCountRequest,
    check_proposal,
    check_rep_count,
)

KINDS = (PROPOSAL, REP_COUNT)


def _search_s(request: ProposalRequest | RepCountRequest) -> float:
    if isinstance(request, ProposalRequest):
        return request.time_limit_s
    return request.time_limit_s * (request.max_reps - request.min_reps + 1)


def create(
    session: Session,
    request: ProposalRequest | RepCountRequest,
    owner: str,
    lease_seconds: float,
    token_id: int,
    limits: JobLimits,
    workers: int,
) -> Job:
    """A queued territory job for a checked request within the office's and the token's job limits (it holds
    every worker for its time limit)."""
    if isinstance(request, ProposalRequest):
        check_proposal(session, request)
        kind = PROPOSAL
    else:
        check_rep_count(session, request)
        kind = REP_COUNT
    solver_s = _search_s(request) * workers
    job_limits.check(session, limits, request.office_id, token_id, solver_s, workers)
    return jobs.create(
        session,
        kind,
        request.as_json(),
        owner,
        lease_seconds,
        office_id=request.office_id,
        token_id=token_id,
        solver_s=solver_s,
    )


def run(
    engine: Engine, solver: RepSolver, job_id: int, owner: str, lease_seconds: float, keep_going: Callable[[], bool]
) -> int | None:
    """Run a territory job `owner` holds: its id (the stored result's key), or None when it was cancelled, taken
    over or `keep_going()` turned False. A failure is recorded on the job and raised."""
    if not jobs.start_run(engine, job_id, owner, lease_seconds):
        return None
    with Session(engine) as session:
        job = jobs.get(session, job_id)
        kind, data, attempt = job.kind, job.request, job.attempts
    try:
        request = ProposalRequest.from_json(data) if kind == PROPOSAL else RepCountRequest.from_json(data)
        total = round(_search_s(request))
        started = time.perf_counter()

        def progress() -> bool:
            spent = min(total, round(time.perf_counter() - started))
            return keep_going() and jobs.report_progress(engine, job_id, owner, spent, total, lease_seconds)

        if not progress():
            return None
        planner = RepSolverPlanner(solver, f"job{job_id}-run{attempt}", progress)
        if isinstance(request, ProposalRequest):
            prepared = proposals.prepare_proposal(engine, request)
            answer = proposals.search_proposal(prepared, request, planner)
            result = proposals.proposal_result(prepared, answer, data)
        else:
            prepared = proposals.prepare_rep_count(engine, request)
            study = proposals.search_rep_counts(prepared, request, planner)
            result = proposals.rep_count_result(prepared, study, data)
        with Session(engine) as session:
            row = proposals.store(session, job_id, kind, prepared, result)
            if not jobs.succeed(session, job_id, owner, None):
                session.rollback()  # cancelled or taken over meanwhile: the result is not ours to store
                return None
            session.commit()
            return row.job_id
    except SolveStopped:
        return None
    except Exception as error:
        jobs.fail(engine, job_id, owner, describe_error(error))
        raise
