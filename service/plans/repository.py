"""Queries on plans: stored plans, their routes and visits, publishing, and the published day lists.

Master data (offices, reps, outlets) is fetched through service.master_data.repository."""

from __future__ import annotations

from sqlalchemy import Row, bindparam, update
from sqlmodel import Session, col, select

from service.core.errors import NotFound
from service.core.tables import (
    Office,
    Outlet,
    Plan,
    PlanDay,
    PlanStatus,
    PlanUnplaced,
    PlanVisit,
    Rep,
    stored_id,
    utcnow,
)


def office_plans(session: Session, office_id: int | None = None) -> list[Plan]:
    """Plans, newest first, of one office or of all."""
    statement = select(Plan).order_by(col(Plan.id).desc())
    if office_id is not None:
        statement = statement.where(Plan.office_id == office_id)
    return list(session.exec(statement))


def get_plan(session: Session, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"no plan with id {plan_id}", ("path", "plan_id"))
    return plan


def plan_days(session: Session, plan_id: int) -> list[PlanDay]:
    statement = select(PlanDay).where(PlanDay.plan_id == plan_id).order_by(col(PlanDay.rep_id), col(PlanDay.day))
    return list(session.exec(statement))


def plan_reps(session: Session, plan_id: int) -> dict[int, Rep]:
    """The reps with routes in the plan (by id), wherever they work now."""
    on_plan = select(PlanDay.rep_id).where(PlanDay.plan_id == plan_id).distinct()
    return {stored_id(r): r for r in session.exec(select(Rep).where(col(Rep.id).in_(on_plan)))}


def plan_visits(session: Session, plan_id: int) -> list[tuple[PlanVisit, Outlet]]:
    """Every visit of the plan with its outlet, in route order per rep and day."""
    statement = (
        select(PlanVisit, Outlet)
        .join(Outlet, col(Outlet.id) == PlanVisit.outlet_id)
        .where(PlanVisit.plan_id == plan_id)
        .order_by(col(PlanVisit.rep_id), col(PlanVisit.day), col(PlanVisit.seq))
    )
    return list(session.exec(statement))


def plan_unplaced(session: Session, plan_id: int) -> list[tuple[PlanUnplaced, Outlet]]:
    statement = (
        select(PlanUnplaced, Outlet)
        .join(Outlet, col(Outlet.id) == PlanUnplaced.outlet_id)
        .where(PlanUnplaced.plan_id == plan_id)
        .order_by(Outlet.code)
    )
    return list(session.exec(statement))


def published_plan(session: Session, office_id: int) -> Plan | None:
    statement = select(Plan).where(Plan.office_id == office_id, Plan.status == PlanStatus.PUBLISHED)
    return session.exec(statement).first()


def lock_office_versions(session: Session, office_id: int) -> None:
    """Serialise what changes an office's plan versions (publishes, change sets) in the database itself: the
    office's row is written first, which takes its row lock on PostgreSQL and the write lock on SQLite. Whoever
    comes second waits until the first commits, then reads what it wrote."""
    session.execute(update(Office).where(col(Office.id) == office_id).values(name=Office.name))


def publish(session: Session, plan: Plan) -> Plan:
    """Make `plan` the one its office's reps see; the office's previously published plan is superseded."""
    lock_office_versions(session, plan.office_id)
    session.refresh(plan)
    if plan.status != PlanStatus.PUBLISHED:
        # first the old one out, then the new one in: the database keeps one published plan per office
        session.execute(
            update(Plan)
            .where(col(Plan.office_id) == plan.office_id, col(Plan.status) == PlanStatus.PUBLISHED)
            .values(status=PlanStatus.SUPERSEDED)
        )
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = utcnow()
        session.add(plan)
    session.flush()
    return plan


# The day list is the most frequent request: its statements are built once (bound parameters) and its visits
# come back as plain rows, which skips building ORM objects.
_REP_DAY_CONTEXT = (
    select(Rep, Office, Plan)
    .join(Office, col(Office.id) == Rep.office_id)
    .outerjoin(Plan, (col(Plan.office_id) == Rep.office_id) & (col(Plan.status) == PlanStatus.PUBLISHED))
    .where(Rep.id == bindparam("rep_id"))
)
_REP_DAY = select(PlanDay).where(
    PlanDay.plan_id == bindparam("plan_id"), PlanDay.rep_id == bindparam("rep_id"), PlanDay.day == bindparam("day")
)
_REP_DAY_VISITS = (
    select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for up to 4 columns
        PlanVisit.seq,
        PlanVisit.arrival_s,
        PlanVisit.start_s,
        PlanVisit.departure_s,
        PlanVisit.travel_s,
        PlanVisit.distance_m,
        col(Outlet.id).label("outlet_id"),
        Outlet.code,
        Outlet.name,
        Outlet.channel,
        Outlet.address,
        Outlet.phone,
        Outlet.notes,
        Outlet.lon,
        Outlet.lat,
        Outlet.opening_hours,
    )
    .join(Outlet, col(Outlet.id) == PlanVisit.outlet_id)
    .where(
        PlanVisit.plan_id == bindparam("plan_id"),
        PlanVisit.rep_id == bindparam("rep_id"),
        PlanVisit.day == bindparam("day"),
    )
    .order_by(PlanVisit.seq)
)


def rep_day_context(session: Session, rep_id: int) -> tuple[Rep, Office, Plan | None] | None:
    """The rep, its office and the office's published plan (None when there is none); None for no rep."""
    row = session.exec(_REP_DAY_CONTEXT, params={"rep_id": rep_id}).first()
    return None if row is None else (row[0], row[1], row[2])


def rep_day(session: Session, plan_id: int, rep_id: int, day: int) -> PlanDay | None:
    return session.exec(_REP_DAY, params={"plan_id": plan_id, "rep_id": rep_id, "day": day}).first()


def rep_day_visits(session: Session, plan_id: int, rep_id: int, day: int) -> list[Row]:
    """A rep's visits of one day in route order: rows of the visit's and its outlet's columns."""
    return list(session.exec(_REP_DAY_VISITS, params={"plan_id": plan_id, "rep_id": rep_id, "day": day}))
