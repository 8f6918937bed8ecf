"""solve(): pre-checks, construction over patterns, ruin-and-recreate with OR-Tools day reordering (a free-day
week: string removals, solver.search.strings).

Determinism: with SolveParams.max_iterations (and a time limit that is not reached) the plan depends only on
the problem and the seed. Otherwise the search ends on a work budget derived from the time limit (deterministic
work counts priced in estimated CPU time, see solver.search), which gives the same plan too unless the machine
is so slow or busy that the wall clock ends it first. Each phase then ends at its share of the time limit, so
the reserve after the search is still there for reaching the duration limits and for the final polish.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from solver.insertion import insert_clients
from solver.instance import build_instance
from solver.model import Problem, Solution, SolveParams, Unplaced, UnplacedReason
from solver.plan_state import PlanState
from solver.portfolio import best_of_seeds
from solver.precheck import precheck, vehicle_groups
from solver.routes import place_breaks
from solver.schedule import timed_route
from solver.search import Budget, SearchConfig, final_polish, improve, phase_end
from solver.search.strings import free_days, search_free_days
from solver.week_phase import search_week

FINAL_POLISH_SHARE = 0.05  # of the budget, kept for reordering the best plan's days at the end
# With soft duration limits and no plan within them by then, the search goes on until this share of the
# budget (or of the time limit), before overrunning routes give up clients and the rest places them.
RESCUE_SHARE = 0.99
FAR_FIRST_BATCH = 10  # clients placed per regret round in the far-first construction


def solve(
    problem: Problem, params: SolveParams = SolveParams(), stop_requested: Callable[[], bool] | None = None
) -> Solution:
    """Plan every client on one of its allowed patterns, or say why it could not be placed.

    `stop_requested()`, polled by the clock guard, ends the search early when it turns True: the plan found so
    far comes back, as at the time limit."""
    if params.workers > 1:
        return best_of_seeds(solve, problem, params)
    started = time.perf_counter()
    cfg = SearchConfig()
    inst = build_instance(problem)
    allowed, rejected = precheck(inst)
    state = PlanState(inst, vehicle_groups(inst), allowed)
    candidates = [c for c in range(inst.n) if allowed[c]]
    budget = Budget(
        params.time_limit_s,
        params.max_iterations,
        started,
        state.meter,
        stop_requested=stop_requested,
        clock_guard=params.clock_guard,
    )
    construct(state, candidates, budget)
    state.tighten(range(len(problem.vehicles)))
    search_week(
        state, candidates, budget, params.seed, cfg, share=1 - FINAL_POLISH_SHARE
    )  # only when every client has one fixed day
    search = search_free_days if free_days(state, candidates) else improve
    stats = search(state, candidates, budget, params.seed, cfg, share=1 - FINAL_POLISH_SHARE)
    if state.overrun_weight is not None:
        if state.overrun.any():  # no plan within the limits yet: the reserve goes on searching for one
            _add(stats, improve(state, candidates, budget, params.seed + 1, cfg, share=RESCUE_SHARE))
        left_out = insert_clients(state, state.make_feasible())
        if left_out:  # the rest of the reserve goes on placing them, the limits now hard
            _add(stats, improve(state, candidates, budget, params.seed + 2, cfg, share=1.0))
    final_polish(state, budget, cfg, params.seed)
    stats.update(work_s=budget.work_us() / 1e6, price_scale=budget.price_scale)
    return _solution(state, rejected, candidates, started, stats)


def _add(stats: dict, more: dict) -> None:
    stats["iterations"] = more["iterations"]
    stats["accepted"] += more["accepted"]
    stats["improved"] += more["improved"]


def construct(state: PlanState, candidates: list[int], budget: Budget) -> None:
    """First plan: regret insertion, and far-first insertion in batches (better at packing routes against a
    duration limit) when most of the time limit is still ahead; keep the better."""
    inst = state.inst
    snapshot = state.snapshot()
    insert_clients(state, candidates)
    if phase_end(budget, 0.5)():
        return
    regret = (state.objective(candidates), state.snapshot())
    state.restore(snapshot)
    depot_s = inst.travel[inst.veh_start[0], inst.client_loc[candidates]] if candidates else np.zeros(0)
    far_first = [candidates[i] for i in np.argsort(-depot_s, kind="stable")]
    for i in range(0, len(far_first), FAR_FIRST_BATCH):
        insert_clients(state, far_first[i : i + FAR_FIRST_BATCH])
    if regret[0] < state.objective(candidates):
        state.restore(regret[1])


def _solution(state: PlanState, rejected: dict, candidates: list[int], started: float, stats: dict) -> Solution:
    stats = dict(
        stats,
        objective=state.objective(candidates),
        spread_s=state.spread(),
        balance_s=state.balance_cost(),
        **{f"meter{i}": float(x) for i, x in enumerate(state.meter)},
    )
    full = [c for c in candidates if state.pattern[c] is None]
    return solution_of(state, rejected, full, started, stats)


def _breaks_placed(state: PlanState, k: int) -> list[int]:
    """Vehicle k's route with its breaks where routes.place_breaks puts them for its client order: a function of
    the order alone, so a day whose order a later fold keeps keeps its times."""
    placed = place_breaks(state.inst, k, [c for c in state.routes[k] if c >= 0])
    return state.routes[k] if placed is None else placed


def solution_of(state: PlanState, rejected: dict, full: list[int], started: float, stats: dict) -> Solution:
    """The plan of `state` as a Solution: `rejected` failed the pre-checks (client -> (reason, detail)), `full`
    fit alone but found no room."""
    routes = tuple(
        timed_route(state.inst, k, _breaks_placed(state, k)) for k in range(len(state.routes)) if state.visits[k] > 0
    )
    unplaced = [Unplaced(c, reason, detail) for c, (reason, detail) in rejected.items()]
    unplaced += [
        Unplaced(c, UnplacedReason.DAY_FULL, "fits alone, but the days of every allowed pattern are full") for c in full
    ]
    return Solution(
        routes=routes,
        patterns=tuple(state.pattern),
        unplaced=tuple(sorted(unplaced, key=lambda u: u.client)),
        travel_s=sum(r.travel_s for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        runtime_s=time.perf_counter() - started,
        stats=stats,
    )
