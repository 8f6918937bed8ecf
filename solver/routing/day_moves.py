"""A descent over moves between the routes of a plan (hybrid genetic search's inter-route neighbourhoods:
relocate, swap and 2-opt*), compiled with numba, for clients that may go on any of several single days.

Ruin and recreate changes a client's day only when a cut takes it out and its old day turns out dearer; on a
week of outlets that may go on any open day, which outlets share a day settles early and the iterations left
are too few to reshape it. This descent tries, for every movable client u and each of its nearest neighbours v
on another route: u moved next to v (before or after it), u and v swapped, and the two routes' tails exchanged
after u or after v. Each move is evaluated in constant time from the time-warp data (single_route's segments)
of every route's prefixes and suffixes, and made only when both routes stay punctual and within capacity and
the travel falls. Each client is held to the window its earliest arrival on its route reaches (a punctual
route stays punctual so); a client moved alone tries each of its windows on the new day.

Nodes: clients 0..n-1, then vehicle k's start n + 2k and end n + 2k + 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from solver.routing.single_route import _FIELDS, _join

NEAREST = 30  # neighbours tried per client (granular neighbourhoods)


class Vehicles(NamedTuple):
    """Per vehicle: its day, start and end locations, departure, latest return, capacity."""

    day: np.ndarray
    start: np.ndarray
    end: np.ndarray
    depart: np.ndarray
    arrive_by: np.ndarray
    capacity: np.ndarray


class Clients(NamedTuple):
    """Per client: location, service, demand; win_lo, win_hi (n, D, K): its service start intervals per day,
    unused ones with win_hi < 0; allowed (n, V): whether it may move onto a vehicle (False everywhere for one
    that must stay); near (n, NEAREST): its nearest clients."""

    place: np.ndarray
    service: np.ndarray
    demand: np.ndarray
    win_lo: np.ndarray
    win_hi: np.ndarray
    allowed: np.ndarray
    near: np.ndarray


def nearest_clients(travel: np.ndarray, place: np.ndarray, count: int = NEAREST) -> np.ndarray:
    """(n, count) each client's nearest other clients by travel either way."""
    both = np.minimum(travel[np.ix_(place, place)], travel[np.ix_(place, place)].T).astype(np.float64)
    np.fill_diagonal(both, np.inf)
    return np.ascontiguousarray(np.argsort(both, axis=1, kind="stable")[:, : min(count, len(place) - 1)])


class Packed(NamedTuple):
    """A plan in the compiled searches' arrays: nodes[k, :length[k]] is vehicle k's route from its start node to
    its end node; per node its place, service, demand and held window [lo, hi] (a start's is its departure, an
    end's its latest return; clients' are chosen as routes are built)."""

    nodes: np.ndarray
    length: np.ndarray
    travel: np.ndarray
    place: np.ndarray
    service: np.ndarray
    demand: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def pack(travel: np.ndarray, clients: Clients, vehicles: Vehicles, routes: list[list[int]]) -> Packed:
    """The routes (each vehicle's clients in order) with the nodes' data."""
    n, v_count = len(clients.place), len(routes)
    m = sum(len(r) for r in routes) + 2
    nodes = np.full((v_count, m), -1, dtype=np.int64)
    length = np.zeros(v_count, dtype=np.int64)
    for k, r in enumerate(routes):
        nodes[k, : len(r) + 2] = [n + 2 * k, *r, n + 2 * k + 1]
        length[k] = len(r) + 2
    pad = np.zeros(2 * v_count, dtype=np.int64)
    place = np.concatenate((clients.place, pad))
    place[n::2], place[n + 1 :: 2] = vehicles.start, vehicles.end
    lo, hi = pad.copy(), pad.copy()
    lo[::2], hi[::2], hi[1::2] = vehicles.depart, vehicles.depart, vehicles.arrive_by
    # Read-only, as an instance's matrix is, whatever the caller hands over: numba compiles one version.
    t = np.ascontiguousarray(travel, dtype=np.int64).view()
    t.flags.writeable = False
    return Packed(
        nodes,
        length,
        t,
        place,
        np.concatenate((clients.service, pad)).astype(np.int64),
        np.concatenate((clients.demand, pad)).astype(np.int64),
        np.concatenate((np.zeros(n, dtype=np.int64), lo)),
        np.concatenate((np.zeros(n, dtype=np.int64), hi)),
    )


