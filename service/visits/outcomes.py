"""Visit outcomes: a rep's reports, idempotent per rep, outlet and date, with corrections kept.

A report for a visit the published plan does not have is accepted and flagged "unplanned" (a rep may swap a
day or drop in on a neighbour's outlet; the supervisor sees it at the evening review). Dates after today in the
office's time zone are refused; late reports (after the visit's day) are accepted and flagged "late".

A report may carry the phone's id for it (`client_id`): the phone's offline queue resends a report until it hears
back, so a report whose id is known is answered with its outcome as it stands ("unchanged") and changes nothing.
The phone's position, when given, is kept with the outcome; farther than FAR_FROM_OUTLET_M from the outlet, the
outcome is flagged "far_from_outlet" for the evening review.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from geo.sphere import great_circle_m
from service.core.calendar import office_today
from service.core.errors import ErrorDetail, InvalidInput
from service.core.tables import Office, Outlet, Rep, VisitOutcome, VisitReport, as_utc, stored_id, utcnow
from service.master_data import repository
from service.master_data import writes as master_data
from service.plans import repository as plan_repository
from service.visits import repository as visit_repository
from service.visits.schemas import VISITED, VisitOutcomePublic, VisitReportCreate, VisitReportPublic

FAR_FROM_OUTLET_M = 300.0  # a GPS fix in a city street is good to ~50 m; 300 m is another block, not noise


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
    if (data.lat is None) != (data.lon is None):
        problems.append(
            ErrorDetail(("body", "lon" if data.lon is None else "lat"), "give lat and lon together", "value_error")
        )
    if data.recorded_at is not None and data.recorded_at.tzinfo is None:
        problems.append(
            ErrorDetail(("body", "recorded_at"), "needs its UTC offset (2026-12-04T09:41:00+08:00)", "value_error")
        )
    if problems:
        raise InvalidInput("invalid visit report", details=problems)


def _record_position(outcome: VisitOutcome, outlet: Outlet, data: VisitReportCreate, now: datetime) -> None:
    """The latest report's time on the phone and the phone's position, with its distance to the outlet."""
    outcome.recorded_at = as_utc(data.recorded_at or now)
    outcome.lat, outcome.lon, outcome.accuracy_m = data.lat, data.lon, data.accuracy_m
    if data.lat is None or data.lon is None:
        outcome.distance_m, outcome.far_from_outlet = None, False
        return
    outcome.distance_m = round(float(great_circle_m(outlet.lon, outlet.lat, data.lon, data.lat)), 1)
    outcome.far_from_outlet = outcome.distance_m > FAR_FROM_OUTLET_M


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
            ("far_from_outlet", outcome.far_from_outlet),
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
        recorded_at=as_utc(outcome.recorded_at) if outcome.recorded_at else None,
        lat=outcome.lat,
        lon=outcome.lon,
        accuracy_m=outcome.accuracy_m,
        distance_m=outcome.distance_m,
        far_from_outlet=outcome.far_from_outlet,
        reports=[
            VisitReportPublic(
                number=r.number,
                visited=r.status == VISITED,
                reason=None if r.status == VISITED else r.status,
                order_taken=r.order_taken,
                reported_at=r.reported_at,
                client_id=r.client_id,
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
    if data.client_id is not None and (seen := visit_repository.report_by_client_id(session, data.client_id)):
        return _resent(session, seen, data, rep, outlet, office)
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
        _record_position(outcome, outlet, data, now)
        session.add(outcome)
        session.flush()
        session.add(
            VisitReport(
                outcome_id=stored_id(outcome),
                number=outcome.reports,
                status=data.status,
                order_taken=data.order_taken,
                reported_at=now,
                client_id=data.client_id,
            )
        )
        session.flush()
    outcome_id = stored_id(outcome)
    reports = visit_repository.reports(session, [outcome_id])[outcome_id]
    return outcome_public(outcome, rep, outlet, office, reports, result)


def _resent(
    session: Session, seen: VisitReport, data: VisitReportCreate, rep: Rep, outlet: Outlet, office: Office
) -> VisitOutcomePublic:
    """A report sent again with its `client_id`: its outcome as it stands now (a later report may have corrected
    it: an old retry must not undo that)."""
    outcome = session.get(VisitOutcome, seen.outcome_id)
    assert outcome is not None  # the report's outcome (a foreign key)
    if (outcome.rep_id, outcome.outlet_id, outcome.visit_date) != (data.rep_id, stored_id(outlet), data.date):
        raise InvalidInput(f"{data.client_id} is the id of a report of another visit", ("body", "client_id"))
    reports = visit_repository.reports(session, [stored_id(outcome)])[stored_id(outcome)]
    return outcome_public(outcome, rep, outlet, office, reports, "unchanged")


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
