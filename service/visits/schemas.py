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
    number: int
    visited: bool
    reason: str | None
    order_taken: bool
    reported_at: dt.datetime
    client_id: str | None = Field(default=None, description="the phone's id of this report, when it sent one")


class VisitOutcomePublic(BaseModel):
    id: int
    rep_id: int
    rep_code: str
    outlet_id: int
    outlet_code: str
    date: dt.date
    visited: bool
    reason: str | None
    order_taken: bool
    planned: bool  # the published plan had this visit when it was first reported
    flags: list[str]  # "unplanned", "late" (reported after the visit's day), "corrected", "far_from_outlet"
    result: str | None = None  # for POST: "recorded", "unchanged" or "corrected"
    first_reported_at: dt.datetime
    reported_at: dt.datetime
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
    reports: list[VisitReportPublic]


class KpiTargets(BaseModel):
    compliance: float = 1.0
    success_rate: float = 0.85
    coverage: float = 1.0


class KpiFigures(BaseModel):
    planned_visits: int  # planned in the published plan on dates of the range
    reported_visits: int  # planned visits with a report
    visits_made: int  # planned visits the rep went to (visited, closed, owner absent)
    unplanned_visits: int  # reports of visits that were not planned (counted in the rates below, not here)
    successful_visits: int  # visited, planned or not
    attempted_visits: int  # visited, closed or owner absent, planned or not
    orders: int
    compliance: float | None  # visits_made / planned_visits
    success_rate: float | None  # successful_visits / attempted_visits
    order_rate: float | None  # orders / successful_visits
    outlets_planned: int  # outlets with a planned visit in the range
    outlets_never_visited: list[str]  # their customer codes, no successful visit in the range
    coverage: float | None  # 1 - never visited / outlets planned
    meets_target: dict[str, bool | None]


class RepKpis(KpiFigures):
    rep_id: int
    rep_code: str
    supervisor_id: int | None


class TeamKpis(KpiFigures):
    supervisor_id: int | None
    rep_ids: list[int]


class KpiReport(BaseModel):
    office_id: int
    supervisor_id: int | None
    rep_id: int | None
    plan_id: int | None
    date_from: dt.date
    date_to: dt.date  # no later than today: visits not yet due are not counted
    targets: KpiTargets
    total: KpiFigures  # every rep in scope (the office, the team or the rep)
    teams: list[TeamKpis]
    reps: list[RepKpis]
