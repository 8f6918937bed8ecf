"""Hybrid genetic search for one vehicle's route with opening windows (Vidal et al. 2013; Vidal 2022), compiled
with numba.

A rep's day with fixed outlets is a travelling-salesman tour with windows. Guided local search in OR-Tools gets
stuck on such days where tight windows cut the punctual orders into pockets (benchmarks/day_router: one day of
the reference comparison's 300-outlet week stayed 0.4-1.6% longer than PyVRP's). This search crosses between
pockets the way hybrid genetic search does: a population of tours, order crossover, and a local search that may
arrive late at a price per second of lateness ("time warp"), adapted so that about a fifth of the offspring are
punctual. The local search evaluates every move in constant time from the time-warp data of route segments
(duration, time warp, earliest and latest start, travel), precomputed for every segment of the current tour,
forward and reversed.

Nodes: 0 is the start, 1..n the clients, n + 1 the end. Windows bound the start of service; the start's window
is the departure time, the end's the latest return. The search counts its work (WORK: moves evaluated, cells
of segment tables built, offspring bred), stops when that work at the caller's prices reaches its budget (a
deterministic limit) or at the deadline (a guard), and returns the shortest punctual tour it met.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
from numba import njit, objmode

NEAREST = 30  # granular neighbourhoods: a move must join a node to one of its nearest (Toth and Vigo's idea)
POPULATION = 25  # survivors after a selection (mu)
GENERATION = 40  # offspring added before a selection (lambda)
ELITE = 4  # the best individuals keep their place however alike they are
CLOSE = 5  # neighbours a diversity contribution is measured against
TARGET_PUNCTUAL = 0.2  # share of offspring that should come out of the local search punctual
PENALTY_PERIOD = 100  # offspring between adjustments of the price of lateness
REPAIR_FACTOR = 10.0  # a late offspring is repaired half the time with the price this much higher
MAX_SEGMENT = 3  # longest segment moved or swapped by one move

_FIELDS = 7  # of a segment: duration, time warp, earliest start, latest start, travel, first node, last node
WORK = ("moves", "table_cells", "offspring")  # the work counts, each about proportional to some CPU time


class RouteSearch(NamedTuple):
    tour: list[int] | None  # client indexes (0-based) in visiting order; None when no punctual tour was met
    travel: int  # its travel, -1 without one
    work: tuple[int, ...]  # the counts of WORK


def best_tour(
    travel: np.ndarray,
    service: np.ndarray,
    start_lo: np.ndarray,
    start_hi: np.ndarray,
    depart: int,
    arrive_by: int,
    incumbent: list[int],
    seed: int,
    prices_us: tuple[float, ...],
    max_work_us: float,
    time_limit_s: float,
) -> RouteSearch:
    """The shortest punctual tour found over n clients.

    travel: (n + 2, n + 2) over [start, clients..., end]; service, start_lo, start_hi: per client, its service
    time and the interval its service may start in; incumbent: a tour to seed the population with (client
    indexes, may be late); prices_us: microseconds of one unit of each WORK count."""
    n = len(service)
    if n < 3:
        raise ValueError(f"a tour search needs at least 3 clients, not {n}")
    if travel.shape != (n + 2, n + 2):
        raise ValueError(f"travel must be ({n + 2}, {n + 2}) for {n} clients, not {travel.shape}")
    if sorted(incumbent) != list(range(n)):
        raise ValueError("incumbent must visit every client once")
    if len(prices_us) != len(WORK):
        raise ValueError(f"prices_us must price each of {WORK}")
    t = np.ascontiguousarray(travel, dtype=np.int64)
    svc = np.concatenate(([0], np.asarray(service, dtype=np.int64), [0]))
    lo = np.concatenate(([depart], np.asarray(start_lo, dtype=np.int64), [0]))
    hi = np.concatenate(([depart], np.asarray(start_hi, dtype=np.int64), [arrive_by]))
    near = _nearest(t, NEAREST)
    init = np.array([0, *(c + 1 for c in incumbent), n + 1], dtype=np.int64)
    deadline = time.perf_counter() + time_limit_s
    prices = np.array(prices_us, dtype=np.float64)
    tour, best, work = _search(t, svc, lo, hi, near, init, seed, prices, float(max_work_us), deadline)
    counts = tuple(int(x) for x in work)
    if best < 0:
        return RouteSearch(None, -1, counts)
    return RouteSearch([int(x) - 1 for x in tour[1:-1]], int(best), counts)


def _nearest(t: np.ndarray, count: int) -> np.ndarray:
    """near[a, b]: b is one of a's `count` nearest (either way) nodes; the start and end are near everything."""
    m = t.shape[0]
    both = np.minimum(t, t.T).astype(np.float64)
    np.fill_diagonal(both, np.inf)
    near = np.zeros((m, m), dtype=np.bool_)
    order = np.argsort(both, axis=1, kind="stable")[:, : min(count, m - 1)]
    near[np.arange(m)[:, None], order] = True
    near |= near.T
    near[[0, m - 1], :] = True
    near[:, [0, m - 1]] = True
    return near


