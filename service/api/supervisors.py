"""Supervisors: GET, POST /supervisors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import EDIT_OFFICE, READ_OFFICE, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter
from service.master_data import repository
from service.master_data import writes as master_data
from service.master_data.schemas import SupervisorCreate, SupervisorPublic

router = APIRouter(route_class=CommittingRoute, prefix="/supervisors", tags=["people"])


@router.get("", summary="List the supervisors")
def list_supervisors(
    session: SessionDep, principal: Annotated[Principal, policy.role(READ_OFFICE)], office_id: OfficeFilter = None
) -> list[SupervisorPublic]:
    """The supervisors the token may read; each leads a team of reps (GET /reps?supervisor_id=...)."""
    return [SupervisorPublic.of(s) for s in repository.supervisors(session, policy.office_filter(principal, office_id))]


@router.post("", status_code=201, summary="Add a supervisor")
def create_supervisor(
    data: SupervisorCreate, session: SessionDep, principal: Annotated[Principal, policy.role(EDIT_OFFICE)]
) -> SupervisorPublic:
    """A new supervisor of the office; reps join the team with `supervisor_id`. 409 when the code is taken."""
    policy.check(principal, EDIT_OFFICE, Scope(f"office {data.office_id}", data.office_id), ("body", "office_id"))
    supervisor = master_data.create_supervisor(session, data)
    audit.record(
        session,
        principal,
        "supervisor.created",
        supervisor.office_id,
        "supervisor",
        supervisor.id,
        {"code": supervisor.code},
    )
    return SupervisorPublic.of(supervisor)
