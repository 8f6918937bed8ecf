"""What the worker processes of an office plan run. Imports only the solver (and distributed's worker handle),
so a worker starts in milliseconds instead of loading the web and database stack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from distributed import get_worker

from solver import solve
from solver.model import Problem, Solution, SolveParams


def _peak_rss_kib() -> int:
    # VmHWM, not ru_maxrss: a forked or Dask-spawned worker inherits its parent's ru_maxrss
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _task_cancelled() -> Callable[[], bool] | None:
    """Whether the client cancelled the task this thread runs (its job was cancelled): Dask cannot interrupt a
    running task, so the search asks. None outside a Dask worker."""
    try:
        worker = get_worker()
    except ValueError:
        return None
    key = worker.get_current_task()

    def cancelled() -> bool:
        task = worker.state.tasks.get(key)
        return task is None or task.state == "cancelled"

    return cancelled


def solve_rep(problem: Problem, params: SolveParams) -> tuple[Solution, int]:
    """A rep's solution and this worker's peak resident memory in KiB (for the plan's KPIs); a cancelled task
    ends its search early, its answer thrown away."""
    return solve(problem, params, stop_requested=_task_cancelled()), _peak_rss_kib()