@njit(cache=True, inline="always")
def _join(a, b, t):
    """Segment a followed by segment b (Vidal et al. 2013, time-warp concatenation)."""
    d1, w1, e1, l1, c1, f1, z1 = a
    d2, w2, e2, l2, c2, f2, z2 = b
    leg = t[z1, f2]
    delta = d1 - w1 + leg
    wait = max(e2 - delta - l1, 0)
    warp = max(e1 + delta - l2, 0)
    return (d1 + d2 + leg + wait, w1 + w2 + warp, max(e2 - delta, e1) - wait, min(l2 - delta, l1) + warp, c1 + c2 + leg, f1, z2)


@njit(cache=True, inline="always")
def _node(x, svc, lo, hi):
    return (svc[x], 0, lo[x], hi[x], 0, x, x)


@njit(cache=True, inline="always")
def _get(tab, i, j):
    r = tab[i, j]
    return (r[0], r[1], r[2], r[3], r[4], r[5], r[6])


@njit(cache=True)
def _build(tour, t, svc, lo, hi, fwd, rev, work):
    """fwd[i, j]: the segment of tour positions i..j; rev[i, j]: the same clients visited from j back to i."""
    m = tour.shape[0]
    work[1] += m * m
    for i in range(m):
        cur = _node(tour[i], svc, lo, hi)
        fwd[i, i, :] = cur
        for j in range(i + 1, m):
            cur = _join(cur, _node(tour[j], svc, lo, hi), t)
            fwd[i, j, :] = cur
    for i in range(1, m - 1):
        cur = _node(tour[i], svc, lo, hi)
        rev[i, i, :] = cur
        for j in range(i + 1, m - 1):
            cur = _join(_node(tour[j], svc, lo, hi), cur, t)
            rev[i, j, :] = cur


@njit(cache=True)
def _evaluate(fwd, rev, t, kinds, a, b, count, lam):
    """Penalised cost of the tour made of `count` pieces: positions a[q]..b[q], reversed where kinds[q] == 1;
    an empty piece (a > b) is skipped. The first piece starts at the start, the last ends at the end."""
    acc = _get(fwd, a[0], b[0])
    for q in range(1, count):
        if a[q] > b[q]:
            continue
        piece = _get(rev, a[q], b[q]) if kinds[q] == 1 else _get(fwd, a[q], b[q])
        acc = _join(acc, piece, t)
    return acc[4] + lam * acc[1]


@njit(cache=True)
def _compose(tour, kinds, a, b, count, out):
    """Rewrite the tour as the pieces of a move (see _evaluate)."""
    k = 0
    for q in range(count):
        if kinds[q] == 1:
            for p in range(b[q], a[q] - 1, -1):
                out[k] = tour[p]
                k += 1
        else:
            for p in range(a[q], b[q] + 1):
                out[k] = tour[p]
                k += 1
    tour[:] = out