def unpack(packed: Packed) -> list[list[int]]:
    """Each vehicle's clients in order."""
    return [[int(x) for x in packed.nodes[k, 1 : packed.length[k] - 1]] for k in range(len(packed.length))]


def improve_days(
    travel: np.ndarray, clients: Clients, vehicles: Vehicles, routes: list[list[int]], seed: int
) -> tuple[list[list[int]], int, int]:
    """The routes (each vehicle's clients in order, punctual) after the descent, the moves made and the moves
    evaluated."""
    plan = pack(travel, clients, vehicles, routes)
    work = np.zeros(1, dtype=np.int64)
    moves = _descend(
        *plan,
        clients.win_lo,
        clients.win_hi,
        vehicles.day,
        vehicles.capacity,
        clients.allowed,
        clients.near,
        seed,
        work,
    )
    return unpack(plan), moves, int(work[0])


@njit(cache=True, inline="always")
def _at(tab, k, i):
    r = tab[k, i]
    return (r[0], r[1], r[2], r[3], r[4], r[5], r[6])


@njit(cache=True, inline="always")
def _node(x, svc, lo, hi, place):
    return (svc[x], 0, lo[x], hi[x], 0, place[x], place[x])


@njit(cache=True, inline="always")
def _client(x, day, w, svc, win_lo, win_hi, place):
    """Client x held to its window w of the day."""
    return (svc[x], 0, win_lo[x, day, w], win_hi[x, day, w], 0, place[x], place[x])


@njit(cache=True, inline="always")
def _windows(x, day, win_hi):
    count = 0
    while count < win_hi.shape[2] and win_hi[x, day, count] >= 0:
        count += 1
    return count


@njit(cache=True, inline="always")
def _price(seg, clients):
    """A route's travel (an unused vehicle travels nothing), or -1 when it is late."""
    if seg[1] > 0:
        return -1
    return seg[4] if clients > 0 else 0


@njit(cache=True)
def _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, pre, suf, tail, load, ok, pos):
    """Route k's clients held to their windows, its prefixes pre[k, i] (positions 0..i), suffixes suf[k, i]
    (i..end), client tails tail[k, i] (i..last client), loads of its prefixes, and ok[k, i, k2]: the clients
    from position i on may all move onto vehicle k2."""
    m = length[k]
    time_s = lo[nodes[k, 0]]
    here = place[nodes[k, 0]]
    for p in range(1, m - 1):
        x = nodes[k, p]
        pos[x] = p
        arrival = time_s + t[here, place[x]]
        here = place[x]
        count = _windows(x, day[k], win_hi)
        w = count - 1
        for j in range(count):
            if arrival <= win_hi[x, day[k], j]:
                w = j
                break
        lo[x], hi[x] = win_lo[x, day[k], w], win_hi[x, day[k], w]
        time_s = max(arrival, lo[x]) + svc[x]
    pre[k, 0, :] = _node(nodes[k, 0], svc, lo, hi, place)
    load[k, 0] = 0
    for p in range(1, m):
        pre[k, p, :] = _join(_at(pre, k, p - 1), _node(nodes[k, p], svc, lo, hi, place), t)
        load[k, p] = load[k, p - 1] + dem[nodes[k, p]]
    suf[k, m - 1, :] = _node(nodes[k, m - 1], svc, lo, hi, place)
    ok[k, m - 1, :] = True
    for p in range(m - 2, -1, -1):
        x = nodes[k, p]
        suf[k, p, :] = _join(_node(x, svc, lo, hi, place), _at(suf, k, p + 1), t)
        if p >= 1:
            tail[k, p, :] = (
                _node(x, svc, lo, hi, place)
                if p == m - 2
                else _join(_node(x, svc, lo, hi, place), _at(tail, k, p + 1), t)
            )
            ok[k, p, :] = ok[k, p + 1, :] & allowed[x, :]


@njit(cache=True)
def _tails(pre_a, tail_b, b_first, b_last_client, end_a, t):
    """Prefix pre_a, then the client tail from b_first on (none when past the last client), then the end end_a."""
    if b_first > b_last_client:
        return _join(pre_a, end_a, t)
    return _join(_join(pre_a, tail_b, t), end_a, t)


