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

    model_config = ConfigDict(extra="forbid")
    rep_id: int
    outlet_code: Code = Field(description="the outlet's customer code (客编)")
    date: dt.date = Field(description="the day of the visit (office-local); not in the future")
    visited: bool
    reason: NotVisitedReason | None = Field(default=None, description="why not visited; only when visited is false")
    order_taken: bool = False

    @property
    def status(self) -> str:
        return VISITED if self.visited else str(self.reason)


class VisitReportPublic(BaseModel):
    number: int
    visited: bool
    reason: str | None
    order_taken: bool
    reported_at: dt.datetime


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
    flags: list[str]  # "unplanned", "late" (reported after the visit's day), "corrected"
    result: str | None = None  # for POST: "recorded", "unchanged" or "corrected"
    first_reported_at: dt.datetime
    reported_at: dt.datetime
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
