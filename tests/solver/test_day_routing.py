"""Reordering one day with OR-Tools' guided local search, which may pass through late orders on the way.

A street through the office (location 0), one minute of travel per block, eight outlets at 1-4 blocks east
(E1-E4) and west (W1-W4), 10-minute visits, a shift 08:00-12:00. E4 must be visited by 08:30 and W4 opens at
09:00, so the best order serves the east side first; which order is best for the rest is left to a brute force
over every order in the test, checked from the matrix and the windows alone.
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from solver.instance import build_instance
from solver.model import Client, Problem, TimeWindow, Vehicle
from solver.routing import reoptimize_day

BLOCK_S = 60
H = 3600
POSITIONS = (0, 1, 2, 3, 4, -1, -2, -3, -4)  # office, E1-E4, W1-W4
SERVICE_S = 600
SHIFT = (8 * H, 12 * H)


def street_day(windows: dict[int, tuple[int, int]]) -> Problem:
    x = np.array(POSITIONS)
    duration_s = np.abs(x[:, None] - x[None, :]).astype(np.int64) * BLOCK_S
    clients = tuple(
        Client(
            location=c + 1,
            service_s=SERVICE_S,
            patterns=((0,),),
            windows=(tuple(TimeWindow(*w) for w in [windows.get(c, (7 * H, 20 * H))]),),
        )
        for c in range(len(POSITIONS) - 1)
    )
    vehicle = Vehicle(day=0, start=0, end=0, shift_start_s=SHIFT[0], shift_end_s=SHIFT[1])
    return Problem(
        num_days=1, clients=clients, vehicles=(vehicle,), duration_s=duration_s, distance_m=duration_s, balance_weight=0
    )


def travel_if_on_time(problem: Problem, order: tuple[int, ...]) -> int | None:
    """The order's travel, or None if a visit does not fit its window or the rep is back after the shift."""
    t, here, travel = SHIFT[0], 0, 0
    for c in order:
        client = problem.clients[c]
        leg = int(problem.duration_s[here, client.location])
        (window,) = client.windows[0]
        t = max(t + leg, window.start_s)
        if t + client.service_s > window.end_s:
            return None
        t, here, travel = t + client.service_s, client.location, travel + leg
    back = int(problem.duration_s[here, 0])
    return travel + back if t + back <= SHIFT[1] else None


def test_the_search_returns_the_best_punctual_order_of_a_day_with_windows():
    problem = street_day({3: (7 * H, 8 * H + 1800), 7: (9 * H, 20 * H)})  # E4 by 08:30, W4 from 09:00
    inst = build_instance(problem)
    incumbent = [3, 0, 4, 1, 5, 2, 6, 7]  # E4 first, then zigzag: on time, 32 blocks
    assert travel_if_on_time(problem, tuple(incumbent)) == 32 * BLOCK_S
    on_time = [t for order in permutations(range(8)) if (t := travel_if_on_time(problem, order)) is not None]
    routes, branches, late_priced = reoptimize_day(
        inst, [0], [incumbent], solution_limit=2000, time_limit_s=20.0, guided=True
    )
    assert late_priced and branches > 0
    (order,) = routes
    assert sorted(order) == list(range(8))
    assert travel_if_on_time(problem, tuple(order)) == min(on_time) < 32 * BLOCK_S


def test_lateness_is_not_priced_where_no_window_binds():
    problem = street_day({})
    inst = build_instance(problem)
    zigzag = [0, 4, 1, 5, 2, 6, 3, 7]
    routes, _, late_priced = reoptimize_day(inst, [0], [zigzag], solution_limit=500, time_limit_s=20.0, guided=True)
    assert not late_priced
    assert travel_if_on_time(problem, tuple(routes[0])) == 16 * BLOCK_S  # out and back once on each side
