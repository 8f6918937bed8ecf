"""GET /audit: the audit trail of an office, newest first (service/access/audit.py lists what is recorded)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import READ_AUDIT
from service.access.schemas import AuditEventPublic
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter
from service.core.tables import as_utc

router = APIRouter(route_class=CommittingRoute, tags=["access"])


@router.get("/audit", summary="The audit trail")
def list_audit_events(
    session: SessionDep,
    principal: Annotated[Principal, policy.role(READ_AUDIT)],
    office_id: OfficeFilter = None,
    action: Annotated[str | None, Query(max_length=40, description="e.g. plan.published")] = None,
    since: Annotated[datetime | None, Query(description="events at or after (ISO 8601; no zone: UTC)")] = None,
    before_id: Annotated[int | None, Query(description="the next page: the last event's id of this one")] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_PAGE, description="Events in this page, at most.")] = 100,
) -> list[AuditEventPublic]:
    """Who changed what: admins and supervisors, for their office (a global admin: any, or every office)."""
    office = policy.office_filter(principal, office_id)
    return [
        AuditEventPublic.of(e) for e in audit.events(session, office, action, since and as_utc(since), before_id, limit)
    ]
