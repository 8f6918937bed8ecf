"""Territories measured by planning them: each rep's cycle over its outlets planned by the engine, remembered so that
a territory tried again is not planned again."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.model import Problem, Solution, SolveParams
from solver.territory.model import CyclePlanner, RepLoad, TerritoryProblem
from solver.territory.rep_cycle import rep_cycle, rep_load


class SequentialPlanner:
    """Cycles planned one after another in this process (tests, small offices)."""

    def workers(self) -> int:
        return 1

    def __call__(self, problems: list[Problem], params: SolveParams) -> list[Solution]:
        from solver.engine import solve  # loads the search on first use

        return [solve(p, params) for p in problems]


@dataclass(frozen=True)
class Planned:
    outlets: tuple[int, ...]
    solution: Solution
    load: RepLoad


class Evaluator:
    """Plans territories with a CyclePlanner; every (rep, outlets) planned once per set of SolveParams."""

    def __init__(self, problem: TerritoryProblem, planner: CyclePlanner) -> None:
        self.problem = problem
        self.planner = planner
        self.cycles_planned = 0
        self._planned: dict[tuple[int, tuple[int, ...], SolveParams], Planned] = {}

    def plan(self, rep_of: np.ndarray, reps: list[int], params: SolveParams) -> dict[int, Planned]:
        """The planned cycles of `reps` over their outlets in `rep_of`."""
        keys = {r: (r, tuple(np.flatnonzero(rep_of == r).tolist()), params) for r in reps}
        todo = [r for r in reps if keys[r] not in self._planned]
        problems = [rep_cycle(self.problem, r, keys[r][1]) for r in todo]
        for r, solution in zip(todo, self.planner(problems, params) if problems else [], strict=True):
            outlets = keys[r][1]
            self._planned[keys[r]] = Planned(outlets, solution, rep_load(self.problem, r, outlets, solution))
        self.cycles_planned += len(todo)
        return {r: self._planned[keys[r]] for r in reps}
