"""Where reps' problems are solved: one interface (`RepSolver`) for worker processes of this machine (the CLI,
benchmarks) and for a Dask cluster (the API's plan jobs, service/solving/dask_runner.py)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol

from service.solving import solve_worker
from solver.model import Problem, Solution, SolveParams

PROGRESS_EVERY_S = 1.0  # how often a run reports progress (and learns it was cancelled) without news


class SolveStopped(Exception):
    """The run's progress callback asked to stop (cancelled, or the service is shutting down)."""


def always(_solved: int) -> bool:
    return True


class RepSolver(Protocol):
    def describe(self) -> str: ...

    def workers(self) -> int:
        """How many reps are solved at once."""
        ...

    def solve(
        self,
        problems: list[Problem],
        params: SolveParams,
        key_prefix: str = "",
        on_progress: Callable[[int], bool] = always,
    ) -> list[tuple[Solution, int]]:
        """Every problem solved: (solution, the worker's peak memory in KiB) in the problems' order.

        `on_progress(solved)` is called as problems are solved and at least every PROGRESS_EVERY_S; when it returns
        False the rest is cancelled and SolveStopped is raised. A problem that failed raises its error. `key_prefix`
        names the run's tasks where the solver keeps them (unique per run)."""
        ...

    def close(self) -> None: ...


def _worker_context() -> multiprocessing.context.BaseContext:
    """How to start the solver workers.

    A single-threaded process (the CLI, a benchmark) forks: the workers start at once. Forking a threaded
    process (the API server's thread pool) can deadlock the child, so there a fork server, which has loaded
    the solver once, starts them; its workers unpickle a function of service.solving.solve_worker, which imports
    nothing else, but they do re-import the main module.
    """
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["service.solving.solve_worker"])
    return context


class ProcessPoolSolver:
    """Reps solved in worker processes of this machine, one per core, started for each run."""

    def describe(self) -> str:
        return "worker processes of this machine"

    def workers(self) -> int:
        return os.cpu_count() or 1

    def solve(
        self,
        problems: list[Problem],
        params: SolveParams,
        key_prefix: str = "",
        on_progress: Callable[[int], bool] = always,
    ) -> list[tuple[Solution, int]]:
        if not problems:
            return []
        answers: list[tuple[Solution, int] | None] = [None] * len(problems)
        pool = ProcessPoolExecutor(max_workers=min(self.workers(), len(problems)), mp_context=_worker_context())
        try:
            position: dict[Future, int] = {
                pool.submit(solve_worker.solve_rep, problem, params): i for i, problem in enumerate(problems)
            }
            pending = set(position)
            while pending:
                done, pending = wait(pending, timeout=PROGRESS_EVERY_S, return_when=FIRST_COMPLETED)
                for future in done:
                    answers[position[future]] = future.result()
                solved = len(problems) - len(pending)
                if not on_progress(solved):
                    raise SolveStopped(f"stopped after {solved} of {len(problems)} reps")
        finally:
            pool.shutdown(cancel_futures=True)
        return [answer for answer in answers if answer is not None]

    def close(self) -> None:
        pass  # a run's processes end with the run
