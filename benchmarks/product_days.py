"""Every rep-day of a planned office re-routed by the reference engines, day by day, with the same outlets.

    .venv/bin/python -m benchmarks.product_days [--office sample_routes/shanghai_minhang] [--generated 3]
        [--time-limit 15] [--day-s 1]

Each office is planned as `make run` plans it (straight-line times, every rep in a worker process, the default
time limit per rep). Then every rep-day with at least three visits goes, with exactly its outlets, to:

- VROOM 1.15 (exploration 5, one thread): the same matrix, shift, service times, every opening window of that day
  and the same lunch break (a VROOM break with the lunch's start window and duration). Its order is re-timed by
  our timing (lunch at the previous stop, routes.place_breaks); a day VROOM leaves outlets out of, or whose order
  our timing finds infeasible, is listed. Compared: the plan's day (travel, and its length from the shift start:
  the plan prices idle time, VROOM does not), and our compiled tour search on the same objective as VROOM's,
  travel alone (the day's outlets in an arbitrary order to start from, the lunch and every window, `--day-s`
  seconds on the clock, no work limit).
- PyVRP 0.14 (`--day-s` seconds a day) and our own day search for the same time (solver.solve on that day alone,
  one vehicle, travel alone), both without the lunch and with one window per outlet (PyVRP takes one): an outlet
  open twice that day is open, for both, in the window the plan serves it in. Reported over every day and over
  the days without such an outlet.

Ratios are ours / reference per day; the mean is over the days compared.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np
import pyvrp
import vroom
from pyvrp.stop import MaxRuntime

from benchmarks.offices import loaded_office, office_folders
from service.plans import planning
from service.solving.rep_solvers import ProcessPoolSolver
from solver import SolveParams, solve
from solver.instance import Instance, build_instance
from solver.model import Problem, Route
from solver.routes import place_breaks, time_route
from solver.routing import retour

START = date(2026, 11, 30)
MIN_VISITS = 3


@dataclass
class DayResult:
    office: str
    rep: int
    day: int
    visits: int
    ours_travel: int
    ours_length: int  # from the shift start to the return: travel, service, lunch and idle
    vroom_travel: int | None = None  # None: VROOM left outlets out or its order is infeasible in our timing
    vroom_length: int | None = None
    ours_alone_travel: int | None = None  # the day alone, travel alone, with the lunch and every window
    pyvrp_travel: int | None = None  # without lunch, one window per outlet
    ours_nolunch_travel: int | None = None
    split_hours: bool = False  # an outlet open twice that day: both engines get the window the plan serves it in


def office_solutions(folder: Path, time_limit_s: float, work: Path) -> list[tuple[Problem, list[Route]]]:
    engine, office_id = loaded_office(folder, work)
    prepared = planning.prepare_plan(engine, planning.PlanRequest(office_id, START, time_limit_s=time_limit_s))
    engine.dispose()
    answers = ProcessPoolSolver().solve([p.problem for p in prepared.problems], SolveParams(time_limit_s=time_limit_s))
    return [(rp.problem, list(s.routes)) for rp, (s, _) in zip(prepared.problems, answers)]


def day_windows(problem: Problem, client: int, day: int) -> list[tuple[int, int]]:
    """The client's service start intervals on that day."""
    c = problem.clients[client]
    if c.windows is None:
        return [(0, 10**9)]
    return [(w.start_s, w.end_s - c.service_s) for w in c.windows[day] if w.end_s - c.service_s >= w.start_s]


def vroom_day(problem: Problem, route: Route) -> list[int] | None:
    v = problem.vehicles[route.vehicle]
    clients = [s.client for s in route.stops]
    task = vroom.Input()
    task.set_durations_matrix("car", np.ascontiguousarray(problem.duration_s, dtype=np.int64))
    breaks = [
        vroom.Break(j, time_windows=[vroom.TimeWindow(b.earliest_start_s, b.latest_start_s)], service=b.duration_s)
        for j, b in enumerate(v.breaks)
    ]
    task.add_vehicle(
        vroom.Vehicle(
            0, start=v.start, end=v.end, time_window=vroom.TimeWindow(v.shift_start_s, v.shift_end_s), breaks=breaks
        )
    )
    task.add_job(
        [
            vroom.Job(
                c,
                location=problem.clients[c].location,
                default_service=problem.clients[c].service_s,
                time_windows=[vroom.TimeWindow(lo, hi) for lo, hi in day_windows(problem, c, v.day)],
            )
            for c in clients
        ]
    )
    answer = task.solve(exploration_level=5, nb_threads=1).to_dict()
    if answer["unassigned"]:
        return None
    return [int(s["id"]) for r in answer["routes"] for s in r["steps"] if s["type"] == "job"]


