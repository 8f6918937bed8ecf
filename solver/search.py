"""The improvement loop: ruin and recreate over whole patterns, with OR-Tools reordering the days.

Each iteration removes some clients from all their days (random ones, ones related by distance, a whole route,
or strings cut from nearby routes) and reinserts them over their allowed patterns (regret insertion, cheapest
first, or one by one in an order), so a client's days change as often as its position; the operators are
drawn with adaptive weights (ALNS). Changed routes are 2-opted where timing allows. Simulated annealing
decides whether to keep the result. Where the problem allows (see Instance.soft_duration) duration limits may
be overrun at an adaptive price (cuts are then made around overrunning routes half the time), and only plans
within the limits count as the best. Every so often the days whose routes changed are reordered by OR-Tools
(warm-started from the current routes), and at the end the best plan's days are polished with guided local
search on the budget's last share.

Stopping is by deterministic work counts (plan_state.Work: route timings, insertion evaluations, iterations,
OR-Tools branches...), priced in estimated CPU microseconds, with a budget derived from the time limit or given
as iterations; the wall clock only guards the limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.insertion import insert_clients, insert_in_order
from solver.instance import INF
from solver.plan_state import MAX_OVERRUN_WEIGHT, PlanState, Work
from solver.routes import place_breaks
from solver.routing import lateness_priced, reoptimize_day, retour, tour_searchable

# Microseconds of CPU one unit of each work count (PlanState.meter, slots named by plan_state.Work) takes on the
# machine they were fitted on (`python -m benchmarks.calibrate_work`; history in benchmarks/RESULTS.md). On a
# faster CPU Budget lowers them from the CPU time it measures (see PRICE_SCALE_BOUNDS).
MICROSECONDS_PER_UNIT = np.array(
    [1.46, 62.0, 6.65, 0.00968, 12.6, 0.627, 7.2, 1.99, 172.0, 0.0, 1.82, 0.0289, 0.00626, 52.0]
)
# The work budget of a time limit, in this machine's CPU microseconds; the rest absorbs what no count covers.
WORK_SHARE_OF_LIMIT = 0.9
# Price corrections are measured once this share of the budget is spent (before that, too little to measure),
# kept within these bounds, and rounded to steps of 2 ** (1 / PRICE_SCALE_STEPS) so that a run on a steady machine
# keeps one correction for long stretches. Only downwards: on a CPU faster than the prices say, the work budget
# grows to fill the time limit; on a slower one the wall clock ends each phase at its share of the limit, as the
# search was tuned with. Raising the prices there too (a budget of CPU time) cost the Cordeau runs at 10 s 1.2
# points of mean gap side by side (p20 0.0% -> 8-18%): the annealing then cools and the duration penalty climbs
# by a clock the search was not tuned with (benchmarks/RESULTS.md, "A rep's day").
PRICE_SCALE_SAMPLE = 0.02
PRICE_SCALE_BOUNDS = (0.125, 1.0)
PRICE_SCALE_STEPS = 8
# OR-Tools takes a solution limit as an int64; no day is worth more guided local search solutions than this.
MAX_SOLUTION_LIMIT = 1_000_000
# An OR-Tools call that used this share of its clock guard is taken as ended by the clock: its work says nothing
# about the price of a solution.
CUT_BY_CLOCK_SHARE = 0.9
# How often the clock guard asks whether the caller wants the search ended now (its job was cancelled).
STOP_POLL_S = 0.25


@dataclass
class SearchConfig:
    polish_every: int = 100  # iterations between reorderings of the changed days
    polish_solutions: int = 30  # OR-Tools descent: improving solutions per day during the search
    final_polish_solutions: int = 100  # guided local search per day on the best plan, with an iteration budget
    min_final_polish_solutions: int = 10  # fewer are not worth building a day's model for
    final_polish_tour_us: float = 250_000.0  # tour search per day on the best plan, with an iteration budget
    min_final_polish_tour_us: float = 10_000.0  # less does not get through the first generation
    gls_branches_per_solution: float = 7.0  # first guess of the price of a GLS solution (measured: 6-7)
    polish_slice: float = 0.03  # share of the time limit one OR-Tools call may take at most (a guard)
    min_remove: int = 3
    max_remove: int = 25
    remove_share: float = 0.25  # at most this share of the placed clients per iteration
    max_removed_visits: int = 50  # and about this many visits (frequent clients count several times)
    overrun_focus: float = 0.5  # share of the cuts made around a route that overruns its limit, when one does
    balance_focus: float = 0.3  # share of the cuts made around a crew's busiest day, when its days are unbalanced
    # At the start a worsening by this share of the average cost per visit is accepted half the time.
    start_accept_per_visit: float = 0.7
    end_temperature_ratio: float = 0.01
    noise: float = 0.0  # relative noise on insertion costs (measured: none does better here)
    restart_after: int = 400  # iterations without a new best before going back to the best plan
    weight_period: int = 20  # iterations between adjustments of the overrun price
    first_weight_period: int = 5  # the same while no plan within the limits has been found
    target_overrunning_share: float = 0.3
    weight_step: float = 1.3
    urgent_progress: float = 0.2


class Budget:
    """How much of a search's time limit is spent: deterministic work counts at their prices, lowered on a CPU
    faster than they say (price_scale, from the thread's CPU time), and the wall clock as a guard (a slower or
    busy machine). A stop request (its job was cancelled) moves the deadline to now: the search ends as it would
    at the deadline, with a valid plan, within one OR-Tools call or tour search."""

    def __init__(
        self,
        time_limit_s: float,
        max_iterations: int | None,
        started: float,
        meter: np.ndarray,
        cpu_clock: Callable[[], float] = time.thread_time,
        stop_requested: Callable[[], bool] | None = None,
    ):
        self.time_limit_s = time_limit_s
        self.deadline = started + time_limit_s
        self.max_iterations = max_iterations
        self.max_work_us = max(0.0, time_limit_s) * 1e6 * WORK_SHARE_OF_LIMIT
        self.meter = meter
        self.iterations = 0
        self.price_scale = 1.0  # this machine's CPU microseconds per estimated microsecond
        self._cpu_clock = cpu_clock
        self._cpu_started = cpu_clock()
        self._stop_requested = stop_requested
        self._stop_polled = started

    def estimated_us(self) -> float:
        """The work done at the fitted prices."""
        return float(self.meter @ MICROSECONDS_PER_UNIT)

    def work_us(self) -> float:
        """The work done, in this machine's CPU microseconds."""
        return self.estimated_us() * self.price_scale

    def left_estimated_us(self) -> float:
        """What is left of the work budget at the fitted prices (what work limits handed on are priced in)."""
        return max(0.0, self.max_work_us - self.work_us()) / self.price_scale

    def correct_prices(self) -> None:
        """Set price_scale from the CPU time this search took against its estimate (rounded, bounded)."""
        estimated = self.estimated_us()
        if self.max_iterations or estimated < PRICE_SCALE_SAMPLE * self.max_work_us:
            return
        ratio = (self._cpu_clock() - self._cpu_started) * 1e6 / estimated
        low, high = PRICE_SCALE_BOUNDS
        step = round(math.log2(min(max(ratio, low), high)) * PRICE_SCALE_STEPS)
        self.price_scale = 2.0 ** (step / PRICE_SCALE_STEPS)

    def progress(self) -> float:
        if self.max_iterations:
            return self.iterations / self.max_iterations
        if self.max_work_us <= 0:
            return 1.0
        self.correct_prices()
        return self.work_us() / self.max_work_us

    def elapsed_share(self) -> float:
        return 1.0 - self.remaining_s() / self.time_limit_s if self.time_limit_s > 0 else 1.0

    def remaining_s(self) -> float:
        now = time.perf_counter()
        if self._stop_requested is not None and now - self._stop_polled >= STOP_POLL_S:
            self._stop_polled = now
            if self._stop_requested():
                self.deadline = min(self.deadline, now)
        return self.deadline - now

    def done(self, share: float = 1.0) -> bool:
        """This share of the budget is used up, or of the time limit (so a slow machine keeps the reserve
        after it for what comes next too)."""
        return self.progress() >= share or self.elapsed_share() >= share


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
    placed = [place_breaks(inst, k, r) for k, r in zip(vehicles, better)]
    if any(p is None for p in placed):
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
        work_us = _reorder(state, vehicles, routes, nodes, limit, guard_s, guided=True)
        if work_us:  # not cut by the clock, and some work done: its price per solution holds for the next day
            us_per_solution_node = work_us / (limit * nodes)