# Each neighbourhood looks for a first move of the segment starting at position p that lowers the penalised cost
# below `current`; it leaves the move's pieces in kinds, a, b and returns their count and the new cost (0 pieces:
# none found). work[0] counts the evaluations.


@njit(cache=True)
def _relocate(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work):
    """Positions p..q (up to MAX_SEGMENT) moved after position k, forward or reversed."""
    m = tour.shape[0]
    for q in range(p, min(p + MAX_SEGMENT, m - 1)):
        for k in range(m - 1):
            if p - 1 <= k <= q:
                continue
            for kind in range(2 if q > p else 1):
                first, last = (tour[q], tour[p]) if kind == 1 else (tour[p], tour[q])
                if not (near[tour[k], first] or near[last, tour[k + 1]]):
                    continue
                if k < p:
                    kinds[:4] = (0, kind, 0, 0)
                    a[:4] = (0, p, k + 1, q + 1)
                    b[:4] = (k, q, p - 1, m - 1)
                else:
                    kinds[:4] = (0, 0, kind, 0)
                    a[:4] = (0, q + 1, p, k + 1)
                    b[:4] = (p - 1, k, q, m - 1)
                work[0] += 1
                cost = _evaluate(fwd, rev, t, kinds, a, b, 4, lam)
                if cost < current - 1e-9:
                    return 4, cost
    return 0, current


@njit(cache=True)
def _swap(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work):
    """Positions p..q swapped with a later segment r..s (each up to MAX_SEGMENT)."""
    m = tour.shape[0]
    kinds[:5] = (0, 0, 0, 0, 0)
    for q in range(p, min(p + MAX_SEGMENT, m - 1)):
        for r in range(q + 1, m - 1):
            if not (near[tour[p - 1], tour[r]] or near[tour[r - 1], tour[p]]):
                continue
            for s in range(r, min(r + MAX_SEGMENT, m - 1)):
                a[:5] = (0, r, q + 1, p, s + 1)
                b[:5] = (p - 1, s, r - 1, q, m - 1)
                work[0] += 1
                cost = _evaluate(fwd, rev, t, kinds, a, b, 5, lam)
                if cost < current - 1e-9:
                    return 5, cost
    return 0, current


@njit(cache=True)
def _reverse(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work):
    """Positions p..j visited backwards (2-opt)."""
    m = tour.shape[0]
    kinds[:3] = (0, 1, 0)
    for j in range(p + 1, m - 1):
        if not (near[tour[p - 1], tour[j]] or near[tour[p], tour[j + 1]]):
            continue
        a[:3] = (0, p, j + 1)
        b[:3] = (p - 1, j, m - 1)
        work[0] += 1
        cost = _evaluate(fwd, rev, t, kinds, a, b, 3, lam)
        if cost < current - 1e-9:
            return 3, cost
    return 0, current


@njit(cache=True)
def _local_search(tour, t, svc, lo, hi, near, lam, fwd, rev, work):
    """First-improvement descent over segment relocation, segment swaps and 2-opt, in a random order of clients,
    until no move lowers the penalised cost. Returns the tour's travel and time warp."""
    m = tour.shape[0]
    kinds = np.zeros(5, dtype=np.int64)
    a = np.zeros(5, dtype=np.int64)
    b = np.zeros(5, dtype=np.int64)
    out = np.empty(m, dtype=np.int64)
    pos = np.empty(m, dtype=np.int64)
    _build(tour, t, svc, lo, hi, fwd, rev, work)
    for p in range(m):
        pos[tour[p]] = p
    current = fwd[0, m - 1, 4] + lam * fwd[0, m - 1, 1]
    order = np.random.permutation(m - 2) + 1
    improved = True
    while improved:
        improved = False
        for u in order:
            p = pos[u]
            count, cost = _relocate(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work)
            if count == 0:
                count, cost = _swap(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work)
            if count == 0:
                count, cost = _reverse(tour, p, near, fwd, rev, t, lam, current, kinds, a, b, work)
            if count:
                _compose(tour, kinds, a, b, count, out)
                _build(tour, t, svc, lo, hi, fwd, rev, work)
                for q in range(m):
                    pos[tour[q]] = q
                current = cost
                improved = True
    return fwd[0, m - 1, 4], fwd[0, m - 1, 1]


