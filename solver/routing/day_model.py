"""Reorder the routes of one day (one vehicle group) with OR-Tools, warm-started from the incumbent."""

from __future__ import annotations

from solver.instance import Instance
from solver.routing.routing_model import reroute


def reoptimize_day(
    inst: Instance, vehicles: list[int], routes: list[list[int]], solution_limit: int, time_limit_s: float, guided: bool = False
) -> tuple[list[list[int]] | None, int]:
    """Better client orders for these vehicles of one day (same clients), or None if nothing better was found, and the
    work done (the CP solver's branch count, a deterministic measure of effort).

    routes: per vehicle, its clients in visiting order (breaks left out; the caller places them).
    Without `guided` the search descends to the nearest local optimum (fast, for use inside the search loop);
    with it, guided local search goes on past local optima until the solution limit."""
    return reroute(inst, vehicles, routes, None, solution_limit, time_limit_s, guided)
