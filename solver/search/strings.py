"""The search of a free-day week (every client on any one of several single days, travel all that is priced):
the Python loop (solver.search.improve) for a first share of the budget, then ruin and recreate by string
removals (solver.routing.string_search: thousands of iterations a second where the loop makes dozens) from its
best plan until the phase's share, then the descent between days (solver.search.day_exchange) on the result."""

from __future__ import annotations

from solver.plan_state import PlanState, Work
from solver.routing.string_search import WORK, improve_by_strings
from solver.search.budget import MICROSECONDS_PER_UNIT, Budget
from solver.search.config import SearchConfig
from solver.search.day_exchange import DayExchange, movable
from solver.search.improve import improve

# Each count of the string search's WORK is a few segment joins, as a move of the tour search is: priced as one.
PRICES_US = (float(MICROSECONDS_PER_UNIT[Work.TOUR_MOVES]),) * len(WORK)


def free_days(state: PlanState, candidates: list[int]) -> bool:
    """A free-day week: the day descent applies and every client may take any of several single days (a client
    of several days keeps the Python loop, which moves whole patterns)."""
    return DayExchange.applies(state, candidates) and len(movable(state, candidates)) == len(candidates)


def search_free_days(
    state: PlanState, candidates: list[int], budget: Budget, seed: int, cfg: SearchConfig, share: float
) -> dict[str, float]:
    """Search until `share` of the budget is used; leaves the best plan found in `state`."""
    stats = improve(state, candidates, budget, seed, cfg, share=cfg.strings_from * share)
    exchange = DayExchange(state, candidates)
    stats["string_iterations"] = search_strings(state, exchange, budget, seed, cfg, cfg.strings_from * share, share)
    state.begin()
    exchange(state, seed)
    state.commit()
    return stats


def search_strings(
    state: PlanState, exchange: DayExchange, budget: Budget, seed: int, cfg: SearchConfig, start: float, share: float
) -> int:
    """Search from the plan in `state` (the `start` share of the budget spent) until `share` of the budget is
    spent or of the time limit gone; keeps the result if the plan's own timing finds it feasible and it is
    shorter. With an iteration budget the search gets cfg.strings_us_per_iteration of priced work per iteration
    of its share. Returns the search's iterations."""
    if budget.max_iterations:
        work_us = (share - start) * budget.max_iterations * cfg.strings_us_per_iteration
    else:
        budget.correct_prices()
        work_us = max(0.0, share * budget.max_work_us - budget.work_us()) / budget.price_scale
    guard_s = budget.remaining_s() - (1 - share) * budget.wall_limit_s
    if work_us <= 0 or guard_s <= 0:
        return 0
    routes = [list(r) for r in state.routes]
    found = improve_by_strings(
        state.inst.travel, exchange.clients, exchange.vehicles, routes, seed, PRICES_US, work_us, guard_s
    )
    state.meter[Work.TOUR_MOVES] += sum(found.work)
    state.meter[Work.NODES_TIMED] += len(state.pattern)  # the plan handed over and back
    changed = {k: seq for k, seq in enumerate(found.routes) if seq != routes[k]}
    if changed:
        before = state.objective([])
        state.begin()
        state.move_between_days(changed)
        if all(state.timing[k].feasible for k in changed) and state.objective([]) < before:
            state.commit()
        else:
            state.rollback()
    return found.iterations
