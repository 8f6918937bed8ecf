"""Visit outcomes and the sales standard's KPIs: POST /visits, GET /visits, GET /kpis."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from service import kpis, visits
from service.db import SessionDep
from service.visit_schemas import KpiReport, VisitOutcomePublic, VisitReportCreate

router = APIRouter(tags=["visits"])


@router.post("/visits", response_model=VisitOutcomePublic, status_code=status.HTTP_201_CREATED)
def report_visit(data: VisitReportCreate, session: SessionDep, response: Response) -> VisitOutcomePublic:
    """A rep's report of one visit: 201 when recorded, 200 when it repeats the stored report ("unchanged") or
    corrects it ("corrected"; every report is kept, the latest counts)."""
    outcome = visits.report_visit(session, data)
    if outcome.result != "recorded":
        response.status_code = status.HTTP_200_OK
    return outcome


@router.get("/visits", response_model=list[VisitOutcomePublic])
def list_visits(
    session: SessionDep,
    rep_id: int,
    date_from: Annotated[dt.date, Query(alias="from")],
    date_to: Annotated[dt.date, Query(alias="to")],
) -> list[VisitOutcomePublic]:
    """A rep's reported outcomes from `from` to `to` (inclusive), each with its reports."""
    return visits.list_outcomes(session, rep_id, date_from, date_to)


@router.get("/kpis", response_model=KpiReport)
def read_kpis(
    session: SessionDep,
    office_id: int | None = None,
    supervisor_id: int | None = None,
    rep_id: int | None = None,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> KpiReport:
    """Planned-visit compliance, successful-visit rate, order rate and coverage per rep, team and in total, for
    an office, a supervisor's team or a rep; the range defaults to the published plan's current cycle so far."""
    return kpis.kpi_report(session, office_id=office_id, supervisor_id=supervisor_id, rep_id=rep_id,
                           date_from=date_from, date_to=date_to)
