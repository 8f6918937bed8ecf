"""What the worker processes of an office plan run. Imports only the solver, so a worker starts in
milliseconds instead of loading the web and database stack."""

from __future__ import annotations

from pathlib import Path

from solver import solve
from solver.model import Problem, Solution, SolveParams


def _peak_rss_kib() -> int:
    # VmHWM, not ru_maxrss: a forked or Dask-spawned worker inherits its parent's ru_maxrss
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def solve_rep(problem: Problem, params: SolveParams) -> tuple[Solution, int]:
    """A rep's solution and this worker's peak resident memory in KiB (for the plan's KPIs)."""
    return solve(problem, params), _peak_rss_kib()