@njit(cache=True)
def _descend(nodes, length, t, place, svc, dem, lo, hi, win_lo, win_hi, day, cap, allowed, near, seed, work):
    """First-improvement descent from the movable clients in a random order until no move lowers the travel;
    returns the moves made (work[0] counts the moves evaluated)."""
    np.random.seed(seed)
    v_count, m = nodes.shape
    n = allowed.shape[0]
    pre = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    suf = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    tail = np.zeros((v_count, m, _FIELDS), dtype=np.int64)
    load = np.zeros((v_count, m), dtype=np.int64)
    ok = np.zeros((v_count, m, v_count), dtype=np.bool_)
    pos = np.zeros(n, dtype=np.int64)
    route = np.full(n, -1, dtype=np.int64)
    tabs = (pre, suf, tail, load, ok, pos)
    visits = np.zeros(n, dtype=np.int64)
    for k in range(v_count):
        visits[nodes[k, 1 : length[k] - 1]] += 1
    for k in range(v_count):
        for x in nodes[k, 1 : length[k] - 1]:
            if visits[x] == 1:  # a client of several visits is nobody's neighbour: it has no one position
                route[x] = k
        _build(k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, *tabs)
    movable = np.array([c for c in range(n) if route[c] >= 0 and allowed[c].any()], dtype=np.int64)
    order = movable[np.random.permutation(len(movable))]
    buf = np.empty((2, m), dtype=np.int64)
    moves = 0
    improved = True
    while improved:
        improved = False
        for u in order:
            if _improve(
                u,
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
                route,
                buf,
                work,
                *tabs,
            ):
                moves += 1
                improved = True
    return moves


@njit(cache=True)
def _improve(
    u,
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
    route,
    buf,
    work,
    pre,
    suf,
    tail,
    load,
    ok,
    pos,
):
    """The first move around client u that lowers the travel, made; returns whether one was."""
    m = nodes.shape[1]
    ku, i = route[u], pos[u]
    mu = length[ku]
    base_u = _price(_at(pre, ku, mu - 1), mu - 2)
    if base_u < 0:
        return False
    end_u = _node(nodes[ku, mu - 1], svc, lo, hi, place)
    for v in near[u]:
        kv = route[v]
        if kv < 0 or kv == ku:
            continue
        j, mv = pos[v], length[kv]
        base_v = _price(_at(pre, kv, mv - 1), mv - 2)
        if base_v < 0:
            continue
        base = base_u + base_v
        # u moved next to v
        if allowed[u, kv] and mv < m and load[kv, mv - 1] + dem[u] <= cap[kv]:
            a = _price(_join(_at(pre, ku, i - 1), _at(suf, ku, i + 1), t), mu - 3)
            for w in range(_windows(u, day[kv], win_hi) if a >= 0 else 0):
                x = _client(u, day[kv], w, svc, win_lo, win_hi, place)
                for q in (j - 1, j):  # u after position q
                    work[0] += 1
                    b = _price(_join(_join(_at(pre, kv, q), x, t), _at(suf, kv, q + 1), t), mv - 1)
                    if b >= 0 and a + b < base:
                        nodes[ku, i : mu - 1] = nodes[ku, i + 1 : mu].copy()
                        nodes[kv, q + 2 : mv + 1] = nodes[kv, q + 1 : mv].copy()
                        nodes[kv, q + 1] = u
                        length[ku] -= 1
                        length[kv] += 1
                        route[u] = kv
                        _rebuild(
                            ku,
                            kv,
                            nodes,
                            length,
                            t,
                            svc,
                            dem,
                            lo,
                            hi,
                            place,
                            win_lo,
                            win_hi,
                            day,
                            allowed,
                            pre,
                            suf,
                            tail,
                            load,
                            ok,
                            pos,
                        )
                        return True
        # u and v swapped
        if (
            allowed[u, kv]
            and allowed[v, ku]
            and load[ku, mu - 1] - dem[u] + dem[v] <= cap[ku]
            and load[kv, mv - 1] - dem[v] + dem[u] <= cap[kv]
        ):
            for wv in range(_windows(v, day[ku], win_hi)):
                y = _client(v, day[ku], wv, svc, win_lo, win_hi, place)
                a = _price(_join(_join(_at(pre, ku, i - 1), y, t), _at(suf, ku, i + 1), t), mu - 2)
                for wu in range(_windows(u, day[kv], win_hi) if a >= 0 else 0):
                    x = _client(u, day[kv], wu, svc, win_lo, win_hi, place)
                    work[0] += 1
                    b = _price(_join(_join(_at(pre, kv, j - 1), x, t), _at(suf, kv, j + 1), t), mv - 2)
                    if b >= 0 and a + b < base:
                        nodes[ku, i], nodes[kv, j] = v, u
                        route[u], route[v] = kv, ku
                        _rebuild(
                            ku,
                            kv,
                            nodes,
                            length,
                            t,
                            svc,
                            dem,
                            lo,
                            hi,
                            place,
                            win_lo,
                            win_hi,
                            day,
                            allowed,
                            pre,
                            suf,
                            tail,
                            load,
                            ok,
                            pos,
                        )
                        return True
        # Tails exchanged: ku keeps positions 0..ia and takes kv's clients from jb on, kv keeps 0..jb - 1 and
        # takes ku's from ia + 1 on; u then v (ia = i, jb = j) or v then u (ia = i - 1, jb = j + 1).
        end_v = _node(nodes[kv, mv - 1], svc, lo, hi, place)
        for ia, jb in ((i, j), (i - 1, j + 1)):
            if not (ok[kv, jb, ku] and ok[ku, ia + 1, kv]):
                continue
            len_a, len_b = ia + mv - jb + 1, jb + mu - ia - 1
            if len_a > m or len_b > m:
                continue
            if load[ku, ia] + load[kv, mv - 1] - load[kv, jb - 1] > cap[ku]:
                continue
            if load[kv, jb - 1] + load[ku, mu - 1] - load[ku, ia] > cap[kv]:
                continue
            work[0] += 1
            a = _price(_tails(_at(pre, ku, ia), _at(tail, kv, jb), jb, mv - 2, end_u, t), len_a - 2)
            b = _price(_tails(_at(pre, kv, jb - 1), _at(tail, ku, ia + 1), ia + 1, mu - 2, end_v, t), len_b - 2)
            if a >= 0 and b >= 0 and a + b < base:
                buf[0, : ia + 1] = nodes[ku, : ia + 1]
                buf[0, ia + 1 : len_a] = nodes[kv, jb:mv]
                buf[0, len_a - 1] = nodes[ku, mu - 1]
                buf[1, :jb] = nodes[kv, :jb]
                buf[1, jb:len_b] = nodes[ku, ia + 1 : mu]
                buf[1, len_b - 1] = nodes[kv, mv - 1]
                nodes[ku, :len_a], nodes[kv, :len_b] = buf[0, :len_a], buf[1, :len_b]
                length[ku], length[kv] = len_a, len_b
                route[nodes[ku, ia + 1 : len_a - 1]] = ku
                route[nodes[kv, jb : len_b - 1]] = kv
                _rebuild(
                    ku,
                    kv,
                    nodes,
                    length,
                    t,
                    svc,
                    dem,
                    lo,
                    hi,
                    place,
                    win_lo,
                    win_hi,
                    day,
                    allowed,
                    pre,
                    suf,
                    tail,
                    load,
                    ok,
                    pos,
                )
                return True
    return False


