"""Reps' cycles for the territory search planned where the service plans reps (a RepSolver: Dask or worker
processes), stopping when the job is cancelled."""

from __future__ import annotations

from collections.abc import Callable

from service.solving.rep_solvers import RepSolver
from solver.model import Problem, Solution, SolveParams


class RepSolverPlanner:
    """solver.territory.CyclePlanner on a RepSolver; `keep_going()` False stops the run (SolveStopped)."""

    def __init__(self, solver: RepSolver, key_prefix: str, keep_going: Callable[[], bool] = lambda: True) -> None:
        self.solver = solver
        self.key_prefix = key_prefix
        self.keep_going = keep_going
        self.batches = 0

    def workers(self) -> int:
        return self.solver.workers()

    def __call__(self, problems: list[Problem], params: SolveParams) -> list[Solution]:
        self.batches += 1
        answers = self.solver.solve(
            problems,
            params,
            key_prefix=f"{self.key_prefix}-batch{self.batches}",
            on_progress=lambda _solved: self.keep_going(),
        )
        return [solution for solution, _ in answers]
