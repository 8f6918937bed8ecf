"""A rep's cycle over a set of outlets as the engine's Problem, and what its planned cycle asks of the rep."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.model import Client, Problem, Solution
from solver.patterns import cycle_patterns
from solver.territory.model import RepLoad, TerritoryProblem

FIRST_OUTLET_LOCATION = 2  # 0 the rep's start, 1 its end


def rep_cycle(problem: TerritoryProblem, rep: int, outlets: Sequence[int]) -> Problem:
    """Rep `rep`'s cycle over `outlets` (client j is outlets[j])."""
    r = problem.reps[rep]
    locations = np.array([r.start, r.end] + [problem.outlets[i].location for i in outlets], dtype=np.int64)
    cut = np.ix_(locations, locations)
    working_days = r.working_days
    clients = tuple(
        Client(
            location=FIRST_OUTLET_LOCATION + j,
            service_s=problem.outlets[i].service_s,
            patterns=cycle_patterns(problem.outlets[i].visits_per_cycle, working_days, problem.weeks),
            windows=problem.outlets[i].windows,
        )
        for j, i in enumerate(outlets)
    )
    return Problem(
        num_days=7 * problem.weeks,
        clients=clients,
        vehicles=r.vehicles,
        duration_s=np.ascontiguousarray(problem.duration_s[r.matrix][cut]),
        distance_m=np.ascontiguousarray(problem.distance_m[r.matrix][cut]),
        consistent=True,
        balance_weight=problem.balance_weight,
    )


def rep_load(problem: TerritoryProblem, rep: int, outlets: Sequence[int], solution: Solution) -> RepLoad:
    return RepLoad(
        rep=rep,
        outlets=len(outlets),
        visits_required=sum(problem.visits(i) for i in outlets),
        visits_placed=sum(len(route.stops) for route in solution.routes),
        workload_s=sum(
            route.end_s - route.start_s - sum(b.duration_s for b in route.breaks) for route in solution.routes
        ),
        travel_s=solution.travel_s,
        capacity_s=problem.reps[rep].capacity_s,
    )


def unplaced_outlets(outlets: Sequence[int], solution: Solution) -> list[int]:
    """The outlets (of `outlets`, the cycle's clients) the cycle leaves out."""
    return [outlets[u.client] for u in solution.unplaced]
