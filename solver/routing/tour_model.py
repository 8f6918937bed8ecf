"""A day of one vehicle whose order alone matters, handed to the compiled tour search (single_route).

That is a day whose clients' demand fits the vehicle's capacity in any order. The search's time-warp model
holds the day's breaks (the lunch) and every opening window of its clients, and prices idle time as the plan
does where routes may wait. Days of several vehicles stay with OR-Tools.
"""

from __future__ import annotations

import numpy as np

from solver.instance import Instance
from solver.routing.single_route import RouteSearch, best_tour

MIN_CLIENTS = 3


def tour_searchable(inst: Instance, vehicles: list[int], routes: list[list[int]]) -> bool:
    """Whether the compiled tour search can reorder these vehicles' routes of one day."""
    if len(vehicles) != 1 or len(routes[0]) < MIN_CLIENTS:
        return False
    return sum(inst.py_demand[c] for c in routes[0]) <= inst.veh_capacity[vehicles[0]]


def retour(
    inst: Instance,
    vehicle: int,
    route: list[int],
    seed: int,
    prices_us: tuple[float, ...],
    max_work_us: float,
    time_limit_s: float,
) -> RouteSearch:
    """The best punctual order of the vehicle's clients the tour search finds from `route` (client ids, and
    breaks as -1 - b where they are taken; tour_searchable must hold), as client ids; the search's work is
    priced and bounded as in single_route.best_tour."""
    day = int(inst.veh_day[vehicle])
    clients = [c for c in route if c >= 0]
    locs = [int(inst.veh_start[vehicle]), *(int(inst.client_loc[c]) for c in clients), int(inst.veh_end[vehicle])]
    index = {c: i for i, c in enumerate(clients)}
    found = best_tour(
        travel=inst.travel[np.ix_(locs, locs)],
        service=np.array([inst.py_service[c] for c in clients]),
        start_lo=np.maximum(inst.start_lo[clients, day], 0),
        start_hi=inst.start_hi[clients, day],
        depart=int(inst.veh_depart[vehicle]),
        arrive_by=int(inst.veh_arrive_by[vehicle]),
        incumbent=[index[c] if c >= 0 else c for c in route],
        seed=seed,
        prices_us=prices_us,
        max_work_us=max_work_us,
        time_limit_s=time_limit_s,
        breaks=tuple(inst.py_breaks[vehicle]),
        idle_weight=inst.idle_weight,
    )
    return found._replace(tour=None if found.tour is None else [clients[i] for i in found.tour])
