"""The guard paths of the search: a clock that runs out, an OR-Tools call the clock cuts after a branch, a zero
budget. Each still gives a valid plan: every client on a whole pattern or unplaced with its reason."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from solver import SolveParams, solve
from solver.engine import construct
from solver.instance import build_instance
from solver.plan_state import PlanState, Work
from solver.precheck import precheck, vehicle_groups
from solver.search import PRICE_SCALE_BOUNDS, Budget, SearchConfig, final_polish
from tests.solver.plan_checks import plan_violations
from tests.solver.product_cases import rep_cycle


def every_client_accounted_for(problem, solution) -> None:
    unplaced = {u.client for u in solution.unplaced}
    for c, pattern in enumerate(solution.patterns):
        assert (pattern is None) == (c in unplaced), f"client {c}"
    assert plan_violations(problem, solution) == []


@pytest.mark.parametrize("time_limit_s", [0.0, 0.01, 0.3])
def test_a_budget_that_is_gone_before_the_search_starts_still_gives_a_valid_plan(time_limit_s):
    problem = rep_cycle(seed=3, n_outlets=80)
    solution = solve(problem, SolveParams(time_limit_s=time_limit_s, seed=0))
    every_client_accounted_for(problem, solution)
    assert len(solution.unplaced) < len(problem.clients)


def test_or_tools_calls_cut_short_by_the_clock_do_not_set_the_price_of_the_next_day():
    # A large work budget and 1 s of clock: every guided local search is cut after a few branches. The price
    # of a solution must not be learned from such a call, or the next day's solution limit overflows int64.
    # Two reps share the outlets, so each day is two routes, which OR-Tools reorders (not the tour search).
    one_rep = rep_cycle(seed=5, n_outlets=120, consistent=False)
    problem = replace(one_rep, vehicles=one_rep.vehicles + tuple(replace(v, crew=1) for v in one_rep.vehicles))
    inst = build_instance(problem)
    allowed, _ = precheck(inst)
    state = PlanState(inst, vehicle_groups(inst), allowed)
    candidates = [c for c in range(inst.n) if allowed[c]]
    construct(state, candidates, Budget(5.0, None, time.perf_counter(), state.meter))
    before = state.snapshot()
    budget = Budget(10_000.0, None, time.perf_counter() - 10_000.0 + 1.0, state.meter)
    final_polish(state, budget, SearchConfig(), seed=0)
    assert state.meter[Work.ORTOOLS_BRANCHES] + state.meter[Work.LATE_GLS_BRANCHES] > 0
    assert state.snapshot()[1] == before[1]  # the days kept, only orders may change
    for k, seq in enumerate(state.routes):
        assert sorted(c for c in seq if c >= 0) == sorted(c for c in before[0][k] if c >= 0)


def test_a_clock_that_runs_out_mid_search_gives_a_valid_plan():
    # 150 outlets in half a second: the wall clock, not the work budget, ends the construction's second try,
    # the search and the final polish.
    problem = rep_cycle(seed=8, n_outlets=150)
    started = time.perf_counter()
    solution = solve(problem, SolveParams(time_limit_s=0.5, seed=1))
    assert time.perf_counter() - started < 30  # ends: no endless phase once the clock is gone
    every_client_accounted_for(problem, solution)
    assert sum(len(r.stops) for r in solution.routes) == sum(len(p) for p in solution.patterns if p is not None)


def test_a_price_scale_is_reported_with_the_plan():
    problem = rep_cycle(seed=2, n_outlets=40)
    solution = solve(problem, SolveParams(time_limit_s=1.0, seed=0))
    assert PRICE_SCALE_BOUNDS[0] <= solution.stats["price_scale"] <= PRICE_SCALE_BOUNDS[1]
    assert np.isfinite(solution.stats["work_s"])


def test_a_stop_request_ends_an_hour_long_search_with_a_valid_plan():
    # The service's cancel: asked once the search is under way, the hour ends at the next poll.
    problem = rep_cycle(seed=4, n_outlets=100)
    asked_at = time.perf_counter() + 1.0
    solution = solve(
        problem, SolveParams(time_limit_s=3600, seed=0), stop_requested=lambda: time.perf_counter() >= asked_at
    )
    assert solution.runtime_s < 600  # not the hour
    every_client_accounted_for(problem, solution)
    assert len(solution.unplaced) < len(problem.clients)
