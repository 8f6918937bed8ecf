"""Which patterns each client could use on its own, and why a client fits none.

Every (client, day, vehicle) gets the furthest stage it passes; a pattern is as good as its worst day, a client
as good as its best pattern. A client that passes every stage on some pattern is a candidate for the search;
the others are reported unplaced with the reason of the stage they stopped at.
"""

from __future__ import annotations

import numpy as np

from solver.instance import INF, Instance
from solver.model import UnplacedReason
from solver.routes import insertion_costs, route_edges, time_route

NO_VEHICLE, CLOSED, NO_WINDOW_IN_SHIFT, SERVICE_TOO_LONG, CAPACITY, UNREACHABLE, OK = range(-1, 6)
REASONS = {
    NO_VEHICLE: UnplacedReason.NO_ALLOWED_PATTERN,
    CLOSED: UnplacedReason.CLOSED_ON_PATTERN_DAYS,
    NO_WINDOW_IN_SHIFT: UnplacedReason.NO_WINDOW_IN_SHIFT,
    SERVICE_TOO_LONG: UnplacedReason.SERVICE_LONGER_THAN_WINDOW,
    CAPACITY: UnplacedReason.CAPACITY,
    UNREACHABLE: UnplacedReason.UNREACHABLE,
}
STAGE_TEXT = {
    NO_VEHICLE: "no vehicle works on day {d}",
    CLOSED: "closed on day {d}",
    NO_WINDOW_IN_SHIFT: "no opening window overlaps the shift on day {d}",
    SERVICE_TOO_LONG: "the service does not fit an opening window inside the shift on day {d}",
    CAPACITY: "demand exceeds the vehicle capacity on day {d}",
    UNREACHABLE: "cannot be reached, served and left within the shift on day {d}",
}


def vehicle_groups(inst: Instance) -> list[list[int]]:
    """Vehicles that may share a client: one crew each when visits must stay with one crew, else all."""
    if inst.problem.consistent:
        return [[k for k in range(len(inst.veh_day)) if inst.veh_crew[k] == c] for c in inst.crews]
    return [list(range(len(inst.veh_day)))]


def _stage_table(inst: Instance) -> np.ndarray:
    """stage[c, k]: the furthest stage client c passes alone on vehicle k."""
    problem = inst.problem
    n, V = inst.n, len(inst.veh_day)
    stage = np.full((n, V), OK, dtype=np.int64)
    for k, v in enumerate(problem.vehicles):
        d = v.day
        for c, client in enumerate(problem.clients):
            if client.windows is not None:
                wins = client.windows[d]
                if not wins:
                    stage[c, k] = CLOSED
                    continue
                overlaps = [(max(w.start_s, v.shift_start_s), min(w.end_s, v.shift_end_s)) for w in wins]
                if all(hi <= lo for lo, hi in overlaps):
                    stage[c, k] = NO_WINDOW_IN_SHIFT
                    continue
                if all(hi - lo < client.service_s for lo, hi in overlaps):
                    stage[c, k] = SERVICE_TOO_LONG
                    continue
            if v.capacity is not None and client.demand > v.capacity:
                stage[c, k] = CAPACITY
    clients = np.arange(n)
    for k in range(V):
        seq = [-1 - b for b in range(len(problem.vehicles[k].breaks))]
        edges = route_edges(inst, k, seq, time_route(inst, k, seq))
        cost = insertion_costs(inst, clients, edges)
        reachable = (cost < INF).any(axis=1)
        stage[:, k] = np.where((stage[:, k] == OK) & ~reachable, UNREACHABLE, stage[:, k])
    return stage


def precheck(inst: Instance) -> tuple[list[list[tuple[int, ...]]], dict[int, tuple[UnplacedReason, str]]]:
    """Per client the patterns feasible alone (for some vehicle group), and the reason for clients with none."""
    stage = _stage_table(inst)
    groups = vehicle_groups(inst)
    allowed: list[list[tuple[int, ...]]] = []
    rejected: dict[int, tuple[UnplacedReason, str]] = {}
    for c, client in enumerate(inst.problem.clients):
        ok_patterns: list[tuple[int, ...]] = []
        best_stage, best_text = NO_VEHICLE - 1, "the client has no allowed pattern"
        for p in client.patterns:
            p_best, p_text = NO_VEHICLE - 1, ""
            for g in groups:
                worst, worst_day = OK + 1, -1
                for d in p:
                    on_day = [k for k in g if inst.veh_day[k] == d]
                    s = int(stage[c, on_day].max()) if on_day else NO_VEHICLE
                    if s < worst:
                        worst, worst_day = s, d
                if worst > p_best:
                    p_best = worst
                    p_text = "" if worst >= OK else f"pattern {p}: " + STAGE_TEXT[worst].format(d=worst_day)
            if p_best >= OK:
                ok_patterns.append(tuple(p))
            elif p_best > best_stage:
                best_stage, best_text = p_best, p_text
        allowed.append(ok_patterns)
        if not ok_patterns:
            rejected[c] = (REASONS[max(best_stage, NO_VEHICLE)], best_text)
    return allowed, rejected
