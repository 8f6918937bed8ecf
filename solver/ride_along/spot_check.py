"""The afternoon delivery spot-check route: a prize-collecting route with opening windows (OR-Tools routing).

The supervisor starts at location 0 (where the morning's ride-along ended) at `start_s` and must be back at
location 1 (the office) by `end_by_s`. Every candidate outlet is optional: leaving it out costs its value
(a disjunction penalty), driving costs a second per second, so the route collects the most valuable sample
that fits. Checks of the same rep's outlets beyond the first earn `rep_bonus` less each (a soft upper bound of
one on a per-rep counting dimension), which spreads the sample across reps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import permutations

import numpy as np

from solver.model import TimeWindow

START, END = 0, 1  # locations of the leave point and the office
FIRST_CANDIDATE_LOCATION = 2
# Up to this many reachable candidates every order of every subset is tried: exact, and guided local search
# never stops by its solution count on so few nodes (it finds no new solutions and runs into the time limit).
ENUMERATE_UP_TO = 2


@dataclass(frozen=True)
class SpotCandidate:
    location: int  # index into the matrix (>= 2)
    service_s: int  # time spent checking the delivery
    windows: tuple[TimeWindow, ...]  # the check must start and finish inside one of them
    value: int  # what checking it is worth, in seconds of supervisor travel
    rep: int  # the rep whose order it was (index; for the spread across reps)


@dataclass(frozen=True, eq=False)
class SpotCheckProblem:
    duration_s: np.ndarray  # (L, L) travel time of the supervisor
    candidates: tuple[SpotCandidate, ...]
    start_s: int
    end_by_s: int
    rep_bonus: int = 0  # value of the first check of a rep's outlets on top of each candidate's own value

    def __post_init__(self) -> None:
        n = self.duration_s.shape[0]
        if self.duration_s.shape != (n, n) or n < 2:
            raise ValueError("duration_s must be a square matrix with the start and end locations 0 and 1")
        for i, c in enumerate(self.candidates):
            if not FIRST_CANDIDATE_LOCATION <= c.location < n:
                raise ValueError(f"candidate {i}: location {c.location} outside 2..{n - 1}")
            if c.value < 0 or c.service_s < 0:
                raise ValueError(f"candidate {i}: value and service_s must not be negative")


@dataclass(frozen=True)
class SpotStop:
    candidate: int
    arrival_s: int
    start_s: int  # after any wait for the opening window
    departure_s: int
    travel_s: int  # from the previous place


@dataclass(frozen=True)
class SpotCheckRoute:
    stops: tuple[SpotStop, ...]
    end_s: int  # back at the office
    travel_s: int  # including the leg back to the office
    value: int  # collected: candidates' values plus the first-of-rep bonuses


def timed_route(problem: SpotCheckProblem, order: list[int]) -> SpotCheckRoute | None:
    """The route visiting candidates in `order`, each check started as early as its windows allow; None if a
    check cannot start and finish inside a window or the supervisor is not back by `end_by_s`."""
    d = problem.duration_s
    time_s, place, travel_total, stops = problem.start_s, START, 0, []
    for i in order:
        c = problem.candidates[i]
        leg = int(d[place, c.location])
        arrival = time_s + leg
        start = next(
            (
                max(arrival, w.start_s)
                for w in sorted(c.windows, key=lambda w: w.start_s)
                if max(arrival, w.start_s) + c.service_s <= w.end_s
            ),
            None,
        )
        if start is None:
            return None
        stops.append(SpotStop(i, arrival, start, start + c.service_s, leg))
        time_s, place, travel_total = start + c.service_s, c.location, travel_total + leg
    back = int(d[place, END])
    if time_s + back > problem.end_by_s:
        return None
    return SpotCheckRoute(tuple(stops), time_s + back, travel_total + back, collected_value(problem, order))


def collected_value(problem: SpotCheckProblem, order: list[int]) -> int:
    reps = Counter(problem.candidates[i].rep for i in order)
    return sum(problem.candidates[i].value for i in order) + problem.rep_bonus * len(reps)


def _best_by_enumeration(problem: SpotCheckProblem, reachable: list[int], empty: SpotCheckRoute) -> SpotCheckRoute:
    """The route with the routing model's objective, value collected minus travel, at its best."""
    routes = (
        timed_route(problem, list(order))
        for size in range(1, len(reachable) + 1)
        for order in permutations(reachable, size)
    )
    return max([empty, *(r for r in routes if r is not None)], key=lambda r: r.value - r.travel_s)


