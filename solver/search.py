"""The improvement loop: ruin and recreate over whole patterns, with OR-Tools reordering the days.

Each iteration removes a few clients from all their days (random, related by distance, or a whole route) and
reinserts them by regret insertion over their allowed patterns, so a client's days change as often as its
position. Simulated annealing decides whether to keep the result. Every so often the days whose routes
changed are reordered by OR-Tools (warm-started from the current routes), and at the end the best plan's days
are polished once more.

Stopping is by deterministic work counts (position evaluations, route timings, OR-Tools solutions), with a
budget derived from the time limit or given as iterations; the wall clock only guards the limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from solver.insertion import insert_clients, insert_in_order
from solver.plan_state import PlanState
from solver.routes import place_breaks
from solver.routing import reoptimize_day

# Microseconds of CPU one unit of each work count (PlanState.meter) takes on this machine, fitted on product
# and Cordeau runs (within about -30%..+30% per instance). The budget of a time limit is its length in these
# estimated microseconds; when the machine is busier than that, the wall clock ends the search instead.
MICROSECONDS_PER_UNIT = np.array([3.0, 200.0, 0.3, 100.0, 70.0, 18.0])
BUDGET_SHARE = 1.0


@dataclass
class SearchConfig:
    polish_every: int = 100  # iterations between reorderings of the changed days
    polish_solutions: int = 30  # OR-Tools descent: improving solutions per day during the search
    final_polish_solutions: int = 100  # guided local search per day on the best plan
    polish_slice: float = 0.03  # share of the time limit one OR-Tools call may take at most (a guard)
    min_remove: int = 3
    max_remove: int = 25
    remove_share: float = 0.25  # at most this share of the placed clients per iteration
    # At the start a worsening by this share of the average cost per visit is accepted half the time.
    start_accept_per_visit: float = 0.7
    end_temperature_ratio: float = 0.01
    noise: float = 0.15


class Budget:
    def __init__(self, time_limit_s: float, max_iterations: int | None, started: float, meter: np.ndarray):
        self.time_limit_s = time_limit_s
        self.deadline = started + time_limit_s
        self.max_iterations = max_iterations
        self.max_work_us = time_limit_s * 1e6 * BUDGET_SHARE
        self.meter = meter
        self.iterations = 0

    def work_us(self) -> float:
        return float(self.meter @ MICROSECONDS_PER_UNIT)

    def progress(self) -> float:
        if self.max_iterations:
            return self.iterations / self.max_iterations
        return self.work_us() / self.max_work_us

    def remaining_s(self) -> float:
        return self.deadline - time.perf_counter()

    def done(self, share: float = 1.0) -> bool:
        """The budget (or this share of it) is used up, or the time limit is reached."""
        return self.progress() >= share or self.remaining_s() <= 0


def polish_days(state: PlanState, days: list[int], solution_limit: int, budget: Budget, slice_s: float, guided: bool = False) -> None:
    """Reorder each (day, vehicle group) with OR-Tools; keep a new order only if it is feasible here too."""
    inst = state.inst
    for d in days:
        for g in range(len(state.groups)):
            vehicles = [k for k in state.day_vehicles[d] if state.group_of_vehicle[k] == g]
            routes = [[c for c in state.routes[k] if c >= 0] for k in vehicles]
            nodes = sum(len(r) for r in routes)
            if nodes < 3:
                continue
            remaining = budget.remaining_s()
            if remaining <= 0:
                return
            better, branches = reoptimize_day(inst, vehicles, routes, solution_limit, min(remaining, slice_s), guided)
            state.meter[5] += branches * nodes  # a branch explores neighbours of every node
            if better is None:
                continue
            placed = [place_breaks(inst, k, r) for k, r in zip(vehicles, better)]
            if any(p is None for p in placed):
                continue
            old_travel = int(state.travel[vehicles].sum())
            state.begin()
            state.replace_day_routes(dict(zip(vehicles, placed)))
            if int(state.travel[vehicles].sum()) < old_travel:
                state.commit()
            else:
                state.rollback()


def ruin(state: PlanState, placed: list[int], unplaced: list[int], rng: np.random.Generator, cfg: SearchConfig) -> list[int]:
    """Clients to take out of the plan: random ones, the nearest to a seed (an unplaced client's place when
    there is one, to make room there), or a whole route."""
    n = len(placed)
    k = int(rng.integers(min(cfg.min_remove, n), min(cfg.max_remove, max(cfg.min_remove, int(n * cfg.remove_share))) + 1))
    k = max(1, min(k, n))
    op = 1 if unplaced and rng.random() < 0.5 else int(rng.integers(4))
    if op == 3:
        return _strings(state, placed, k, rng)
    if op == 0:
        return sorted(int(c) for c in rng.choice(placed, size=k, replace=False))
    inst = state.inst
    if op == 1:
        seed = unplaced[int(rng.integers(len(unplaced)))] if unplaced else placed[int(rng.integers(n))]
        locs = inst.client_loc[placed]
        s = inst.client_loc[seed]
        dist = inst.travel[s, locs] + inst.travel[locs, s]
        return sorted(placed[i] for i in np.argsort(dist, kind="stable")[:k])
    used = [v for v in range(len(state.routes)) if state.visits[v] > 0]
    v = used[int(rng.integers(len(used)))]
    return sorted({c for c in state.routes[v] if c >= 0})


def _strings(state: PlanState, placed: list[int], k: int, rng: np.random.Generator) -> list[int]:
    """Strings of consecutive stops cut from the routes nearest to a seed client (after Christiaens and
    Vanden Berghe's SISR): nearby routes lose a piece each, so the recreate step can rebuild their shapes."""
    inst = state.inst
    seed = placed[int(rng.integers(len(placed)))]
    locs = inst.client_loc[placed]
    s = inst.client_loc[seed]
    near = [placed[i] for i in np.argsort(inst.travel[s, locs] + inst.travel[locs, s], kind="stable")]
    used = [v for v in range(len(state.routes)) if state.visits[v] > 0]
    avg_len = max(1, int(np.mean(state.visits[used])))
    length = int(rng.integers(1, min(10, avg_len) + 1))
    removed: set[int] = set()
    ruined: set[int] = set()
    for c in near:
        if len(removed) >= k:
            break
        if c in removed:
            continue
        for v in state.vehicles_of_client[c]:
            if v in ruined:
                continue
            ruined.add(v)
            seq = [x for x in state.routes[v] if x >= 0]
            at = seq.index(c)
            first = max(0, min(at - int(rng.integers(length)), len(seq) - length))
            removed.update(seq[first : first + length])
            break
    return sorted(removed)


def improve(state: PlanState, candidates: list[int], budget: Budget, seed: int, cfg: SearchConfig, share: float) -> dict[str, float]:
    """Search until `share` of the budget is used; leaves the best plan found in `state`."""
    rng = np.random.default_rng(seed)
    current = state.objective(candidates)
    best, best_snap = current, state.snapshot()
    visits = max(1, sum(len(state.allowed[c][0]) for c in candidates))
    t0 = cfg.start_accept_per_visit * max(current, 1) / visits / math.log(2)
    changed_days: set[int] = set()
    accepted = improved = 0
    while not budget.done(share):
        placed = [c for c in candidates if state.pattern[c] is not None]
        if not placed:
            break
        budget.iterations += 1
        state.begin()
        waiting = [c for c in candidates if state.pattern[c] is None]
        removed = ruin(state, placed, waiting, rng, cfg)
        days = {d for c in removed for d in state.pattern[c]}
        state.remove_clients(removed)
        unplaced = [c for c in candidates if state.pattern[c] is None]
        mode = int(rng.integers(3))
        if mode < 2:
            insert_clients(state, unplaced, rng, cfg.noise, regret=mode == 0)
        else:
            insert_in_order(state, removed, rng, cfg.noise, first=waiting)
        state.tighten(state.changed_vehicles())
        days |= {d for c in removed if state.pattern[c] is not None for d in state.pattern[c]}
        value = state.objective(candidates)
        temperature = t0 * cfg.end_temperature_ratio ** min(1.0, budget.progress() / share)
        if value <= current or rng.random() < math.exp(-(value - current) / temperature):
            state.commit()
            current = value
            accepted += 1
            changed_days |= days
            if value < best:
                best, best_snap = value, state.snapshot()
                improved += 1
        else:
            state.rollback()
        if budget.iterations % cfg.polish_every == 0 and changed_days:
            polish_days(state, sorted(changed_days), cfg.polish_solutions, budget, cfg.polish_slice * budget.time_limit_s)
            changed_days.clear()
            current = state.objective(candidates)
            if current < best:
                best, best_snap = current, state.snapshot()
    state.restore(best_snap)
    return {"iterations": budget.iterations, "accepted": accepted, "improved": improved}
