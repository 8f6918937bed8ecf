"""Plan an office: every active rep's cycle solved in parallel processes, stored as one draft plan.

No database session stays open while the solver runs: the rows are read, the session is closed, the reps are
solved, and the plan is written in one transaction afterwards.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import mean

from sqlalchemy import Engine
from sqlmodel import Session

from service.core.calendar import check_cycle
from service.core.errors import InvalidInput, NotFound
from service.core.tables import Office, Outlet, OutletStatus, Plan, PlanStatus, Rep, stored_id
from service.master_data import repository
from service.plans.balance import DayKpis, balance
from service.plans.convert import (
    PlanRows,
    RepProblem,
    rep_vehicles,
    solution_rows,
    unassigned_rows,
    visits_required,
)
from service.plans.rep_problem import RepProblems, rep_problems
from service.plans.travel import EngineChoice
from service.solving.rep_solvers import ProcessPoolSolver
from solver.model import Problem, Solution, SolveParams
from solver.patterns import CYCLE_WEEKS

DEFAULT_TIME_LIMIT_S = 15.0  # per rep: 8 reps on 2 cores plan in about a minute


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
    built: RepProblems  # the reps' problems, the outlets no road reaches, the travel KPIs

    @property
    def problems(self) -> list[RepProblem]:
        return self.built.problems


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
    reps_by_id = {stored_id(r): r for r in reps}
    outlets_by_rep: dict[int, list[Outlet]] = defaultdict(list)
    for o in outlets:
        if o.rep_id is not None and o.rep_id in reps_by_id and reps_by_id[o.rep_id].active:
            outlets_by_rep[o.rep_id].append(o)
    reps_outlets = [(reps_by_id[rep_id], rep_outlets) for rep_id, rep_outlets in outlets_by_rep.items()]
    built = rep_problems(office, reps_outlets, request.weeks, request.engine_choice)
    return PreparedPlan(request, office, reps, outlets, built)


def add_plan(
    session: Session, prepared: PreparedPlan, answers: list[tuple[Solution, int]], solve_wall_s: float
) -> Plan:
    """Add the draft plan of the solved reps (a RepSolver's answers) to the session (flushed, not committed: the
    caller decides)."""
    solutions = [solution for solution, _ in answers]
    worker_peak_kib = max((peak_kib for _, peak_kib in answers), default=0)
    request = prepared.request
    reps_by_id = {stored_id(r): r for r in prepared.reps}
    plan = Plan(
        office_id=request.office_id,
        start_date=request.start_date,
        weeks=request.weeks,
        status=PlanStatus.DRAFT,
        created_by=request.created_by,
        time_limit_s=request.time_limit_s,
    )
    session.add(plan)
    session.flush()
    plan_id = stored_id(plan)
    rows = PlanRows(days=[], visits=[], unplaced=unassigned_rows(plan_id, prepared.outlets, reps_by_id))
    rows.unplaced += [lost.row(plan_id) for lost in prepared.built.lost]
    for problem, solution in zip(prepared.problems, solutions, strict=True):
        rep_rows = solution_rows(plan_id, problem, solution)
        rows.days += rep_rows.days
        rows.visits += rep_rows.visits
        rows.unplaced += rep_rows.unplaced
    session.add_all([*rows.days, *rows.visits, *rows.unplaced])
    problems = {p.rep_id: p.problem for p in prepared.problems}
    plan.kpis = office_kpis(prepared.reps, prepared.outlets, request.weeks, rows, problems) | {
        "solve_wall_s": round(solve_wall_s, 1),
        "solver_peak_rss_mb": round(worker_peak_kib / 1024, 1),
        "travel": prepared.built.travel,
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
    runs plans as jobs on Dask, service/jobs/plan_job.py); stores a draft plan and returns its id.

    Travel times come from each rep's travel engine (service/plans/travel.py); an engine that fails raises
    EngineUnavailable and an outlet outside its map InvalidInput before anything is stored."""
    prepared = prepare_plan(engine, PlanRequest(office_id, start_date, weeks, time_limit_s, created_by, engine_choice))
    started = time.perf_counter()
    answers = ProcessPoolSolver().solve([p.problem for p in prepared.problems], SolveParams(time_limit_s=time_limit_s))
    solve_wall_s = time.perf_counter() - started
    with Session(engine) as session:
        plan = add_plan(session, prepared, answers, solve_wall_s)
        session.commit()
        return stored_id(plan)


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
    outlets_by_id = {stored_id(o): o for o in outlets}
    required_by_rep: Counter[int | None] = Counter()  # None: outlets without a rep
    for o in outlets:
        required_by_rep[o.rep_id] += visits_required(o, weeks)

    rep_kpis = []
    spreads = []
    day_visit_counts = []
    idle_per_day = []  # of the days with visits
    for rep in sorted((r for r in reps if r.active), key=lambda r: r.code):
        rep_id = stored_id(rep)
        days: list[DayKpis] = []
        for vehicle in rep_vehicles(rep, weeks):
            route = days_by_rep_day.get((rep_id, vehicle.day))
            travel_s = route.travel_s if route else 0
            service_s = route.service_s if route else 0
            visits = visits_by_rep_day[(rep_id, vehicle.day)]
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
        spread = max(workloads) - min(workloads) if workloads else 0
        spreads.append(spread)
        rep_kpis.append(
            {
                "rep_id": rep_id,
                "rep_code": rep.code,
                "visits_required": required_by_rep[rep_id],
                "visits_placed": sum(d["visits"] for d in days),
                "travel_s": sum(d["travel_s"] for d in days),
                "distance_m": sum(d["distance_m"] for d in days),
                "workload_spread_s": spread,
                "balance": balance(days, (problems or {}).get(rep_id)),
                "idle_s": sum(d["idle_s"] for d in days),
                "idle_s_max": max((d["idle_s"] for d in days), default=0),
                "days": days,
            }
        )

    unplaced_by_reason: Counter[str] = Counter()
    for u in rows.unplaced:
        o = outlets_by_id[u.outlet_id]
        unplaced_by_reason[u.reason] += visits_required(o, weeks) - placed_by_outlet[u.outlet_id]
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
        "workload_spread_s_max": max(spreads, default=0),
        "idle": {
            "mean_s_per_day": round(mean(idle_per_day)) if idle_per_day else 0,
            "max_s": max(idle_per_day, default=0),
            "days_over_hour": sum(idle > 3600 for idle in idle_per_day),
        },
        "unplaced_visits": sum(unplaced_by_reason.values()),
        "unplaced_by_reason": dict(unplaced_by_reason),
        "reps": rep_kpis,
    }
