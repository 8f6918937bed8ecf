"""Queries on visit outcomes and the published plan's visits laid out on calendar dates (the cycle repeats from
the plan's start date)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import update
from sqlmodel import Session, col, select

from service.core.calendar import cycle_day, dates
from service.core.tables import Plan, PlanVisit, Rep, VisitOutcome, VisitReport


@dataclass(frozen=True)
class PlannedVisit:
    rep_id: int
    outlet_id: int
    on: date
    seq: int


def planned_visits(session: Session, plan: Plan, rep_ids: Iterable[int], first: date, last: date) -> list[PlannedVisit]:
    """The published plan's visits of these reps on every date of [first, last], in date and route order."""
    rep_ids = list(rep_ids)
    dates_of_day: dict[int, list[date]] = {}
    for on in dates(first, last):
        day = cycle_day(plan, on)
        if day is not None:
            dates_of_day.setdefault(day, []).append(on)
    if not rep_ids or not dates_of_day:
        return []
    rows = session.exec(
        select(PlanVisit).where(
            PlanVisit.plan_id == plan.id, col(PlanVisit.rep_id).in_(rep_ids), col(PlanVisit.day).in_(list(dates_of_day))
        )
    ).all()
    visits = [PlannedVisit(v.rep_id, v.outlet_id, on, v.seq) for v in rows for on in dates_of_day[v.day]]
    return sorted(visits, key=lambda v: (v.on, v.rep_id, v.seq))


def is_planned(session: Session, plan: Plan, rep_id: int, outlet_id: int, on: date) -> bool:
    day = cycle_day(plan, on)
    if day is None:
        return False
    statement = select(PlanVisit.id).where(
        PlanVisit.plan_id == plan.id, PlanVisit.rep_id == rep_id, PlanVisit.outlet_id == outlet_id, PlanVisit.day == day
    )
    return session.exec(statement).first() is not None


def lock_rep_outcomes(session: Session, rep_id: int) -> None:
    """Serialise a rep's reports in the database (the rep's row is written first: its row lock on PostgreSQL,
    the write lock on SQLite): a retry sent while the first is being written waits, then finds it."""
    session.execute(update(Rep).where(col(Rep.id) == rep_id).values(code=Rep.code))


def outcome(session: Session, rep_id: int, outlet_id: int, on: date) -> VisitOutcome | None:
    statement = select(VisitOutcome).where(
        VisitOutcome.rep_id == rep_id, VisitOutcome.outlet_id == outlet_id, VisitOutcome.visit_date == on
    )
    return session.exec(statement).first()


def outcomes(session: Session, rep_ids: Iterable[int], first: date, last: date) -> list[VisitOutcome]:
    rep_ids = list(rep_ids)
    if not rep_ids:
        return []
    statement = (
        select(VisitOutcome)
        .where(col(VisitOutcome.rep_id).in_(rep_ids), VisitOutcome.visit_date >= first, VisitOutcome.visit_date <= last)
        .order_by(col(VisitOutcome.visit_date), col(VisitOutcome.rep_id), col(VisitOutcome.id))
    )
    return list(session.exec(statement))


def reports(session: Session, outcome_ids: Iterable[int]) -> dict[int, list[VisitReport]]:
    """Every report of these outcomes, oldest first."""
    ids = list(outcome_ids)
    found: dict[int, list[VisitReport]] = {i: [] for i in ids}
    if ids:
        statement = select(VisitReport).where(col(VisitReport.outcome_id).in_(ids)).order_by(col(VisitReport.number))
        for report in session.exec(statement):
            found[report.outcome_id].append(report)
    return found


def report_by_client_id(session: Session, client_id: str) -> VisitReport | None:
    return session.exec(select(VisitReport).where(VisitReport.client_id == client_id)).first()