@njit(cache=True)
def _add(tours, succ, travel, warp, size, dist, sub, tour, tour_travel, tour_warp):
    """Put a tour into subpopulation `sub` (0 punctual, 1 late) with its distances to the others: the share of
    clients whose successor differs (broken pairs)."""
    m = tour.shape[0]
    i = size[sub]
    tours[sub, i, :] = tour
    for p in range(m - 1):
        succ[sub, i, tour[p]] = tour[p + 1]
    travel[sub, i] = tour_travel
    warp[sub, i] = tour_warp
    for j in range(i):
        broken = 0
        for x in range(1, m - 1):
            broken += succ[sub, i, x] != succ[sub, j, x]
        dist[sub, i, j] = dist[sub, j, i] = broken / (m - 2)
    dist[sub, i, i] = 0.0
    size[sub] = i + 1


@njit(cache=True)
def _fitness(travel, warp, size, dist, sub, lam):
    """Biased fitness (lower is better): rank by penalised cost plus rank by diversity contribution, the
    latter weighted so that the ELITE best keep their place (Vidal 2022)."""
    count = size[sub]
    fit = np.zeros(count)
    if count <= 1:
        return fit
    cost = np.empty(count)
    diversity = np.empty(count)
    for i in range(count):
        cost[i] = travel[sub, i] + lam * warp[sub, i]
        row = np.sort(np.concatenate((dist[sub, i, :i], dist[sub, i, i + 1 : count])))
        diversity[i] = -row[: min(CLOSE, count - 1)].mean()  # more diverse ranks first
    by_cost = np.argsort(cost, kind="mergesort")
    by_diversity = np.argsort(diversity, kind="mergesort")
    weight = 1.0 - min(ELITE, count) / count
    for r in range(count):
        fit[by_cost[r]] += r / (count - 1)
        fit[by_diversity[r]] += weight * r / (count - 1)
    return fit


@njit(cache=True)
def _survivors(tours, succ, travel, warp, size, dist, sub, lam):
    """Drop individuals until POPULATION remain: clones first, then the worst biased fitness."""
    while size[sub] > POPULATION:
        fit = _fitness(travel, warp, size, dist, sub, lam)
        count = size[sub]
        worst, worst_clone = -1, False
        for i in range(count):
            clone = False
            for j in range(count):
                if j != i and dist[sub, i, j] == 0.0:
                    clone = True
                    break
            if worst < 0 or (clone and not worst_clone) or (clone == worst_clone and fit[i] > fit[worst]):
                worst, worst_clone = i, clone
        last = count - 1
        tours[sub, worst, :] = tours[sub, last, :]
        succ[sub, worst, :] = succ[sub, last, :]
        travel[sub, worst] = travel[sub, last]
        warp[sub, worst] = warp[sub, last]
        dist[sub, worst, :] = dist[sub, last, :]
        dist[sub, :, worst] = dist[sub, :, last]
        dist[sub, worst, worst] = 0.0
        size[sub] = last


@njit(cache=True)
def _crossover(first, second, out):
    """Order crossover (OX) of two tours: a slice of the first in place, the rest in the second's order."""
    m = first.shape[0]
    n = m - 2
    i = np.random.randint(n)
    j = np.random.randint(n)
    if j < i:
        i, j = j, i
    used = np.zeros(m, dtype=np.bool_)
    out[0] = first[0]
    out[m - 1] = first[m - 1]
    for p in range(i, j + 1):
        out[p + 1] = first[p + 1]
        used[first[p + 1]] = True
    k = (j + 1) % n
    for step in range(n):
        x = second[(j + 1 + step) % n + 1]
        if not used[x]:
            out[k + 1] = x
            used[x] = True
            k = (k + 1) % n


