"""One OR-Tools routing model over some vehicles of the plan, warm-started from their current routes.

Matrices are registered as tables (no Python callbacks), opening windows are cumul ranges with the gaps
between windows removed, breaks are break intervals of the time dimension, capacity a unary transit vector.
The vehicles may belong to several days, and a client may be allowed on several of them (kept to those days'
vehicles by its vehicle variable's domain). Routes do not interact in time, so when every client has the same
windows on each of its days all days share the time of day as their axis. Otherwise day i of the model is
shifted by i * span (span longer than any day's shift) and a client's cumul is the union of its windows on its
days, each on its day's stretch of the axis, so the windows it meets are the ones of the day it ends up on;
that costs time, as a domain with holes spread over the week is slow to build and to search.
The search stops after `solution_limit` solutions (a deterministic work count); the time limit is a guard.

Guided local search may arrive late at a client (see LATENESS_COST_PER_S): tight windows cut the space of
punctual orders into pockets that moves one at a time cannot cross, and a detour through a slightly late order
reaches the next pocket, as in the time-warp penalty of hybrid genetic search (Vidal et al. 2013). The
search keeps the best order that is on time everywhere, which is what it returns. Not where the vehicles have
breaks: soft bounds next to break intervals make OR-Tools schedule every route with its mixed-integer
scheduler, and one step of the search could then take seconds past its time limit.
Late visits are priced only where the objective stays travel alone: one time axis, no optional clients.
"""

from __future__ import annotations

from typing import NamedTuple

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver.instance import INF, Instance

# Cost of one second of lateness at a client, in seconds of travel, during guided local search: the price that
# gave the shortest weeks against hard windows (benchmarks/RESULTS.md, "Against PyVRP and VROOM").
LATENESS_COST_PER_S = 10


class Rerouted(NamedTuple):
    routes: list[list[int]] | None  # per vehicle, its clients in order; None when nothing better was found
    branches: int  # the CP solver's branch count, a deterministic measure of the work done
    late_priced: bool  # whether the search could arrive late (its branches are cheaper; see LATENESS_COST_PER_S)