def plan_spot_checks(problem: SpotCheckProblem, time_limit_s: float = 1.5, solution_limit: int = 50) -> SpotCheckRoute:
    """The most valuable route that fits (empty when nothing fits). Stops after `solution_limit` solutions so
    the answer depends only on the input; the time limit is a guard."""
    # OR-Tools loads here, not at import: the plan's read side imports this module's dataclasses.
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    straight_back_s = int(problem.duration_s[START, END])
    empty = SpotCheckRoute((), problem.start_s + straight_back_s, straight_back_s, 0)
    if empty.end_s > problem.end_by_s:
        return empty  # late even going straight back: the caller reports the late return
    reachable = [i for i in range(len(problem.candidates)) if timed_route(problem, [i]) is not None]
    if len(reachable) <= ENUMERATE_UP_TO:
        return _best_by_enumeration(problem, reachable, empty)

    # nodes: 0 = start, 1 = end, 2.. = reachable candidates
    locations = [START, END] + [problem.candidates[i].location for i in reachable]
    service = [0, 0] + [problem.candidates[i].service_s for i in reachable]
    sub = problem.duration_s[np.ix_(locations, locations)]
    manager = pywrapcp.RoutingIndexManager(len(locations), 1, [0], [1])
    routing = pywrapcp.RoutingModel(manager)
    travel = routing.RegisterTransitMatrix(sub.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(travel)
    # the time spent at a node is counted on the arc leaving it
    busy = routing.RegisterTransitMatrix((sub + np.array(service)[:, None]).tolist())
    horizon = problem.end_by_s
    routing.AddDimension(busy, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    time.CumulVar(routing.Start(0)).SetValue(problem.start_s)
    time.CumulVar(routing.End(0)).SetMax(problem.end_by_s)
    for node, i in enumerate(reachable, start=FIRST_CANDIDATE_LOCATION):
        c = problem.candidates[i]
        index = manager.NodeToIndex(node)
        starts = [
            (w.start_s, w.end_s - c.service_s)
            for w in sorted(c.windows, key=lambda w: w.start_s)
            if w.end_s - c.service_s >= w.start_s
        ]
        cumul = time.CumulVar(index)
        cumul.SetRange(max(starts[0][0], problem.start_s), min(starts[-1][1], horizon))
        for (_, last), (first, _) in zip(starts, starts[1:]):
            if first - 1 >= last + 1:
                cumul.RemoveInterval(last + 1, first - 1)
        routing.AddDisjunction([index], c.value + problem.rep_bonus)
    if problem.rep_bonus:
        for rep in sorted({problem.candidates[i].rep for i in reachable}):
            ones = [0, 0] + [int(problem.candidates[i].rep == rep) for i in reachable]
            name = f"rep_{rep}"
            routing.AddDimension(routing.RegisterUnaryTransitVector(ones), 0, len(reachable), True, name)
            routing.GetDimensionOrDie(name).SetCumulVarSoftUpperBound(routing.End(0), 1, problem.rep_bonus)

    params = pywrapcp.DefaultRoutingSearchParameters()
    # insertion weighs each outlet's value against the detour; on the Minhang afternoons it beat path-cheapest-arc
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.solution_limit = solution_limit
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return empty
    order = []
    index = routing.Start(0)
    while not routing.IsEnd(index):
        node = manager.IndexToNode(index)
        if node >= FIRST_CANDIDATE_LOCATION:
            order.append(reachable[node - FIRST_CANDIDATE_LOCATION])
        index = assignment.Value(routing.NextVar(index))
    # Re-timed as the supervisor would drive it (earliest starts; the solver's cumuls may hold slack). Starting
    # each check as early as possible never comes later than the solver's feasible times, so it fits too.
    route = timed_route(problem, order)
    assert route is not None, f"OR-Tools returned a route that does not fit: {order}"
    return route