@njit(cache=True)
def _search(t, svc, lo, hi, near, init, seed, prices, max_work_us, deadline):
    np.random.seed(seed)
    m = init.shape[0]
    cap = POPULATION + GENERATION + 1
    tours = np.zeros((2, cap, m), dtype=np.int64)
    succ = np.zeros((2, cap, m), dtype=np.int64)
    travel = np.zeros((2, cap), dtype=np.int64)
    warp = np.zeros((2, cap), dtype=np.int64)
    size = np.zeros(2, dtype=np.int64)
    dist = np.zeros((2, cap, cap))
    fwd = np.zeros((m, m, _FIELDS), dtype=np.int64)
    rev = np.zeros((m, m, _FIELDS), dtype=np.int64)
    work = np.zeros(len(WORK), dtype=np.int64)
    lam = 10.0
    best_tour = init.copy()
    best = -1
    child = init.copy()
    _build(init, t, svc, lo, hi, fwd, rev, work)
    _add(tours, succ, travel, warp, size, dist, 0 if fwd[0, m - 1, 1] == 0 else 1, init, fwd[0, m - 1, 4], fwd[0, m - 1, 1])
    if fwd[0, m - 1, 1] == 0:
        best = fwd[0, m - 1, 4]
    punctual = 0
    offspring = 0
    now = 0.0
    while (work * prices).sum() < max_work_us:
        with objmode(now="float64"):
            now = time.perf_counter()
        if now >= deadline:
            break
        total = size[0] + size[1]
        if total < POPULATION:
            child[1 : m - 1] = np.random.permutation(m - 2) + 1
        else:
            fit0 = _fitness(travel, warp, size, dist, 0, lam)
            fit1 = _fitness(travel, warp, size, dist, 1, lam)
            parents = np.empty((2, m), dtype=np.int64)
            for q in range(2):
                x = np.random.randint(total)
                y = np.random.randint(total)
                fx = fit0[x] if x < size[0] else fit1[x - size[0]]
                fy = fit0[y] if y < size[0] else fit1[y - size[0]]
                pick = x if fx <= fy else y
                parents[q] = tours[0, pick] if pick < size[0] else tours[1, pick - size[0]]
            _crossover(parents[0], parents[1], child)
        tr, w = _local_search(child, t, svc, lo, hi, near, lam, fwd, rev, work)
        offspring += 1
        work[2] += 1
        punctual += w == 0
        _add(tours, succ, travel, warp, size, dist, 0 if w == 0 else 1, child, tr, w)
        if w > 0 and np.random.random() < 0.5:
            tr, w = _local_search(child, t, svc, lo, hi, near, lam * REPAIR_FACTOR, fwd, rev, work)
            if w == 0:
                _add(tours, succ, travel, warp, size, dist, 0, child, tr, w)
        if w == 0 and (best < 0 or tr < best):
            best = tr
            best_tour[:] = child
        for sub in range(2):
            if size[sub] > POPULATION + GENERATION - 1:
                _survivors(tours, succ, travel, warp, size, dist, sub, lam)
        if offspring % PENALTY_PERIOD == 0:
            share = punctual / PENALTY_PERIOD
            if share < TARGET_PUNCTUAL - 0.05:
                lam = min(lam * 1.2, 1e5)
            elif share > TARGET_PUNCTUAL + 0.05:
                lam = max(lam * 0.85, 0.1)
            punctual = 0
    return best_tour, best, work


def _load() -> None:
    """Run the compiled search once on three clients at import (numba loads it from its cache, or compiles it
    once, in about 12 s), so that no search's time limit pays for it."""
    t = np.array([[0, 1, 2, 3, 0], [1, 0, 1, 2, 1], [2, 1, 0, 1, 2], [3, 2, 1, 0, 3], [0, 1, 2, 3, 0]])
    ones = np.ones(3, dtype=np.int64)
    best_tour(t, ones, 0 * ones, 100 * ones, 0, 1000, [0, 1, 2], 0, (1.0, 0.0, 0.0), max_work_us=1000, time_limit_s=60.0)


_load()
