"""The planning problem and its answer, as plain frozen dataclasses.

Everything is integer: times in seconds (from midnight of the day, office local time), distances in metres,
and references by index (locations index the matrices; clients and vehicles index their tuples). The same
model carries a rep's journey-plan cycle (one vehicle per working day, opening windows, a lunch break) and
the classic periodic VRP (m vehicles per day, capacity, route duration).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


@dataclass(frozen=True)
class TimeWindow:
    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if self.end_s < self.start_s:
            raise ValueError(f"time window ends ({self.end_s}) before it starts ({self.start_s})")


@dataclass(frozen=True)
class Break:
    """A break (the lunch) that must start inside [earliest_start_s, latest_start_s]."""

    earliest_start_s: int
    latest_start_s: int
    duration_s: int


@dataclass(frozen=True)
class Vehicle:
    """One route on one day: a rep's working day, or one of a fleet's vehicles on that day."""

    day: int
    start: int  # location index
    end: int  # location index
    shift_start_s: int
    shift_end_s: int
    capacity: int | None = None
    max_duration_s: int | None = None  # travel + service (+ waiting) from leaving start to reaching end
    breaks: tuple[Break, ...] = ()
    crew: int = 0  # the rep (driver); with Problem.consistent a client keeps one crew for all its visits


@dataclass(frozen=True)
class Client:
    """A customer (outlet) to be visited once on every day of one of its allowed patterns."""

    location: int
    service_s: int
    patterns: tuple[tuple[int, ...], ...]  # allowed sets of day indices, each sorted
    demand: int = 0
    # Opening windows per day index (len == Problem.num_days); an empty tuple means closed that day.
    # None means open whenever the vehicle works.
    windows: tuple[tuple[TimeWindow, ...], ...] | None = None

    @property
    def visits(self) -> int:
        return len(self.patterns[0]) if self.patterns else 0


# Price of a second of idle time (waiting for an outlet to open or for the lunch window) against a second of
# travel: half, which cuts most idle for a little more travel (benchmarks/RESULTS.md, "A rep's day").
IDLE_WEIGHT = 0.5
# How far apart a crew's day workloads may be before the search prices their spread higher: an hour, what a
# sales office calls balanced days.
BALANCE_TOLERANCE_S = 3600


@dataclass(frozen=True, eq=False)
class Problem:
    num_days: int
    clients: tuple[Client, ...]
    vehicles: tuple[Vehicle, ...]
    duration_s: np.ndarray  # (L, L) int64, travel time between locations, may be asymmetric
    distance_m: np.ndarray  # (L, L) int64
    consistent: bool = True  # every visit of a client by the same crew
    balance_weight: int = 1  # cost per second of spread between a crew's busiest and lightest day
    balance_tolerance_s: int = BALANCE_TOLERANCE_S  # spread beyond this costs UNBALANCE_WEIGHT more (solver.instance)
    idle_weight: float = IDLE_WEIGHT  # cost per second a route waits (0: travel alone, as reference solvers count)

    def __post_init__(self) -> None:
        n = self.duration_s.shape[0]
        if self.idle_weight < 0:
            raise ValueError(f"idle_weight must not be negative, not {self.idle_weight}")
        if self.duration_s.shape != (n, n) or self.distance_m.shape != (n, n):
            raise ValueError("duration_s and distance_m must be square matrices of the same size")
        for i, c in enumerate(self.clients):
            if not 0 <= c.location < n:
                raise ValueError(f"client {i}: location {c.location} outside the matrix")
            if c.windows is not None and len(c.windows) != self.num_days:
                raise ValueError(f"client {i}: windows must list all {self.num_days} days")
            for p in c.patterns:
                if any(not 0 <= d < self.num_days for d in p):
                    raise ValueError(f"client {i}: pattern {p} has a day outside the horizon")
        for k, v in enumerate(self.vehicles):
            if not (0 <= v.start < n and 0 <= v.end < n):
                raise ValueError(f"vehicle {k}: start or end location outside the matrix")
            if not 0 <= v.day < self.num_days:
                raise ValueError(f"vehicle {k}: day {v.day} outside the horizon")
        self.duration_s.setflags(write=False)
        self.distance_m.setflags(write=False)


class UnplacedReason(StrEnum):
    NO_ALLOWED_PATTERN = "no_allowed_pattern"  # no pattern falls on days the rep works
    CLOSED_ON_PATTERN_DAYS = "closed_on_pattern_days"  # every pattern has a day the outlet is closed
    NO_WINDOW_IN_SHIFT = "no_window_in_shift"  # no opening window overlaps the shift
    SERVICE_LONGER_THAN_WINDOW = "service_longer_than_window"  # the visit does not fit any window
    UNREACHABLE = "unreachable"  # cannot be reached and left within the shift / route duration
    CAPACITY = "capacity"  # demand larger than any vehicle's capacity
    DAY_FULL = "day_full"  # feasible alone, but the days of every pattern are full


@dataclass(frozen=True)
class Unplaced:
    client: int
    reason: UnplacedReason
    detail: str = ""


@dataclass(frozen=True)
class Stop:
    client: int
    arrival_s: int
    start_s: int  # service start, after any wait for the opening window
    departure_s: int
    travel_s: int  # from the previous stop (or the start location)
    distance_m: int


@dataclass(frozen=True)
class BreakTaken:
    start_s: int
    duration_s: int
    after_stops: int  # how many stops of the route come before the break


@dataclass(frozen=True)
class Route:
    vehicle: int
    stops: tuple[Stop, ...]
    breaks: tuple[BreakTaken, ...]
    start_s: int  # leaves the start location
    end_s: int  # reaches the end location
    travel_s: int  # including the leg back to the end location
    distance_m: int
    load: int = 0


@dataclass(frozen=True)
class SolveParams:
    time_limit_s: float = 10.0
    seed: int = 0
    # Stop after this many improvement iterations instead of the work budget derived from the time limit;
    # with it (and a time limit that is not reached) the plan depends only on the input and the seed.
    max_iterations: int | None = None
    # Searches run side by side in processes of their own, with seeds seed, seed + 1, ...; the best plan wins
    # (solver.portfolio). 1 keeps the solve in the calling process, as the service's per-rep jobs want.
    workers: int = 1
    # The wall clock ends the search at this many times the time limit. Above 1 a machine busier or slower than
    # the work prices say still gets the plan of the work budget, later: a caller comparing plans (the territory
    # search) compares the same plans whatever the load.
    clock_guard: float = 1.0


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]  # non-empty routes only
    patterns: tuple[tuple[int, ...] | None, ...]  # chosen pattern per client, None when unplaced
    unplaced: tuple[Unplaced, ...]
    travel_s: int
    distance_m: int
    runtime_s: float
    stats: dict[str, float] = field(default_factory=dict)
