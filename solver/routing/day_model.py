"""Reorder the routes of one day (one vehicle group) with OR-Tools, warm-started from the incumbent.

Matrices are registered as tables (no Python callbacks), opening windows are cumul ranges with the gaps
between windows removed, breaks are break intervals of the time dimension, capacity a unary transit vector.
The search stops after `solution_limit` solutions (a deterministic work count); the time limit is a guard.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.instance import INF, Instance


def reoptimize_day(
    inst: Instance, vehicles: list[int], routes: list[list[int]], solution_limit: int, time_limit_s: float, guided: bool = False
) -> tuple[list[list[int]] | None, int]:
    """Better client orders for these vehicles of one day (same clients), or None if nothing better was found, and the
    work done (the CP solver's branch count, a deterministic measure of effort).

    routes: per vehicle, its clients in visiting order (breaks left out; the caller places them).
    Without `guided` the search descends to the nearest local optimum (fast, for use inside the search loop);
    with it, guided local search goes on past local optima until the solution limit."""
    clients = [c for r in routes for c in r]
    if not clients or time_limit_s <= 0:
        return None, 0
    day = int(inst.veh_day[vehicles[0]])
    depots = sorted({int(inst.veh_start[k]) for k in vehicles} | {int(inst.veh_end[k]) for k in vehicles})
    node_loc = depots + [int(inst.client_loc[c]) for c in clients]
    node_service = [0] * len(depots) + [int(inst.service[c]) for c in clients]
    node_demand = [0] * len(depots) + [int(inst.demand[c]) for c in clients]
    first_visit = len(depots)
    manager = pywrapcp.RoutingIndexManager(
        len(node_loc), len(vehicles), [depots.index(int(inst.veh_start[k])) for k in vehicles], [depots.index(int(inst.veh_end[k])) for k in vehicles]
    )
    model = pywrapcp.RoutingModel(manager)
    sub = inst.travel[node_loc][:, node_loc]
    arc = model.RegisterTransitMatrix(sub.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    with_service = sub + [[s] for s in node_service]
    time_transit = model.RegisterTransitMatrix(with_service.tolist())
    horizon = int(max(inst.veh_arrive_by[k] for k in vehicles))
    model.AddDimension(time_transit, horizon, horizon, False, "time")
    time = model.GetDimensionOrDie("time")
    for v, k in enumerate(vehicles):
        time.CumulVar(model.Start(v)).SetValue(int(inst.veh_depart[k]))
        time.CumulVar(model.End(v)).SetMax(int(inst.veh_arrive_by[k]))
    for i, c in enumerate(clients):
        lo, hi = inst.start_lo[c, day], inst.start_hi[c, day]
        intervals = [(int(a), int(b)) for a, b in zip(lo, hi) if b >= 0]
        cumul = time.CumulVar(manager.NodeToIndex(first_visit + i))
        cumul.SetRange(intervals[0][0], min(intervals[-1][1], horizon))
        for (_, end), (nxt, _) in zip(intervals, intervals[1:]):
            if nxt - 1 >= end + 1:
                cumul.RemoveInterval(end + 1, nxt - 1)
    capacities = [int(inst.veh_capacity[k]) for k in vehicles]
    if any(cap < INF for cap in capacities):
        load = model.RegisterUnaryTransitVector(node_demand)
        model.AddDimensionWithVehicleCapacity(load, 0, [min(cap, 2**62) for cap in capacities], True, "load")
    if any(inst.problem.vehicles[k].breaks for k in vehicles):
        # A break may not overlap a visit: the service at the node an arc leaves is its "visit transit".
        service_at_index = [node_service[manager.IndexToNode(i)] for i in range(model.Size())]
        solver = model.solver()
        for v, k in enumerate(vehicles):
            brks = [
                solver.FixedDurationIntervalVar(b.earliest_start_s, b.latest_start_s, b.duration_s, False, f"break {k}.{j}")
                for j, b in enumerate(inst.problem.vehicles[k].breaks)
            ]
            if brks:
                time.SetBreakIntervalsOfVehicle(brks, v, service_at_index)
    params = pywrapcp.DefaultRoutingSearchParameters()
    metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic
    params.local_search_metaheuristic = metaheuristic.GUIDED_LOCAL_SEARCH if guided else metaheuristic.GREEDY_DESCENT
    params.solution_limit = solution_limit
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    index_of = {c: manager.NodeToIndex(first_visit + i) for i, c in enumerate(clients)}
    initial = model.ReadAssignmentFromRoutes([[index_of[c] for c in r] for r in routes], True)
    if initial is None:
        return None, 0
    start_cost = initial.ObjectiveValue()
    found = model.SolveFromAssignmentWithParameters(initial, params)
    work = model.solver().Branches()
    if found is None or found.ObjectiveValue() >= start_cost:
        return None, work
    out = []
    for v in range(len(vehicles)):
        index, seq = found.Value(model.NextVar(model.Start(v))), []
        while not model.IsEnd(index):
            seq.append(clients[manager.IndexToNode(index) - first_visit])
            index = found.Value(model.NextVar(index))
        out.append(seq)
    return out, work
