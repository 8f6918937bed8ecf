"""Ruin and recreate by string removals on free-day weeks (solver/routing/string_search.py,
solver/search/strings.py): it finds the obvious better assignment of a tiny week; on random weeks with windows,
closed days, demands and clients of two days it never lengthens the plan, keeps every route punctual and within
capacity and every client on its allowed days, once a day; a zero budget changes nothing; a seed gives one plan;
the engine takes it for free-day weeks and hands back a plan an independent check accepts."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import numpy as np

from solver.engine import solve
from solver.insertion import insert_in_order
from solver.model import Client, SolveParams
from solver.routing.string_search import improve_by_strings
from solver.search import Budget, SearchConfig
from solver.search.day_exchange import DayExchange
from solver.search.strings import free_days, search_strings
from tests.solver.plan_checks import plan_violations
from tests.solver.test_day_moves import H, random_week, state_with, week

CAPACITY = 24  # a little above a day's share of random_week's demand (40 outlets of 1-3 over 4 days)


def loaded_week(seed: int):
    """random_week with a demand of 1-3 per outlet and vehicles of CAPACITY."""
    problem = random_week(seed)
    rng = np.random.default_rng(seed)
    clients = tuple(replace(c, demand=int(rng.integers(1, 4))) for c in problem.clients)
    return replace(problem, clients=clients, vehicles=tuple(replace(v, capacity=CAPACITY) for v in problem.vehicles))


def first_plan(seed: int):
    problem = loaded_week(seed)
    state = state_with(problem, [[] for _ in problem.vehicles])
    candidates = list(range(state.inst.n))
    insert_in_order(state, candidates, np.random.default_rng(seed))
    return problem, state, candidates


def iteration_budget(state, iterations: int) -> Budget:
    return Budget(60.0, iterations, time.perf_counter(), state.meter)


def test_puts_each_neighbourhood_on_one_day():
    # Two neighbourhoods 3 km east and west of the office, their outlets alternating between the two days.
    rng = np.random.default_rng(0)
    xy = np.vstack([[0.0, 0.0], rng.normal([-3000.0, 0.0], 150.0, (5, 2)), rng.normal([3000.0, 0.0], 150.0, (5, 2))])
    clients = [Client(location=i + 1, service_s=1200, patterns=((0,), (1,))) for i in range(10)]
    problem = week(xy, clients, 2, shift_end_s=12 * H)  # a day holds one neighbourhood, not both
    state = state_with(problem, [[0, 5, 1, 6, 2], [7, 3, 8, 4, 9]])
    candidates = list(range(10))
    assert free_days(state, candidates)
    search_strings(state, DayExchange(state, candidates), iteration_budget(state, 10), 0, SearchConfig(), 0.0, 1.0)
    assert sorted(sorted(r) for r in state.routes) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


def test_never_longer_punctual_within_capacity_on_allowed_days():
    for seed in range(5):
        problem, state, candidates = first_plan(seed)
        inst = state.inst
        before = int(state.travel.sum())
        iterations = search_strings(
            state, DayExchange(state, candidates), iteration_budget(state, 20), seed, SearchConfig(), 0.0, 1.0
        )
        assert iterations > 0
        assert int(state.travel.sum()) <= before
        assert all(tm.feasible for tm in state.timing)
        for k, route in enumerate(state.routes):
            assert sum(problem.clients[c].demand for c in route if c >= 0) <= problem.vehicles[k].capacity
        for c in candidates:
            days = tuple(sorted(int(inst.veh_day[k]) for k, r in enumerate(state.routes) if c in r))
            assert days == (state.pattern[c] or ()) and (not days or days in state.allowed[c])
            assert all(Counter(r)[c] <= 1 for r in state.routes)
        # Clients of two days stay where they were.
        assert all(state.pattern[c] in (None, problem.clients[c].patterns[0]) for c in range(0, inst.n, 10))


def test_zero_budget_returns_the_plan_unchanged():
    _, state, candidates = first_plan(0)
    exchange = DayExchange(state, candidates)
    routes = [list(r) for r in state.routes]
    found = improve_by_strings(
        state.inst.travel, exchange.clients, exchange.vehicles, routes, 0, (1.0, 1.0), max_work_us=0.0, time_limit_s=60
    )
    assert found.routes == routes and found.travel == int(state.travel.sum()) and found.iterations == 0
    spent = Budget(0.0, None, time.perf_counter(), state.meter)
    assert search_strings(state, exchange, spent, 0, SearchConfig(), 0.0, 1.0) == 0
    assert state.routes == routes


def test_one_seed_one_plan():
    plans = []
    for _ in range(2):
        _, state, candidates = first_plan(3)
        search_strings(state, DayExchange(state, candidates), iteration_budget(state, 20), 7, SearchConfig(), 0.0, 1.0)
        plans.append([list(r) for r in state.routes])
    assert plans[0] == plans[1]


def test_engine_searches_free_day_weeks_by_strings():
    problem = loaded_week(1)
    problem = replace(
        problem,
        clients=tuple(
            replace(c, patterns=tuple((d,) for d in range(problem.num_days) if c.windows is None or c.windows[d]))
            for c in problem.clients
        ),
    )
    solution = solve(problem, SolveParams(time_limit_s=60, max_iterations=20))
    assert solution.stats["string_iterations"] > 0
    assert not solution.unplaced
    assert plan_violations(problem, solution) == []
