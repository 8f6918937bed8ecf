"""Invariants over generated problems: every outlet gets exactly its visits on an allowed pattern or is
reported unplaced; no visit outside its windows or the shift; lunch inside its window; times increase."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Break, Client, Problem, SolveParams, TimeWindow, Vehicle, solve
from tests.solver.plan_checks import plan_violations

H = 3600


@st.composite
def problems(draw) -> Problem:
    days = draw(st.integers(1, 4))
    working = sorted(draw(st.sets(st.integers(0, days - 1), min_size=1, max_size=days)))
    n = draw(st.integers(1, 9))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 4000, size=(n + 1, 2))
    T = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) / 4).astype(np.int64)
    lunch = Break(11 * H + 1800, 13 * H, H) if draw(st.booleans()) else None
    shift_end = draw(st.sampled_from([13 * H, 17 * H + 1800]))
    vehicles = tuple(
        Vehicle(
            day=d, start=0, end=0, shift_start_s=8 * H + 1800, shift_end_s=shift_end, breaks=(lunch,) if lunch else ()
        )
        for d in working
    )
    clients = []
    for i in range(1, n + 1):
        visits = draw(st.integers(1, 2))
        all_days = list(range(days))
        patterns = tuple(
            tuple(sorted(rng.choice(all_days, size=min(visits, days), replace=False).tolist()))
            for _ in range(draw(st.integers(0, 3)))
        )
        windows = None
        if draw(st.booleans()):
            windows = []
            for _ in range(days):
                spans = []
                for _ in range(draw(st.integers(0, 2))):
                    a = int(rng.integers(7 * H, 18 * H))
                    spans.append(TimeWindow(a, a + int(rng.integers(15 * 60, 4 * H))))
                spans.sort(key=lambda w: w.start_s)
                merged = [w for j, w in enumerate(spans) if j == 0 or w.start_s > spans[j - 1].end_s]
                windows.append(tuple(merged))
            windows = tuple(windows)
        service = draw(st.sampled_from([300, 900, 1800, 3 * H]))
        clients.append(Client(location=i, service_s=service, patterns=patterns, windows=windows))
    return Problem(num_days=days, clients=tuple(clients), vehicles=vehicles, duration_s=T, distance_m=T * 4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_generated_plans_keep_every_rule(problem):
    solution = solve(problem, SolveParams(time_limit_s=30.0, seed=0, max_iterations=8))
    assert plan_violations(problem, solution) == []
    reported = [u.client for u in solution.unplaced]
    assert len(reported) == len(set(reported))
    for route in solution.routes:
        times = [route.start_s]
        for stop in route.stops:
            times += [stop.arrival_s, stop.start_s, stop.departure_s]
        times.append(route.end_s)
        assert times == sorted(times)
        assert route.start_s >= problem.vehicles[route.vehicle].shift_start_s
        assert route.end_s <= problem.vehicles[route.vehicle].shift_end_s
