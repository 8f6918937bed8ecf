"""Where the API's plan jobs solve reps (a RepSolver): a Dask cluster, one task per rep's problem.

With ROUTEPLAN_DASK_SCHEDULER set (e.g. tcp://10.0.0.5:8786) the service submits to that cluster; otherwise it
starts, on first use, a local cluster of one single-threaded worker process per core (the solver is
CPU-bound and holds the GIL). Workers receive a solver Problem and return its Solution: they need the package,
never the database. A worker that dies mid-task has its tasks run again elsewhere by the scheduler.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from distributed import Client, LocalCluster, as_completed

from service.core.errors import EngineUnavailable
from service.solving import solve_worker
from service.solving.rep_solvers import PROGRESS_EVERY_S, SolveStopped, always
from solver.model import Problem, Solution, SolveParams

SCHEDULER_ENV = "ROUTEPLAN_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
POLL_S = 0.1


class DaskRunner:
    """The service process's connection to its Dask cluster, made on first use and shared by its job threads."""

    def __init__(self, scheduler_address: str | None = None) -> None:
        self.scheduler_address = scheduler_address or os.environ.get(SCHEDULER_ENV) or None
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None

    def describe(self) -> str:
        return f"Dask scheduler {self.scheduler_address}" if self.scheduler_address else "local Dask cluster"

    def client(self) -> Client:
        with self._lock:
            if self._client is None:
                if self.scheduler_address:
                    try:
                        self._client = Client(self.scheduler_address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
                    except OSError as exc:  # distributed's connect timeout is an OSError too
                        raise EngineUnavailable(f"{self.describe()} unreachable: {exc}", ("dask_scheduler",)) from exc
                else:
                    self._cluster = LocalCluster(
                        n_workers=os.cpu_count() or 1,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address="127.0.0.1:0",
                    )
                    self._client = Client(self._cluster, set_as_default=False)
            return self._client

    def workers(self) -> int:
        """Workers solving at once: the cluster's if connected, else the local cluster's to come (one per core)."""
        client = self._client
        if client is not None:
            return max(1, len(client.scheduler_info().get("workers", {})))
        return os.cpu_count() or 1

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            self._client = self._cluster = None

    def solve(
        self,
        problems: list[Problem],
        params: SolveParams,
        key_prefix: str = "",
        on_progress: Callable[[int], bool] = always,
    ) -> list[tuple[Solution, int]]:
        """As RepSolver.solve, one task per problem. Task keys are unique per run (`key_prefix`), so a job run
        again never picks up a cancelled run's tasks."""
        client = self.client()
        futures = [
            client.submit(solve_worker.solve_rep, problem, params, key=f"{key_prefix}-rep{i}")
            for i, problem in enumerate(problems)
        ]
        position = {future.key: i for i, future in enumerate(futures)}
        answers: dict[int, tuple[Solution, int]] = {}  # by position in `problems`
        solved = 0
        reported_at = time.monotonic()
        try:
            completed = as_completed(futures, loop=client.loop)
            while solved < len(futures):
                batch = completed.next_batch(block=False)
                for future in batch:
                    answers[position[future.key]] = future.result()
                    solved += 1
                if batch or time.monotonic() - reported_at >= PROGRESS_EVERY_S:
                    if not on_progress(solved):
                        raise SolveStopped(f"stopped after {solved} of {len(futures)} reps")
                    reported_at = time.monotonic()
                if not batch:
                    time.sleep(POLL_S)
        except BaseException:
            client.cancel(futures)
            raise
        return [answers[i] for i in range(len(futures))]
