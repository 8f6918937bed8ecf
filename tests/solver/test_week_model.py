"""The week-level OR-Tools phase: clients whose patterns are single days change days as well as places.

A street through the office (location 0), one minute of travel per block: outlets E1-E3 lie 1-3 blocks east,
W1-W3 1-3 blocks west. Two working days 08:00-17:00 with a 30-minute lunch starting 08:00-13:30 (these
days are short: a later window would have the rep wait for it, which the plan's objective prices); 10-minute
visits. E3 is closed on day 1; W3 is open all day on day 0 but only 08:00-09:00 on day 1. The best week goes
east one day and west the other (6 blocks each): east on day 0 (E3 cannot go on day 1), west on day 1 with W3
in its morning hour. The incumbent mixes the two sides on both days (24 blocks).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from solver.engine import solution_of, solve
from solver.instance import build_instance
from solver.model import Break, Client, Problem, SolveParams, TimeWindow, Vehicle
from solver.plan_state import PlanState
from solver.precheck import precheck, vehicle_groups
from solver.routes import place_breaks
from solver.week_phase import reroute_week, single_day_clients
from tests.solver.plan_checks import plan_violations

BLOCK_S = 60
H = 3600
POSITIONS = (0, 1, 2, 3, -1, -2, -3)  # office, E1-E3, W1-W3 (blocks east of the office)
E1, E2, E3, W1, W2, W3 = range(6)
ALL_DAY = (TimeWindow(7 * H, 20 * H),)


def street_problem(patterns=((0,), (1,))) -> Problem:
    x = np.array(POSITIONS)
    duration_s = np.abs(x[:, None] - x[None, :]).astype(np.int64) * BLOCK_S
    windows = {E3: (ALL_DAY, ()), W3: (ALL_DAY, (TimeWindow(8 * H, 9 * H),))}
    clients = tuple(
        Client(location=c + 1, service_s=600, patterns=patterns, windows=windows.get(c, (ALL_DAY, ALL_DAY)))
        for c in range(6)
    )
    lunch = (Break(earliest_start_s=8 * H, latest_start_s=13 * H + 1800, duration_s=1800),)
    vehicles = tuple(
        Vehicle(day=d, start=0, end=0, shift_start_s=8 * H, shift_end_s=17 * H, breaks=lunch) for d in (0, 1)
    )
    return Problem(
        num_days=2,
        clients=clients,
        vehicles=vehicles,
        duration_s=duration_s,
        distance_m=duration_s * 4,
        balance_weight=0,
    )


def mixed_plan(problem: Problem) -> tuple[PlanState, list[int]]:
    inst = build_instance(problem)
    allowed, rejected = precheck(inst)
    assert not rejected
    state = PlanState(inst, vehicle_groups(inst), allowed)
    days = ([E1, W1, E3], [W2, E2, W3])
    routes = [place_breaks(inst, k, seq) for k, seq in enumerate(days)]
    patterns = [(0,) if c in days[0] else (1,) for c in range(6)]
    state.restore((routes, patterns))
    return state, list(range(6))


def test_week_phase_moves_clients_between_days_within_each_days_windows():
    problem = street_problem()
    state, candidates = mixed_plan(problem)
    assert int(state.travel.sum()) == 24 * BLOCK_S
    reroute_week(state, candidates, solution_limit=200, time_limit_s=10.0)
    solution = solution_of(state, {}, [], time.perf_counter(), {})
    assert plan_violations(problem, solution) == []
    assert solution.travel_s == 12 * BLOCK_S
    assert [p for p in solution.patterns] == [(0,), (0,), (0,), (1,), (1,), (1,)]
    w3 = next(s for r in solution.routes for s in r.stops if s.client == W3)
    assert 8 * H <= w3.start_s and w3.departure_s <= 9 * H


def test_week_phase_applies_only_when_every_client_takes_a_single_day():
    state, candidates = mixed_plan(street_problem())
    assert single_day_clients(state, candidates) == {c: (0,) if c == E3 else (0, 1) for c in range(6)}
    problem = street_problem(patterns=((0, 1),))  # every client visited on both days
    inst = build_instance(problem)
    allowed, _ = precheck(inst)
    both_days = PlanState(inst, vehicle_groups(inst), allowed)
    assert single_day_clients(both_days, candidates) is None
    assert reroute_week(both_days, candidates, solution_limit=200, time_limit_s=10.0) == 0


def test_week_phase_puts_in_a_client_the_search_left_out():
    problem = street_problem()
    state, candidates = mixed_plan(problem)
    state.remove_clients([E2])
    reroute_week(state, candidates, solution_limit=200, time_limit_s=10.0)
    solution = solution_of(state, {}, [c for c in candidates if state.pattern[c] is None], time.perf_counter(), {})
    assert plan_violations(problem, solution) == []
    assert solution.unplaced == ()
    assert solution.travel_s == 12 * BLOCK_S


def test_solve_with_fixed_days_gives_the_shortest_week_on_those_days():
    problem = street_problem()
    fixed = tuple(replace(c, patterns=((0,),) if i in (E1, E2, E3) else ((1,),)) for i, c in enumerate(problem.clients))
    problem = replace(problem, clients=fixed)
    solution = solve(problem, SolveParams(time_limit_s=5.0, max_iterations=50))
    assert plan_violations(problem, solution) == []
    assert solution.unplaced == ()
    assert solution.travel_s == 12 * BLOCK_S