RUIN_OPERATORS = 4  # random, related, whole route, strings
REPAIR_OPERATORS = 3  # regret, cheapest first, one by one in an order


class OperatorWeights:
    """Adaptive operator choice (Ropke and Pisinger's ALNS): operators that lead to new best, better or
    accepted plans are drawn more often in the next segment of iterations."""

    SCORES = (33.0, 9.0, 13.0)  # new best, better than current, accepted though worse
    SEGMENT = 100
    REACTION = 0.2

    def __init__(self, count: int):
        self.weights = np.ones(count)
        self.scores = np.zeros(count)
        self.uses = np.zeros(count)

    def draw(self, rng: np.random.Generator) -> int:
        return int(rng.choice(len(self.weights), p=self.weights / self.weights.sum()))

    def record(self, op: int, outcome: int | None, iteration: int) -> None:
        self.uses[op] += 1
        if outcome is not None:
            self.scores[op] += self.SCORES[outcome]
        if iteration % self.SEGMENT == 0:
            used = self.uses > 0
            self.weights[used] = (1 - self.REACTION) * self.weights[used] + self.REACTION * self.scores[
                used
            ] / self.uses[used]
            self.weights = np.maximum(self.weights, 0.05)
            self.scores[:] = 0
            self.uses[:] = 0


