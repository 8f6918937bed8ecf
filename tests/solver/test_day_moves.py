"""The descent that moves clients between days (solver/routing/day_moves.py, solver/search/day_exchange.py):
it finds the obvious better assignment of a tiny week, and on random weeks with windows, closed days and
clients of two days it keeps every route punctual and every client on its allowed days, once a day."""

from __future__ import annotations

from collections import Counter

import numpy as np

from solver.insertion import insert_in_order
from solver.instance import build_instance
from solver.model import Client, Problem, TimeWindow, Vehicle
from solver.plan_state import PlanState
from solver.precheck import precheck, vehicle_groups
from solver.search.day_exchange import DayExchange

H = 3600


def week(xy: np.ndarray, clients: list[Client], days: int, shift_end_s: int = 17 * H) -> Problem:
    """Location 0 is the office; one vehicle a day from 08:00."""
    metres = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    seconds = (metres / 4.0).astype(np.int64)
    return Problem(
        num_days=days,
        clients=tuple(clients),
        vehicles=tuple(
            Vehicle(day=d, start=0, end=0, shift_start_s=8 * H, shift_end_s=shift_end_s) for d in range(days)
        ),
        duration_s=seconds,
        distance_m=metres.astype(np.int64),
        balance_weight=0,
        idle_weight=0.0,
    )


def state_with(problem: Problem, routes: list[list[int]]) -> PlanState:
    inst = build_instance(problem)
    allowed, _ = precheck(inst)
    state = PlanState(inst, vehicle_groups(inst), allowed)
    patterns: list[tuple[int, ...] | None] = [None] * inst.n
    for k, r in enumerate(routes):
        for c in r:
            patterns[c] = (*(patterns[c] or ()), int(inst.veh_day[k]))
    state.restore((routes, patterns))
    return state


def test_moves_each_neighbourhood_onto_one_day():
    # Two neighbourhoods 3 km east and west of the office, their outlets alternating between the two days: the
    # better week visits one neighbourhood a day.
    rng = np.random.default_rng(0)
    west = rng.normal([-3000.0, 0.0], 150.0, size=(5, 2))
    east = rng.normal([3000.0, 0.0], 150.0, size=(5, 2))
    xy = np.vstack([[0.0, 0.0], west, east])
    clients = [Client(location=i + 1, service_s=1200, patterns=((0,), (1,))) for i in range(10)]
    state = state_with(week(xy, clients, 2, shift_end_s=12 * H), [[0, 5, 1, 6, 2], [7, 3, 8, 4, 9]])
    before = int(state.travel.sum())
    candidates = list(range(10))
    assert DayExchange.applies(state, candidates)
    state.begin()
    days = DayExchange(state, candidates)(state, seed=0)
    state.commit()
    assert days == {0, 1}
    assert sorted(sorted(r) for r in state.routes) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert int(state.travel.sum()) < before * 0.7
    assert all(state.pattern[c] == (int(state.inst.veh_day[state.vehicles_of_client[c][0]]),) for c in candidates)


def random_week(seed: int, n: int = 40, days: int = 4) -> Problem:
    """Outlets within 3 km, a third with a morning or an afternoon window, some closed a day, a few visited on
    two days."""
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-3000, 3000, size=(n, 2))])
    clients = []
    for i in range(n):
        closed = int(rng.integers(days)) if rng.random() < 0.3 else -1
        open_days = [d for d in range(days) if d != closed]
        patterns = ((open_days[0], open_days[1]),) if i % 10 == 0 else tuple((d,) for d in open_days)
        window = [(8 * H, 17 * H), (9 * H, 11 * H), (14 * H, 16 * H)][int(rng.integers(3))]
        by_day = tuple(() if d == closed else (TimeWindow(*window),) for d in range(days))
        clients.append(
            Client(location=i + 1, service_s=int(rng.integers(5, 11)) * 60, patterns=patterns, windows=by_day)
        )
    return week(xy, clients, days)


def test_keeps_routes_punctual_and_clients_on_their_days():
    for seed in range(5):
        problem = random_week(seed)
        state = state_with(problem, [[] for _ in problem.vehicles])
        inst = state.inst
        candidates = list(range(inst.n))
        insert_in_order(state, candidates, np.random.default_rng(seed))  # a first plan
        before = int(state.travel.sum())
        state.begin()
        DayExchange(state, candidates)(state, seed)
        state.commit()
        assert all(tm.feasible for tm in state.timing)
        assert int(state.travel.sum()) <= before
        for c in candidates:
            days = tuple(sorted(int(inst.veh_day[k]) for k, r in enumerate(state.routes) if c in r))
            assert days == (state.pattern[c] or ()) and (not days or days in state.allowed[c])
            assert all(Counter(r)[c] <= 1 for r in state.routes)
        assert all(state.pattern[c] in (None, problem.clients[c].patterns[0]) for c in range(0, inst.n, 10))
