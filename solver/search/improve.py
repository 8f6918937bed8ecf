"""The improvement loop: ruin and recreate over whole patterns, with OR-Tools reordering the changed days.

Each iteration takes some clients out of all their days and puts them back over their allowed patterns, so a
client's days change as often as its position; the operators (solver.search.operators) are drawn with adaptive
weights (ALNS). Changed routes are 2-opted where timing allows. A result better than the current plan is first
improved by moving clients between days (solver.search.day_exchange) where clients may take any of several
single days. Simulated annealing decides whether to keep the result. Where the problem allows (see
Instance.soft_duration) duration limits may be overrun at an adaptive price (cuts are then made around
overrunning routes half the time), and only plans within the limits count as the best. Every so often the days
whose routes changed are reordered by OR-Tools (warm-started from the current routes). The loop runs until its
phase's stopping rule (solver.search.stop) says so.
"""

from __future__ import annotations

import math

import numpy as np

from solver.plan_state import MAX_OVERRUN_WEIGHT, PlanState, Work
from solver.search.budget import Budget
from solver.search.config import SearchConfig
from solver.search.day_exchange import DayExchange
from solver.search.operators import REPAIR_OPERATORS, REPAIR_WHILE_WAITING, RUIN_OPERATORS, ruin
from solver.search.polish import polish_days
from solver.search.stop import phase_end
from solver.search.weights import OperatorWeights


def improve(
    state: PlanState, candidates: list[int], budget: Budget, seed: int, cfg: SearchConfig, share: float
) -> dict[str, float]:
    """Search until `share` of the budget is used; leaves the best plan found in `state`."""
    rng = np.random.default_rng(seed)
    stop = phase_end(budget, share)
    current = state.objective(candidates)
    # Only plans within every duration limit count as the best (they always do when limits are hard).
    best, best_snap = (current, state.snapshot()) if not state.overrun.any() else (None, None)
    overrunning = since_best = since_weight = 0
    ruin_weights, repair_weights = OperatorWeights(len(RUIN_OPERATORS)), OperatorWeights(len(REPAIR_OPERATORS))
    visits = max(1, sum(len(state.allowed[c][0]) for c in candidates))
    # From the plan's cost without penalties, which would otherwise heat the search for good.
    plain = int(state.travel.sum()) + state.inst.problem.balance_weight * state.balance_cost()
    t0 = cfg.start_accept_per_visit * max(plain, 1) / visits / math.log(2)
    changed_days: set[int] = set()
    accepted = improved = 0
    exchange = DayExchange(state, candidates) if DayExchange.applies(state, candidates) else None
    while not stop():
        placed = [c for c in candidates if state.pattern[c] is not None]
        if not placed:
            break
        budget.iterations += 1
        state.meter[Work.ITERATIONS] += 1
        state.meter[Work.CLIENT_SCANS] += len(candidates)
        state.begin()
        waiting = [c for c in candidates if state.pattern[c] is None]
        ruin_at, repair_at = ruin_weights.draw(rng), repair_weights.draw(rng)
        removed = ruin(state, placed, waiting, rng, cfg, RUIN_OPERATORS[ruin_at])
        days = _days_of(state, removed)
        state.remove_clients(removed)
        unplaced = [c for c in candidates if state.pattern[c] is None]
        if waiting:
            repair_at = REPAIR_WHILE_WAITING
        REPAIR_OPERATORS[repair_at](state, unplaced, removed, waiting, rng, cfg)
        state.tighten(state.changed_vehicles())
        days |= _days_of(state, removed)
        value = state.objective(candidates)
        # Days are exchanged only on a result that already beats the current plan: descending from every one
        # makes the walk greedy and its routes too tight to take new clients (the sample week: 12,068 s after
        # 1,000 iterations, against 10,492 s without the descent and 10,275 s with it on better results).
        if exchange is not None and value < current:
            days |= exchange(state, int(rng.integers(2**31)))
            value = state.objective(candidates)
        temperature = t0 * cfg.end_temperature_ratio ** min(1.0, budget.progress() / share)
        outcome = None
        if value <= current or rng.random() < math.exp(-(value - current) / temperature):
            state.commit()
            outcome = OperatorWeights.BETTER if value < current else OperatorWeights.ACCEPTED
            current = value
            accepted += 1
            changed_days |= days
            if not state.overrun.any() and (best is None or value < best):
                best, best_snap = value, state.snapshot()
                improved += 1
                since_best = 0
                outcome = OperatorWeights.NEW_BEST
        else:
            state.rollback()
        ruin_weights.record(ruin_at, outcome, budget.iterations)
        repair_weights.record(repair_at, outcome, budget.iterations)
        since_best += 1
        if since_best >= cfg.restart_after and best_snap is not None:
            state.restore(best_snap)
            current, since_best = state.objective(candidates), 0
        if state.overrun_weight is not None:
            overrunning += bool(state.overrun.any())
            since_weight += 1
            # The price adapts faster until a first plan within the limits is found.
            if since_weight >= (cfg.weight_period if best is not None else cfg.first_weight_period):
                # No plan within the limits yet, and a good part of the budget spent (or twice that share of the
                # time: the clock only matters on a machine much slower than the budget assumes).
                spent = max(budget.progress(), budget.elapsed_share() / 2)
                urgent = best is None and spent > cfg.urgent_progress * share
                state.overrun_weight = _adapted_overrun_weight(
                    state.overrun_weight, overrunning / since_weight, cfg, urgent
                )
                current = state.objective(candidates)
                overrunning = since_weight = 0
        if budget.iterations % cfg.polish_every == 0 and changed_days:
            polish_days(
                state, sorted(changed_days), cfg.polish_solutions, budget, cfg.polish_slice * budget.wall_limit_s
            )
            changed_days.clear()
            current = state.objective(candidates)
            if not state.overrun.any() and (best is None or current < best):
                best, best_snap = current, state.snapshot()
    if best_snap is not None:
        state.restore(best_snap)
    return {"iterations": budget.iterations, "accepted": accepted, "improved": improved}


def _days_of(state: PlanState, clients: list[int]) -> set[int]:
    """The days the clients' patterns take (none for unplaced clients)."""
    return {d for c in clients if (pattern := state.pattern[c]) is not None for d in pattern}


def _adapted_overrun_weight(weight: float, overrunning_share: float, cfg: SearchConfig, urgent: bool) -> float:
    """The price of overrunning a duration limit, raised when the search mostly overruns and lowered when it
    rarely does (as HGS does with its penalties). `urgent`: no plan within the limits yet and much of the budget
    spent, so the price climbs fast."""
    if urgent:
        return min(weight * 2, MAX_OVERRUN_WEIGHT)
    if overrunning_share > cfg.target_overrunning_share * 2:
        return min(weight * cfg.weight_step, MAX_OVERRUN_WEIGHT)
    if overrunning_share < cfg.target_overrunning_share / 2:
        return max(weight / cfg.weight_step, 0.01)
    return weight
