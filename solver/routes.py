"""One vehicle's route: its sequence, its timing, and the insertion positions it offers.

A route is a list of nodes: client indices (>= 0) and breaks (-1 - b for the vehicle's break b). A break is
taken where the previous stop is (no travel into it, the travel after it starts from that stop), which is the
same as taking it anywhere on the way to the next stop. Times are earliest starts (forward pass) and latest
starts that keep the rest of the route feasible (backward pass); with them an insertion is checked in O(1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.instance import INF, Instance, earliest_start


@dataclass
class Timing:
    feasible: bool
    locs: list[int]  # real location of every node incl. start and end (a break has its predecessor's)
    start: list[int]  # earliest service start per node (start node: departure)
    depart: list[int]
    latest: list[int]  # latest start keeping the rest feasible
    travel: int
    load: int


def break_of(inst: Instance, vehicle: int, node: int):
    return inst.problem.vehicles[vehicle].breaks[-1 - node]


def time_route(inst: Instance, vehicle: int, seq: list[int]) -> Timing:
    day = int(inst.veh_day[vehicle])
    windows = inst.py_windows[day]
    breaks = inst.py_breaks[vehicle]
    service, demand, client_loc = inst.py_service, inst.py_demand, inst.py_loc
    loc = int(inst.veh_start[vehicle])
    t = int(inst.veh_depart[vehicle])
    locs, start, depart = [loc], [t], [t]
    travel = load = 0
    feasible = True
    row = inst.row(loc)
    for node in seq:
        if node >= 0:
            nxt = client_loc[node]
            leg = row[nxt]
            travel += leg
            load += demand[node]
            arrival = t + leg
            s = INF
            for lo, hi in windows[node]:
                if arrival <= hi:
                    s = arrival if arrival > lo else lo
                    break
            if s >= INF:
                feasible = False
                s = arrival
            t = s + service[node]
            if nxt != loc:
                loc, row = nxt, inst.row(nxt)
        else:
            lo, hi, dur = breaks[-1 - node]
            s = t if t > lo else lo
            if s > hi:
                feasible = False
            t = s + dur
        locs.append(loc)
        start.append(s)
        depart.append(t)
    end = int(inst.veh_end[vehicle])
    leg = row[end]
    travel += leg
    t += leg
    locs.append(end)
    start.append(t)
    depart.append(t)
    if t > inst.veh_arrive_by[vehicle] or load > inst.veh_capacity[vehicle]:
        feasible = False
    latest = [0] * len(locs)
    bound = int(inst.veh_arrive_by[vehicle])
    latest[-1] = bound
    n = len(seq)
    for i in range(n, 0, -1):
        node = seq[i - 1]
        nxt_leg = 0 if i < n and seq[i] < 0 else inst.row(locs[i])[locs[i + 1]]
        if node >= 0:
            b = latest[i + 1] - nxt_leg - service[node]
            v = -INF
            for lo, hi in reversed(windows[node]):
                if lo <= b:
                    v = b if b < hi else hi
                    break
            latest[i] = v
        else:
            lo, hi, dur = breaks[-1 - node]
            b = latest[i + 1] - nxt_leg - dur
            latest[i] = hi if hi < b else b
    first_leg = 0 if seq and seq[0] < 0 else inst.row(locs[0])[locs[1]]
    latest[0] = latest[1] - first_leg
    return Timing(feasible, locs, start, depart, latest, travel, load)


class _Column:
    """One column of Edges.table, read as an attribute (flag columns as booleans)."""

    def __init__(self, index: int, flag: bool = False):
        self.index = index
        self.flag = flag

    def __get__(self, edges: Edges, owner: type[Edges] | None = None) -> np.ndarray:
        column = edges.table[:, self.index]
        return column != 0 if self.flag else column


class Edges:
    """Insertion positions, one row each: a client goes between node i and node i+1 (position i in seq).

    Columns: vehicle, day, pos, from_loc, to_loc (the real location after, past a break), depart (from node i),
    latest_next (latest arrival at the next real node), brk (1: the next node is a break the client would go
    in front of) with its brk_lo / brk_hi start bounds and brk_dur, load and capacity of the route, usable,
    (soft duration limits only) how far the route already ends after its limit (negative: time to spare), the
    arrival at the next real node and the waits from there to the end (which absorb a later arrival there)."""

    __slots__ = ("table",)

    vehicle = _Column(0)
    day = _Column(1)
    pos = _Column(2)
    from_loc = _Column(3)
    to_loc = _Column(4)
    depart = _Column(5)
    latest_next = _Column(6)
    brk = _Column(7, flag=True)
    brk_lo = _Column(8)
    brk_hi = _Column(9)
    brk_dur = _Column(10)
    load = _Column(11)
    capacity = _Column(12)
    usable = _Column(13, flag=True)
    overrun = _Column(14)
    next_arrival = _Column(15)
    waits_after = _Column(16)

    def __init__(self, table: np.ndarray):
        self.table = table


def route_edges(inst: Instance, vehicle: int, seq: list[int], tm: Timing) -> Edges:
    n = len(seq)
    cap = int(inst.veh_capacity[vehicle])
    ok = 1 if tm.feasible or (inst.soft_duration and tm.load <= cap) else 0
    day = int(inst.veh_day[vehicle])
    overrun = tm.start[-1] - int(inst.veh_arrive_by[vehicle])
    rows = []
    locs, latest, depart, start = tm.locs, tm.latest, tm.depart, tm.start
    # arrivals and the waits after them, for pricing idle time (insertion_costs): only where a route may wait
    legs = [inst.row(locs[j - 1])[locs[j]] for j in range(1, len(locs))] if inst.idle_priced else [0] * len(locs)
    waits_after = [0] * (len(locs) + 1)  # waits at node j and after it
    for j in range(len(locs) - 1, 0, -1) if inst.idle_priced else ():
        waits_after[j] = waits_after[j + 1] + start[j] - depart[j - 1] - legs[j - 1]
    for i in range(n + 1):
        nxt = seq[i] if i < n else 0
        if nxt < 0:
            lo, hi, dur = inst.py_breaks[vehicle][-1 - nxt]
            usable = ok if not (i + 1 < n and seq[i + 1] < 0) else 0  # two breaks in a row: no insertion here
            rows.append(
                (
                    vehicle,
                    day,
                    i,
                    locs[i],
                    locs[i + 2],
                    depart[i],
                    latest[i + 2],
                    1,
                    lo,
                    hi,
                    dur,
                    tm.load,
                    cap,
                    usable,
                    overrun,
                    depart[i + 1] + legs[i + 1],
                    waits_after[i + 2],
                )
            )
        else:
            rows.append(
                (
                    vehicle,
                    day,
                    i,
                    locs[i],
                    locs[i + 1],
                    depart[i],
                    latest[i + 1],
                    0,
                    0,
                    0,
                    0,
                    tm.load,
                    cap,
                    ok,
                    overrun,
                    depart[i] + legs[i],
                    waits_after[i + 1],
                )
            )
    return Edges(np.array(rows, dtype=np.int64))


def concat_edges(parts: list[Edges]) -> Edges:
    return Edges(np.concatenate([p.table for p in parts]))


def insertion_costs(inst: Instance, clients: np.ndarray, e: Edges, overrun_weight: float | None = None) -> np.ndarray:
    """Travel added by inserting each client at each position (INF where infeasible), shape (C, E); where routes
    may wait, travel and idle time added.

    The positions may belong to routes of several days; each is checked against the client's windows that
    day, the route's latest arrival downstream, a break it would push, and capacity. With soft duration
    limits and an `overrun_weight`, the added overrun is priced at that weight per unit instead."""
    T = inst.travel
    cl = inst.client_loc[clients][:, None]
    t_in = T[e.from_loc[None, :], cl]
    t_out = T[cl, e.to_loc[None, :]]
    arr = e.depart[None, :] + t_in
    lo = inst.start_lo[clients[:, None], e.day[None, :]]  # (C, E, K)
    hi = inst.start_hi[clients[:, None], e.day[None, :]]
    start = np.where(arr <= hi[:, :, -1], np.maximum(arr, lo[:, :, -1]), INF)
    for k in range(lo.shape[2] - 2, -1, -1):
        start = np.where(arr <= hi[:, :, k], np.maximum(arr, lo[:, :, k]), start)
    done = start + inst.service[clients][:, None]
    ok = start < INF
    if e.brk.any():
        brk_start = np.maximum(done, e.brk_lo[None, :])
        done = np.where(e.brk[None, :], brk_start + e.brk_dur[None, :], done)
        ok &= ~e.brk[None, :] | (brk_start <= e.brk_hi[None, :])
    ok &= (e.load[None, :] + inst.demand[clients][:, None] <= e.capacity[None, :]) & e.usable[None, :]
    delta = t_in + t_out - T[e.from_loc, e.to_loc][None, :]
    if inst.soft_duration and overrun_weight is not None:
        over = e.overrun[None, :]
        added = np.maximum(0, over + delta + inst.service[clients][:, None]) - np.maximum(0, over)
        return np.where(ok, delta + np.rint(overrun_weight * added).astype(np.int64), INF)
    ok &= done + t_out <= e.latest_next[None, :]
    if inst.idle_priced:
        # The plan prices idle time too (PlanState.idle): travel and idle together are how much later the route
        # ends, less the client's own service.
        later = done + t_out - e.next_arrival[None, :]
        travel_and_idle = np.maximum(later - e.waits_after[None, :], 0) - inst.service[clients][:, None]
        delta = delta + np.rint(inst.idle_weight * (travel_and_idle - delta)).astype(np.int64)
    return np.where(ok, delta, INF)


def place_breaks(inst: Instance, vehicle: int, clients: list[int]) -> list[int] | None:
    """The client order with the vehicle's breaks put where the route is feasible, or None.

    Breaks are placed in order, each but the last at the first gap where the route up to it is on time (which
    leaves the most room after it); the last one where the whole route is feasible and ends earliest (the least
    waiting, since the order, travel and service are given): where the day's work meets the break's window."""
    seq = list(clients)
    n_breaks = len(inst.problem.vehicles[vehicle].breaks)
    if n_breaks == 0:
        return seq if time_route(inst, vehicle, seq).feasible else None
    first_gap = 0
    for b in range(n_breaks - 1):
        node = -1 - b
        placed = None
        for pos in range(first_gap, len(seq) + 1):
            trial = seq[:pos] + [node] + seq[pos:]
            if _on_time(inst, vehicle, trial[: pos + 1]):
                placed, first_gap = trial, pos + 1
                break
        if placed is None:
            return None
        seq = placed
    best, best_end = None, None
    for pos in range(first_gap, len(seq) + 1):
        trial = seq[:pos] + [-n_breaks] + seq[pos:]
        tm = time_route(inst, vehicle, trial)
        if tm.feasible and (best_end is None or tm.start[-1] < best_end):
            best, best_end = trial, tm.start[-1]
    return best


def _on_time(inst: Instance, vehicle: int, seq: list[int]) -> bool:
    """Every node of this route prefix starts inside its window (the end of the route is not checked)."""
    day = int(inst.veh_day[vehicle])
    t = int(inst.veh_depart[vehicle])
    loc = int(inst.veh_start[vehicle])
    for node in seq:
        if node >= 0:
            nxt = int(inst.client_loc[node])
            s = earliest_start(inst, node, day, t + int(inst.travel[loc, nxt]))
            if s >= INF:
                return False
            t, loc = s + int(inst.service[node]), nxt
        else:
            b = break_of(inst, vehicle, node)
            s = max(t, b.earliest_start_s)
            if s > b.latest_start_s:
                return False
            t = s + b.duration_s
    return True
