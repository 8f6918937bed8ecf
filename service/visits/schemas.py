"""HTTP schemas of visit outcomes and of the KPIs computed from them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from service.core.fields import Code, RequestModel


class NotVisitedReason(StrEnum):
    CLOSED = "closed"  # the rep went there; the outlet was closed
    OWNER_ABSENT = "owner_absent"  # the rep went there; nobody could decide
    SKIPPED = "skipped"  # the rep did not go


VISITED = "visited"  # the stored status of a successful visit; otherwise the reason


class VisitReportCreate(RequestModel):
    """A rep's report of one visit. Re-sending the same report changes nothing; a different report for the
    same rep, outlet and date is a correction (kept, the latest counts). The checks across fields (reason only
    when not visited, an order only on a visit) are in service/visits/outcomes.py, which names the field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rep_id": 1,
                    "outlet_code": "BAR6201345",
                    "date": "2026-12-04",
                    "visited": True,
                    "order_taken": True,
                    "client_id": "3f1c2a9e-5b7d-4e61-9a0b-2c4d6e8f1a3b",
                    "recorded_at": "2026-12-04T09:41:00+08:00",
                    "lat": 31.2304,
                    "lon": 121.4737,
                    "accuracy_m": 12,
                }
            ]
        },
    )
    rep_id: int = Field(description="the rep who made (or missed) the visit")
    outlet_code: Code = Field(description="the outlet's customer code (客编)")
    date: dt.date = Field(description="the day of the visit (office-local); not in the future")
    visited: bool = Field(description="true: the rep was at the outlet and the visit happened")
    reason: NotVisitedReason | None = Field(default=None, description="why not visited; only when visited is false")
    order_taken: bool = Field(default=False, description="a suggested order was taken (only on a visit)")
    client_id: str | None = Field(
        default=None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="the phone's own id of this report (a UUID): a report sent again with the same id (a retry, "
        "an offline queue flushed twice) is the same report and changes nothing",
    )
    recorded_at: dt.datetime | None = Field(
        default=None,
        description="when the rep recorded the outcome on the phone, with its UTC offset (it may reach the "
        "server later, from the offline queue); default: when the server receives it",
    )
    lat: float | None = Field(default=None, ge=-90, le=90, description="the phone's latitude (WGS84) when recorded")
    lon: float | None = Field(default=None, ge=-180, le=180, description="the phone's longitude (WGS84)")
    accuracy_m: float | None = Field(default=None, ge=0, description="the position's accuracy radius, metres")

    @property
    def status(self) -> str:
        return VISITED if self.visited else str(self.reason)


class VisitReportPublic(BaseModel):
    number: int = Field(description="the report's number for this visit, from 1 (later ones are corrections)")
    visited: bool = Field(description="true: the visit happened")
    reason: str | None = Field(description="why not visited: closed, owner_absent or skipped")
    order_taken: bool = Field(description="a suggested order was taken")
    reported_at: dt.datetime = Field(description="when the server received the report (UTC)")
    client_id: str | None = Field(default=None, description="the phone's id of this report, when it sent one")


class VisitOutcomePublic(BaseModel):
    id: int = Field(description="the outcome's id")
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    outlet_id: int = Field(description="the outlet's id")
    outlet_code: str = Field(description="the outlet's customer code (客编)")
    date: dt.date = Field(description="the day of the visit, ISO date (office-local)")
    visited: bool = Field(description="true: the visit happened (latest report)")
    reason: str | None = Field(description="why not visited: closed, owner_absent or skipped (latest report)")
    order_taken: bool = Field(description="a suggested order was taken (latest report)")
    planned: bool = Field(description="the published plan had this visit when it was first reported")
    flags: list[str] = Field(
        description='any of "unplanned", "late" (reported after the visit\'s day), "corrected", "far_from_outlet"'
    )
    result: str | None = Field(default=None, description='for POST: "recorded", "unchanged" or "corrected"')
    first_reported_at: dt.datetime = Field(description="when the first report reached the server (UTC)")
    reported_at: dt.datetime = Field(description="when the latest report reached the server (UTC)")
    recorded_at: dt.datetime | None = Field(
        default=None, description="when the latest report was recorded on the phone"
    )
    lat: float | None = Field(default=None, description="the phone's latitude (WGS84) at the latest report")
    lon: float | None = Field(default=None, description="the phone's longitude (WGS84) at the latest report")
    accuracy_m: float | None = Field(default=None, description="the accuracy of that position, metres")
    distance_m: float | None = Field(
        default=None, description="from that position to the outlet, metres; none without a position"
    )
    far_from_outlet: bool = Field(
        default=False,
        description="recorded more than 300 m (FAR_FROM_OUTLET_M) from the outlet",
    )
    reports: list[VisitReportPublic] = Field(description="every report of the visit, oldest first")


class KpiTargets(BaseModel):
    compliance: float = Field(default=1.0, description="target share of planned visits made")
    success_rate: float = Field(default=0.85, description="target share of attempted visits that succeeded")
    coverage: float = Field(
        default=1.0, description="target share of planned outlets visited successfully at least once"
    )


class KpiFigures(BaseModel):
    planned_visits: int = Field(description="visits planned in the published plan on dates of the range")
    reported_visits: int = Field(description="planned visits with a report")
    visits_made: int = Field(description="planned visits the rep went to (visited, closed, owner absent)")
    unplanned_visits: int = Field(
        description="reports of visits that were not planned (counted in the rates, not here)"
    )
    successful_visits: int = Field(description="visits that happened (visited), planned or not")
    attempted_visits: int = Field(description="visited, closed or owner absent, planned or not")
    orders: int = Field(description="visits with a suggested order taken")
    compliance: float | None = Field(
        description="planned-visit compliance: visits_made / planned_visits (null: nothing planned)"
    )
    success_rate: float | None = Field(description="successful_visits / attempted_visits")
    order_rate: float | None = Field(description="orders / successful_visits")
    outlets_planned: int = Field(description="outlets with a planned visit in the range")
    outlets_never_visited: list[str] = Field(
        description="customer codes of those with no successful visit in the range"
    )
    coverage: float | None = Field(description="1 - outlets never visited / outlets planned")
    meets_target: dict[str, bool | None] = Field(
        description=("per rate (compliance, success_rate, coverage): whether it reaches its target (null: no figure)")
    )


class RepKpis(KpiFigures):
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    supervisor_id: int | None = Field(description="the rep's supervisor")


class TeamKpis(KpiFigures):
    supervisor_id: int | None = Field(description="the team's supervisor (null: reps without one)")
    rep_ids: list[int] = Field(description="the team's reps")


class KpiReport(BaseModel):
    office_id: int = Field(description="the office")
    supervisor_id: int | None = Field(description="the team asked for, if any")
    rep_id: int | None = Field(description="the rep asked for, if any")
    plan_id: int | None = Field(description="the published plan the planned visits come from")
    date_from: dt.date = Field(description="first day counted, ISO date")
    date_to: dt.date = Field(
        description="last day counted, ISO date; no later than today: visits not yet due are not counted"
    )
    targets: KpiTargets = Field(description="the sales standard's targets the rates are compared with")
    total: KpiFigures = Field(description="every rep in scope (the office, the team or the rep)")
    teams: list[TeamKpis] = Field(description="per supervisor's team")
    reps: list[RepKpis] = Field(description="per rep")
