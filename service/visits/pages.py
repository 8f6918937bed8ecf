"""The KPI page (/kpis/page): the sales standard's visit KPIs (planned-visit compliance, success rate,
suggested-order rate, coverage) by rep, in total and week by week, for an office or a team and a date range.
A supervisor sees its team, an office's admin the office (as GET /kpis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from service.access import sign_in
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter, SupervisorFilter
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out
from service.visits import kpis
from service.visits.access import checked_query
from service.visits.schemas import KpiReport

router = APIRouter(route_class=CommittingRoute, tags=["pages"])


@dataclass(frozen=True)
class Week:
    first: dt.date
    last: dt.date
    report: KpiReport


def weeks(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar weeks (Monday to Sunday) of [first, last], clipped to it."""
    found = []
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= last:
        found.append((max(monday, first), min(monday + dt.timedelta(days=6), last)))
        monday += dt.timedelta(days=7)
    return found


@router.get("/kpis/page", summary="Visit KPIs by rep and week (page)", response_class=HTMLResponse)
def kpi_page(
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    principal: Annotated[Principal | None, Depends(sign_in.optional_page_principal)],
    office_id: OfficeFilter = None,
    supervisor_id: SupervisorFilter = None,
    date_from: Annotated[
        dt.date | None, Query(alias="from", description="first day, ISO date; default: 28 days up to `to`")
    ] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="last day (included); default: today")] = None,
) -> HTMLResponse:
    """The KPIs of an office or a team over a date range (default: the published plan's cycle so far)."""
    if principal is None:
        return signed_out(request, t)
    asked = checked_query(session, principal, office_id, supervisor_id, None)

    def report(first: dt.date | None, last: dt.date | None) -> KpiReport:
        return kpis.kpi_report(
            session, office_id=asked.office_id, supervisor_id=asked.supervisor_id, date_from=first, date_to=last
        )

    total = report(date_from, date_to)
    by_week = [Week(first, last, report(first, last)) for first, last in weeks(total.date_from, total.date_to)]
    return page(request, "kpi_page.html", t, report=total, weeks=by_week, asked=asked)
