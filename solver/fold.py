"""Fold changes into an existing cycle plan with the least disruption (line cleanup).

The existing routes stay as they are: every kept visit keeps its day and its place in the order, and new
clients are inserted (each on a whole allowed pattern, cheapest added time first, every day kept feasible: windows,
shift, lunch) by the engine's own regret insertion. Existing clients move only when
- a kept route is no longer feasible (its outlets' hours or service time changed): the client whose removal
  saves most is taken out and re-inserted, until the route is feasible again; or
- the caller allows a change budget: at most `change_budget` existing clients may be taken out and re-inserted,
  first to make room for new clients that fit nowhere, then wherever that lowers the plan's cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from solver.engine import solution_of
from solver.insertion import insert_clients
from solver.instance import Instance, build_instance
from solver.model import Problem, Solution
from solver.plan_state import PlanState
from solver.precheck import precheck, vehicle_groups
from solver.routes import place_breaks

ROOM_CANDIDATES = 8  # existing clients nearest to an unplaced new client tried for making room


@dataclass(frozen=True)
class FoldInput:
    """One crew's plan to change: `routes[k]` is the client order kept on vehicle k (clients index
    problem.clients, breaks left out); `new_clients` are to be inserted; clients in neither stay out."""

    problem: Problem
    routes: tuple[tuple[int, ...], ...]  # one per vehicle
    new_clients: tuple[int, ...]
    change_budget: int | None = 0  # existing clients that may be moved; None: as many as helps

    def __post_init__(self) -> None:
        if len(self.routes) != len(self.problem.vehicles):
            raise ValueError(f"routes must list all {len(self.problem.vehicles)} vehicles, not {len(self.routes)}")
        kept = [c for seq in self.routes for c in seq]
        if any(not 0 <= c < len(self.problem.clients) for c in [*kept, *self.new_clients]):
            raise ValueError("a route or new client refers to a client outside problem.clients")
        if set(kept) & set(self.new_clients):
            raise ValueError("a new client is already on a kept route")
        if self.change_budget is not None and self.change_budget < 0:
            raise ValueError(f"change_budget must be >= 0 or None, not {self.change_budget}")


@dataclass(frozen=True)
class FoldResult:
    solution: Solution  # every route timed; unplaced: new (or displaced) clients that fit nowhere, with why
    moved: tuple[int, ...]  # existing clients taken out and re-inserted (placed elsewhere or unplaced)
    forced_moves: int  # of those, moved because their route had become infeasible (not charged to the budget)


def fold(data: FoldInput) -> FoldResult:
    started = time.perf_counter()
    inst = build_instance(data.problem)
    allowed, rejected = precheck(inst)
    state = PlanState(inst, vehicle_groups(inst), allowed)
    displaced = _load_routes(state, data.routes)
    kept_clients = {c for seq in data.routes for c in seq} - set(displaced)
    budget = float("inf") if data.change_budget is None else data.change_budget

    to_insert = [c for c in (*data.new_clients, *displaced) if allowed[c]]
    failed = insert_clients(state, to_insert)
    moved = list(displaced)
    for c in list(failed):
        if budget <= 0:
            break
        used = _make_room(state, c, kept_clients, moved)
        if used:
            budget -= used
            failed.remove(c)
    if budget > 0:
        budget -= _relocate(state, kept_clients, moved, budget)

    kept_rejected = {c: why for c, why in rejected.items() if c in data.new_clients or c in moved}
    solution = solution_of(
        state, kept_rejected, list(failed), started, {"spread_s": state.spread(), "balance_s": state.balance_cost()}
    )
    return FoldResult(solution=solution, moved=tuple(sorted(set(moved))), forced_moves=len(displaced))


def _load_routes(state: PlanState, routes: tuple[tuple[int, ...], ...]) -> list[int]:
    """Put the kept routes (with their breaks) into the state; returns the clients taken out of routes that are
    no longer feasible: one whose removal alone repairs the route if there is one, else the most time-saving,
    until the route is feasible."""
    inst = state.inst
    displaced: list[int] = []
    seqs: list[list[int]] = []
    for k, kept in enumerate(routes):
        order = list(kept)
        seq = place_breaks(inst, k, order)
        while seq is None and order:
            c = _single_culprit(inst, k, order) or _costliest(inst, k, order)
            order.remove(c)
            displaced.append(c)
            seq = place_breaks(inst, k, order)
        seqs.append(seq if seq is not None else [-1 - b for b in range(len(inst.problem.vehicles[k].breaks))])
    days: dict[int, list[int]] = {}
    for k, seq in enumerate(seqs):
        for c in seq:
            if c >= 0:
                days.setdefault(c, []).append(int(inst.veh_day[k]))
    # a client that lost one of its days loses all: it is re-inserted on a whole pattern
    broken = [c for c in displaced if c in days]
    if broken:
        seqs = [[x for x in seq if x not in set(broken)] for seq in seqs]
        for c in broken:
            days.pop(c)
    patterns = [tuple(sorted(days[c])) if c in days else None for c in range(inst.n)]
    state.restore((seqs, patterns))
    return sorted(set(displaced))


def _single_culprit(inst: Instance, k: int, order: list[int]) -> int | None:
    """A client whose removal alone makes the route feasible (the one saving most, if several), or None."""
    fixes = [c for i, c in enumerate(order) if place_breaks(inst, k, order[:i] + order[i + 1 :]) is not None]
    return _costliest(inst, k, order, among=set(fixes)) if fixes else None


def _costliest(inst: Instance, k: int, order: list[int], among: set[int] | None = None) -> int:
    """The client (of `among`, default all) whose removal shortens the route most (travel saved plus service)."""
    T = inst.travel
    locs = [int(inst.veh_start[k])] + [inst.py_loc[c] for c in order] + [int(inst.veh_end[k])]
    saving = [
        T[locs[i], locs[i + 1]] + T[locs[i + 1], locs[i + 2]] - T[locs[i], locs[i + 2]] + inst.py_service[c]
        for i, c in enumerate(order)
    ]
    return order[max((i for i, c in enumerate(order) if among is None or c in among), key=saving.__getitem__)]


def _make_room(state: PlanState, new: int, kept: set[int], moved: list[int]) -> int:
    """Try taking out one existing client near `new`, inserting `new`, then re-inserting the taken one; keep
    the first trial where both fit. Returns the moves used (0 or 1)."""
    inst = state.inst
    loc = inst.py_loc[new]
    candidates = sorted(
        (c for c in kept if state.pattern[c] is not None and c not in moved),
        key=lambda c: inst.travel[loc, inst.py_loc[c]],
    )[:ROOM_CANDIDATES]
    for c in candidates:
        state.begin()
        state.remove_clients([c])
        if not insert_clients(state, [new]) and not insert_clients(state, [c]):
            state.commit()
            moved.append(c)
            return 1
        state.rollback()
    return 0


def _relocate(state: PlanState, kept: set[int], moved: list[int], budget: float) -> int:
    """Move existing clients (most costly on their routes first) where re-inserting them lowers the plan's
    objective, at most `budget` of them. Returns the moves made."""
    inst = state.inst
    candidates = sorted(
        (c for c in kept if state.pattern[c] is not None and c not in moved), key=lambda c: -_removal_saving(state, c)
    )
    used = 0
    everyone = [c for c in range(inst.n) if state.allowed[c]]
    for c in candidates:
        if used >= budget:
            break
        before_obj, before_pattern = state.objective(everyone), state.pattern[c]
        before_routes = {k: list(state.routes[k]) for k in state.vehicles_of_client[c]}
        state.begin()
        state.remove_clients([c])
        if insert_clients(state, [c]) or state.objective(everyone) >= before_obj:
            state.rollback()
            continue
        after_routes = {k: [x for x in state.routes[k] if x >= 0] for k in state.vehicles_of_client[c]}
        unchanged = state.pattern[c] == before_pattern and all(
            [x for x in before_routes.get(k, []) if x >= 0] == seq for k, seq in after_routes.items()
        )
        state.commit()
        if not unchanged:
            moved.append(c)
            used += 1
    return used


def _removal_saving(state: PlanState, c: int) -> int:
    inst = state.inst
    total = 0
    for k in state.vehicles_of_client[c]:
        order = [x for x in state.routes[k] if x >= 0]
        i = order.index(c)
        locs = [int(inst.veh_start[k])] + [inst.py_loc[x] for x in order] + [int(inst.veh_end[k])]
        T = inst.travel
        total += int(T[locs[i], locs[i + 1]] + T[locs[i + 1], locs[i + 2]] - T[locs[i], locs[i + 2]])
    return total