@njit(cache=True)
def _rebuild(
    ku, kv, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, pre, suf, tail, load, ok, pos
):
    for k in (ku, kv):
        _build(
            k, nodes, length, t, svc, dem, lo, hi, place, win_lo, win_hi, day, allowed, pre, suf, tail, load, ok, pos
        )


def tiny_week() -> tuple[np.ndarray, Clients, Vehicles, list[list[int]]]:
    """Three clients on a line and two days: what the compiled searches run on at import (numba loads them from
    its cache, or compiles them once per install), so that no search's time limit pays for it."""
    travel = np.abs(np.subtract.outer(np.arange(4), np.arange(4)))
    n, days = 3, 2
    clients = Clients(
        place=np.arange(1, n + 1),
        service=np.ones(n, dtype=np.int64),
        demand=np.zeros(n, dtype=np.int64),
        win_lo=np.zeros((n, days, 1), dtype=np.int64),
        win_hi=np.full((n, days, 1), 100, dtype=np.int64),
        allowed=np.ones((n, days), dtype=np.bool_),
        near=nearest_clients(travel, np.arange(1, n + 1)),
    )
    zeros = np.zeros(days, dtype=np.int64)
    vehicles = Vehicles(
        day=np.arange(days), start=zeros, end=zeros, depart=zeros, arrive_by=zeros + 100, capacity=zeros + 10
    )
    return travel, clients, vehicles, [[0, 2], [1]]


improve_days(*tiny_week(), seed=0)
