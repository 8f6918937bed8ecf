"""One rep's week of weekly outlets, as the instance every engine of the reference comparison receives, and the
checker that scores each engine's routes from the travel-time matrix alone.

A week is what the compared engines can express identically: one vehicle per working day leaving the rep's
start location and ending at the end location, every outlet visited once in the week on one of its open
working days, inside one of its opening windows, which are the same on each of those days; no lunch break
(PyVRP has no breaks, and the engines place breaks differently). PyVRP takes only one window per client and
no closed days, so it is compared on weeks whose outlets have one window and are open every working day
(`single_window_every_day`). A window means the whole visit fits in it: service starts in
[open, close - service_s]. An unused vehicle (a day without visits) travels nothing.

Two modes: with free days every engine also chooses each outlet's day among its open working days; with fixed
days (`with_fixed_days`) every outlet comes with the one working day it must be visited on, the same for all
engines, and each engine only orders the days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class WeekOutlet:
    location: int  # index into the matrices
    service_s: int
    windows: tuple[tuple[int, int], ...]  # (open_s, close_s), sorted and disjoint; the same every open day
    closed_days: tuple[int, ...] = ()  # working days the outlet cannot be visited
    fixed_day: int | None = None  # the one working day it must be visited on (fixed-day mode), or any open one
    code: str = ""  # the outlet's code where it comes from stored data

    def allowed_days(self, working_days: tuple[int, ...]) -> tuple[int, ...]:
        if self.fixed_day is not None:
            return (self.fixed_day,)
        return tuple(d for d in working_days if d not in self.closed_days)

    def start_windows(self) -> tuple[tuple[int, int], ...]:
        """The intervals in which the service may start."""
        return tuple((open_s, close_s - self.service_s) for open_s, close_s in self.windows)


@dataclass(frozen=True, eq=False)
class WeekCase:
    name: str
    outlets: tuple[WeekOutlet, ...]
    duration_s: np.ndarray  # (L, L) int64 travel time
    distance_m: np.ndarray  # (L, L) int64
    working_days: tuple[int, ...]  # weekdays, 0 = Monday; one vehicle each
    shift_start_s: int
    shift_end_s: int
    start: int = 0  # location every day starts from
    end: int = 0  # location every day ends at

    def __post_init__(self) -> None:
        n = self.duration_s.shape[0]
        if self.duration_s.shape != (n, n) or self.distance_m.shape != (n, n):
            raise ValueError(f"{self.name}: duration_s and distance_m must be square matrices of one size")
        if not (0 <= self.start < n and 0 <= self.end < n):
            raise ValueError(f"{self.name}: start {self.start} or end {self.end} outside the matrix")
        for i, o in enumerate(self.outlets):
            if not 0 <= o.location < n:
                raise ValueError(f"{self.name}: outlet {i} location {o.location} outside the matrix")
            if not o.windows or any(latest < earliest for earliest, latest in o.start_windows()):
                raise ValueError(f"{self.name}: outlet {i} service {o.service_s} s longer than a window {o.windows}")
            if any(a[1] > b[0] for a, b in zip(o.windows, o.windows[1:])):
                raise ValueError(f"{self.name}: outlet {i} windows {o.windows} are not sorted and disjoint")
            if set(o.closed_days) >= set(self.working_days):
                raise ValueError(f"{self.name}: outlet {i} is closed on every working day")
            if o.fixed_day is not None and (o.fixed_day not in self.working_days or o.fixed_day in o.closed_days):
                raise ValueError(f"{self.name}: outlet {i} is fixed to day {o.fixed_day}, not an open working day")

    def single_window_every_day(self) -> bool:
        return all(len(o.windows) == 1 and not o.closed_days for o in self.outlets)

    def days_fixed(self) -> bool:
        return all(o.fixed_day is not None for o in self.outlets)


def with_fixed_days(case: WeekCase, days: list[int | None], how: str) -> WeekCase:
    """The week with outlet i fixed to working day days[i]; outlets without a day (None) are left out."""
    if len(days) != len(case.outlets):
        raise ValueError(f"{case.name}: {len(days)} days for {len(case.outlets)} outlets")
    outlets = tuple(replace(o, fixed_day=d) for o, d in zip(case.outlets, days) if d is not None)
    return replace(case, name=f"{case.name}; days fixed {how}, {len(outlets)} with a day", outlets=outlets)


@dataclass(frozen=True)
class EngineRun:
    """What one engine returned: for each working day (in `WeekCase.working_days` order) the ordered outlets."""

    engine: str
    routes: tuple[tuple[int, ...], ...]
    unassigned: tuple[int, ...]  # outlets the engine reported as not placed
    runtime_s: float


@dataclass(frozen=True)
class WeekCheck:
    travel_s: int  # recomputed from the matrix, legs from the start and to the end included
    unassigned: int  # outlets not on any route
    violations: tuple[str, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def check_week(case: WeekCase, run: EngineRun) -> WeekCheck:
    """Recompute the travel of every route and check it: windows, shift, each outlet once or reported unplaced.

    The schedule leaves at the shift start and waits for windows; with waiting allowed, leaving as early as
    possible never makes a later visit infeasible, so this schedule is feasible whenever any schedule is.
    """
    d = case.duration_s
    violations: list[str] = []
    if len(run.routes) != len(case.working_days):
        violations.append(f"{len(run.routes)} routes for {len(case.working_days)} working days")
    seen: dict[int, int] = {}
    travel_s = 0
    for day, route in zip(case.working_days, run.routes):
        t = case.shift_start_s
        here = case.start
        for i in route:
            if not 0 <= i < len(case.outlets):
                violations.append(f"day {day}: unknown outlet {i}")
                continue
            if i in seen:
                violations.append(f"outlet {i} visited on day {seen[i]} and again on day {day}")
            seen[i] = day
            o = case.outlets[i]
            if day in o.closed_days:
                violations.append(f"day {day}: outlet {i} is closed that day")
            elif o.fixed_day is not None and day != o.fixed_day:
                violations.append(f"day {day}: outlet {i} is fixed to day {o.fixed_day}")
            leg = int(d[here, o.location])
            travel_s += leg
            t += leg
            starts = (max(t, earliest) for earliest, latest in o.start_windows() if max(t, earliest) <= latest)
            start = next(starts, None)
            if start is None:
                violations.append(f"day {day}: outlet {i} reached at {t}, too late to fit a visit in {o.windows}")
                start = t
            t = start + o.service_s
            here = o.location
        if not route:
            continue  # an unused vehicle travels nothing: the objective of every compared engine
        leg = int(d[here, case.end])
        travel_s += leg
        if t + leg > case.shift_end_s:
            violations.append(f"day {day}: back at {t + leg}, after the shift end {case.shift_end_s}")
    missing = set(range(len(case.outlets))) - set(seen)
    reported = set(run.unassigned)
    if missing != reported:
        silently = sorted(missing - reported)
        wrongly = sorted(reported - missing)
        if silently:
            violations.append(f"outlets neither routed nor reported unplaced: {silently[:10]}")
        if wrongly:
            violations.append(f"outlets reported unplaced but routed: {wrongly[:10]}")
    return WeekCheck(travel_s=travel_s, unassigned=len(missing), violations=tuple(violations))
