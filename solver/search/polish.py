"""Reordering a plan's days without moving clients between them: OR-Tools during the search (a descent on the
days that changed), and at the end on the best plan the compiled tour search (days of one vehicle) or
OR-Tools' guided local search (other days)."""

from __future__ import annotations

import time

from solver.plan_state import PlanState, Work
from solver.routes import place_breaks
from solver.routing import lateness_priced, reoptimize_day, retour, tour_searchable
from solver.search.budget import MICROSECONDS_PER_UNIT, Budget
from solver.search.config import SearchConfig

# OR-Tools takes a solution limit as an int64; no day is worth more guided local search solutions than this.
MAX_SOLUTION_LIMIT = 1_000_000
# An OR-Tools call that used this share of its clock guard is taken as ended by the clock: its work says nothing
# about the price of a solution.
CUT_BY_CLOCK_SHARE = 0.9


def _day_groups(state: PlanState, days: list[int]) -> list[tuple[list[int], list[list[int]], int]]:
    """(vehicles, their client orders, clients) of every (day, vehicle group) OR-Tools could reorder."""
    out = []
    for d in days:
        for g in range(len(state.groups)):
            vehicles = [k for k in state.day_vehicles[d] if state.group_of_vehicle[k] == g]
            if state.overrun[vehicles].any():
                continue  # OR-Tools keeps the limits hard: it could not start from this day
            routes = [[c for c in state.routes[k] if c >= 0] for k in vehicles]
            nodes = sum(len(r) for r in routes)
            if nodes >= 3:
                out.append((vehicles, routes, nodes))
    return out


def _reorder(
    state: PlanState,
    vehicles: list[int],
    routes: list[list[int]],
    nodes: int,
    solution_limit: int,
    slice_s: float,
    guided: bool,
) -> float | None:
    """One OR-Tools call on a day's routes; keeps the new order if it is feasible here too and shorter.
    Returns the search's work in estimated microseconds (building the model left out), or None when the clock
    guard, not the solution limit, ended it."""
    started = time.perf_counter()
    better, branches, late_priced = reoptimize_day(state.inst, vehicles, routes, solution_limit, slice_s, guided)
    cut = time.perf_counter() - started >= CUT_BY_CLOCK_SHARE * slice_s
    slot = Work.branches_slot(guided, late_priced)
    state.meter[slot] += branches * nodes  # a branch looks at every node
    state.meter[Work.ORTOOLS_ARCS] += (nodes + 1) ** 2
    if better is not None:
        _keep_if_shorter(state, vehicles, better)
    return None if cut else branches * nodes * MICROSECONDS_PER_UNIT[slot]


def _retour(state: PlanState, vehicle: int, seed: int, work_us: float, time_limit_s: float) -> None:
    """The compiled tour search on a day of one vehicle, from its route as it stands (breaks where they are
    taken), for `work_us` of priced work; keeps its order if it is feasible here too and better."""
    found = retour(
        state.inst, vehicle, state.routes[vehicle], seed, tuple(MICROSECONDS_PER_UNIT[Work.TOUR]), work_us, time_limit_s
    )
    state.meter[Work.TOUR] += found.work
    if found.tour is not None:
        _keep_if_shorter(state, [vehicle], [found.tour])


def _keep_if_shorter(state: PlanState, vehicles: list[int], better: list[list[int]]) -> None:
    """Swap in the vehicles' new orders if the plan's own timing finds them feasible (breaks placed) and they
    lower the plan's objective (travel, idle time, balance)."""
    inst = state.inst
    timed = [place_breaks(inst, k, r) for k, r in zip(vehicles, better)]
    placed = [seq for seq in timed if seq is not None]
    if len(placed) < len(timed):
        return
    old_cost = state.objective([])
    state.begin()
    state.replace_day_routes(dict(zip(vehicles, placed)))
    if state.objective([]) < old_cost:
        state.commit()
    else:
        state.rollback()


def polish_days(state: PlanState, days: list[int], solution_limit: int, budget: Budget, slice_s: float) -> None:
    """Reorder each (day, vehicle group) with an OR-Tools descent (during the search)."""
    for vehicles, routes, nodes in _day_groups(state, days):
        remaining = budget.remaining_s()
        if remaining <= 0:
            return
        _reorder(state, vehicles, routes, nodes, solution_limit, min(remaining, slice_s), guided=False)


def tour_search_days(state: PlanState) -> bool:
    """Whether the final polish would reorder every day of the plan as it stands with the compiled tour search."""
    jobs = _day_groups(state, list(range(state.inst.num_days)))
    return bool(jobs) and all(tour_searchable(state.inst, vehicles, routes) for vehicles, routes, _ in jobs)


def final_polish(state: PlanState, budget: Budget, cfg: SearchConfig, seed: int) -> None:
    """Reorder every day of the plan with what is left of the budget, shared among the days by their size:
    days of one vehicle with the compiled tour search (routing.tour_searchable), others with OR-Tools' guided
    local search. A share becomes a deterministic limit: the tour search's priced work, or GLS solutions at the
    price per solution and node of the last GLS day its solution limit ended (a first guess before that), at
    most MAX_SOLUTION_LIMIT. With an iteration budget each day gets cfg.final_polish_tour_us or
    cfg.final_polish_solutions."""
    jobs = _day_groups(state, list(range(state.inst.num_days)))
    if not jobs:
        return
    nodes_left = sum(nodes for _, _, nodes in jobs)
    by_tour = [tour_searchable(state.inst, vehicles, routes) for vehicles, routes, _ in jobs]
    gls_jobs = [job for job, tour in zip(jobs, by_tour) if not tour]
    first_slot = Work.branches_slot(True, bool(gls_jobs) and lateness_priced(state.inst, *gls_jobs[0][:2]))
    us_per_solution_node = MICROSECONDS_PER_UNIT[first_slot] * cfg.gls_branches_per_solution
    for i, ((vehicles, routes, nodes), tour) in enumerate(zip(jobs, by_tour)):
        share = nodes / nodes_left
        nodes_left -= nodes
        remaining = budget.remaining_s()
        if remaining <= 0:
            return
        work_share_us = share * budget.left_estimated_us()
        # The clock guard leaves room for a day dearer than priced.
        guard_s = min(remaining, 1.5 * share * remaining)
        if tour:
            work_us = cfg.final_polish_tour_us if budget.max_iterations else work_share_us
            if work_us >= cfg.min_final_polish_tour_us:
                _retour(state, vehicles[0], seed + i, work_us, guard_s)
            continue
        if budget.max_iterations:
            limit = cfg.final_polish_solutions
        else:
            limit = int(min(work_share_us / (us_per_solution_node * nodes), MAX_SOLUTION_LIMIT))
            if limit < cfg.min_final_polish_solutions:
                continue
        gls_us = _reorder(state, vehicles, routes, nodes, limit, guard_s, guided=True)
        if gls_us:  # not cut by the clock, and some work done: its price per solution holds for the next day
            us_per_solution_node = gls_us / (limit * nodes)
