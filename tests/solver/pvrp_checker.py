"""An independent checker for Cordeau periodic VRP solutions, from the instance and .res files alone.

Deliberately imports nothing from solver/: it parses both files itself and recomputes every route's cost
and duration in double precision.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

TOLERANCE = 1e-6


@dataclass
class Customer:
    x: float
    y: float
    service: float
    demand: int
    patterns: set[frozenset[int]]  # 1-based days


@dataclass
class Instance:
    m: int
    t: int
    limits: list[tuple[float, int]]  # per day: max duration (0 = none), capacity
    depot: tuple[float, float]
    customers: dict[int, Customer]


@dataclass
class Check:
    cost: float  # recomputed
    claimed_cost: float
    routes: int
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def parse_instance(path: Path) -> Instance:
    lines = [ln.split() for ln in Path(path).read_text().splitlines() if ln.strip()]
    _, m, n, t = map(int, lines[0][:4])
    limits = [(float(a), int(float(b))) for a, b, *_ in lines[1 : 1 + t]]
    depot_line = lines[1 + t]
    customers = {}
    for r in lines[2 + t : 2 + t + n]:
        count = int(r[6])
        patterns = set()
        for code in map(int, r[7 : 7 + count]):
            patterns.add(frozenset(d + 1 for d in range(t) if code >> (t - 1 - d) & 1))
        customers[int(r[0])] = Customer(float(r[1]), float(r[2]), float(r[3]), int(float(r[4])), patterns)
    return Instance(m, t, limits, (float(depot_line[1]), float(depot_line[2])), customers)


def check_solution(instance_path: Path, res_path: Path) -> Check:
    inst = parse_instance(instance_path)
    lines = [ln.split() for ln in Path(res_path).read_text().splitlines() if ln.strip()]
    claimed = float(lines[0][0])
    violations: list[str] = []
    days_of: dict[int, list[int]] = defaultdict(list)
    vehicles_of_day: dict[int, set[int]] = defaultdict(set)
    total = 0.0
    for line_no, r in enumerate(lines[1:], start=2):
        day, vehicle = int(r[0]), int(r[1])
        path = [int(x) for x in r[4:]]
        if path[0] != 0 or path[-1] != 0:
            violations.append(f"line {line_no}: route does not start and end at the depot")
        customers = [c for c in path if c != 0]
        if not 1 <= day <= inst.t:
            violations.append(f"line {line_no}: day {day} outside 1..{inst.t}")
            continue
        if not 1 <= vehicle <= inst.m:
            violations.append(f"line {line_no}: vehicle {vehicle} outside 1..{inst.m}")
        if vehicle in vehicles_of_day[day]:
            violations.append(f"line {line_no}: vehicle {vehicle} used twice on day {day}")
        vehicles_of_day[day].add(vehicle)
        points = (
            [inst.depot]
            + [(inst.customers[c].x, inst.customers[c].y) for c in customers if c in inst.customers]
            + [inst.depot]
        )
        if len(points) != len(customers) + 2:
            violations.append(f"line {line_no}: unknown customer in {customers}")
            continue
        cost = sum(math.dist(a, b) for a, b in zip(points, points[1:]))
        duration = cost + sum(inst.customers[c].service for c in customers)
        load = sum(inst.customers[c].demand for c in customers)
        max_duration, capacity = inst.limits[day - 1]
        if max_duration > 0 and duration > max_duration + TOLERANCE:
            violations.append(f"line {line_no}: duration {duration:.4f} above {max_duration}")
        if load > capacity:
            violations.append(f"line {line_no}: load {load} above capacity {capacity}")
        for c in customers:
            days_of[c].append(day)
        total += cost
    for day, vehicles in vehicles_of_day.items():
        if len(vehicles) > inst.m:
            violations.append(f"day {day}: {len(vehicles)} vehicles, only {inst.m} available")
    for c, customer in inst.customers.items():
        days = days_of.get(c, [])
        if len(days) != len(set(days)):
            violations.append(f"customer {c} visited twice on one day: {sorted(days)}")
        elif frozenset(days) not in customer.patterns:
            violations.append(f"customer {c} visited on days {sorted(days)}, not an allowed pattern")
    if abs(claimed - total) > 0.01 + 1e-9 * total:
        violations.append(f"claimed cost {claimed} but routes cost {total:.4f}")
    return Check(cost=total, claimed_cost=claimed, routes=len(lines) - 1, violations=violations)
