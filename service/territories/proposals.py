"""Territory proposals and rep-count studies: the office read and turned into the solver's territory problem (no
session stays open while it is searched), the answer turned into what is stored and shown.

A proposal's result keeps, besides what GET shows, each rep's planned cycle (`routes`: rep key -> [[day, [outlet
ids in visiting order]], ...]): applying the proposal keeps these routes (service/territories/apply.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from shapely.geometry import mapping
from sqlalchemy import Engine
from sqlmodel import Session

from service.core.tables import Office, Outlet, OutletStatus, Plan, Rep, TerritoryProposal, stored_id
from service.line_cleanup.change_sets import current_plan
from service.master_data import repository
from service.territories import shapes
from service.territories.problem import OfficeTerritories, office_territories
from service.territories.requests import (
    NEW_REP_PREFIX,
    ProposalRequest,
    RepCountRequest,
    check_proposal,
    check_rep_count,
    proposal_reps,
)
from solver.patterns import CYCLE_WEEKS
from solver.territory import (
    CyclePlanner,
    RepCountAnswer,
    TerritoryAnswer,
    TerritoryOptions,
    TerritoryOutlet,
    propose,
    rep_counts,
)

# Per rep's cycle, from the search's time limit: while the search tries territories, and for the planned cycles a
# proposal reports (100 s: 2 s and 10 s, which lets 8 reps x 180 outlets finish on two cores).
EVAL_SHARE, EVAL_RANGE_S = 1 / 50, (0.1, 2.0)
FINAL_SHARE, FINAL_RANGE_S = 1 / 10, (0.3, 10.0)


@dataclass(frozen=True)
class PreparedTerritories:
    """The office as read for a territory job, and its territory problem."""

    office: Office
    territories: OfficeTerritories
    rep_keys: list[str]  # per rep of the problem: its code, or NEW-k
    leaving: list[str]  # active reps the proposal leaves out
    base_plan: Plan | None  # the office's current plan version


def _read(engine: Engine, office_id: int) -> tuple[Office, list[Rep], list[Outlet], Plan | None]:
    with Session(engine) as session:
        office = repository.office(session, office_id)
        assert office is not None  # checked when the job was made; offices are never deleted
        reps = list(repository.reps(session, office_id, active=True))
        outlets = list(repository.outlets(session, office_id, status=OutletStatus.ACTIVE))
        return office, reps, outlets, current_plan(session, office_id)


def prepare_proposal(engine: Engine, request: ProposalRequest) -> PreparedTerritories:
    with Session(engine) as session:
        check_proposal(session, request)  # again: the office may have changed since the job was made
        chosen = proposal_reps(session, request)
    office, active, outlets, base = _read(engine, request.office_id)
    built = office_territories(office, chosen, outlets, base.weeks if base else CYCLE_WEEKS, request.engine_choice)
    keys = [r.code for r in chosen] + [f"{NEW_REP_PREFIX}{k + 1}" for k in range(request.new_reps)]
    index = {key: k for k, key in enumerate(keys)}
    locks = dict(request.locked)

    def locked(o: TerritoryOutlet, outlet: Outlet) -> TerritoryOutlet:
        if outlet.code not in locks:
            return o
        rep_code = locks[outlet.code]
        return replace(o, rep=o.rep if rep_code is None else index[rep_code], locked=True)

    problem = replace(
        built.problem,
        reps=built.problem.reps + (built.new_rep,) * request.new_reps,
        outlets=tuple(locked(o, outlet) for o, outlet in zip(built.problem.outlets, outlets, strict=True)),
    )
    chosen_codes = set(keys)
    return PreparedTerritories(
        office=office,
        territories=replace(built, problem=problem),
        rep_keys=keys,
        leaving=[r.code for r in active if r.code not in chosen_codes],
        base_plan=base,
    )


def prepare_rep_count(engine: Engine, request: RepCountRequest) -> PreparedTerritories:
    with Session(engine) as session:
        check_rep_count(session, request)
    office, active, outlets, base = _read(engine, request.office_id)
    built = office_territories(office, active, outlets, base.weeks if base else CYCLE_WEEKS, request.engine_choice)
    return PreparedTerritories(office, built, [r.code for r in active], [], base)


def options_of(time_limit_s: float, **options: Any) -> TerritoryOptions:
    return TerritoryOptions(
        time_limit_s=time_limit_s,
        eval_time_limit_s=float(np.clip(time_limit_s * EVAL_SHARE, *EVAL_RANGE_S)),
        final_time_limit_s=float(np.clip(time_limit_s * FINAL_SHARE, *FINAL_RANGE_S)),
        **options,
    )


def search_proposal(prepared: PreparedTerritories, request: ProposalRequest, planner: CyclePlanner) -> TerritoryAnswer:
    options = options_of(
        request.time_limit_s,
        keep_share=request.keep_share,
        balance_tolerance=request.balance_tolerance,
        fewest_moves=request.fewest_moves,
    )
    return propose(prepared.territories.problem, options, planner)


def search_rep_counts(prepared: PreparedTerritories, request: RepCountRequest, planner: CyclePlanner) -> RepCountAnswer:
    options = options_of(
        request.time_limit_s, keep_share=request.keep_share, balance_tolerance=request.balance_tolerance
    )
    counts = range(request.min_reps, request.max_reps + 1)
    return rep_counts(prepared.territories.problem, counts, prepared.territories.new_rep, options, planner)


def _ratio(answer: TerritoryAnswer) -> float | None:
    ratio = answer.workload_ratio
    return round(ratio, 4) if ratio != float("inf") else None


def proposal_result(prepared: PreparedTerritories, answer: TerritoryAnswer, options: dict) -> dict:
    """What a proposal shows (schemas.ProposalPublic less the ids) and the routes that applying it keeps."""
    built = prepared.territories
    problem, outlets, keys = built.problem, built.outlets, prepared.rep_keys
    rep_id = {k: stored_id(r) for k, r in enumerate(built.reps)}
    now = [o.rep_id for o in outlets]
    moves, reps, unplaced, routes, points = [], [], [], {}, {}
    for k, key in enumerate(keys):
        mine = answer.outlets_of(k)
        gained = [outlets[i].code for i in mine if now[i] is None or now[i] != rep_id.get(k)]
        lost = sum(1 for i, r in enumerate(now) if r is not None and r == rep_id.get(k) and answer.rep_of[i] != k)
        load, solution = answer.loads[k], answer.solutions[k]
        if gained:
            moves.append({"to_rep_code": key, "outlet_codes": gained})
        reps.append(
            {
                "rep_code": key,
                "rep_id": rep_id.get(k),
                "new": k not in rep_id,
                "outlets": load.outlets,
                "outlets_gained": len(gained),
                "outlets_lost": lost,
                "visits_required": load.visits_required,
                "visits_placed": load.visits_placed,
                "workload_s": load.workload_s,
                "travel_s": load.travel_s,
                "capacity_s": load.capacity_s,
            }
        )
        unplaced += [
            {"outlet_code": outlets[mine[u.client]].code, "rep_code": key, "reason": u.reason.value}
            for u in solution.unplaced
        ]
        routes[key] = [
            [problem.reps[k].vehicles[route.vehicle].day, [stored_id(outlets[mine[s.client]]) for s in route.stops]]
            for route in solution.routes
        ]
        points[key] = [(outlets[i].lon, outlets[i].lat) for i in mine]
    base = prepared.base_plan
    before = None
    if base is not None:
        before = {
            "plan_id": stored_id(base),
            "coverage": base.kpis.get("coverage"),
            "travel_s": base.kpis.get("travel_s"),
            "unplaced_visits": base.kpis.get("unplaced_visits"),
        }
    territories = shapes.partition(points)
    # kept as the coordinator sees it: an outlet locked to another rep moves
    with_rep = sum(1 for r in now if r is not None)
    kept = sum(1 for i, r in enumerate(now) if r is not None and r == rep_id.get(answer.rep_of[i]))
    return {
        "options": options,
        "all_placed": answer.all_placed,
        "visits_required": sum(r["visits_required"] for r in reps),
        "visits_placed": sum(r["visits_placed"] for r in reps),
        "workload_ratio": _ratio(answer),
        "keep_share": round(kept / with_rep, 4) if with_rep else 1.0,
        "outlets_kept": kept,
        "outlets_moved": sum(len(m["outlet_codes"]) for m in moves),
        "travel_s": sum(r["travel_s"] for r in reps),
        "reps": reps,
        "reps_leaving": prepared.leaving,
        "moves": moves,
        "unplaced": unplaced,
        "before": before,
        "territories": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"rep_code": key}, "geometry": mapping(shape)}
                for key, shape in territories.items()
            ],
        },
        "runtime_s": round(answer.runtime_s, 1),
        "cycles_planned": answer.cycles_planned,
        "routes": routes,
    }


def rep_count_result(prepared: PreparedTerritories, answer: RepCountAnswer, options: dict) -> dict:
    rows = []
    for row in answer.rows:
        new = 0
        codes = []
        for r in row.reps:
            if r is None:
                new += 1
                codes.append(f"{NEW_REP_PREFIX}{new}")
            else:
                codes.append(prepared.rep_keys[r])
        workloads = [load.workload_s for load in row.answer.loads]
        rows.append(
            {
                "reps": len(row.reps),
                "rep_codes": codes,
                "all_placed": row.answer.all_placed,
                "visits_required": sum(load.visits_required for load in row.answer.loads),
                "visits_placed": sum(load.visits_placed for load in row.answer.loads),
                "workload_ratio": _ratio(row.answer),
                "workload_min_s": min(workloads),
                "workload_max_s": max(workloads),
                "travel_s": sum(load.travel_s for load in row.answer.loads),
                "proposal_request": {
                    "rep_codes": [c for c in codes if not c.startswith(NEW_REP_PREFIX)],
                    "new_reps": new,
                    "keep_share": options["keep_share"],
                    "balance_tolerance": options["balance_tolerance"],
                },
            }
        )
    smallest = answer.smallest
    return {"options": options, "smallest_reps": len(smallest.reps) if smallest else None, "rows": rows}


def store(session: Session, job_id: int, kind: str, prepared: PreparedTerritories, result: dict) -> TerritoryProposal:
    row = TerritoryProposal(
        job_id=job_id,
        office_id=stored_id(prepared.office),
        kind=kind,
        base_plan_id=stored_id(prepared.base_plan) if prepared.base_plan else None,
        result=result,
    )
    session.add(row)
    session.flush()
    return row
