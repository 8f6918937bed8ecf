"""The Cordeau periodic VRP instances and solutions (format in benchmarks/data/pvrp/README.md).

Distances are Euclidean. The engine works in integers, so every distance and service time is scaled by SCALE
and rounded *up*, and the duration limit rounded *down*: a route that keeps its limit in integers keeps it in
exact arithmetic too. Costs written to .res files are recomputed in double precision from the coordinates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from solver.model import Client, Problem, Solution, Vehicle

SCALE = 1000
NO_LIMIT_S = 10**12  # a shift that never ends, for instances without a duration limit


@dataclass(frozen=True, eq=False)
class PvrpInstance:
    name: str
    vehicles_per_day: int
    days: int
    coords: np.ndarray  # (n + 1, 2), row 0 the depot
    service: np.ndarray  # (n + 1,) float
    demand: np.ndarray  # (n + 1,)
    max_duration: tuple[float, ...]  # per day, 0 = none
    capacity: tuple[int, ...]  # per day
    problem: Problem

    def exact_distance(self, a: int, b: int) -> float:
        return math.dist(self.coords[a], self.coords[b])


def decode_pattern(code: int, days: int) -> tuple[int, ...]:
    """Pattern integer -> 0-based days; the most significant of the `days` bits is day 1."""
    return tuple(d for d in range(days) if code >> (days - 1 - d) & 1)


def read_instance(path: str | Path) -> PvrpInstance:
    path = Path(path)
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    try:
        kind, m, n, t = (int(x) for x in lines[0][:4])
    except (ValueError, IndexError) as e:
        raise ValueError(f"{path.name} line 1: expected 'type m n t'") from e
    if kind != 1:
        raise ValueError(f"{path.name} line 1: type {kind} is not a periodic VRP (1)")
    limits = [(float(a), int(float(b))) for a, b, *_ in lines[1 : 1 + t]]
    rows = lines[1 + t : 1 + t + n + 1]
    if len(rows) != n + 1:
        raise ValueError(f"{path.name}: expected a depot line and {n} customer lines, found {len(rows)}")
    coords = np.array([[float(r[1]), float(r[2])] for r in rows])
    service = np.array([float(r[3]) for r in rows])
    demand = np.array([int(float(r[4])) for r in rows], dtype=np.int64)
    clients = []
    for i, r in enumerate(rows[1:], start=1):
        line_no = 2 + t + i
        if int(r[0]) != i:
            raise ValueError(f"{path.name} line {line_no}: customer number {r[0]}, expected {i}")
        freq, count = int(r[5]), int(r[6])
        patterns = tuple(decode_pattern(int(code), t) for code in r[7 : 7 + count])
        if len(patterns) != count or any(len(p) != freq for p in patterns):
            raise ValueError(f"{path.name} line {line_no}: customer {i} patterns do not match frequency {freq}")
        clients.append(
            Client(location=i, service_s=math.ceil(service[i] * SCALE - 1e-9), patterns=patterns, demand=int(demand[i]))
        )
    diff = coords[:, None, :] - coords[None, :, :]
    exact = np.sqrt((diff**2).sum(axis=-1))
    scaled = np.ceil(exact * SCALE - 1e-9).astype(np.int64)
    np.fill_diagonal(scaled, 0)
    vehicles = tuple(
        Vehicle(
            day=d,
            start=0,
            end=0,
            shift_start_s=0,
            shift_end_s=NO_LIMIT_S,
            capacity=limits[d][1],
            max_duration_s=math.floor(limits[d][0] * SCALE + 1e-9) if limits[d][0] > 0 else None,
            crew=j,
        )
        for d in range(t)
        for j in range(m)
    )
    problem = Problem(
        num_days=t,
        clients=tuple(clients),
        vehicles=vehicles,
        duration_s=scaled,
        distance_m=scaled.copy(),
        consistent=False,
        balance_weight=0,
    )
    return PvrpInstance(
        name=path.stem,
        vehicles_per_day=m,
        days=t,
        coords=coords,
        service=service,
        demand=demand,
        max_duration=tuple(a for a, _ in limits),
        capacity=tuple(b for _, b in limits),
        problem=problem,
    )


def route_lines(inst: PvrpInstance, solution: Solution) -> list[tuple[int, int, float, float, int, list[int]]]:
    """(day, vehicle, cost, duration, load, customers) per non-empty route, days and vehicles 1-based."""
    out = []
    per_day: dict[int, int] = {}
    for route in sorted(solution.routes, key=lambda r: r.vehicle):
        day = inst.problem.vehicles[route.vehicle].day
        per_day[day] = per_day.get(day, 0) + 1
        customers = [inst.problem.clients[s.client].location for s in route.stops]
        path = [0, *customers, 0]
        cost = sum(inst.exact_distance(a, b) for a, b in zip(path, path[1:]))
        duration = cost + float(sum(inst.service[c] for c in customers))
        out.append((day + 1, per_day[day], cost, duration, int(sum(inst.demand[c] for c in customers)), customers))
    return out


def solution_cost(inst: PvrpInstance, solution: Solution) -> float:
    return sum(line[2] for line in route_lines(inst, solution))


def write_res(inst: PvrpInstance, solution: Solution, path: str | Path) -> float:
    """Write the published .res format; returns the cost written on its first line."""
    lines = route_lines(inst, solution)
    cost = sum(line[2] for line in lines)
    text = [f"{cost:.2f}"]
    for day, vehicle, _, duration, load, customers in lines:
        text.append(f"{day} {vehicle} {duration:.2f} {load} 0 {' '.join(map(str, customers))} 0")
    Path(path).write_text("\n".join(text) + "\n")
    return cost
