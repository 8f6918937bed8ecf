"""Plans whose clients all have one fixed day (a rep's days already chosen, weekly outlets on their weekdays):
the days no longer trade clients, so the gain left after ruin and recreate is in each day's order, and the
final polish of every day gets more of the budget (about a third, or two thirds when the compiled tour search
takes every day, against the twentieth kept for it otherwise).

The week's model (solver.routing.week_model) holds every vehicle, each client allowed on its days' vehicles,
and may put in clients the search left out; here it puts them in. The same model would let clients with a
choice of single days move between days, but as a search phase it did worse than ruin and recreate with free
days and than day-by-day reordering with fixed days (benchmarks/RESULTS.md, "Against PyVRP and VROOM").
"""

from __future__ import annotations

from solver.plan_state import PlanState, Work
from solver.routes import place_breaks
from solver.routing import reoptimize_week, retour, tour_searchable
from solver.search import MICROSECONDS_PER_UNIT, Budget, SearchConfig, final_polish, improve, tour_search_days

# Of the phase's budget, before the days are reordered with the rest: guided local search needs good routes to
# start from, the compiled tour search breeds its own and does better with more of the budget
# (benchmarks/RESULTS.md, "Against PyVRP and VROOM").
RUIN_RECREATE_SHARE = 0.7
TOUR_SEARCH_RUIN_RECREATE_SHARE = 0.3  # when the tour search takes every day
PUT_IN_SOLUTIONS = 200  # guided local search solutions of the week's model putting in clients left out
PUT_IN_SHARE = 0.05  # of the time limit, guarding that search


def search_week(
    state: PlanState, candidates: list[int], budget: Budget, seed: int, cfg: SearchConfig, share: float
) -> None:
    """When every client has one fixed day: ruin and recreate for the first part of `share` of the budget, the
    tour search reordering a day for each client still left out (where it takes every day), ruin and recreate
    again and the week's model for those still left out, then the final polish of every day with the rest of the
    budget; the engine's search after it finds the budget spent. Does nothing for other problems."""
    days = single_day_clients(state, candidates)
    if days is None or any(len(d) > 1 for d in days.values()):
        return
    by_tour = tour_search_days(state)
    first = TOUR_SEARCH_RUIN_RECREATE_SHARE if by_tour else RUIN_RECREATE_SHARE
    improve(state, candidates, budget, seed, cfg, share=first * share)
    if by_tour and any(state.pattern[c] is None for c in candidates):
        put_in_by_tour_search(state, candidates, budget, cfg, seed)
    if any(state.pattern[c] is None for c in candidates) and first < RUIN_RECREATE_SHARE:
        # Only ruin and recreate and the week's model place clients: the first goes on with the larger share.
        improve(state, candidates, budget, seed + 1, cfg, share=RUIN_RECREATE_SHARE * share)
    if any(state.pattern[c] is None for c in candidates):
        reroute_week(state, candidates, PUT_IN_SOLUTIONS, min(budget.remaining_s(), PUT_IN_SHARE * budget.wall_limit_s))
    final_polish(state, budget, cfg, seed)


def put_in_by_tour_search(
    state: PlanState, candidates: list[int], budget: Budget, cfg: SearchConfig, seed: int
) -> None:
    """Each client still left out, tried on each of its days that one vehicle works: the tour search is asked for
    a punctual order of that day's clients and this one together (a day too tight in its current order may fit
    the client in another). PUT_IN_SHARE of what is left of the budget, shared among the clients left out."""
    inst = state.inst
    left_out = [c for c in candidates if state.pattern[c] is None]
    work_us = (
        cfg.final_polish_tour_us if budget.max_iterations else PUT_IN_SHARE * budget.left_estimated_us() / len(left_out)
    )
    for i, c in enumerate(left_out):
        for (day,) in state.allowed[c]:
            remaining = budget.remaining_s()
            if remaining <= 0:
                return
            if len(state.day_vehicles[day]) != 1:
                continue
            k = state.day_vehicles[day][0]
            route = [*state.routes[k], c]
            if not tour_searchable(inst, [k], [[x for x in route if x >= 0]]):
                continue
            prices = tuple(MICROSECONDS_PER_UNIT[Work.TOUR])
            found = retour(
                inst, k, route, seed + i, prices, work_us, min(remaining, PUT_IN_SHARE * budget.wall_limit_s)
            )
            state.meter[Work.TOUR] += found.work
            seq = None if found.tour is None else place_breaks(inst, k, found.tour)
            if seq is not None:
                routes, patterns = state.snapshot()
                routes[k], patterns[c] = seq, (day,)
                state.restore((routes, patterns))
                break


def single_day_clients(state: PlanState, candidates: list[int]) -> dict[int, tuple[int, ...]] | None:
    """The days each client may take, when every candidate's patterns are single days and the plan spans
    more than one day (else None)."""
    if state.overrun_weight is not None or state.overrun.any():
        return None  # OR-Tools keeps duration limits hard: it could not start from an overrunning plan
    if any(len(p) != 1 for c in candidates for p in state.allowed[c]):
        return None
    days = {c: tuple(p[0] for p in state.allowed[c]) for c in candidates}
    if len({d for ds in days.values() for d in ds}) < 2:
        return None
    return days


def reroute_week(state: PlanState, candidates: list[int], solution_limit: int, time_limit_s: float) -> int:
    """One guided local search over every vehicle of the plan in the week's model, warm-started from it, clients
    left out may be put in; keeps the result when it lowers the plan's objective. Returns the OR-Tools branches
    explored (0 when the clients' patterns are not all single days)."""
    client_days = single_day_clients(state, candidates)
    if client_days is None or solution_limit <= 0 or time_limit_s <= 0:
        return 0
    inst = state.inst
    vehicles = list(range(len(state.routes)))
    routes = [[c for c in state.routes[k] if c >= 0] for k in vehicles]
    unplaced = tuple(c for c in candidates if state.pattern[c] is None)
    better, branches, late_priced = reoptimize_week(
        inst, vehicles, routes, client_days, solution_limit, time_limit_s, unplaced, state.unplaced_penalty
    )
    state.meter[Work.branches_slot(True, late_priced)] += branches * len(candidates)  # a branch looks at every node
    if better is None:
        return branches
    placed = [place_breaks(inst, k, r) for k, r in zip(vehicles, better)]
    if any(p is None for p in placed):
        return branches
    before = state.objective(candidates)
    old = state.snapshot()
    patterns = list(state.pattern)
    for k, seq in zip(vehicles, better):
        for c in seq:
            patterns[c] = (int(inst.veh_day[k]),)
    state.restore((placed, patterns))
    if state.objective(candidates) >= before:
        state.restore(old)
    return branches