def reroute(
    inst: Instance,
    vehicles: list[int],
    routes: list[list[int]],
    client_days: dict[int, tuple[int, ...]] | None,
    solution_limit: int,
    time_limit_s: float,
    guided: bool,
    unplaced: tuple[int, ...] = (),
    unplaced_penalty: int = 0,
) -> Rerouted:
    """Better routes for these vehicles (the same clients, each on a vehicle of one of its `client_days`; None:
    on its vehicle's day), if the search finds any, and the work it did. `unplaced` clients may be added, each
    saving `unplaced_penalty`.

    routes: per vehicle, its clients in visiting order (breaks left out; the caller places them).
    Without `guided` the search descends to the nearest local optimum; with it, guided local search goes on
    past local optima until the solution limit."""
    placed = [c for r in routes for c in r]
    clients = placed + list(unplaced)
    if not placed or time_limit_s <= 0:
        return Rerouted(None, 0, False)
    days = sorted({int(inst.veh_day[k]) for k in vehicles})
    span = int(max(inst.veh_arrive_by[k] for k in vehicles)) + 1
    own_days = {c: (int(inst.veh_day[vehicles[0]]),) if client_days is None else client_days[c] for c in clients}
    same_windows = all(len({tuple(inst.py_windows[d][c]) for d in own_days[c]}) == 1 for c in clients)
    offset = {d: 0 if same_windows else i * span for i, d in enumerate(days)}
    intervals_of = {c: _cumul_intervals(inst, c, own_days[c], offset, span) for c in clients}
    late_allowed = (
        guided
        and same_windows
        and not unplaced
        and not _with_breaks(inst, vehicles)
        and any(_closes_early(iv, span) for iv in intervals_of.values())
    )
    depots = sorted({int(inst.veh_start[k]) for k in vehicles} | {int(inst.veh_end[k]) for k in vehicles})
    node_loc = depots + [int(inst.client_loc[c]) for c in clients]
    node_service = [0] * len(depots) + [int(inst.service[c]) for c in clients]
    node_demand = [0] * len(depots) + [int(inst.demand[c]) for c in clients]
    first_visit = len(depots)
    manager = pywrapcp.RoutingIndexManager(
        len(node_loc),
        len(vehicles),
        [depots.index(int(inst.veh_start[k])) for k in vehicles],
        [depots.index(int(inst.veh_end[k])) for k in vehicles],
    )
    model = pywrapcp.RoutingModel(manager)
    sub = inst.travel[node_loc][:, node_loc]
    arc = model.RegisterTransitMatrix(sub.tolist())
    model.SetArcCostEvaluatorOfAllVehicles(arc)
    with_service = sub + [[s] for s in node_service]
    time_transit = model.RegisterTransitMatrix(with_service.tolist())
    horizon = max(offset.values()) + span
    model.AddDimension(time_transit, horizon, horizon, False, "time")
    time = model.GetDimensionOrDie("time")
    vehicle_of_day = {d: [v for v, k in enumerate(vehicles) if inst.veh_day[k] == d] for d in days}
    for v, k in enumerate(vehicles):
        shift = offset[int(inst.veh_day[k])]
        time.CumulVar(model.Start(v)).SetValue(shift + int(inst.veh_depart[k]))
        time.CumulVar(model.End(v)).SetMax(shift + int(inst.veh_arrive_by[k]))
    for i, c in enumerate(clients):
        index = manager.NodeToIndex(first_visit + i)
        intervals = intervals_of[c]
        cumul = time.CumulVar(index)
        if late_allowed and _closes_early(intervals, span):
            cumul.SetRange(intervals[0][0], span - 1)
            time.SetCumulVarSoftUpperBound(index, intervals[-1][1], LATENESS_COST_PER_S)
        else:
            cumul.SetRange(intervals[0][0], intervals[-1][1])
        for (_, end), (nxt, _) in zip(intervals, intervals[1:]):
            if nxt - 1 >= end + 1:
                cumul.RemoveInterval(end + 1, nxt - 1)
        if len(days) > 1:
            # The vehicle variable's domain (SetAllowedVehiclesForIndex's Span argument fails in the Python wrapper).
            model.VehicleVar(index).SetValues(
                [v for d in own_days[c] for v in vehicle_of_day.get(d, [])] + [-1] * (i >= len(placed))
            )
        if i >= len(placed):
            model.AddDisjunction([index], unplaced_penalty)
    capacities = [int(inst.veh_capacity[k]) for k in vehicles]
    if any(cap < INF for cap in capacities):
        load = model.RegisterUnaryTransitVector(node_demand)
        model.AddDimensionWithVehicleCapacity(load, 0, [min(cap, 2**62) for cap in capacities], True, "load")
    if _with_breaks(inst, vehicles):
        # A break may not overlap a visit: the service at the node an arc leaves is its "visit transit".
        service_at_index = [node_service[manager.IndexToNode(i)] for i in range(model.Size())]
        solver = model.solver()
        for v, k in enumerate(vehicles):
            shift = offset[int(inst.veh_day[k])]
            brks = [
                solver.FixedDurationIntervalVar(
                    shift + b.earliest_start_s, shift + b.latest_start_s, b.duration_s, False, f"break {k}.{j}"
                )
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
        return Rerouted(None, 0, late_allowed)
    start_cost = initial.ObjectiveValue()
    if late_allowed:
        punctual = _PunctualBest(
            model, manager, arc_costs=sub, clients=clients, first_visit=first_visit, cost=start_cost
        )
        model.AddAtSolutionCallback(punctual.consider)
    found = model.SolveFromAssignmentWithParameters(initial, params)
    work = model.solver().Branches()
    if late_allowed:
        return Rerouted(punctual.routes, work, True)
    if found is None or found.ObjectiveValue() >= start_cost:
        return Rerouted(None, work, False)
    return Rerouted(_routes(model, manager, found.Value, clients, first_visit), work, False)


def lateness_priced(inst: Instance, vehicles: list[int], routes: list[list[int]]) -> bool:
    """Whether guided local search on these vehicles of one day, with these clients, prices lateness: whether
    some client's window closes before the vehicles' latest return, on a day without breaks."""
    if _with_breaks(inst, vehicles):
        return False
    day = int(inst.veh_day[vehicles[0]])
    span = int(max(inst.veh_arrive_by[k] for k in vehicles)) + 1
    return any(_closes_early(_cumul_intervals(inst, c, (day,), {day: 0}, span), span) for r in routes for c in r)


def _closes_early(intervals: list[tuple[int, int]], span: int) -> bool:
    """Whether a client's last start interval closes before the end of the vehicles' day."""
    return intervals[-1][1] < span - 1


def _with_breaks(inst: Instance, vehicles: list[int]) -> bool:
    return any(inst.problem.vehicles[k].breaks for k in vehicles)


def _cumul_intervals(
    inst: Instance, client: int, days: tuple[int, ...], offset: dict[int, int], span: int
) -> list[tuple[int, int]]:
    """The client's service start intervals on its days, each day on its stretch of the model's time axis."""
    return sorted(
        {
            (offset[d] + max(0, lo), offset[d] + min(hi, span - 1))
            for d in days
            for lo, hi in inst.py_windows[d][client]
            if max(0, lo) <= min(hi, span - 1)
        }
    )


def _routes(model, manager, value_of, clients: list[int], first_visit: int) -> list[list[int]]:
    """Each vehicle's clients in order, reading next-variables with `value_of`."""
    out = []
    for v in range(model.vehicles()):
        index, seq = value_of(model.NextVar(model.Start(v))), []
        while not model.IsEnd(index):
            seq.append(clients[manager.IndexToNode(index) - first_visit])
            index = value_of(model.NextVar(index))
        out.append(seq)
    return out


class _PunctualBest:
    """The cheapest solution of a search that arrives on time everywhere: one whose cost is its travel alone
    (a late arrival adds its lateness cost). Only solutions cheaper than the best so far are read."""

    def __init__(self, model, manager, arc_costs, clients: list[int], first_visit: int, cost: int):
        self.model, self.manager, self.arc_costs = model, manager, arc_costs
        self.clients, self.first_visit = clients, first_visit
        self.cost = cost
        self.routes: list[list[int]] | None = None

    def consider(self) -> None:
        cost = self.model.CostVar().Value()
        if cost >= self.cost:
            return
        model, node = self.model, self.manager.IndexToNode
        travel = 0
        for v in range(model.vehicles()):
            index = model.Start(v)
            while not model.IsEnd(index):
                nxt = model.NextVar(index).Value()
                travel += int(self.arc_costs[node(index), node(nxt)])
                index = nxt
        if travel == cost:
            self.cost = cost
            self.routes = _routes(model, self.manager, lambda var: var.Value(), self.clients, self.first_visit)
