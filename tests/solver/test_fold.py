"""Folding clients into an existing plan: kept visits keep their day and order, the plan stays feasible."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from solver import SolveParams, solve
from solver.fold import FoldInput, fold
from solver.model import IDLE_WEIGHT, Client, Problem, Solution, TimeWindow
from tests.solver.plan_checks import plan_violations
from tests.solver.product_cases import rep_cycle

N_OUTLETS = 60


@cache
def planned(seed: int) -> tuple[Problem, Solution]:
    problem = rep_cycle(seed, N_OUTLETS)
    return problem, solve(problem, SolveParams(time_limit_s=30, max_iterations=30, seed=0))


def kept_routes(problem: Problem, solution: Solution, leave_out: set[int]) -> tuple[tuple[int, ...], ...]:
    by_vehicle = {r.vehicle: tuple(s.client for s in r.stops if s.client not in leave_out) for r in solution.routes}
    return tuple(by_vehicle.get(k, ()) for k in range(len(problem.vehicles)))


def orders(solution: Solution, problem: Problem) -> dict[int, list[int]]:
    return {problem.vehicles[r.vehicle].day: [s.client for s in r.stops] for r in solution.routes}


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2), new=st.sets(st.integers(0, N_OUTLETS - 1), min_size=1, max_size=6))
def test_new_clients_never_move_kept_visits(seed: int, new: set[int]) -> None:
    problem, solution = planned(seed)
    placed_before = {s.client for r in solution.routes for s in r.stops}
    new = new & placed_before  # fold clients the planner could place
    routes = kept_routes(problem, solution, new)
    result = fold(FoldInput(problem, routes, tuple(sorted(new))))
    assert plan_violations(problem, result.solution) == []
    assert result.moved == ()
    after = orders(result.solution, problem)
    for k, kept in enumerate(routes):
        day = problem.vehicles[k].day
        assert [c for c in after.get(day, []) if c not in new] == list(kept)  # same day, same relative order
    unplaced = {u.client for u in result.solution.unplaced}
    for c in new - unplaced:
        assert result.solution.patterns[c] in problem.clients[c].patterns
        assert sum(c in seq for seq in after.values()) == len(result.solution.patterns[c])


def test_client_dropped_from_routes_is_gone() -> None:
    problem, solution = planned(0)
    closed = solution.routes[0].stops[0].client
    result = fold(FoldInput(problem, kept_routes(problem, solution, {closed}), ()))
    assert all(s.client != closed for r in result.solution.routes for s in r.stops)
    assert result.solution.patterns[closed] is None


def test_route_made_infeasible_by_new_hours_gives_up_only_what_it_must() -> None:
    problem, solution = planned(1)
    route = max(solution.routes, key=lambda r: len(r.stops))
    victim = route.stops[len(route.stops) // 2].client
    day = problem.vehicles[route.vehicle].day
    # the outlet now opens only at 16:30-17:00 on that day: its place in the middle of the day is lost
    windows = list(problem.clients[victim].windows)
    windows[day] = (TimeWindow(16 * 3600 + 1800, 17 * 3600),)
    clients = list(problem.clients)
    clients[victim] = Client(
        location=clients[victim].location,
        service_s=clients[victim].service_s,
        patterns=clients[victim].patterns,
        windows=tuple(windows),
    )
    changed = Problem(
        num_days=problem.num_days,
        clients=tuple(clients),
        vehicles=problem.vehicles,
        duration_s=problem.duration_s,
        distance_m=problem.distance_m,
        balance_weight=problem.balance_weight,
    )
    result = fold(FoldInput(changed, kept_routes(problem, solution, set()), ()))
    assert plan_violations(changed, result.solution) == []
    assert result.forced_moves >= 1 and victim in result.moved
    others = set(result.moved)
    assert all(
        [c for c in seq if c not in others] == [c for c in kept if c not in others]
        for seq, kept in (
            (orders(result.solution, changed).get(problem.vehicles[k].day, []), kept)
            for k, kept in enumerate(kept_routes(problem, solution, set()))
        )
    )


def test_change_budget_bounds_moves_and_never_raises_the_objective() -> None:
    problem, solution = planned(2)
    new = {solution.routes[3].stops[0].client, solution.routes[5].stops[-1].client}
    routes = kept_routes(problem, solution, new)
    frozen = fold(FoldInput(problem, routes, tuple(sorted(new)), change_budget=0))
    loose = fold(FoldInput(problem, routes, tuple(sorted(new)), change_budget=3))
    assert frozen.moved == () and len(loose.moved) <= 3
    assert plan_violations(problem, loose.solution) == []
    assert objective(problem, loose.solution) <= objective(problem, frozen.solution)


def objective(problem: Problem, solution: Solution) -> float:
    """The plan's objective: travel, idle from each day's shift start at its price, the day-balance term (spread,
    priced more beyond the tolerance)."""
    idle = sum(
        r.end_s
        - problem.vehicles[r.vehicle].shift_start_s
        - r.travel_s
        - sum(b.duration_s for b in r.breaks)
        - sum(problem.clients[s.client].service_s for s in r.stops)
        for r in solution.routes
    )
    return solution.travel_s + round(IDLE_WEIGHT * idle) + problem.balance_weight * solution.stats["balance_s"]


def test_routes_must_cover_every_vehicle() -> None:
    problem, _ = planned(0)
    try:
        FoldInput(problem, ((),), ())
    except ValueError as e:
        assert "routes must list all" in str(e)
    else:
        raise AssertionError("a short route list was accepted")


def timetable(solution: Solution) -> dict[int, tuple]:
    """Per vehicle what a rep's card prints: departure, each stop's times, the lunch, the return."""
    return {
        r.vehicle: (
            r.start_s,
            tuple((s.client, s.arrival_s, s.start_s, s.departure_s) for s in r.stops),
            tuple((b.start_s, b.after_stops) for b in r.breaks),
            r.end_s,
        )
        for r in solution.routes
    }


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 2), new=st.integers(0, N_OUTLETS - 1))
def test_days_that_receive_nothing_keep_their_order_and_times_exactly(seed: int, new: int) -> None:
    problem, solution = planned(seed)
    routes = kept_routes(problem, solution, {new})
    result = fold(FoldInput(problem, routes, (new,), change_budget=0))
    before, after = timetable(solution), timetable(result.solution)
    receiving = {k for k, stops in after.items() if any(c == new for c, *_ in stops[1])}
    losing = {k for k, stops in before.items() if any(c == new for c, *_ in stops[1])}
    for k in before.keys() | after.keys():
        if k not in receiving | losing:
            assert after.get(k) == before.get(k), f"vehicle {k} received nothing but changed"
