"""Route all vehicles of a plan in one OR-Tools model when every client takes a single day: its days' vehicles
are the vehicles it may use, so OR-Tools' relocate, exchange and cross moves change a client's day as well as
its place in the route, and clients left out may be put in."""

from __future__ import annotations

from solver.instance import Instance
from solver.routing.routing_model import Rerouted, reroute


def reoptimize_week(
    inst: Instance,
    vehicles: list[int],
    routes: list[list[int]],
    client_days: dict[int, tuple[int, ...]],
    solution_limit: int,
    time_limit_s: float,
    unplaced: tuple[int, ...] = (),
    unplaced_penalty: int = 0,
) -> Rerouted:
    """Better routes for these vehicles with each client on a vehicle of one of its `client_days` (guided local
    search from the given routes; an `unplaced` client put in saves `unplaced_penalty`), if the search finds
    any, and the work it did."""
    return reroute(inst, vehicles, routes, client_days, solution_limit, time_limit_s, True, unplaced, unplaced_penalty)
