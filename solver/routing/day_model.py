"""Reorder the routes of one day (one vehicle group) with OR-Tools, warm-started from the incumbent."""

from __future__ import annotations

from solver.instance import Instance
from solver.routing.routing_model import Rerouted, reroute


def reoptimize_day(
    inst: Instance,
    vehicles: list[int],
    routes: list[list[int]],
    solution_limit: int,
    time_limit_s: float,
    guided: bool = False,
) -> Rerouted:
    """Better client orders for these vehicles of one day (same clients), if the search finds any, and the work
    it did.

    routes: per vehicle, its clients in visiting order (breaks left out; the caller places them).
    Without `guided` the search descends to the nearest local optimum (fast, for use inside the search loop);
    with it, guided local search goes on past local optima until the solution limit."""
    return reroute(inst, vehicles, routes, None, solution_limit, time_limit_s, guided)
