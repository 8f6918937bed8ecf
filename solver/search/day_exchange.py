"""Clients moved between days by local search (solver.routing.day_moves) after each ruin and recreate step,
where a plan's clients may each go on any one of several single days and travel is all that is priced (no
breaks, idle or balance price, duration limits hard): a free-day week of outlets."""

from __future__ import annotations

import numpy as np

from solver.plan_state import PlanState, Work
from solver.routing.day_moves import Clients, Vehicles, improve_days, nearest_clients


class DayExchange:
    """The descent's view of a plan's clients and vehicles, built once per search."""

    def __init__(self, state: PlanState, candidates: list[int]):
        inst = state.inst
        self.allowed = np.zeros((inst.n, len(state.routes)), dtype=np.bool_)
        for c in movable(state, candidates):
            self.allowed[c] = [(int(d),) in state.allowed[c] for d in inst.veh_day]
        self.clients = Clients(
            place=inst.client_loc,
            service=inst.service,
            demand=inst.demand,
            win_lo=inst.start_lo,
            win_hi=inst.start_hi,
            allowed=self.allowed,
            near=nearest_clients(inst.travel, inst.client_loc),
        )
        self.vehicles = Vehicles(
            day=inst.veh_day,
            start=inst.veh_start,
            end=inst.veh_end,
            depart=inst.veh_depart,
            arrive_by=inst.veh_arrive_by,
            capacity=inst.veh_capacity,
        )

    @staticmethod
    def applies(state: PlanState, candidates: list[int]) -> bool:
        inst = state.inst
        return (
            not any(inst.py_breaks)
            and not inst.idle_priced
            and not inst.problem.balance_weight
            and state.overrun_weight is None
            and bool(movable(state, candidates))
        )

    def __call__(self, state: PlanState, seed: int) -> set[int]:
        """Run the descent on the plan and take its routes; returns the days whose routes changed."""
        routes = [list(r) for r in state.routes]
        found, moves, evaluated = improve_days(state.inst.travel, self.clients, self.vehicles, routes, seed)
        state.meter[Work.TOUR_MOVES] += evaluated
        state.meter[Work.NODES_TIMED] += len(state.pattern)  # the plan handed over and back
        if not moves:
            return set()
        changed = {k: seq for k, seq in enumerate(found) if seq != routes[k]}
        state.move_between_days(changed)
        return {int(state.inst.veh_day[k]) for k in changed}


def movable(state: PlanState, candidates: list[int]) -> list[int]:
    """Clients whose allowed patterns are single days, more than one."""
    return [c for c in candidates if len(state.allowed[c]) > 1 and all(len(p) == 1 for p in state.allowed[c])]
