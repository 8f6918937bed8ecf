"""Visit outcomes and the sales standard's KPIs: POST /visits, GET /visits, GET /kpis."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlmodel import Session

from service.access import policy
from service.access.auth import Principal
from service.access.policy import KPIS, VISITS
from service.access.sign_in import PhonePrincipalDep
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput
from service.core.fields import RepId, SupervisorFilter
from service.core.tables import Rep
from service.visits import kpis
from service.visits import outcomes as visits
from service.visits.access import checked_query
from service.visits.schemas import KpiReport, VisitOutcomePublic, VisitReportCreate

router = APIRouter(route_class=CommittingRoute, tags=["visits"])


@router.post(
    "/visits", summary="Report a visit", response_model=VisitOutcomePublic, status_code=status.HTTP_201_CREATED
)
def report_visit(
    data: VisitReportCreate,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(VISITS)],
) -> VisitOutcomePublic:
    """A rep's report of one visit: 201 when recorded, 200 when it repeats the stored report ("unchanged") or
    corrects it ("corrected"; every report is kept, the latest counts). A rep reports its own visits, a
    supervisor its team's."""
    return _report(session, data, response, principal)


def _phone_on_rep(rep_id: RepId, session: SessionDep, principal: PhonePrincipalDep) -> Principal:
    """The phone's principal, checked on the rep of the path before the body is read."""
    if (rep := session.get(Rep, rep_id)) is not None:
        policy.check(principal, VISITS, policy.rep_scope(rep), ("path", "rep_id"))
    return principal


@router.post(
    "/reps/{rep_id}/visits",
    summary="Report a visit from the rep's phone",
    response_model=VisitOutcomePublic,
    status_code=status.HTTP_201_CREATED,
)
def report_visit_from_phone(
    rep_id: RepId,
    data: VisitReportCreate,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, Depends(_phone_on_rep)],
) -> VisitOutcomePublic:
    """As POST /visits, for the rep's phone page: it also takes the page's sign-in cookie, on a JSON body sent
    from this site's own page (Origin). Send `client_id` so that the phone's offline queue can resend safely."""
    if data.rep_id != rep_id:
        raise InvalidInput(f"rep_id {data.rep_id} is not the rep of the path ({rep_id})", ("body", "rep_id"))
    return _report(session, data, response, principal)


def _report(session: Session, data: VisitReportCreate, response: Response, principal: Principal) -> VisitOutcomePublic:
    if (rep := session.get(Rep, data.rep_id)) is not None:  # an unknown rep: report_visit's 422
        policy.check(principal, VISITS, policy.rep_scope(rep), ("body", "rep_id"))
    outcome = visits.report_visit(session, data)  # committed in this thread (service.core.db.CommittingRoute)
    if outcome.result != "recorded":
        response.status_code = status.HTTP_200_OK
    return outcome


@router.get(
    "/visits",
    summary="A rep's visit outcomes",
    response_model=list[VisitOutcomePublic],
    dependencies=[policy.on_rep(VISITS, loc=("query", "rep_id"))],
)
def list_visits(
    session: SessionDep,
    rep_id: Annotated[int, Query(description="The rep whose outcomes to list.")],
    date_from: Annotated[dt.date, Query(alias="from", description="First day, ISO date (YYYY-MM-DD).")],
    date_to: Annotated[dt.date, Query(alias="to", description="Last day (included), ISO date.")],
) -> list[VisitOutcomePublic]:
    """A rep's reported outcomes from `from` to `to` (inclusive), each with its reports."""
    return visits.list_outcomes(session, rep_id, date_from, date_to)


@router.get("/kpis", response_model=KpiReport, summary="Visit KPIs of an office, a team or a rep")
def read_kpis(
    session: SessionDep,
    principal: Annotated[Principal, policy.role(KPIS)],
    office_id: Annotated[int | None, Query(description="The office's KPIs: every rep and team of it.")] = None,
    supervisor_id: SupervisorFilter = None,
    rep_id: Annotated[int | None, Query(description="Only this rep's KPIs.")] = None,
    date_from: Annotated[
        dt.date | None, Query(alias="from", description="First day, ISO date. Default: the current cycle's first.")
    ] = None,
    date_to: Annotated[
        dt.date | None, Query(alias="to", description="Last day (included), ISO date. Default and at most: today.")
    ] = None,
) -> KpiReport:
    """Planned-visit compliance, successful-visit rate, order rate and coverage per rep, team and in total, for
    an office, a supervisor's team or a rep; the range defaults to the published plan's current cycle so far.
    A supervisor reads its own team's (supervisor_id) or its reps' (rep_id). Without any of the three: the
    token's team for a supervisor, the token's office for an office's admin."""
    asked = checked_query(session, principal, office_id, supervisor_id, rep_id)
    return kpis.kpi_report(
        session,
        office_id=asked.office_id,
        supervisor_id=asked.supervisor_id,
        rep_id=asked.rep_id,
        date_from=date_from,
        date_to=date_to,
    )
