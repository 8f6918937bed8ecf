"""A day of one vehicle whose order alone matters, handed to the compiled tour search (single_route).

That is a day without breaks, whose clients' demand fits the vehicle's capacity in any order, and where every
client has one opening window: the search's time-warp algebra holds one window per client, and a break has no
place of its own in a travel matrix. Other days stay with OR-Tools.
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
    k, route = vehicles[0], routes[0]
    if inst.problem.vehicles[k].breaks or sum(inst.py_demand[c] for c in route) > inst.veh_capacity[k]:
        return False
    day = int(inst.veh_day[k])
    return all(len(inst.py_windows[day][c]) == 1 for c in route)


def retour(inst: Instance, vehicle: int, route: list[int], seed: int, prices_us: tuple[float, ...], max_work_us: float,
           time_limit_s: float) -> RouteSearch:
    """The shortest punctual order of the vehicle's clients the tour search finds from `route` (tour_searchable
    must hold), as client ids; the search's work is priced and bounded as in single_route.best_tour."""
    day = int(inst.veh_day[vehicle])
    locs = [int(inst.veh_start[vehicle]), *(int(inst.client_loc[c]) for c in route), int(inst.veh_end[vehicle])]
    windows = [inst.py_windows[day][c][0] for c in route]
    found = best_tour(
        travel=inst.travel[np.ix_(locs, locs)],
        service=np.array([inst.py_service[c] for c in route]),
        start_lo=np.array([max(0, lo) for lo, _ in windows]),
        start_hi=np.array([hi for _, hi in windows]),
        depart=int(inst.veh_depart[vehicle]),
        arrive_by=int(inst.veh_arrive_by[vehicle]),
        incumbent=list(range(len(route))),
        seed=seed,
        prices_us=prices_us,
        max_work_us=max_work_us,
        time_limit_s=time_limit_s,
    )
    if found.tour is None:
        return found
    return found._replace(tour=[route[i] for i in found.tour])
