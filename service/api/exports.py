"""GET /plans/{plan_id}/export.csv: a plan's visits as a spreadsheet file (service/plans/export_csv.py)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from service.access import policy
from service.access.policy import READ_OFFICE
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import PlanId
from service.plans import export_csv

router = APIRouter(route_class=CommittingRoute, tags=["plans"])


@router.get(
    "/plans/{plan_id}/export.csv",
    summary="A plan as a spreadsheet (CSV)",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "one row per visit, UTF-8 with BOM",
        }
    },
    dependencies=[policy.on_plan(READ_OFFICE)],
)  # as GET /plans/{plan_id}
def export_plan_csv(plan_id: PlanId, session: SessionDep) -> Response:
    """One row per visit: rep, week, weekday, cycle day and its date in the first cycle, sequence, outlet code,
    name, address and channel, arrival and departure, service and travel minutes, distance. Text that a
    spreadsheet would run as a formula is prefixed with '."""
    body = export_csv.csv_text(export_csv.plan_rows(session, plan_id))
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plan-{plan_id}.csv"'},
    )