def ruin(
    state: PlanState, placed: list[int], unplaced: list[int], rng: np.random.Generator, cfg: SearchConfig, op: int
) -> list[int]:
    """Clients to take out of the plan with operator `op`: random ones, the nearest to a seed (an unplaced
    client's place when there is one, to make room there), a whole route, or strings of nearby routes. While
    routes overrun their duration limit, the seed or route is one of theirs cfg.overrun_focus of the time."""
    n = len(placed)
    visits_per_client = sum(len(state.pattern[c]) for c in placed) / n
    most = min(cfg.max_remove, int(n * cfg.remove_share), int(cfg.max_removed_visits / visits_per_client))
    k = int(rng.integers(min(cfg.min_remove, n), max(cfg.min_remove, most) + 1))
    k = max(1, min(k, n))
    if unplaced:  # make room where clients are waiting, with larger cuts
        k = min(n, max(k, cfg.max_remove))
    if unplaced and rng.random() < 0.8:
        op = 1
    if op == 0:
        return sorted(int(c) for c in rng.choice(placed, size=k, replace=False))
    over = np.flatnonzero(state.overrun > 0)
    focus = len(over) > 0 and rng.random() < cfg.overrun_focus
    heavy = None if focus or unplaced else _busiest_route(state, cfg, rng)
    if op == 2:
        pool = (
            over
            if focus
            else [heavy]
            if heavy is not None
            else [v for v in range(len(state.routes)) if state.visits[v] > 0]
        )
        v = pool[int(rng.integers(len(pool)))]
        return sorted({c for c in state.routes[v] if c >= 0})
    if unplaced:
        seed = unplaced[int(rng.integers(len(unplaced)))]
    elif focus or heavy is not None:  # a client of a route that overruns its limit, or of a crew's busiest day
        route = over[int(rng.integers(len(over)))] if focus else heavy
        on_route = [c for c in state.routes[route] if c >= 0]
        seed = on_route[int(rng.integers(len(on_route)))]
    else:
        seed = placed[int(rng.integers(n))]
    if op == 3:
        return _strings(state, placed, seed, k, rng)
    inst = state.inst
    locs = inst.client_loc[placed]
    s = inst.client_loc[seed]
    dist = inst.travel[s, locs] + inst.travel[locs, s]
    return sorted(placed[i] for i in np.argsort(dist, kind="stable")[:k])


def _busiest_route(state: PlanState, cfg: SearchConfig, rng: np.random.Generator) -> int | None:
    """cfg.balance_focus of the time, a route of the busiest day of a crew whose days differ by more than
    the problem's balance tolerance (one such crew drawn at random), else None: cuts there let the recreate step move
    visits to lighter days."""
    if not state.inst.problem.balance_weight:
        return None
    work = state.crew_day_work()
    crews = np.flatnonzero(state.crew_spreads() > state.inst.problem.balance_tolerance_s)
    if not len(crews) or rng.random() >= cfg.balance_focus:
        return None
    crew = int(crews[int(rng.integers(len(crews)))])
    day = int(np.argmax(np.where(state.crew_works[crew], work[crew], -INF)))
    routes = [k for k in state.inst.vehicles_of_day[day] if state.crew_index[k] == crew and state.visits[k] > 0]
    return routes[int(rng.integers(len(routes)))] if routes else None


def _strings(state: PlanState, placed: list[int], seed: int, k: int, rng: np.random.Generator) -> list[int]:
    """Strings of consecutive stops cut from the routes nearest to a seed client (after Christiaens and
    Vanden Berghe's SISR): nearby routes lose a piece each, so the recreate step can rebuild their shapes."""
    inst = state.inst
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