def served_windows(problem: Problem, route: Route) -> Problem:
    """The problem with each of the route's outlets open, on the route's day, only in the window the plan serves it
    in: one window per outlet, as PyVRP models it, and the same for both engines."""
    v = problem.vehicles[route.vehicle]
    clients = list(problem.clients)
    for stop in route.stops:
        c = clients[stop.client]
        if c.windows is None:
            continue
        (served,) = [w for w in c.windows[v.day] if w.start_s <= stop.start_s <= w.end_s - c.service_s]
        windows = list(c.windows)
        windows[v.day] = (served,)
        clients[stop.client] = replace(c, windows=tuple(windows))
    return replace(problem, clients=tuple(clients))


def pyvrp_day(problem: Problem, route: Route, seconds: float) -> list[int] | None:
    v = problem.vehicles[route.vehicle]
    clients = [s.client for s in route.stops]
    n = problem.duration_s.shape[0]
    locations = [pyvrp.Location(0, 0) for _ in range(n)]
    data_clients = []
    for c in clients:
        ((lo, hi),) = day_windows(problem, c, v.day)
        data_clients.append(
            pyvrp.Client(
                problem.clients[c].location, service_duration=problem.clients[c].service_s, tw_early=lo, tw_late=hi
            )
        )
    depots = [pyvrp.Depot(v.start)] if v.start == v.end else [pyvrp.Depot(v.start), pyvrp.Depot(v.end)]
    vehicle = pyvrp.VehicleType(
        1, start_depot=0, end_depot=len(depots) - 1, tw_early=v.shift_start_s, tw_late=v.shift_end_s
    )
    matrix = np.ascontiguousarray(problem.duration_s, dtype=np.int64)
    data = pyvrp.ProblemData(locations, data_clients, depots, [vehicle], [matrix], [matrix])
    result = pyvrp.solve(data, MaxRuntime(seconds), seed=0, collect_stats=False)
    if not result.is_feasible():
        return None
    return [clients[a.idx] for r in result.best.routes() for a in r if a.is_client()]


def one_day_problem(problem: Problem, route: Route, lunch: bool) -> tuple[Problem, list[int]]:
    """The day alone: its outlets (each on that day only) and its vehicle, with or without its breaks; the
    objective travel alone, as the reference engines have it."""
    v = problem.vehicles[route.vehicle]
    clients = [s.client for s in route.stops]
    one = tuple(
        replace(
            problem.clients[c],
            patterns=((0,),),
            windows=None if problem.clients[c].windows is None else (problem.clients[c].windows[v.day],),
        )
        for c in clients
    )
    vehicle = replace(v, day=0, breaks=v.breaks if lunch else ())
    return replace(problem, num_days=1, clients=one, vehicles=(vehicle,), idle_weight=0.0), clients


def travel_of(problem: Problem, vehicle: int, order: list[int]) -> int:
    v = problem.vehicles[vehicle]
    locs = [v.start, *(problem.clients[c].location for c in order), v.end]
    return int(sum(problem.duration_s[a, b] for a, b in zip(locs, locs[1:])))


