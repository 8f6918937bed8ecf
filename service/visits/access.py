"""Whose KPIs a request reads: what it names, else the token's own team (a supervisor) or office (an office's
admin), checked against the token (service/access/policy.py). Shared by GET /kpis and the KPI page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from service.access import policy
from service.access.auth import Principal
from service.access.policy import KPIS, Scope
from service.core.tables import Rep, Role, Supervisor


@dataclass(frozen=True)
class KpiQuery:
    office_id: int | None
    supervisor_id: int | None
    rep_id: int | None


def checked_query(
    session: Session, principal: Principal, office_id: int | None, supervisor_id: int | None, rep_id: int | None
) -> KpiQuery:
    """The KPI scope asked for, or the token's own; 403 when the token may not read it."""
    if office_id is None and supervisor_id is None and rep_id is None:
        supervisor_id = principal.supervisor_id if principal.role == Role.SUPERVISOR else None
        office_id = None if supervisor_id is not None else principal.office_id
    policy.check_role(principal, KPIS)
    if (scope := _scope(session, office_id, supervisor_id, rep_id)) is not None:
        policy.check(principal, KPIS, scope, ("query",))
    return KpiQuery(office_id, supervisor_id, rep_id)


def _scope(session: Session, office_id: int | None, supervisor_id: int | None, rep_id: int | None) -> Scope | None:
    """The narrowest of what is asked, None when that names nothing (kpi_report checks that each exists and
    that they agree)."""
    if rep_id is not None and (rep := session.get(Rep, rep_id)) is not None:
        return policy.rep_scope(rep)
    if supervisor_id is not None and (supervisor := session.get(Supervisor, supervisor_id)) is not None:
        return Scope(f"supervisor {supervisor_id}", supervisor.office_id, supervisor_id)
    if office_id is None or rep_id is not None or supervisor_id is not None:
        return None  # nothing named (a global admin asking for no office): kpi_report says what to give
    return Scope(f"office {office_id}", office_id)
