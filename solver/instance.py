"""The problem turned into the numpy arrays the search works on.

A visit must start and finish inside one opening window, so each window becomes an interval of admissible
service *start* times [open, close - service]. Windows are padded to a fixed count per (client, day) so the
insertion evaluation can be vectorised over clients and positions at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.model import Problem

INF = 10**12  # "infeasible" cost or time; sums of a few dozen of these stay far inside int64
OPEN_ALL_DAY = (0, 10**9)  # admissible start interval of a client without windows (clipped by the shift)
# A crew's day spread beyond the problem's balance tolerance costs this much more per second than within it, so
# the search gives up some travel to bring days within the tolerance, not only to shave spread anywhere.
UNBALANCE_WEIGHT = 4


@dataclass(frozen=True, eq=False)
class Instance:
    problem: Problem
    travel: np.ndarray  # (L, L) int64: the cost and time of a leg (Problem.duration_s)
    client_loc: np.ndarray  # (n,)
    service: np.ndarray  # (n,)
    demand: np.ndarray  # (n,)
    start_lo: np.ndarray  # (n, D, K) admissible service start intervals; padding has start_hi = -1
    start_hi: np.ndarray  # (n, D, K)
    veh_day: np.ndarray  # (V,)
    veh_crew: np.ndarray  # (V,)
    veh_start: np.ndarray  # (V,) location
    veh_end: np.ndarray  # (V,) location
    veh_depart: np.ndarray  # (V,) leaves the start location at shift start
    veh_arrive_by: np.ndarray  # (V,) latest arrival at the end: shift end, and start + max duration
    veh_capacity: np.ndarray  # (V,) INF when uncapacitated
    crews: tuple[int, ...]  # distinct crews, sorted
    vehicles_of_day: tuple[tuple[int, ...], ...]
    # Plain-Python copies for the per-route loops, where numpy scalar access would dominate.
    py_loc: list[int]
    py_service: list[int]
    py_demand: list[int]
    py_windows: list[list[list[tuple[int, int]]]]  # [day][client] admissible start intervals
    py_breaks: list[list[tuple[int, int, int]]]  # [vehicle] (earliest start, latest start, duration)
    _rows: dict[int, list[int]]
    timeless: bool  # no windows, no breaks and symmetric travel: routes can be reordered freely (2-opt)
    # Timeless with duration limits: the search may overrun a limit at a penalty (solver.plan_state), which
    # lets it pass through infeasible plans to better feasible ones; only feasible plans are returned.
    soft_duration: bool
    may_wait: bool  # some client has windows or some vehicle a break: a route may wait
    idle_weight: float  # the problem's price of a second of waiting where routes may wait, else 0

    @property
    def idle_priced(self) -> bool:
        return self.idle_weight > 0

    def row(self, loc: int) -> list[int]:
        """Travel from `loc` to every location, as a Python list (built on first use)."""
        r = self._rows.get(loc)
        if r is None:
            r = self._rows[loc] = self.travel[loc].tolist()
        return r

    @property
    def n(self) -> int:
        return len(self.client_loc)

    @property
    def num_days(self) -> int:
        return self.problem.num_days


def build_instance(problem: Problem) -> Instance:
    n, days = len(problem.clients), problem.num_days
    k_max = 1
    for c in problem.clients:
        if c.windows is not None:
            k_max = max([k_max] + [len(w) for w in c.windows])
    start_lo = np.zeros((n, days, k_max), dtype=np.int64)
    start_hi = np.full((n, days, k_max), -1, dtype=np.int64)
    for i, c in enumerate(problem.clients):
        for d in range(days):
            intervals = (
                [OPEN_ALL_DAY] if c.windows is None else [(w.start_s, w.end_s - c.service_s) for w in c.windows[d]]
            )
            intervals = sorted((lo, hi) for lo, hi in intervals if hi >= lo)
            for k, (lo, hi) in enumerate(intervals):
                start_lo[i, d, k], start_hi[i, d, k] = lo, hi
    vehicles = problem.vehicles
    arrive_by = [
        v.shift_end_s if v.max_duration_s is None else min(v.shift_end_s, v.shift_start_s + v.max_duration_s)
        for v in vehicles
    ]
    py_windows = [
        [[(int(a), int(b)) for a, b in zip(start_lo[i, d], start_hi[i, d]) if b >= 0] for i in range(n)]
        for d in range(days)
    ]
    timeless = (
        all(c.windows is None for c in problem.clients)
        and not any(v.breaks for v in vehicles)
        and bool(np.array_equal(problem.duration_s, problem.duration_s.T))
    )
    may_wait = any(c.windows is not None for c in problem.clients) or any(v.breaks for v in vehicles)
    return Instance(
        problem=problem,
        travel=np.ascontiguousarray(problem.duration_s, dtype=np.int64),
        client_loc=np.array([c.location for c in problem.clients], dtype=np.int64),
        service=np.array([c.service_s for c in problem.clients], dtype=np.int64),
        demand=np.array([c.demand for c in problem.clients], dtype=np.int64),
        start_lo=start_lo,
        start_hi=start_hi,
        veh_day=np.array([v.day for v in vehicles], dtype=np.int64),
        veh_crew=np.array([v.crew for v in vehicles], dtype=np.int64),
        veh_start=np.array([v.start for v in vehicles], dtype=np.int64),
        veh_end=np.array([v.end for v in vehicles], dtype=np.int64),
        veh_depart=np.array([v.shift_start_s for v in vehicles], dtype=np.int64),
        veh_arrive_by=np.array(arrive_by, dtype=np.int64),
        veh_capacity=np.array([INF if v.capacity is None else v.capacity for v in vehicles], dtype=np.int64),
        crews=tuple(sorted({v.crew for v in vehicles})),
        vehicles_of_day=tuple(tuple(k for k, v in enumerate(vehicles) if v.day == d) for d in range(days)),
        py_loc=[c.location for c in problem.clients],
        py_service=[c.service_s for c in problem.clients],
        py_demand=[c.demand for c in problem.clients],
        py_windows=py_windows,
        py_breaks=[[(b.earliest_start_s, b.latest_start_s, b.duration_s) for b in v.breaks] for v in vehicles],
        _rows={},
        timeless=timeless,
        soft_duration=timeless and any(v.max_duration_s is not None for v in vehicles),
        may_wait=may_wait,
        idle_weight=float(problem.idle_weight) if may_wait else 0.0,
    )


def earliest_start(inst: Instance, client: int, day: int, arrival: int) -> int:
    """First admissible service start at or after `arrival`, or INF."""
    for lo, hi in inst.py_windows[day][client]:
        if arrival <= hi:
            return arrival if arrival > lo else lo
    return INF