def _adapt_overrun_weight(
    state: PlanState, candidates: list[int], overrunning_share: float, cfg: SearchConfig, urgent: bool
) -> int:
    """Raise the price of overrunning a duration limit when the search mostly overruns, lower it when it
    rarely does (as HGS does with its penalties); returns the current plan's objective at the new price.
    `urgent`: no plan within the limits yet and much of the budget spent, so the price climbs fast."""
    if urgent:
        state.overrun_weight = min(state.overrun_weight * 2, MAX_OVERRUN_WEIGHT)
    elif overrunning_share > cfg.target_overrunning_share * 2:
        state.overrun_weight = min(state.overrun_weight * cfg.weight_step, MAX_OVERRUN_WEIGHT)
    elif overrunning_share < cfg.target_overrunning_share / 2:
        state.overrun_weight = max(state.overrun_weight / cfg.weight_step, 0.01)
    return state.objective(candidates)


def improve(
    state: PlanState, candidates: list[int], budget: Budget, seed: int, cfg: SearchConfig, share: float
) -> dict[str, float]:
    """Search until `share` of the budget is used; leaves the best plan found in `state`."""
    rng = np.random.default_rng(seed)
    current = state.objective(candidates)
    # Only plans within every duration limit count as the best (they always do when limits are hard).
    best, best_snap = (current, state.snapshot()) if not state.overrun.any() else (None, None)
    overrunning = since_best = since_weight = 0
    ruin_weights, repair_weights = OperatorWeights(RUIN_OPERATORS), OperatorWeights(REPAIR_OPERATORS)
    visits = max(1, sum(len(state.allowed[c][0]) for c in candidates))
    # From the plan's cost without penalties, which would otherwise heat the search for good.
    plain = int(state.travel.sum()) + state.inst.problem.balance_weight * state.balance_cost()
    t0 = cfg.start_accept_per_visit * max(plain, 1) / visits / math.log(2)
    changed_days: set[int] = set()
    accepted = improved = 0
    while not budget.done(share):
        placed = [c for c in candidates if state.pattern[c] is not None]
        if not placed:
            break
        budget.iterations += 1
        state.meter[Work.ITERATIONS] += 1
        state.meter[Work.CLIENT_SCANS] += len(candidates)
        state.begin()
        waiting = [c for c in candidates if state.pattern[c] is None]
        ruin_op, repair_op = ruin_weights.draw(rng), repair_weights.draw(rng)
        removed = ruin(state, placed, waiting, rng, cfg, ruin_op)
        days = {d for c in removed for d in state.pattern[c]}
        state.remove_clients(removed)
        unplaced = [c for c in candidates if state.pattern[c] is None]
        mode = 0 if waiting else repair_op  # regret insertion places the hardest clients first
        if mode < 2:
            insert_clients(state, unplaced, rng, cfg.noise, regret=mode == 0)
        else:
            insert_in_order(state, removed, rng, cfg.noise, first=waiting)
        state.tighten(state.changed_vehicles())
        days |= {d for c in removed if state.pattern[c] is not None for d in state.pattern[c]}
        value = state.objective(candidates)
        temperature = t0 * cfg.end_temperature_ratio ** min(1.0, budget.progress() / share)
        outcome = None
        if value <= current or rng.random() < math.exp(-(value - current) / temperature):
            state.commit()
            outcome = 1 if value < current else 2
            current = value
            accepted += 1
            changed_days |= days
            if not state.overrun.any() and (best is None or value < best):
                best, best_snap = value, state.snapshot()
                improved += 1
                since_best = 0
                outcome = 0
        else:
            state.rollback()
        ruin_weights.record(ruin_op, outcome, budget.iterations)
        repair_weights.record(mode, outcome, budget.iterations)
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
                current = _adapt_overrun_weight(state, candidates, overrunning / since_weight, cfg, urgent)
                overrunning = since_weight = 0
        if budget.iterations % cfg.polish_every == 0 and changed_days:
            polish_days(
                state, sorted(changed_days), cfg.polish_solutions, budget, cfg.polish_slice * budget.time_limit_s
            )
            changed_days.clear()
            current = state.objective(candidates)
            if not state.overrun.any() and (best is None or current < best):
                best, best_snap = current, state.snapshot()
    if best_snap is not None:
        state.restore(best_snap)
    return {"iterations": budget.iterations, "accepted": accepted, "improved": improved}
