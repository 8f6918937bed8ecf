"""The new version's rows: untouched reps' routes copied from the base inside the database, touched reps
folded (solver.fold keeps every kept visit on its day and in its order)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import insert, literal
from sqlmodel import Session, col, select

from service.core.tables import (
    Office,
    OutletStatus,
    Plan,
    PlanDay,
    PlanUnplaced,
    PlanVisit,
    UnplacedReason,
    stored_id,
    table_of,
)
from service.line_cleanup.edits import Edits
from service.plans import repository as plan_repository
from service.plans.convert import PlanRows, solution_rows
from service.plans.rep_problem import rep_problems
from solver.fold import FoldInput, fold


def fold_plan(
    session: Session,
    office: Office,
    base: Plan,
    plan: Plan,
    edits: Edits,
    change_budget: int | None,
    base_visits: list,
    planned: dict[int, dict[int, list[int]]] | None = None,
) -> tuple[PlanRows, list[dict], dict]:
    """Write the new version's rows: untouched reps copied from the base (in the database), touched reps folded.
    `planned` gives some touched reps' routes to keep instead of the base's (rep id -> day -> outlet ids in order: a
    territory proposal's planned cycles), their moved outlets kept on them rather than inserted again.
    Returns the rows (the copied visits as the base's rows, for KPIs and the diff), the outlets the fold could
    not place with their reasons, and the folded reps' travel KPIs."""
    rows = PlanRows(days=[], visits=[], unplaced=[])
    touched = edits.touched_reps
    base_id, plan_id = stored_id(base), stored_id(plan)
    for table in (PlanDay, PlanVisit):
        _copy_routes(session, table, base_id, plan_id, touched)
    rows.days += [d for d in plan_repository.plan_days(session, base_id) if d.rep_id not in touched]
    rows.visits += [v for v in base_visits if v.rep_id not in touched]
    for u, outlet in plan_repository.plan_unplaced(session, base_id):
        if (
            u.rep_id if u.rep_id is not None else outlet.rep_id
        ) not in touched and outlet.status == OutletStatus.ACTIVE:
            rows.unplaced.append(PlanUnplaced(**u.model_dump(exclude={"id", "plan_id"}), plan_id=plan_id))

    kept_days: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))  # rep -> day -> outlet ids
    for v in sorted(base_visits, key=lambda v: (v.rep_id, v.day, v.seq)):
        kept_days[v.rep_id][v.day].append(v.outlet_id)
    unplaced_new: list[dict] = []
    folded = PlanRows(days=[], visits=[], unplaced=[])
    outlets_by_id = {o.id: o for o in edits.outlets}
    folding = [edits.reps[rep_id] for rep_id in sorted(touched) if edits.reps[rep_id].active]
    built = rep_problems(
        office,
        [
            (
                rep,
                sorted(
                    (o for o in edits.outlets if o.rep_id == rep.id and o.status == OutletStatus.ACTIVE),
                    key=lambda o: o.code,
                ),
            )
            for rep in folding
        ],
        base.weeks,
    )
    for lost in built.lost:
        folded.unplaced.append(lost.row(plan_id))
        unplaced_new.append(
            {
                "outlet_code": outlets_by_id[lost.outlet_id].code,
                "rep_code": edits.reps[lost.rep_id].code,
                "reason": UnplacedReason.UNREACHABLE.value,
                "detail": lost.detail,
            }
        )
    for rep, problem in zip(folding, built.problems, strict=True):
        index = {outlet_id: i for i, outlet_id in enumerate(problem.outlet_ids)}
        given = (planned or {}).get(problem.rep_id)
        refold = set() if given is not None else edits.refold
        keep = lambda outlet_id: outlet_id in index and outlet_id not in refold  # noqa: E731, B023 (used at once)
        days = given if given is not None else kept_days[problem.rep_id]
        routes = tuple(tuple(index[o] for o in days.get(v.day, []) if keep(o)) for v in problem.problem.vehicles)
        on_routes = {c for seq in routes for c in seq}
        new_clients = tuple(c for c in range(len(problem.outlet_ids)) if c not in on_routes)
        result = fold(FoldInput(problem.problem, routes, new_clients, change_budget))
        rep_rows = solution_rows(plan_id, problem, result.solution)
        folded.days += rep_rows.days
        folded.visits += rep_rows.visits
        folded.unplaced += rep_rows.unplaced
        unplaced_new += [
            {
                "outlet_code": outlets_by_id[problem.outlet_ids[u.client]].code,
                "rep_code": rep.code,
                "reason": u.reason.value,
                "detail": u.detail,
            }
            for u in result.solution.unplaced
        ]
    session.add_all([*rows.days, *rows.unplaced, *folded.days, *folded.unplaced])
    session.execute(insert(PlanVisit), [v.model_dump(exclude={"id"}) for v in folded.visits])
    rows.days += folded.days
    rows.visits += folded.visits
    rows.unplaced += folded.unplaced
    return rows, unplaced_new, built.travel


def travel_kpis(base: dict, touched_codes: set[str], folded: dict) -> dict:
    """The base version's travel KPIs with the folded reps' entries measured afresh (a rep that left has none)."""
    engines = {code: e for code, e in base.get("engines", {}).items() if code not in touched_codes}
    merged = {"engines": engines | folded["engines"]}
    for key in ("unreachable", "far_from_road"):
        merged[key] = [e for e in base.get(key, []) if e["rep_code"] not in touched_codes] + folded[key]
    return merged


def _copy_routes(
    session: Session, table: type[PlanDay] | type[PlanVisit], base_id: int, plan_id: int, touched: set[int]
) -> None:
    """Copy the untouched reps' rows of the base version into the new one, inside the database."""
    columns = [c.name for c in table_of(table).columns if c.name not in ("id", "plan_id")]
    # sqlmodel's select() is typed for a few columns named one by one, not for a list
    rows = select(*[getattr(table, c) for c in columns], literal(plan_id)).where(  # type: ignore[call-overload]
        table.plan_id == base_id, col(table.rep_id).not_in(touched or {-1})
    )
    session.execute(insert(table).from_select([*columns, "plan_id"], rows))
