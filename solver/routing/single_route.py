"""Hybrid genetic search for one vehicle's route with opening windows (Vidal et al. 2013; Vidal 2022), compiled
with numba.

A rep's day with fixed outlets is a travelling-salesman tour with windows. Guided local search in OR-Tools gets
stuck on such days where tight windows cut the punctual orders into pockets (benchmarks/RESULTS.md, "Against
PyVRP and VROOM"). This search crosses between pockets the way hybrid genetic search does: a population of
tours, order crossover, and a local search that may arrive late at a price per second of lateness ("time
warp"), adapted so that about a fifth of the offspring are punctual. The local search evaluates every move in
constant time from the time-warp data of route segments (duration, time warp, earliest and latest start,
travel), precomputed for every segment of the current tour, forward and reversed.

Nodes: 0 is the start, 1..n the clients, n + 1..n + b the breaks, then the end. Windows bound the start of
service; the start's window is the departure time, the end's the latest return. A break (the lunch) is a node
with its own window and duration and no place of its own: it is taken where the previous stop is, and the travel
after it starts from there (as solver/routes.py times it), so a segment carries the first and last *place* it
visits, and a piece of a move that starts with a break is joined node by node. A client with several windows a
day (a restaurant open 09:30-11:00 and 14:00-17:00) is held to one of them at a time: the one its arrival in the
current tour reaches first, chosen again after each descent until the choice holds; a tour punctual in the
chosen windows is punctual. With an idle price the search minimises travel plus that price times the waiting
from the departure to the return (waiting for a window or for the lunch), as the plan's objective does. The
search counts its work (WORK: moves evaluated, cells of segment tables built, offspring bred), stops when that
work at the caller's prices reaches its budget (a deterministic limit) or at the deadline (a guard), and returns
the best punctual tour it met.
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
WINDOW_ROUNDS = 3  # descents of one offspring at most, each after its clients' windows are chosen again

_FIELDS = 7  # of a segment: duration, time warp, earliest start, latest start, travel, first place, last place
WORK = ("moves", "table_cells", "offspring")  # the work counts, each about proportional to some CPU time


class RouteSearch(NamedTuple):
    tour: list[int] | None  # client indexes (0-based) in visiting order; None when no punctual tour was met
    travel: int  # its travel, -1 without one
    idle: int  # its waiting from the departure to the return, -1 without one
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
    breaks: tuple[tuple[int, int, int], ...] = (),
    idle_weight: float = 0.0,
) -> RouteSearch:
    """The best punctual tour found over n clients: the shortest, or with an idle price the cheapest.

    travel: (n + 2, n + 2) over [start, clients..., end]; service: per client; start_lo, start_hi: the interval
    its service may start in, per client (n,), or several per client (n, K) sorted, unused ones with start_hi < 0;
    breaks: (earliest start, latest start, duration) of each break the tour takes; incumbent: a tour to seed the
    population with (client indexes, and -1 - b where break b is taken; may be late; a break it leaves out goes
    where the day's work first reaches its window); prices_us: microseconds of one unit of each WORK count."""
    n = len(service)
    if n < 3:
        raise ValueError(f"a tour search needs at least 3 clients, not {n}")
    if travel.shape != (n + 2, n + 2):
        raise ValueError(f"travel must be ({n + 2}, {n + 2}) for {n} clients, not {travel.shape}")
    if (
        sorted(c for c in incumbent if c >= 0) != list(range(n))
        or len(set(incumbent)) != len(incumbent)
        or any(c < -len(breaks) for c in incumbent)
    ):
        raise ValueError("incumbent must visit every client once and take each break at most once")
    if len(prices_us) != len(WORK):
        raise ValueError(f"prices_us must price each of {WORK}")
    lo_in, hi_in = np.asarray(start_lo, dtype=np.int64), np.asarray(start_hi, dtype=np.int64)
    if lo_in.ndim == 1:
        lo_in, hi_in = lo_in[:, None], hi_in[:, None]
    nb, k = len(breaks), lo_in.shape[1]
    m = n + nb + 2
    # Every node's windows: [depart], the clients', the breaks', [0, arrive_by] for the end.
    win_lo = np.zeros((m, k), dtype=np.int64)
    win_hi = np.full((m, k), -1, dtype=np.int64)
    win_lo[0, 0] = win_hi[0, 0] = depart
    win_lo[1 : n + 1], win_hi[1 : n + 1] = lo_in, hi_in
    for b, (lo, hi, _) in enumerate(breaks):
        win_lo[n + 1 + b, 0], win_hi[n + 1 + b, 0] = lo, hi
    win_hi[m - 1, 0] = arrive_by
    windows = np.maximum((win_hi >= 0).sum(axis=1), 1).astype(np.int64)
    svc = np.concatenate(([0], np.asarray(service, dtype=np.int64), [d for _, _, d in breaks], [0])).astype(np.int64)
    place = np.array([0, *range(1, n + 1), *([-1] * nb), n + 1], dtype=np.int64)  # a break has none
    t = np.ascontiguousarray(travel, dtype=np.int64)
    near = _nearest(t, place, NEAREST)
    init = np.array([0, *_with_breaks(t, svc, win_lo, n, breaks, depart, incumbent), m - 1], dtype=np.int64)
    deadline = time.perf_counter() + time_limit_s
    prices = np.array(prices_us, dtype=np.float64)
    tour, best_travel, best_idle, work = _search(
        t,
        svc,
        win_lo,
        win_hi,
        windows,
        place,
        near,
        init,
        float(idle_weight),
        seed,
        prices,
        float(max_work_us),
        deadline,
    )
    counts = tuple(int(x) for x in work)
    if best_travel < 0:
        return RouteSearch(None, -1, -1, counts)
    return RouteSearch([int(x) - 1 for x in tour[1:-1] if x <= n], int(best_travel), int(best_idle), counts)


def _with_breaks(t, svc, win_lo, n, breaks, depart, incumbent) -> list[int]:
    """The incumbent as node ids, a break it leaves out put before the first client reached after its window
    opens (on the incumbent's own timing, at the earliest window)."""
    tour = [c + 1 if c >= 0 else n - c for c in incumbent]
    for b in range(len(breaks)):
        node = n + 1 + b
        if node in tour:
            continue
        time_s, here, pos = depart, 0, len(tour)
        for i, x in enumerate(tour):
            if x > n:
                time_s = max(time_s, win_lo[x, 0]) + svc[x]
                continue
            if time_s >= win_lo[node, 0]:
                pos = i
                break
            time_s = max(time_s + t[here, x], win_lo[x, 0]) + svc[x]
            here = x
        tour.insert(pos, node)
    return tour


def _nearest(t: np.ndarray, place: np.ndarray, count: int) -> np.ndarray:
    """near[a, b] over nodes: b's place is one of a's `count` nearest (either way); the start, the end and the
    breaks are near everything."""
    m = t.shape[0]
    both = np.minimum(t, t.T).astype(np.float64)
    np.fill_diagonal(both, np.inf)
    near_place = np.zeros((m, m), dtype=np.bool_)
    order = np.argsort(both, axis=1, kind="stable")[:, : min(count, m - 1)]
    near_place[np.arange(m)[:, None], order] = True
    near_place |= near_place.T
    near = near_place[np.ix_(np.maximum(place, 0), np.maximum(place, 0))]
    loose = (place < 0) | (place == 0) | (place == m - 1)
    near[loose, :] = True
    near[:, loose] = True
    return near


@njit(cache=True, inline="always")
def _join(a, b, t):
    """Segment a followed by segment b (Vidal et al. 2013, time-warp concatenation). A segment of breaks alone
    has no place (-1): it is taken where a ends, and the travel after it starts from a's last place."""
    d1, w1, e1, l1, c1, f1, z1 = a
    d2, w2, e2, l2, c2, f2, z2 = b
    leg = t[z1, f2] if z1 >= 0 and f2 >= 0 else 0
    delta = d1 - w1 + leg
    wait = max(e2 - delta - l1, 0)
    warp = max(e1 + delta - l2, 0)
    return (
        d1 + d2 + leg + wait,
        w1 + w2 + warp,
        max(e2 - delta, e1) - wait,
        min(l2 - delta, l1) + warp,
        c1 + c2 + leg,
        f1 if f1 >= 0 else f2,
        z2 if z2 >= 0 else z1,
    )


@njit(cache=True, inline="always")
def _node(x, svc, lo, hi, place):
    return (svc[x], 0, lo[x], hi[x], 0, place[x], place[x])


@njit(cache=True, inline="always")
def _get(tab, i, j):
    r = tab[i, j]
    return (r[0], r[1], r[2], r[3], r[4], r[5], r[6])


@njit(cache=True)
def _build(tour, t, svc, lo, hi, place, fwd, rev, work):
    """fwd[i, j]: the segment of tour positions i..j; rev[i, j]: the same nodes visited from j back to i. Both
    are built by appending, so a break inside is taken after the node before it; an entry that starts with a
    break is not used (_evaluate joins such a piece node by node)."""
    m = tour.shape[0]
    work[1] += m * m
    for i in range(m):
        cur = _node(tour[i], svc, lo, hi, place)
        fwd[i, i, :] = cur
        for j in range(i + 1, m):
            cur = _join(cur, _node(tour[j], svc, lo, hi, place), t)
            fwd[i, j, :] = cur
    for j in range(1, m - 1):
        cur = _node(tour[j], svc, lo, hi, place)
        rev[j, j, :] = cur
        for i in range(j - 1, 0, -1):
            cur = _join(cur, _node(tour[i], svc, lo, hi, place), t)
            rev[i, j, :] = cur


@njit(cache=True, inline="always")
def _cost(seg, lam, idle_weight, busy):
    """Travel, plus the idle price times the waiting (duration less travel and the nodes' own time `busy`), plus
    the price of lateness times the time warp."""
    return seg[4] + idle_weight * (seg[0] - seg[4] - busy) + lam * seg[1]


@njit(cache=True)
def _evaluate(tour, fwd, rev, t, svc, lo, hi, place, kinds, a, b, count, lam, idle_weight, busy):
    """Penalised cost of the tour made of `count` pieces: positions a[q]..b[q], reversed where kinds[q] == 1;
    an empty piece (a > b) is skipped. The first piece starts at the start, the last ends at the end. Breaks that
    begin a piece are joined one by one: the travel after them starts from the place before the piece."""
    acc = _get(fwd, a[0], b[0])
    for q in range(1, count):
        first, last = a[q], b[q]
        if kinds[q] == 1:
            while first <= last and place[tour[last]] < 0:
                acc = _join(acc, _node(tour[last], svc, lo, hi, place), t)
                last -= 1
            if first <= last:
                acc = _join(acc, _get(rev, first, last), t)
        else:
            while first <= last and place[tour[first]] < 0:
                acc = _join(acc, _node(tour[first], svc, lo, hi, place), t)
                first += 1
            if first <= last:
                acc = _join(acc, _get(fwd, first, last), t)
    return _cost(acc, lam, idle_weight, busy)


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


@njit(cache=True)
def _choose_windows(tour, t, svc, win_lo, win_hi, windows, place, lo, hi):
    """Hold each node to the first of its windows its arrival on this tour reaches (the last when it is late
    for all); returns whether a choice changed."""
    changed = False
    time_s = win_lo[0, 0]
    here = place[tour[0]]
    for p in range(1, tour.shape[0]):
        x = tour[p]
        arrival = time_s
        if place[x] >= 0:
            arrival += t[here, place[x]]
            here = place[x]
        k = windows[x] - 1
        for j in range(windows[x]):
            if arrival <= win_hi[x, j]:
                k = j
                break
        if lo[x] != win_lo[x, k] or hi[x] != win_hi[x, k]:
            lo[x], hi[x] = win_lo[x, k], win_hi[x, k]
            changed = True
        time_s = max(arrival, lo[x]) + svc[x]
    return changed


# Each neighbourhood looks for a first move of the segment starting at position p that lowers the penalised cost
# below `current`; it leaves the move's pieces in kinds, a, b and returns their count and the new cost (0 pieces:
# none found). work[0] counts the evaluations.


@njit(cache=True)
def _relocate(
    tour, p, near, fwd, rev, t, svc, lo, hi, win_lo, win_hi, windows, place, lam, iw, busy, current, kinds, a, b, work
):
    """Positions p..q (up to MAX_SEGMENT) moved after position k, forward or reversed. A client moved alone is
    tried in each of its windows (a restaurant moved from the morning into the afternoon takes its afternoon
    hours); the window of an accepted move is kept in lo, hi."""
    m = tour.shape[0]
    x = tour[p]
    for q in range(p, min(p + MAX_SEGMENT, m - 1)):
        choices = windows[x] if q == p else 1
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
                for j in range(choices):
                    if choices > 1:
                        fwd[p, p, 2], fwd[p, p, 3] = win_lo[x, j], win_hi[x, j]
                    work[0] += 1
                    cost = _evaluate(tour, fwd, rev, t, svc, lo, hi, place, kinds, a, b, 4, lam, iw, busy)
                    if cost < current - 1e-9:
                        if choices > 1:
                            lo[x], hi[x] = win_lo[x, j], win_hi[x, j]
                        return 4, cost
                if choices > 1:
                    fwd[p, p, 2], fwd[p, p, 3] = lo[x], hi[x]
    return 0, current


@njit(cache=True)
def _swap(tour, p, near, fwd, rev, t, svc, lo, hi, place, lam, iw, busy, current, kinds, a, b, work):
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
                cost = _evaluate(tour, fwd, rev, t, svc, lo, hi, place, kinds, a, b, 5, lam, iw, busy)
                if cost < current - 1e-9:
                    return 5, cost
    return 0, current


@njit(cache=True)
def _reverse(tour, p, near, fwd, rev, t, svc, lo, hi, place, lam, iw, busy, current, kinds, a, b, work):
    """Positions p..j visited backwards (2-opt)."""
    m = tour.shape[0]
    kinds[:3] = (0, 1, 0)
    for j in range(p + 1, m - 1):
        if not (near[tour[p - 1], tour[j]] or near[tour[p], tour[j + 1]]):
            continue
        a[:3] = (0, p, j + 1)
        b[:3] = (p - 1, j, m - 1)
        work[0] += 1
        cost = _evaluate(tour, fwd, rev, t, svc, lo, hi, place, kinds, a, b, 3, lam, iw, busy)
        if cost < current - 1e-9:
            return 3, cost
    return 0, current


@njit(cache=True)
def _local_search(tour, t, svc, win_lo, win_hi, windows, place, lo, hi, near, lam, iw, busy, fwd, rev, work):
    """First-improvement descent over segment relocation, segment swaps and 2-opt, in a random order of nodes,
    until no move lowers the penalised cost; then again while the clients' windows chosen for the new tour
    change (at most WINDOW_ROUNDS descents). Returns the tour's travel, time warp and duration."""
    m = tour.shape[0]
    kinds = np.zeros(5, dtype=np.int64)
    a = np.zeros(5, dtype=np.int64)
    b = np.zeros(5, dtype=np.int64)
    out = np.empty(m, dtype=np.int64)
    pos = np.empty(m, dtype=np.int64)
    split = windows.max() > 1
    if split:
        _choose_windows(tour, t, svc, win_lo, win_hi, windows, place, lo, hi)
    _build(tour, t, svc, lo, hi, place, fwd, rev, work)
    order = np.random.permutation(m - 2) + 1
    rounds = 0
    while True:
        for p in range(m):
            pos[tour[p]] = p
        current = _cost(_get(fwd, 0, m - 1), lam, iw, busy)
        improved = True
        while improved:
            improved = False
            for u in order:
                p = pos[u]
                count, cost = _relocate(
                    tour,
                    p,
                    near,
                    fwd,
                    rev,
                    t,
                    svc,
                    lo,
                    hi,
                    win_lo,
                    win_hi,
                    windows,
                    place,
                    lam,
                    iw,
                    busy,
                    current,
                    kinds,
                    a,
                    b,
                    work,
                )
                if count == 0:
                    count, cost = _swap(
                        tour, p, near, fwd, rev, t, svc, lo, hi, place, lam, iw, busy, current, kinds, a, b, work
                    )
                if count == 0:
                    count, cost = _reverse(
                        tour, p, near, fwd, rev, t, svc, lo, hi, place, lam, iw, busy, current, kinds, a, b, work
                    )
                if count:
                    _compose(tour, kinds, a, b, count, out)
                    _build(tour, t, svc, lo, hi, place, fwd, rev, work)
                    for q in range(m):
                        pos[tour[q]] = q
                    current = cost
                    improved = True
        rounds += 1
        if (
            not split
            or rounds >= WINDOW_ROUNDS
            or not _choose_windows(tour, t, svc, win_lo, win_hi, windows, place, lo, hi)
        ):
            break
        _build(tour, t, svc, lo, hi, place, fwd, rev, work)
    return fwd[0, m - 1, 4], fwd[0, m - 1, 1], fwd[0, m - 1, 0]


@njit(cache=True)
def _add(tours, succ, price, warp, size, dist, sub, tour, tour_price, tour_warp):
    """Put a tour into subpopulation `sub` (0 punctual, 1 late) with its price (travel and idle) and its
    distances to the others: the share of nodes whose successor differs (broken pairs)."""
    m = tour.shape[0]
    i = size[sub]
    tours[sub, i, :] = tour
    for p in range(m - 1):
        succ[sub, i, tour[p]] = tour[p + 1]
    price[sub, i] = tour_price
    warp[sub, i] = tour_warp
    for j in range(i):
        broken = 0
        for x in range(1, m - 1):
            broken += succ[sub, i, x] != succ[sub, j, x]
        dist[sub, i, j] = dist[sub, j, i] = broken / (m - 2)
    dist[sub, i, i] = 0.0
    size[sub] = i + 1


@njit(cache=True)
def _fitness(price, warp, size, dist, sub, lam):
    """Biased fitness (lower is better): rank by penalised cost plus rank by diversity contribution, the
    latter weighted so that the ELITE best keep their place (Vidal 2022)."""
    count = size[sub]
    fit = np.zeros(count)
    if count <= 1:
        return fit
    cost = np.empty(count)
    diversity = np.empty(count)
    for i in range(count):
        cost[i] = price[sub, i] + lam * warp[sub, i]
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
def _survivors(tours, succ, price, warp, size, dist, sub, lam):
    """Drop individuals until POPULATION remain: clones first, then the worst biased fitness."""
    while size[sub] > POPULATION:
        fit = _fitness(price, warp, size, dist, sub, lam)
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
        price[sub, worst] = price[sub, last]
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
def _search(t, svc, win_lo, win_hi, windows, place, near, init, iw, seed, prices, max_work_us, deadline):
    np.random.seed(seed)
    m = init.shape[0]
    busy = svc.sum()
    lo = win_lo[:, 0].copy()
    hi = win_hi[:, 0].copy()
    cap = POPULATION + GENERATION + 1
    tours = np.zeros((2, cap, m), dtype=np.int64)
    succ = np.zeros((2, cap, m), dtype=np.int64)
    price = np.zeros((2, cap))
    warp = np.zeros((2, cap), dtype=np.int64)
    size = np.zeros(2, dtype=np.int64)
    dist = np.zeros((2, cap, cap))
    fwd = np.zeros((m, m, _FIELDS), dtype=np.int64)
    rev = np.zeros((m, m, _FIELDS), dtype=np.int64)
    work = np.zeros(len(WORK), dtype=np.int64)
    lam = 10.0
    best_tour = init.copy()
    best, best_travel, best_idle = np.inf, -1, -1
    child = init.copy()
    if windows.max() > 1:
        _choose_windows(init, t, svc, win_lo, win_hi, windows, place, lo, hi)
    _build(init, t, svc, lo, hi, place, fwd, rev, work)
    tr, w, d = fwd[0, m - 1, 4], fwd[0, m - 1, 1], fwd[0, m - 1, 0]
    _add(tours, succ, price, warp, size, dist, 0 if w == 0 else 1, init, tr + iw * (d - tr - busy), w)
    if w == 0:
        best, best_travel, best_idle = tr + iw * (d - tr - busy), tr, d - tr - busy
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
            fit0 = _fitness(price, warp, size, dist, 0, lam)
            fit1 = _fitness(price, warp, size, dist, 1, lam)
            parents = np.empty((2, m), dtype=np.int64)
            for q in range(2):
                x = np.random.randint(total)
                y = np.random.randint(total)
                fx = fit0[x] if x < size[0] else fit1[x - size[0]]
                fy = fit0[y] if y < size[0] else fit1[y - size[0]]
                pick = x if fx <= fy else y
                parents[q] = tours[0, pick] if pick < size[0] else tours[1, pick - size[0]]
            _crossover(parents[0], parents[1], child)
        tr, w, d = _local_search(
            child, t, svc, win_lo, win_hi, windows, place, lo, hi, near, lam, iw, busy, fwd, rev, work
        )
        offspring += 1
        work[2] += 1
        punctual += w == 0
        _add(tours, succ, price, warp, size, dist, 0 if w == 0 else 1, child, tr + iw * (d - tr - busy), w)
        if w > 0 and np.random.random() < 0.5:
            tr, w, d = _local_search(
                child,
                t,
                svc,
                win_lo,
                win_hi,
                windows,
                place,
                lo,
                hi,
                near,
                lam * REPAIR_FACTOR,
                iw,
                busy,
                fwd,
                rev,
                work,
            )
            if w == 0:
                _add(tours, succ, price, warp, size, dist, 0, child, tr + iw * (d - tr - busy), w)
        if w == 0 and tr + iw * (d - tr - busy) < best:
            best, best_travel, best_idle = tr + iw * (d - tr - busy), tr, d - tr - busy
            best_tour[:] = child
        for sub in range(2):
            if size[sub] > POPULATION + GENERATION - 1:
                _survivors(tours, succ, price, warp, size, dist, sub, lam)
        if offspring % PENALTY_PERIOD == 0:
            share = punctual / PENALTY_PERIOD
            if share < TARGET_PUNCTUAL - 0.05:
                lam = min(lam * 1.2, 1e5)
            elif share > TARGET_PUNCTUAL + 0.05:
                lam = max(lam * 0.85, 0.1)
            punctual = 0
    return best_tour, best_travel, best_idle, work


def _load() -> None:
    """Run the compiled search once on three clients at import (numba loads it from its cache, or compiles it
    once per install), so that no search's time limit pays for it."""
    t = np.array([[0, 1, 2, 3, 0], [1, 0, 1, 2, 1], [2, 1, 0, 1, 2], [3, 2, 1, 0, 3], [0, 1, 2, 3, 0]])
    ones = np.ones(3, dtype=np.int64)
    best_tour(
        t,
        ones,
        0 * ones,
        100 * ones,
        0,
        1000,
        [0, 1, 2],
        0,
        (1.0, 0.0, 0.0),
        max_work_us=1000,
        time_limit_s=60.0,
        breaks=((2, 5, 1),),
        idle_weight=0.5,
    )


_load()
