"""Reps: GET, POST /reps; GET, PATCH /reps/{rep_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.access import audit, auth, policy
from service.access.auth import Principal
from service.access.policy import EDIT_OFFICE, EDIT_REP, READ_OFFICE, READ_REP, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter, RepId, SupervisorFilter
from service.master_data import repository
from service.master_data import writes as master_data
from service.master_data.schemas import RepCreate, RepPublic, RepUpdate

router = APIRouter(route_class=CommittingRoute, prefix="/reps", tags=["people"])


@router.get("", summary="List the reps")
def list_reps(
    session: SessionDep,
    principal: Annotated[Principal, policy.role(READ_OFFICE)],
    office_id: OfficeFilter = None,
    supervisor_id: SupervisorFilter = None,
    active: Annotated[
        bool | None, Query(description="true: reps in post only; false: reps who have left only. Default: both.")
    ] = None,
) -> list[RepPublic]:
    """The reps the token may read, with their start place, shift, lunch window and working days."""
    office_id = policy.office_filter(principal, office_id)
    return [RepPublic.of(r) for r in repository.reps(session, office_id, supervisor_id, active)]


@router.post("", status_code=201, summary="Add a rep")
def create_rep(
    data: RepCreate, session: SessionDep, principal: Annotated[Principal, policy.role(EDIT_OFFICE)]
) -> RepPublic:
    """A new rep of the office, in a supervisor's team; the shift and lunch left out are the office's. The rep has
    no outlets until a plan, a change set (`new_reps`) or a territory proposal gives it some."""
    policy.check(principal, EDIT_OFFICE, Scope(f"office {data.office_id}", data.office_id), ("body", "office_id"))
    rep = master_data.create_rep(session, data)
    audit.record(session, principal, "rep.created", rep.office_id, "rep", rep.id, {"code": rep.code})
    return RepPublic.of(rep)


@router.get("/{rep_id}", dependencies=[policy.on_rep(READ_REP)], summary="A rep")
def get_rep(rep_id: RepId, session: SessionDep) -> RepPublic:
    """The rep's team, start and end place, shift, lunch window, working days and travel mode."""
    return RepPublic.of(master_data.require_rep(session, rep_id, ("path", "rep_id")))


@router.patch("/{rep_id}", summary="Change a rep")
def update_rep(
    rep_id: RepId, data: RepUpdate, session: SessionDep, principal: Annotated[Principal, policy.on_rep(EDIT_REP)]
) -> RepPublic:
    """Change the fields sent, others stay. `active: false` marks a rep who has left: the rep's tokens stop
    working at once. To hand the rep's outlets to the others, send a change set with `reps_leaving`."""
    rep = master_data.update_rep(session, rep_id, data)
    audit.record(
        session,
        principal,
        "rep.updated",
        rep.office_id,
        "rep",
        rep.id,
        {"fields": sorted(data.model_dump(exclude_unset=True))},
    )
    if not rep.active:
        session.commit()  # then no lookup can cache the rep as still active
        auth.forget_rep(rep_id)
    return RepPublic.of(rep)
