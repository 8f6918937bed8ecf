"""What the worker processes of an office plan run. Imports only the solver, so a worker starts in
milliseconds instead of loading the web and database stack."""

from __future__ import annotations

import resource

from solver import solve
from solver.model import Problem, Solution, SolveParams


def solve_rep(problem: Problem, params: SolveParams) -> tuple[Solution, int]:
    """A rep's solution and this worker's peak resident memory in KiB (for the plan's KPIs)."""
    solution = solve(problem, params)
    return solution, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