def compare_day(
    name: str, rep: int, problem: Problem, route: Route, day_s: float, inst: Instance, travel_alone: Instance
) -> DayResult:
    clients = [s.client for s in route.stops]
    v = problem.vehicles[route.vehicle]
    out = DayResult(name, rep, v.day, len(clients), route.travel_s, route.end_s - v.shift_start_s)
    order = vroom_day(problem, route)
    seq = None if order is None else place_breaks(inst, route.vehicle, order)
    if seq is not None:
        tm = time_route(inst, route.vehicle, seq)
        out.vroom_travel, out.vroom_length = tm.travel, tm.start[-1] - problem.vehicles[route.vehicle].shift_start_s
    found = retour(
        travel_alone,
        route.vehicle,
        sorted(clients),
        seed=0,
        prices_us=(1.0, 0.0, 0.0),
        max_work_us=float("inf"),
        time_limit_s=day_s,
    )
    seq = None if found.tour is None else place_breaks(travel_alone, route.vehicle, found.tour)
    if seq is not None:
        out.ours_alone_travel = time_route(travel_alone, route.vehicle, seq).travel
    out.split_hours = any(len(day_windows(problem, c, out.day)) > 1 for c in clients)
    one_window = served_windows(problem, route)
    order = pyvrp_day(one_window, route, day_s)
    if order is not None:
        out.pyvrp_travel = travel_of(one_window, route.vehicle, order)
    alone, _ = one_day_problem(one_window, route, lunch=False)
    ours = solve(alone, SolveParams(time_limit_s=day_s, seed=0))
    if not ours.unplaced:
        out.ours_nolunch_travel = ours.travel_s
    return out


def ratios(pairs: list[tuple[int, int]]) -> str:
    if not pairs:
        return "no days"
    r = [a / b for a, b in pairs if b > 0]
    worse = sum(a > b for a, b in pairs)
    return (
        f"{len(pairs)} days, mean {statistics.mean(r):.4f}, min {min(r):.3f}, max {max(r):.3f}, "
        f"ours longer on {worse}; totals {sum(a for a, _ in pairs):,} / {sum(b for _, b in pairs):,} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--office", type=Path, action="append", help="an office folder (repeatable)")
    parser.add_argument("--generated", type=int, default=0, help="also this many generated offices (seeds 1..N)")
    parser.add_argument("--time-limit", type=float, default=planning.DEFAULT_TIME_LIMIT_S, help="solver s per rep")
    parser.add_argument("--day-s", type=float, default=1.0, help="PyVRP's and our seconds per day alone")
    args = parser.parse_args()
    print(f"$ {shlex.join([Path(sys.executable).name, '-m', 'benchmarks.product_days', *sys.argv[1:]])}")
    results: list[DayResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for folder in office_folders(args.office, args.generated, work):
            for rep, (problem, routes) in enumerate(office_solutions(folder, args.time_limit, work)):
                inst = build_instance(problem)
                travel_alone = build_instance(replace(problem, idle_weight=0.0))
                for route in routes:
                    if len(route.stops) >= MIN_VISITS:
                        results.append(compare_day(folder.name, rep, problem, route, args.day_s, inst, travel_alone))
    for name in sorted({r.office for r in results}) + ["all"]:
        rows = [r for r in results if name in ("all", r.office)]
        print(f"{name}: {len(rows)} rep-days")
        lost = [r for r in rows if r.vroom_travel is None]
        print(
            "  vs VROOM, lunch and every window: travel "
            f"{ratios([(r.ours_travel, r.vroom_travel) for r in rows if r.vroom_travel])}"
        )
        print(
            f"    day's length from the shift start (travel, service, lunch, idle): "
            f"{ratios([(r.ours_length, r.vroom_length) for r in rows if r.vroom_length])}; "
            f"{len(lost)} days where VROOM left outlets out or its order is not feasible in our timing"
        )
        print(
            f"  vs VROOM, the day alone, travel alone for both: "
            f"{ratios([(r.ours_alone_travel, r.vroom_travel) for r in rows if r.vroom_travel and r.ours_alone_travel])}"
        )
        for label, kept in (("every day", rows), ("days without split hours", [r for r in rows if not r.split_hours])):
            nolunch = [
                (r.ours_nolunch_travel, r.pyvrp_travel) for r in kept if r.pyvrp_travel and r.ours_nolunch_travel
            ]
            print(f"  vs PyVRP, lunch left out, one window per outlet (the plan's), {label}: {ratios(nolunch)}")


if __name__ == "__main__":
    main()
