"""Ruin and recreate by string removals (Christiaens and Vanden Berghe's SISR, 2020) over the routes of a plan
whose clients may each go on any one of several single days, compiled with numba.

The Python ruin and recreate of solver.search makes a few dozen iterations a second on a week of outlets; which
outlets share a day settles early and too few iterations are left to reshape it. Here an iteration takes a few
strings of consecutive clients out of routes near a seed client, puts each back where it adds the least travel
over every position of every route it may take (a position skipped now and then, SISR's blinks), and simulated
annealing keeps the result or not; thousands of iterations a second. Every position is evaluated in constant
time from the time-warp data of the routes' prefixes and suffixes (day_moves' tables), each client held to the
window its earliest arrival reaches (a client put back tries each of its windows on that day); routes stay
punctual and within capacity throughout. The temperature falls from a share of the travel per client to a
hundredth of it as the work budget (or the time guard, whichever is further along) is spent; the best plan met
comes back.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np
from numba import njit, objmode

from solver.routing.day_moves import (
    Clients,
    Vehicles,
    _at,
    _build,
    _client,
    _price,
    _windows,
    nearest_clients,
    pack,
    tiny_week,
    unpack,
)
from solver.routing.single_route import _FIELDS, _join

AVERAGE_REMOVED = 10  # clients a ruin takes out on average (SISR's c-bar)
LONGEST_STRING = 10  # SISR's L-max
BLINK = 0.01  # chance that a position is skipped when a client is put back
START_TEMPERATURE = 1.0  # of the plan's travel per client at the start
END_TEMPERATURE = 0.01  # of the same at the end
RUIN_NEIGHBOURS = 100  # clients near the seed whose routes a ruin may cut
CLOCK_EVERY = 16  # iterations between looks at the clock
# The work counts, each about proportional to some CPU time: insertion positions evaluated, and route nodes
# rebuilt into the prefix and suffix tables (which also covers a ruin's and an undo's copying of routes).
WORK = ("evaluations", "nodes_built")


class StringSearch(NamedTuple):
    routes: list[list[int]]  # each vehicle's clients in order, punctual
    travel: int
    work: tuple[int, ...]  # the counts of WORK
    iterations: int


def improve_by_strings(
    travel: np.ndarray,
    clients: Clients,
    vehicles: Vehicles,
    routes: list[list[int]],
    seed: int,
    prices_us: tuple[float, ...],
    max_work_us: float,
    time_limit_s: float,
) -> StringSearch:
    """The best plan the search meets from `routes` (punctual, within capacity), moving only the clients
    `clients.allowed` lets move; it stops when its work at `prices_us` (microseconds per unit of each WORK count)
    reaches `max_work_us` (a deterministic limit), or after `time_limit_s` (a guard)."""
    if len(prices_us) != len(WORK):
        raise ValueError(f"prices_us must price each of {WORK}")
    plan = pack(travel, clients, vehicles, routes)
    work = np.zeros(len(WORK) + 1, dtype=np.int64)  # and the iterations
    far = nearest_clients(travel, clients.place, RUIN_NEIGHBOURS)
    best = _search(
        *plan,
        clients.win_lo,
        clients.win_hi,
        vehicles.day,
        vehicles.capacity,
        clients.allowed,
        far,
        seed,
        np.array(prices_us, dtype=np.float64),
        float(max_work_us),
        time.perf_counter(),
        float(time_limit_s),
        work,
    )
    return StringSearch(unpack(plan), int(best), tuple(int(x) for x in work[: len(WORK)]), int(work[-1]))


@njit(cache=True)
def _search(
    nodes,
    length,
    t,
    place,
    svc,
    dem,
    lo,
    hi,
    win_lo,
    win_hi,
    day,
    cap,
    allowed,
    near,
    seed,
    prices,
    max_work_us,
    started,
    time_limit_s,
    work,
):
    """The annealing loop; leaves the best plan in nodes and length and returns its travel (-1 when a route
    starts late, and the plan is left as it came)."""
    np.random.seed(seed)
    v_count, m = nodes.shape
    n = allowed.shape[0]
    pre = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    suf = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    tail = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    load = np.zeros((v_count, m), dtype=np.int64)
    ok = np.zeros((v_count, m, v_count), dtype=np.bool_)
    pos = np.zeros(n, dtype=np.int64)
    tabs = (pre, suf, tail, load, ok, pos)
    route = np.full(n, -1, dtype=np.int64)
    visits = np.zeros(n, dtype=np.int64)
    for k in range(v_count):
        visits[nodes[k, 1 : length[k] - 1]] += 1
    cost = np.zeros(v_count, dtype=np.int64)
    for k in range(v_count):
        for x in nodes[k, 1 : length[k] - 1]:
            if visits[x] == 1:
                route[x] = k
        _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, *tabs)
        work[1] += length[k]
        cost[k] = _price(_at(pre, k, length[k] - 1), length[k] - 2)
        if cost[k] < 0:
            return -1
    movable = np.array([c for c in range(n) if route[c] >= 0 and allowed[c].any()], dtype=np.int64)
    total = cost.sum()
    if len(movable) == 0:
        return total
    per_client = max(total / len(movable), 1.0)
    hot, cold = START_TEMPERATURE * per_client, END_TEMPERATURE * per_client
    best, best_nodes, best_length = total, nodes.copy(), length.copy()
    saved, saved_length = nodes.copy(), length.copy()
    touched = np.zeros(v_count, dtype=np.bool_)
    removed = np.empty(len(movable), dtype=np.int64)
    depot = place[n]  # the first vehicle's start: "far" and "close" orders of the recreate step
    iteration = 0
    elapsed = 0.0  # share of the time guard gone, looked at every CLOCK_EVERY iterations
    while True:
        spent = (work[: len(prices)] * prices).sum() / max_work_us if max_work_us > 0 else 1.0
        if iteration % CLOCK_EVERY == 0:
            with objmode(now="float64"):
                now = time.perf_counter()
            elapsed = (now - started) / time_limit_s if time_limit_s > 0 else 1.0
        if max(spent, elapsed) >= 1.0:
            break
        iteration += 1
        work[-1] += 1
        temperature = hot * (cold / hot) ** max(spent, elapsed)
        count = _ruin(movable, near, nodes, length, route, pos, allowed, touched, removed)
        for k in range(v_count):
            if touched[k]:
                _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, *tabs)
                work[1] += length[k]
        _order(removed[:count], dem, t, place, depot)
        placed = True
        for c in removed[:count]:
            k = _put_back(c, nodes, length, t, svc, place, win_lo, win_hi, day, cap, dem, allowed, pre, suf, load, work)
            if k < 0:
                placed = False
                break
            route[c] = k
            touched[k] = True
            _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, *tabs)
            work[1] += length[k]
        value = total
        if placed:
            for k in range(v_count):
                if touched[k]:
                    price = _price(_at(pre, k, length[k] - 1), length[k] - 2)
                    if price < 0:
                        placed = False
                        break
                    value += price - cost[k]
        if placed and value < total - temperature * math.log(np.random.random()):
            total = value
            for k in range(v_count):
                if touched[k]:
                    cost[k] = _price(_at(pre, k, length[k] - 1), length[k] - 2)
                    saved[k, : length[k]] = nodes[k, : length[k]]
                    saved_length[k] = length[k]
            if total < best:
                best = total
                best_nodes[:] = nodes
                best_length[:] = length
        else:
            for k in range(v_count):
                if touched[k]:
                    nodes[k, : saved_length[k]] = saved[k, : saved_length[k]]
                    length[k] = saved_length[k]
                    for x in nodes[k, 1 : length[k] - 1]:
                        if visits[x] == 1:
                            route[x] = k
                    _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, *tabs)
                    work[1] += length[k]
        touched[:] = False
    nodes[:] = best_nodes
    length[:] = best_length
    return best


@njit(cache=True)
def _ruin(movable, near, nodes, length, route, pos, allowed, touched, removed):
    """SISR's string removal: strings of movable clients cut from up to a few routes, the first through a random
    seed client, the others through its nearest clients on other routes; returns how many clients it took out
    (into removed) and marks the routes it cut in touched."""
    v_count = nodes.shape[0]
    used = 0
    for k in range(v_count):
        used += length[k] > 2
    mean_clients = len(movable) / max(used, 1)
    longest = min(float(LONGEST_STRING), mean_clients)
    most_strings = 4.0 * AVERAGE_REMOVED / (1.0 + longest) - 1.0
    strings = int(np.random.random() * most_strings) + 1
    seed = movable[np.random.randint(len(movable))]
    count = 0
    for i in range(-1, near.shape[1]):
        if strings == 0:
            break
        c = seed if i < 0 else near[seed, i]
        k = route[c]
        if k < 0 or touched[k] or not allowed[c].any():
            continue
        clients = length[k] - 2
        size = int(np.random.random() * min(longest, clients)) + 1
        first = pos[c] - np.random.randint(size)
        first = min(max(first, 1), clients - size + 1)
        kept = 1
        for p in range(1, length[k]):
            x = nodes[k, p]
            if first <= p < first + size and x < allowed.shape[0] and route[x] == k and allowed[x].any():
                removed[count] = x
                count += 1
                route[x] = -1
            else:
                nodes[k, kept] = x
                kept += 1
        nodes[k, kept:] = -1
        length[k] = kept
        touched[k] = True
        strings -= 1
    return count


@njit(cache=True)
def _order(clients, dem, t, place, depot):
    """SISR's orders of putting clients back, drawn: random (4 in 11), by demand, largest first (4), furthest
    from the depot first (2), nearest first (1)."""
    np.random.shuffle(clients)
    r = np.random.random() * 11.0
    if r < 4.0:
        return
    if r < 8.0:
        key = -dem[clients].astype(np.float64)
    else:
        key = np.empty(len(clients), dtype=np.float64)
        for i in range(len(clients)):
            key[i] = t[depot, place[clients[i]]]
        if r < 10.0:
            key = -key
    clients[:] = clients[np.argsort(key, kind="mergesort")]


@njit(cache=True)
def _put_back(c, nodes, length, t, svc, place, win_lo, win_hi, day, cap, dem, allowed, pre, suf, load, work):
    """Client c inserted where it adds the least travel, over every position of every route it may take (with
    blinks) and each of its windows that day; returns the route, or -1 when no position keeps a route punctual
    and within capacity."""
    v_count, m = nodes.shape
    best, best_k, best_q = np.inf, -1, -1
    for k in range(v_count):
        size = length[k]
        if not allowed[c, k] or size >= m or load[k, size - 1] + dem[c] > cap[k]:
            continue
        base = _price(_at(pre, k, size - 1), size - 2)
        for w in range(_windows(c, day[k], win_hi)):
            x = _client(c, day[k], w, svc, win_lo, win_hi, place)
            for q in range(size - 1):
                if np.random.random() < BLINK:
                    continue
                work[0] += 1
                seg = _join(_join(_at(pre, k, q), x, t), _at(suf, k, q + 1), t)
                if seg[1] == 0 and seg[4] - base < best:
                    best, best_k, best_q = seg[4] - base, k, q
    if best_k >= 0:
        size = length[best_k]
        nodes[best_k, best_q + 2 : size + 1] = nodes[best_k, best_q + 1 : size].copy()
        nodes[best_k, best_q + 1] = c
        length[best_k] = size + 1
    return best_k


improve_by_strings(*tiny_week(), seed=0, prices_us=(1.0,) * len(WORK), max_work_us=1000.0, time_limit_s=60.0)
