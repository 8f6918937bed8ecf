"""The jobs of one service process: run in background threads or in the request's, leases renewed, abandoned jobs
taken over.

At start, and every third of a lease after, a sweeper thread renews the leases of the jobs this process holds and
queues here every job whose process died (queued or running, lease run out). On shutdown the jobs still held are
handed back (queued, no owner) for the next process, so none is left hanging.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from service.jobs import lifecycle as jobs
from service.jobs import plan_job as plan_jobs
from service.jobs import territory_job as territory_jobs
from service.solving.dask_runner import DaskRunner
from service.solving.rep_solvers import RepSolver

log = logging.getLogger(__name__)


class JobRun(Protocol):
    """Runs a job its process holds to the end: its result's id, or None when cancelled, taken over or stopped."""

    def __call__(
        self,
        engine: Engine,
        solver: RepSolver,
        job_id: int,
        owner: str,
        lease_seconds: float,
        keep_going: Callable[[], bool],
    ) -> int | None: ...


# What runs a job of each kind (Job.kind): a job adopted from a process that died runs by its stored kind.
RUNS: dict[str, JobRun] = {plan_jobs.KIND: plan_jobs.run} | dict.fromkeys(territory_jobs.KINDS, territory_jobs.run)

MAX_PARALLEL_JOBS = 4  # jobs driven at once by one process; their tasks share the cluster anyway


class JobRunner:
    def __init__(self, engine: Engine, solver: RepSolver | None = None, lease_seconds: float | None = None) -> None:
        self.engine = engine
        self.solver = solver or DaskRunner()
        self.lease_s = lease_seconds or jobs.lease_s()
        self.owner = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._held: set[int] = set()
        self._held_lock = threading.Lock()
        self._stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=MAX_PARALLEL_JOBS, thread_name_prefix="job")
        self._sweeper = threading.Thread(target=self._sweep, name="job-sweeper", daemon=True)

    def start(self) -> None:
        self._sweeper.start()

    def stop(self) -> None:
        """Stop running jobs (their tasks cancelled) and hand every job still held back to the queue."""
        self._stopping.set()
        if self._sweeper.is_alive():
            self._sweeper.join()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._held_lock:
            held, self._held = list(self._held), set()
        for job_id in held:
            jobs.release(self.engine, job_id, self.owner)
        self.solver.close()

    def submit(self, job_id: int) -> None:
        """Run a job this process holds in a background thread."""
        self._hold(job_id)
        self._pool.submit(self._run_in_background, job_id)

    def run_now(self, job_id: int) -> int | None:
        """Run a job this process holds in the calling thread: its result's id, None if it was cancelled; its
        error raised (and recorded on the job)."""
        self._hold(job_id)
        try:
            return self._run(job_id)
        finally:
            self._let_go(job_id)

    def _run(self, job_id: int) -> int | None:
        with Session(self.engine) as session:
            kind = jobs.get(session, job_id).kind
        run = RUNS.get(kind)
        if run is None:  # a job stored by another version of the service
            error = f"no runner for jobs of kind {kind!r} in this service (it runs {', '.join(sorted(RUNS))})"
            jobs.fail(self.engine, job_id, self.owner, error)
            raise ValueError(error)
        result = run(
            self.engine, self.solver, job_id, self.owner, self.lease_s, keep_going=lambda: not self._stopping.is_set()
        )
        if result is None and self._stopping.is_set():
            jobs.release(self.engine, job_id, self.owner)
        return result

    def _run_in_background(self, job_id: int) -> None:
        try:
            self._run(job_id)
        except Exception:  # recorded on the job by the run; logged here for the operator
            log.exception("job %s failed", job_id)
        finally:
            self._let_go(job_id)

    def _hold(self, job_id: int) -> None:
        with self._held_lock:
            self._held.add(job_id)

    def _let_go(self, job_id: int) -> None:
        with self._held_lock:
            self._held.discard(job_id)

    def _sweep(self) -> None:
        while not self._stopping.is_set():
            with self._held_lock:
                held = list(self._held)
            try:
                jobs.renew(self.engine, self.owner, held, self.lease_s)
                for job_id in jobs.adopt_abandoned(self.engine, self.owner, self.lease_s):
                    log.info("job %s was abandoned by its process: running it again", job_id)
                    self.submit(job_id)
            except Exception:  # a database hiccup must not end the sweeping; the next round tries again
                log.exception("job sweep failed")
            self._stopping.wait(self.lease_s / 3)
