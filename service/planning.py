"""Plan an office: every active rep's cycle solved in parallel processes, stored as one draft plan.

No database session stays open while the solver runs: the rows are read, the session is closed, the reps are
solved, and the plan is written in one transaction afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from statistics import mean

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session

from geo.travel import TravelMatrix
from service import repository, solve_worker
from service.balance import balance
from service.convert import (
    MissingHomeLocation,
    PlanRows,
    RepProblem,
    rep_points,
    rep_problem,
    rep_vehicles,
    solution_rows,
    unassigned_rows,
    visits_required,
)
from service.errors import InvalidInput, NotFound
from service.tables import Office, Outlet, OutletStatus, Plan, PlanStatus, PlanUnplaced, Rep
from service.travel import UNREACHABLE, EngineChoice, OfficeTravel
from solver.model import Problem, Solution, SolveParams
from solver.patterns import CYCLE_WEEKS

DEFAULT_TIME_LIMIT_S = 15.0  # per rep: 8 reps on 2 cores plan in about a minute


FIRST_PLAN_DATE, LAST_PLAN_DATE = date(2000, 1, 1), date(2100, 12, 31)  # the years a plan can mean


def check_cycle(start_date: date, weeks: int) -> None:
    """A cycle starts on a Monday between FIRST_PLAN_DATE and LAST_PLAN_DATE and lasts a whole number of four-week
    blocks."""
    if not FIRST_PLAN_DATE <= start_date <= LAST_PLAN_DATE:
        raise InvalidInput(
            f"must be between {FIRST_PLAN_DATE.isoformat()} and {LAST_PLAN_DATE.isoformat()}, not "
            f"{start_date.isoformat()}",
            ("start_date",),
        )
    if start_date.weekday() != 0:
        raise InvalidInput(f"{start_date.isoformat()} is a {start_date.strftime('%A')}, not a Monday", ("start_date",))
    if weeks <= 0 or weeks % CYCLE_WEEKS:
        raise InvalidInput(f"a cycle lasts a multiple of {CYCLE_WEEKS} weeks, not {weeks}", ("weeks",))


def _worker_context() -> multiprocessing.context.BaseContext:
    """How to start the solver workers.

    A single-threaded process (the CLI, a benchmark) forks: the workers start at once. Forking a threaded
    process (the API server's thread pool) can deadlock the child, so there a fork server, which has loaded
    the solver once, starts them; its workers unpickle a function of service.solve_worker, which imports
    nothing else, but they do re-import the main module.
    """
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["service.solve_worker"])
    return context


def solve_reps(problems: list[RepProblem], params: SolveParams) -> tuple[list[Solution], int]:
    """Solve the reps' problems in parallel processes, one rep per task: the answers in the same order, and the
    largest peak memory of a worker in KiB."""
    if not problems:
        return [], 0
    workers = min(os.cpu_count() or 1, len(problems))
    context = _worker_context()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        answers = list(pool.map(solve_worker.solve_rep, [p.problem for p in problems], repeat(params)))
    return [solution for solution, _ in answers], max(peak_kib for _, peak_kib in answers)


@dataclass(frozen=True)
class PlanRequest:
    """What a plan is asked for; stored as a job's request so any service process can run it (again)."""

    office_id: int
    start_date: date
    weeks: int = CYCLE_WEEKS
    time_limit_s: float = DEFAULT_TIME_LIMIT_S
    created_by: str = ""
    engine_choice: EngineChoice = EngineChoice.CONFIGURED

    def as_json(self) -> dict:
        return {
            "office_id": self.office_id,
            "start_date": self.start_date.isoformat(),
            "weeks": self.weeks,
            "time_limit_s": self.time_limit_s,
            "created_by": self.created_by,
            "engine_choice": self.engine_choice.value,
        }

    @classmethod
    def from_json(cls, data: dict) -> PlanRequest:
        return cls(
            office_id=data["office_id"],
            start_date=date.fromisoformat(data["start_date"]),
            weeks=data["weeks"],
            time_limit_s=data["time_limit_s"],
            created_by=data["created_by"],
            engine_choice=EngineChoice(data["engine_choice"]),
        )


@dataclass(frozen=True)
class PreparedPlan:
    """An office's rows as read for a plan and its reps' solver problems, ready to solve anywhere."""

    request: PlanRequest
    office: Office
    reps: list[Rep]
    outlets: list[Outlet]
    problems: list[RepProblem]
    lost: list[tuple[int, int, str]]  # (rep id, outlet id, detail) of outlets no road reaches
    travel_kpis: dict


def check_request(session: Session, request: PlanRequest) -> Office:
    """The office asked for, after checking the request; NotFound or InvalidInput naming the field."""
    check_cycle(request.start_date, request.weeks)
    if request.time_limit_s <= 0:
        raise InvalidInput(f"must be positive, not {request.time_limit_s}", ("time_limit_s",))
    office = repository.office(session, request.office_id)
    if office is None:
        raise NotFound(f"office {request.office_id} does not exist", ("office_id",))
    return office


def prepare_plan(engine: Engine, request: PlanRequest) -> PreparedPlan:
    """Read the office and build its reps' problems on their travel engines' times (EngineUnavailable when an
    engine fails, InvalidInput for an outlet outside its map or a rep without a home); writes nothing."""
    with Session(engine) as session:
        office = check_request(session, request)
        reps = list(repository.reps(session, office.id))
        outlets = list(repository.outlets(session, office.id, status=OutletStatus.ACTIVE))
    reps_by_id = {r.id: r for r in reps}
    outlets_by_rep: dict[int, list[Outlet]] = defaultdict(list)
    for o in outlets:
        if o.rep_id in reps_by_id and reps_by_id[o.rep_id].active:
            outlets_by_rep[o.rep_id].append(o)
    try:
        problems, lost, travel_kpis = rep_problems(
            office, reps_by_id, outlets_by_rep, request.weeks, request.engine_choice
        )
    except MissingHomeLocation as e:
        raise InvalidInput(str(e), ("reps", e.rep_code, "home_lon")) from e
    return PreparedPlan(request, office, reps, outlets, problems, lost, travel_kpis)


def add_plan(
    session: Session, prepared: PreparedPlan, solutions: list[Solution], solve_wall_s: float, worker_peak_kib: int
) -> Plan:
    """Add the draft plan of the solved reps to the session (flushed, not committed: the caller decides)."""
    request = prepared.request
    reps_by_id = {r.id: r for r in prepared.reps}
    plan = Plan(
        office_id=prepared.office.id,
        start_date=request.start_date,
        weeks=request.weeks,
        status=PlanStatus.DRAFT,
        created_by=request.created_by,
        time_limit_s=request.time_limit_s,
    )
    session.add(plan)
    session.flush()
    rows = PlanRows(days=[], visits=[], unplaced=unassigned_rows(plan.id, prepared.outlets, reps_by_id))
    rows.unplaced += [
        PlanUnplaced(plan_id=plan.id, rep_id=rep_id, outlet_id=outlet_id, reason=UNREACHABLE, detail=detail[:400])
        for rep_id, outlet_id, detail in prepared.lost
    ]
    for problem, solution in zip(prepared.problems, solutions, strict=True):
        rep_rows = solution_rows(plan.id, problem, solution)
        rows.days += rep_rows.days
        rows.visits += rep_rows.visits
        rows.unplaced += rep_rows.unplaced
    session.add_all(rows.days + rows.visits + rows.unplaced)
    problems = {p.rep_id: p.problem for p in prepared.problems}
    plan.kpis = office_kpis(prepared.reps, prepared.outlets, request.weeks, rows, problems) | {
        "solve_wall_s": round(solve_wall_s, 1),
        "solver_peak_rss_mb": round(worker_peak_kib / 1024, 1),
        "travel": prepared.travel_kpis,
    }
    session.flush()
    return plan


def plan_office(
    engine: Engine,
    office_id: int,
    start_date: date,
    weeks: int = CYCLE_WEEKS,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    created_by: str = "",
    engine_choice: EngineChoice = EngineChoice.CONFIGURED,
) -> int:
    """Plan all reps of an office for a cycle from `start_date` in processes of this machine (the CLI; the API
    runs plans as jobs on Dask, service/plan_jobs.py); stores a draft plan and returns its id.

    Travel times come from each rep's travel engine (service/travel.py); an engine that fails raises
    EngineUnavailable and an outlet outside its map InvalidInput before anything is stored."""
    prepared = prepare_plan(engine, PlanRequest(office_id, start_date, weeks, time_limit_s, created_by, engine_choice))
    started = time.perf_counter()
    solutions, worker_peak_kib = solve_reps(prepared.problems, SolveParams(time_limit_s=time_limit_s))
    solve_wall_s = time.perf_counter() - started
    with Session(engine) as session:
        plan = add_plan(session, prepared, solutions, solve_wall_s, worker_peak_kib)
        session.commit()
        return plan.id


def rep_problems(
    office: Office,
    reps_by_id: dict[int, Rep],
    outlets_by_rep: dict[int, list[Outlet]],
    weeks: int,
    engine_choice: EngineChoice,
) -> tuple[list[RepProblem], list[tuple[int, int, str]], dict]:
    """The reps' solver problems on their travel engines' times, the outlets left out because no road reaches
    them (rep id, outlet id, detail), and the plan's travel report: the engine of every rep, the outlets left
    out and the outlets far from any road with their snap distances."""
    problems, lost = [], []
    report: dict = {"engines": {}, "unreachable": [], "far_from_road": []}
    with OfficeTravel(office, engine_choice) as travel:
        for rep_id, rep_outlets in outlets_by_rep.items():
            rep = reps_by_id[rep_id]
            times = travel.rep_travel(rep, rep_points(office, rep, rep_outlets), [o.code for o in rep_outlets])
            report["engines"][rep.code] = times.engine
            for i, snap_m in times.far_from_road:
                report["far_from_road"].append(
                    {"outlet_code": rep_outlets[i].code, "rep_code": rep.code, "snap_m": round(snap_m, 1)}
                )
            for i in times.unreachable:
                o = rep_outlets[i]
                report["unreachable"].append({"outlet_code": o.code, "rep_code": rep.code})
                lost.append(
                    (
                        rep.id,
                        o.id,
                        f"outlet {o.code}: no road route from the start of rep {rep.code}'s "
                        f"day, back to its end, or to and from most of the rep's other outlets "
                        f"on {times.engine}",
                    )
                )
            kept = sorted(set(range(len(rep_outlets))) - set(times.unreachable))
            rows = np.array([0, 1] + [2 + i for i in kept])
            matrix = TravelMatrix(
                duration_s=times.matrix.duration_s[np.ix_(rows, rows)],
                distance_m=times.matrix.distance_m[np.ix_(rows, rows)],
            )
            problems.append(rep_problem(office, rep, [rep_outlets[i] for i in kept], weeks, matrix))
    return problems, lost, report


def office_kpis(
    reps: list[Rep], outlets: list[Outlet], weeks: int, rows: PlanRows, problems: dict[int, Problem] | None = None
) -> dict:
    """Coverage, visits per day, travel and workload per rep and day, whether each rep's days are balanced (and,
    from the rep's solver problem in `problems` by rep id, why not), and unplaced visits by reason."""
    placed_by_outlet = Counter(v.outlet_id for v in rows.visits)
    required = sum(visits_required(o, weeks) for o in outlets)
    placed = len(rows.visits)
    visits_by_rep_day = Counter((v.rep_id, v.day) for v in rows.visits)
    days_by_rep_day = {(d.rep_id, d.day): d for d in rows.days}
    outlets_by_id = {o.id: o for o in outlets}
    required_by_rep = Counter()
    for o in outlets:
        required_by_rep[o.rep_id] += visits_required(o, weeks)

    rep_kpis = []
    day_visit_counts = []
    idle_per_day = []  # of the days with visits
    for rep in sorted((r for r in reps if r.active), key=lambda r: r.code):
        days = []
        for vehicle in rep_vehicles(rep, weeks):
            route = days_by_rep_day.get((rep.id, vehicle.day))
            travel_s = route.travel_s if route else 0
            service_s = route.service_s if route else 0
            visits = visits_by_rep_day[(rep.id, vehicle.day)]
            day_visit_counts.append(visits)
            days.append(
                {
                    "day": vehicle.day,
                    "week": vehicle.day // 7,
                    "weekday": vehicle.day % 7,
                    "visits": visits,
                    "travel_s": travel_s,
                    "distance_m": route.distance_m if route else 0,
                    "service_s": service_s,
                    "workload_s": travel_s + service_s,
                    "idle_s": route.idle_s if route else 0,
                    "start_s": route.start_s if route else None,
                    "end_s": route.end_s if route else None,
                }
            )
            if route:
                idle_per_day.append(route.idle_s)
        workloads = [d["workload_s"] for d in days]
        rep_kpis.append(
            {
                "rep_id": rep.id,
                "rep_code": rep.code,
                "visits_required": required_by_rep[rep.id],
                "visits_placed": sum(d["visits"] for d in days),
                "travel_s": sum(d["travel_s"] for d in days),
                "distance_m": sum(d["distance_m"] for d in days),
                "workload_spread_s": max(workloads) - min(workloads) if workloads else 0,
                "balance": balance(days, (problems or {}).get(rep.id)),
                "idle_s": sum(d["idle_s"] for d in days),
                "idle_s_max": max((d["idle_s"] for d in days), default=0),
                "days": days,
            }
        )

    unplaced_by_reason = Counter()
    for u in rows.unplaced:
        o = outlets_by_id[u.outlet_id]
        unplaced_by_reason[u.reason] += visits_required(o, weeks) - placed_by_outlet[o.id]
    return {
        "coverage": placed / required if required else 1.0,
        "visits_required": required,
        "visits_placed": placed,
        "visits_per_day": {
            "mean": round(mean(day_visit_counts), 2) if day_visit_counts else 0,
            "min": min(day_visit_counts, default=0),
            "max": max(day_visit_counts, default=0),
        },
        "travel_s": sum(r["travel_s"] for r in rep_kpis),
        "distance_m": sum(r["distance_m"] for r in rep_kpis),
        "workload_spread_s_max": max((r["workload_spread_s"] for r in rep_kpis), default=0),
        "idle": {
            "mean_s_per_day": round(mean(idle_per_day)) if idle_per_day else 0,
            "max_s": max(idle_per_day, default=0),
            "days_over_hour": sum(idle > 3600 for idle in idle_per_day),
        },
        "unplaced_visits": sum(unplaced_by_reason.values()),
        "unplaced_by_reason": dict(unplaced_by_reason),
        "reps": rep_kpis,
    }
