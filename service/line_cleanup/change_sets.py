"""Line cleanup: a change set of master-data changes folded into the office's current plan version, giving a new
draft version and the diff between the two.

"Current version" of an office: its newest plan (highest id) that is draft or published. A change set must name
it as its base, or it is refused (409, with the current id). A draft base becomes superseded by the version made
from it; a published base stays what reps read until the new draft is published.

The whole change set runs in one transaction: checks, outlet and rep writes, the new plan and its rows, the
change-set row. Anything refused raises before the commit, so nothing is written. Concurrent submissions are
serialised by locking the office's plan rows (PostgreSQL); the unique index on (office, based_on_id) refuses a
second version of the same base whatever the isolation, and the unique (office, idempotency key) makes a
repeated key answer with the first result.

Folding (solver.fold) keeps every kept visit on its day and in its order; only the reps touched by the change set
are re-folded, the others' routes are copied unchanged.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from service.core.errors import Conflict, InvalidInput, NotFound
from service.core.tables import (
    ChangeSet,
    OutletStatus,
    Plan,
    PlanStatus,
    PlanVisit,
    stored_id,
    table_of,
)
from service.line_cleanup.diff import plan_diff
from service.line_cleanup.fold import fold_plan, travel_kpis
from service.line_cleanup.schemas import ChangeSetCreate, ChangeSetPublic
from service.line_cleanup.validation import check
from service.master_data import repository
from service.plans import repository as plan_repository
from service.plans.planning import office_kpis


class StalePlan(Conflict):
    """The change set's base is not the office's current plan version."""

    def __init__(self, base_id: int, current_id: int | None) -> None:
        super().__init__(
            f"plan {base_id} is not the office's current version; the current version is {current_id}",
            ("body", "base_plan_id"),
        )
        self.extra = {"current_plan_id": current_id}  # the version to base the change set on instead


def current_plan(session: Session, office_id: int) -> Plan | None:
    statement = (
        select(Plan)
        .where(Plan.office_id == office_id, col(Plan.status).in_([PlanStatus.DRAFT, PlanStatus.PUBLISHED]))
        .order_by(col(Plan.id).desc())
    )
    return session.exec(statement).first()


def get_change_set(session: Session, change_set_id: int) -> ChangeSetPublic:
    row = session.get(ChangeSet, change_set_id)
    if row is None:
        raise NotFound(f"no change set with id {change_set_id}", ("path", "change_set_id"))
    return _public(row, replayed=False)


def _public(row: ChangeSet, replayed: bool) -> ChangeSetPublic:
    return ChangeSetPublic(
        id=stored_id(row),
        office_id=row.office_id,
        idempotency_key=row.idempotency_key,
        status=row.status,
        base_plan_id=row.base_plan_id,
        result_plan_id=row.result_plan_id,
        created_by=row.created_by,
        created_at=row.created_at,
        replayed=replayed,
        request=row.request,
        diff=row.diff,
    )


def _by_key(session: Session, office_id: int, key: str) -> ChangeSet | None:
    return session.exec(
        select(ChangeSet).where(ChangeSet.office_id == office_id, ChangeSet.idempotency_key == key)
    ).first()


def replayed(session: Session, office_id: int, key: str, request: dict) -> ChangeSetPublic | None:
    """The change set already applied under this idempotency key (None if none); 409 if it asked otherwise."""
    earlier = _by_key(session, office_id, key)
    if earlier is None:
        return None
    if earlier.request != request:
        raise Conflict(
            f"idempotency key {key!r} was used for a different change set ({earlier.id})", ("body", "idempotency_key")
        )
    return _public(earlier, replayed=True)


def base_plan(session: Session, plan_id: int) -> Plan:
    base = session.get(Plan, plan_id)
    if base is None:
        raise InvalidInput(f"plan {plan_id} does not exist", ("body", "base_plan_id"))
    return base


def submit(
    session: Session,
    body: ChangeSetCreate,
    request: dict | None = None,
    planned: dict[int, dict[int, list[int]]] | None = None,
) -> ChangeSetPublic:
    """Apply the change set (staged in `session`; the caller commits), or answer a repeated idempotency key.
    `request` is what the key is checked against and stored (default: the body); `planned` gives reps' routes to
    keep instead of the base's (line_cleanup.fold.fold_plan), these reps counted as touched."""
    base = base_plan(session, body.base_plan_id)
    request = request or body.model_dump(mode="json")
    # Serialise change sets and publishes of one office: a second one waits here, then reads the versions and
    # the base's status as the first left them (a base published meanwhile stays published).
    plan_repository.lock_office_versions(session, base.office_id)
    session.refresh(base)
    earlier = replayed(session, base.office_id, body.idempotency_key, request)
    if earlier is not None:
        return earlier
    current = current_plan(session, base.office_id)
    if current is None or current.id != base.id:
        raise StalePlan(body.base_plan_id, current.id if current else None)

    office = repository.office(session, base.office_id)
    assert office is not None  # the plan's office (a foreign key)
    edits = check(session, office, body)
    new_plan = Plan(
        office_id=base.office_id,
        start_date=base.start_date,
        weeks=base.weeks,
        status=PlanStatus.DRAFT,
        based_on_id=base.id,
        created_by=body.created_by,
        time_limit_s=base.time_limit_s,
    )
    edits.apply(session)  # outlets and reps as changed; new outlets get their ids
    edits.touched_reps |= set(planned or {})
    session.add(new_plan)
    session.flush()

    base_visits = list(session.execute(table_of(PlanVisit).select().where(col(PlanVisit.plan_id) == base.id)))
    rows, unplaced_new, folded_travel = fold_plan(
        session, office, base, new_plan, edits, body.change_budget, base_visits, planned
    )
    reps = [r for r in edits.reps.values() if r.active]
    active = [o for o in edits.outlets if o.status == OutletStatus.ACTIVE]
    touched_codes = {edits.reps[rep_id].code for rep_id in edits.touched_reps}
    travel = travel_kpis(base.kpis.get("travel", {}), touched_codes, folded_travel)
    new_plan.kpis = office_kpis(reps, active, base.weeks, rows) | {"travel": travel}
    if base.status == PlanStatus.DRAFT:
        base.status = PlanStatus.SUPERSEDED
        session.add(base)
    change_set = ChangeSet(
        office_id=base.office_id,
        idempotency_key=body.idempotency_key,
        base_plan_id=body.base_plan_id,
        result_plan_id=stored_id(new_plan),
        created_by=body.created_by,
        request=request,
    )
    change_set.diff = plan_diff(edits, base, new_plan, base_visits, rows) | {
        "unplaced": unplaced_new,
        "warnings": edits.warnings,
        "changes": edits.summary(),
    }
    session.add(change_set)
    session.flush()
    new_plan.change_set_id = change_set.id
    session.add(new_plan)
    session.flush()
    return _public(change_set, replayed=False)
