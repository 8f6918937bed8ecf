"""The same rep's week handed to our engine, to PyVRP 0.14 and to VROOM (pyvroom), each single-threaded and
each given the same integer travel-time matrix, windows, service times and shift (see ref_week).

Every adapter returns the routes as ordered outlet indices per working day; none of their reported costs is
used: the comparison recomputes travel with ref_week.check_week.
"""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np
import pyvrp
import vroom
from pyvrp.stop import MaxRuntime

from benchmarks.ref_week import EngineRun, WeekCase, WeekOutlet
from solver import solve
from solver.model import Client, Problem, SolveParams, TimeWindow, Vehicle

DAYS_PER_WEEK = 7


def to_problem(case: WeekCase, balance_weight: int = 0, idle_weight: float = 0.0) -> Problem:
    """Our model of the week: one vehicle per working day, each outlet on any single working day it is open (or
    on its fixed day), the objective pure travel by default (the other engines price neither day balance nor
    waiting)."""

    def windows_by_day(o: WeekOutlet) -> tuple[tuple[TimeWindow, ...], ...]:
        windows = tuple(TimeWindow(open_s, close_s) for open_s, close_s in o.windows)
        return tuple(windows if d in case.working_days and d not in o.closed_days else () for d in range(DAYS_PER_WEEK))

    clients = tuple(
        Client(
            location=o.location,
            service_s=o.service_s,
            patterns=tuple((d,) for d in o.allowed_days(case.working_days)),
            windows=windows_by_day(o),
        )
        for o in case.outlets
    )
    vehicles = tuple(
        Vehicle(day=d, start=case.start, end=case.end, shift_start_s=case.shift_start_s, shift_end_s=case.shift_end_s)
        for d in case.working_days
    )
    return Problem(
        num_days=DAYS_PER_WEEK,
        clients=clients,
        vehicles=vehicles,
        duration_s=case.duration_s.copy(),
        distance_m=case.distance_m.copy(),
        consistent=True,
        balance_weight=balance_weight,
        idle_weight=idle_weight,
    )


def solve_ours(case: WeekCase, budget_s: float, seed: int) -> EngineRun:
    problem = to_problem(case)
    began = time.perf_counter()
    solution = solve(problem, SolveParams(time_limit_s=budget_s, seed=seed))
    runtime_s = time.perf_counter() - began
    by_day: dict[int, tuple[int, ...]] = {}
    for route in solution.routes:
        by_day[problem.vehicles[route.vehicle].day] = tuple(stop.client for stop in route.stops)
    return EngineRun(
        engine="ours",
        routes=tuple(by_day.get(d, ()) for d in case.working_days),
        unassigned=tuple(u.client for u in solution.unplaced),
        runtime_s=runtime_s,
    )


def solve_pyvrp(case: WeekCase, budget_s: float, seed: int) -> EngineRun:
    """PyVRP minimises distance by default: the travel-time matrix goes in as the distance, so its objective
    is total travel time; the duration matrix (the same one) drives the windows and the shift.

    PyVRP 0.14 cannot restrict a client to some vehicles, so with fixed days each day is solved on its own
    (one vehicle, that day's outlets) with an even share of the budget."""
    if not engine_expresses("pyvrp", case):
        raise ValueError(
            f"{case.name}: PyVRP takes one window per client and no closed days (unless every day is fixed)"
        )
    began = time.perf_counter()
    if not case.days_fixed():
        routes = _pyvrp_routes(case, list(range(len(case.outlets))), case.working_days, budget_s, seed)
    else:
        days = [d for d in case.working_days if any(o.fixed_day == d for o in case.outlets)]
        share_s = budget_s / max(1, len(days))
        by_day = {
            d: _pyvrp_routes(case, [i for i, o in enumerate(case.outlets) if o.fixed_day == d], (d,), share_s, seed)[0]
            for d in days
        }
        routes = [by_day.get(d, ()) for d in case.working_days]
    runtime_s = time.perf_counter() - began
    visited = {i for r in routes for i in r}
    return EngineRun(
        engine="pyvrp",
        routes=tuple(routes),
        unassigned=tuple(i for i in range(len(case.outlets)) if i not in visited),
        runtime_s=runtime_s,
    )


