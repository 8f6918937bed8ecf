"""Regret insertion of whole clients: a client goes onto the days of one pattern at once.

For every client still to insert we keep, per vehicle group and day, the cheapest feasible position. A
pattern's cost is the sum over its days (plus the change of the crew's day-workload spread, weighted); the
client whose best option would hurt most to lose (largest regret between its best and second-best option) is
inserted first. After an insertion only the days it touched are re-evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from solver.instance import INF
from solver.plan_state import PlanState, Work, unbalance_priced
from solver.routes import concat_edges, insertion_costs

BIG_REGRET = float(INF) * 4  # a client with a single option left goes first


def _pattern_table(state: PlanState, clients: list[int]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    D = state.inst.num_days
    p_max = max(len(state.allowed[c]) for c in clients)
    f_max = max(len(p) for c in clients for p in state.allowed[c])
    days = np.full((len(clients), p_max, f_max), D, dtype=np.int64)  # D is a dummy day of cost 0
    valid = np.zeros((len(clients), p_max), dtype=bool)
    for i, c in enumerate(clients):
        for j, p in enumerate(state.allowed[c]):
            days[i, j, : len(p)] = p
            valid[i, j] = True
    return days, valid, sorted({d for c in clients for p in state.allowed[c] for d in p})


def insert_clients(
    state: PlanState,
    clients: list[int],
    rng: np.random.Generator | None = None,
    noise: float = 0.0,
    regret: bool = True,
) -> list[int]:
    """Insert the clients (each on a whole pattern) as well as possible; returns those that fit nowhere."""
    if not clients:
        return []
    inst = state.inst
    G, D, R = len(state.groups), inst.num_days, len(clients)
    arr = np.array(clients, dtype=np.int64)
    pat_days, pat_valid, days_needed = _pattern_table(state, clients)
    cost = np.full((G, R, D + 1), INF, dtype=np.int64)
    cost[:, :, D] = 0
    veh = np.full((G, R, D + 1), -1, dtype=np.int64)
    pos = np.zeros((G, R, D + 1), dtype=np.int64)

    # Cheapest position per (client, vehicle); after an insertion only the changed routes are re-evaluated.
    V = len(state.routes)
    v_cost = np.full((R, V), INF, dtype=np.int64)
    v_pos = np.zeros((R, V), dtype=np.int64)

    def refresh(vehicles: list[int], rows: np.ndarray) -> int:
        parts = [state.route_edges(k) for k in vehicles]
        full = insertion_costs(inst, arr[rows], concat_edges(parts), state.overrun_weight)
        r = np.arange(len(rows))
        a = 0
        for k, part in zip(vehicles, parts):
            b = a + len(part.table)
            arg = full[:, a:b].argmin(axis=1) + a
            v_cost[rows, k] = full[r, arg]
            v_pos[rows, k] = arg - a
            a = b
        changed_days = sorted({int(inst.veh_day[k]) for k in vehicles})
        for d in changed_days:
            for g, vs in enumerate(state.day_group_vehicles[d]):
                if len(vs):
                    sub = v_cost[np.ix_(rows, vs)]
                    arg = sub.argmin(axis=1)
                    cost[g, rows, d] = sub[r, arg]
                    veh[g, rows, d] = np.where(cost[g, rows, d] < INF, vs[arg], -1)
                    pos[g, rows, d] = v_pos[rows, vs[arg]]
        state.meter[Work.REFRESHES] += 1
        state.meter[Work.ROUTES_REFRESHED] += len(vehicles) + len(changed_days) * G
        state.meter[Work.POSITIONS] += full.size
        return full.size

    refresh([k for d in days_needed for k in state.day_vehicles[d]], np.arange(R))
    balance = inst.problem.balance_weight if inst.problem.consistent else 0
    service = inst.service[arr]
    active = np.ones(R, dtype=bool)
    failed: list[int] = []
    while active.any():
        rows = np.flatnonzero(active)
        day_costs = cost[:, rows[:, None, None], pat_days[rows]]  # (G, r, P, F)
        opt = day_costs.sum(axis=-1)
        opt = np.where((opt >= INF) | ~pat_valid[rows][None], INF, opt).astype(np.float64)
        if balance:
            opt = opt + balance * _spread_change(
                state, cost[:, rows, :D] + service[rows][None, :, None], pat_days[rows], D
            )
        opt[opt >= INF] = np.inf
        if noise and rng is not None:
            opt = opt * (1.0 + noise * rng.random(opt.shape))
        flat = np.moveaxis(opt, 0, 1).reshape(len(rows), -1)  # (r, G*P) options per client
        best = flat.min(axis=1)
        stuck = ~np.isfinite(best)
        if stuck.any():
            for i in rows[stuck]:
                failed.append(clients[i])
            active[rows[stuck]] = False
            rows, flat, best = rows[~stuck], flat[~stuck], best[~stuck]
            if not len(rows):
                break
        if regret and flat.shape[1] > 1:
            second = np.partition(flat, 1, axis=1)[:, 1]
            score = np.where(np.isfinite(second), second - best, BIG_REGRET)
            pick = int(np.argmax(score))
        else:
            pick = int(np.argmin(best))
        i = int(rows[pick])
        option = int(np.argmin(flat[pick]))
        g, j = divmod(option, flat.shape[1] // G)
        c = clients[i]
        pattern = state.allowed[c][j]
        placements = [(int(veh[g, i, d]), int(pos[g, i, d])) for d in pattern]
        state.insert(c, pattern, placements)
        active[i] = False
        rest = np.flatnonzero(active)
        if len(rest):
            refresh([k for k, _ in placements], rest)
    return failed


def _spread_change(state: PlanState, added: np.ndarray, pat_days: np.ndarray, D: int) -> np.ndarray:
    """Change of each crew's busiest-minus-lightest day workload, priced as in the objective, if the client took
    each option.

    added: (G, r, D) workload the client would add per group and day; pat_days: (r, P, F)."""
    loads = state.crew_day_work().astype(np.float64)  # groups are crews when balance applies
    works = state.crew_works
    r, P, _ = pat_days.shape
    on_day = np.zeros((r, P, D + 1), dtype=bool)
    on_day[np.arange(r)[:, None, None], np.arange(P)[None, :, None], pat_days] = True
    on_day = on_day[..., :D]
    inc = np.where(on_day[None], np.minimum(added, INF)[:, :, None, :], 0).astype(np.float64)  # (G, r, P, D)
    new = loads[:, None, None, :] + inc
    hi = np.where(works[:, None, None, :], new, -np.inf).max(axis=-1)
    lo = np.where(works[:, None, None, :], new, np.inf).min(axis=-1)
    old = (np.where(works, loads, -np.inf).max(axis=-1) - np.where(works, loads, np.inf).min(axis=-1))[:, None, None]
    tolerance = state.inst.problem.balance_tolerance_s
    return unbalance_priced(hi - lo, tolerance) - unbalance_priced(old, tolerance)


def insert_in_order(
    state: PlanState, clients: list[int], rng: np.random.Generator, noise: float = 0.0, first: Sequence[int] = ()
) -> list[int]:
    """Insert the clients one by one, each at its cheapest option when its turn comes, in an order drawn at
    random among: random, largest demand first, farthest from the depot first, nearest first (`first`, the
    clients still waiting for a place, go before all). Cheaper than regret insertion (no re-evaluation of the
    waiting clients), so the search can do more iterations."""
    inst = state.inst
    order = list(clients)
    how = int(rng.integers(4))
    if how == 0:
        rng.shuffle(order)
    else:
        depot = int(inst.veh_start[0])
        key = {
            1: -inst.demand[order],
            2: -inst.travel[depot, inst.client_loc[order]],
            3: inst.travel[depot, inst.client_loc[order]],
        }[how]
        order = [order[i] for i in np.argsort(key, kind="stable")]
    failed: list[int] = []
    for c in [*first, *order]:
        failed += insert_clients(state, [c], rng, noise, regret=False)
    return failed
