"""Visit outcomes: a rep's reports, idempotent per rep, outlet and date, with corrections kept.

A report for a visit the published plan does not have is accepted and flagged "unplanned" (a rep may swap a
day or drop in on a neighbour's outlet; the supervisor sees it at the evening review). Dates after today in the
office's time zone are refused; late reports (after the visit's day) are accepted and flagged "late".
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from service.core.errors import ErrorDetail, InvalidInput
from service.core.tables import Office, Outlet, Rep, VisitOutcome, VisitReport, stored_id, utcnow
from service.master_data import repository
from service.master_data import writes as master_data
from service.plans import repository as plan_repository
from service.visits import repository as visit_repository
from service.visits.schemas import VISITED, VisitOutcomePublic, VisitReportCreate, VisitReportPublic


def office_today(office: Office, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(office.timezone)).date()


def _check_fields(data: VisitReportCreate) -> None:
    problems = []
    if data.visited and data.reason is not None:
        problems.append(ErrorDetail(("body", "reason"), "only given when visited is false", "value_error"))
    if not data.visited and data.reason is None:
        problems.append(
            ErrorDetail(
                ("body", "reason"), "required when visited is false: closed, owner_absent or skipped", "value_error"
            )
        )
    if not data.visited and data.order_taken:
        problems.append(
            ErrorDetail(
                ("body", "order_taken"),
                "an order can only be taken on a visit that happened (visited: true)",
                "value_error",
            )
        )
    if problems:
        raise InvalidInput("invalid visit report", details=problems)


def outcome_public(
    outcome: VisitOutcome,
    rep: Rep,
    outlet: Outlet,
    office: Office,
    reports: list[VisitReport],
    result: str | None = None,
) -> VisitOutcomePublic:
    local_day = outcome.first_reported_at.astimezone(ZoneInfo(office.timezone)).date()
    flags = [
        flag
        for flag, on in (
            ("unplanned", not outcome.planned),
            ("late", local_day > outcome.visit_date),
            ("corrected", outcome.reports > 1),
        )
        if on
    ]
    return VisitOutcomePublic(
        id=stored_id(outcome),
        rep_id=outcome.rep_id,
        rep_code=rep.code,
        outlet_id=outcome.outlet_id,
        outlet_code=outlet.code,
        date=outcome.visit_date,
        visited=outcome.status == VISITED,
        reason=None if outcome.status == VISITED else outcome.status,
        order_taken=outcome.order_taken,
        planned=outcome.planned,
        flags=flags,
        result=result,
        first_reported_at=outcome.first_reported_at,
        reported_at=outcome.reported_at,
        reports=[
            VisitReportPublic(
                number=r.number,
                visited=r.status == VISITED,
                reason=None if r.status == VISITED else r.status,
                order_taken=r.order_taken,
                reported_at=r.reported_at,
            )
            for r in reports
        ],
    )


def report_visit(session: Session, data: VisitReportCreate, now: datetime | None = None) -> VisitOutcomePublic:
    """Record, confirm (no change) or correct the outcome of a rep's visit; `result` says which."""
    _check_fields(data)
    now = now or utcnow()
    rep = master_data.require_rep(session, data.rep_id, ("body", "rep_id"))
    outlet = repository.outlet_by_code(session, data.outlet_code)
    if outlet is None:
        raise InvalidInput(f"outlet {data.outlet_code} does not exist", ("body", "outlet_code"))
    if outlet.office_id != rep.office_id:
        raise InvalidInput(
            f"outlet {outlet.code} belongs to another office than rep {rep.code}", ("body", "outlet_code")
        )
    office = repository.office(session, rep.office_id)
    assert office is not None  # the rep's office (a foreign key)
    today = office_today(office, now)
    if data.date > today:
        raise InvalidInput(
            f"{data.date.isoformat()} is in the future (today is {today.isoformat()} in {office.timezone})",
            ("body", "date"),
        )

    # read before the rep's lock, which on SQLite is the database's one write lock: hold it briefly
    plan = plan_repository.published_plan(session, rep.office_id)
    rep_id, outlet_id = data.rep_id, stored_id(outlet)
    planned = plan is not None and visit_repository.is_planned(session, plan, rep_id, outlet_id, data.date)
    visit_repository.lock_rep_outcomes(session, rep_id)
    outcome = visit_repository.outcome(session, rep_id, outlet_id, data.date)
    if outcome is None:
        outcome = VisitOutcome(
            office_id=rep.office_id,
            rep_id=rep_id,
            outlet_id=outlet_id,
            visit_date=data.date,
            plan_id=plan.id if plan else None,
            planned=planned,
            status=data.status,
            order_taken=data.order_taken,
            reports=1,
            first_reported_at=now,
            reported_at=now,
        )
        result = "recorded"
    elif (outcome.status, outcome.order_taken) == (data.status, data.order_taken):
        result = "unchanged"
    else:
        outcome.status, outcome.order_taken = data.status, data.order_taken
        outcome.reports += 1
        outcome.reported_at = now
        result = "corrected"
    if result != "unchanged":
        session.add(outcome)
        session.flush()
        session.add(
            VisitReport(
                outcome_id=stored_id(outcome),
                number=outcome.reports,
                status=data.status,
                order_taken=data.order_taken,
                reported_at=now,
            )
        )
        session.flush()
    outcome_id = stored_id(outcome)
    reports = visit_repository.reports(session, [outcome_id])[outcome_id]
    return outcome_public(outcome, rep, outlet, office, reports, result)


def list_outcomes(session: Session, rep_id: int, first: date, last: date) -> list[VisitOutcomePublic]:
    """A rep's outcomes over a date range, with every report."""
    rep = master_data.require_rep(session, rep_id, ("query", "rep_id"))
    if last < first:
        raise InvalidInput(f"ends ({last.isoformat()}) before from ({first.isoformat()})", ("query", "to"))
    office = repository.office(session, rep.office_id)
    assert office is not None  # the rep's office (a foreign key)
    found = visit_repository.outcomes(session, [rep_id], first, last)
    reports = visit_repository.reports(session, [stored_id(o) for o in found])
    outlets = repository.outlets_by_id(session, (o.outlet_id for o in found))
    return [outcome_public(o, rep, outlets[o.outlet_id], office, reports[stored_id(o)]) for o in found]