def _pyvrp_routes(
    case: WeekCase, outlets: list[int], days: tuple[int, ...], budget_s: float, seed: int
) -> list[tuple[int, ...]]:
    """PyVRP's routes of these outlets (indices into case.outlets) with one vehicle per day of `days`."""
    n = case.duration_s.shape[0]
    locations = [pyvrp.Location(0, 0) for _ in range(n)]  # coordinates are only used for plotting
    clients = []
    for i in outlets:
        o = case.outlets[i]
        ((earliest_s, latest_s),) = o.start_windows()
        clients.append(pyvrp.Client(o.location, service_duration=o.service_s, tw_early=earliest_s, tw_late=latest_s))
    depots = [pyvrp.Depot(case.start)] if case.start == case.end else [pyvrp.Depot(case.start), pyvrp.Depot(case.end)]
    vehicle_types = [
        pyvrp.VehicleType(
            1,
            start_depot=0,
            end_depot=len(depots) - 1,
            tw_early=case.shift_start_s,
            tw_late=case.shift_end_s,
            name=f"day{d}",
        )
        for d in days
    ]
    matrix = np.ascontiguousarray(case.duration_s, dtype=np.int64)
    data = pyvrp.ProblemData(locations, clients, depots, vehicle_types, [matrix], [matrix])
    result = pyvrp.solve(data, MaxRuntime(budget_s), seed=seed, collect_stats=False)
    by_type: dict[int, tuple[int, ...]] = {}
    for route in result.best.routes():  # a client activity's idx is its position in `clients`
        by_type[route.vehicle_type()] = tuple(outlets[a.idx] for a in route if a.is_client())
    return [by_type.get(k, ()) for k in range(len(days))]


def solve_vroom(case: WeekCase, budget_s: float, seed: int) -> EngineRun:
    """VROOM's default cost is the travel duration; exploration level 5 is its default. Its search is
    deterministic, so `seed` is not used. The days an outlet may not take are skills: the vehicle of day d
    has every working day but d as a skill, an outlet needs the working days it cannot be visited on (closed,
    or all but its fixed day), so it only goes to a vehicle of a day it may be visited."""
    del seed
    problem = vroom.Input()
    problem.set_durations_matrix("car", np.ascontiguousarray(case.duration_s, dtype=np.int64))
    shift = vroom.TimeWindow(case.shift_start_s, case.shift_end_s)
    problem.add_vehicle(
        [
            vroom.Vehicle(k, start=case.start, end=case.end, time_window=shift, skills=set(case.working_days) - {d})
            for k, d in enumerate(case.working_days)
        ]
    )
    problem.add_job(
        [
            vroom.Job(
                i,
                location=o.location,
                default_service=o.service_s,
                skills=set(case.working_days) - set(o.allowed_days(case.working_days)),
                time_windows=[vroom.TimeWindow(earliest, latest) for earliest, latest in o.start_windows()],
            )
            for i, o in enumerate(case.outlets)
        ]
    )
    began = time.perf_counter()
    answer = problem.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=budget_s)).to_dict()
    runtime_s = time.perf_counter() - began
    by_vehicle = {r["vehicle"]: tuple(int(s["id"]) for s in r["steps"] if s["type"] == "job") for r in answer["routes"]}
    return EngineRun(
        engine="vroom",
        routes=tuple(by_vehicle.get(k, ()) for k in range(len(case.working_days))),
        unassigned=tuple(int(u["id"]) for u in answer["unassigned"]),
        runtime_s=runtime_s,
    )


ENGINES = {"ours": solve_ours, "pyvrp": solve_pyvrp, "vroom": solve_vroom}
REFERENCES = ("pyvrp", "vroom")


def engine_expresses(engine: str, case: WeekCase) -> bool:
    """PyVRP takes one window per client and no closed days (which do not matter once every day is fixed); ours
    and VROOM take split windows and closed days."""
    if engine != "pyvrp":
        return True
    return all(len(o.windows) == 1 for o in case.outlets) and (case.days_fixed() or case.single_window_every_day())
