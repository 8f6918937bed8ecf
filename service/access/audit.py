"""The audit trail: who changed what, when, in which office. An event is staged in the session of the change it
describes, so both commit together: no event for a refused change, no change without its event.

Actions recorded: office.created, supervisor.created, rep.created, rep.updated, outlet.created, outlet.updated,
outlets.imported, territory.changed, change_set.submitted, plan.requested (the plan job), plan.published,
job.cancelled, ride_along_settings.updated, token.created, token.revoked. The command line records its token
commands, `import-outlets` and `plan --publish` with the actor "command line" (a bundle import, which loads a
new office, is not recorded).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.access.auth import Principal
from service.core.tables import AuditEvent

COMMAND_LINE = "command line"  # the actor of what the `routeplan` command does (no token)
MAX_PAGE = 1000


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    office_id: int | None,
    subject_type: str,
    subject_id: object,
    detail: dict | None = None,
) -> None:
    """Stage one event; `actor` None is the command line."""
    session.add(
        AuditEvent(
            token_id=actor.token_id if actor else None,
            actor_name=actor.name if actor else COMMAND_LINE,
            actor_role=str(actor.role) if actor else "cli",
            office_id=office_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            detail=detail or {},
        )
    )


def events(
    session: Session,
    office_id: int | None,
    action: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Events newest first; of one office (None: every office); the next page starts before the last id."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if office_id is not None:
        query = query.where(AuditEvent.office_id == office_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    if before_id is not None:
        query = query.where(col(AuditEvent.id) < before_id)
    return list(session.exec(query))
