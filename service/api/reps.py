"""Reps: GET, POST /reps; GET, PATCH /reps/{rep_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from service.access import audit, auth, policy
from service.access.auth import Principal
from service.access.policy import EDIT_OFFICE, EDIT_REP, READ_OFFICE, READ_REP, Scope
from service.core.db import CommittingRoute, SessionDep
from service.master_data import repository
from service.master_data import writes as master_data
from service.master_data.schemas import RepCreate, RepPublic, RepUpdate

router = APIRouter(route_class=CommittingRoute, prefix="/reps", tags=["people"])


@router.get("")
def list_reps(
    session: SessionDep,
    principal: Annotated[Principal, policy.role(READ_OFFICE)],
    office_id: int | None = None,
    supervisor_id: int | None = None,
    active: bool | None = None,
) -> list[RepPublic]:
    office_id = policy.office_filter(principal, office_id)
    return [RepPublic.of(r) for r in repository.reps(session, office_id, supervisor_id, active)]


@router.post("", status_code=201)
def create_rep(
    data: RepCreate, session: SessionDep, principal: Annotated[Principal, policy.role(EDIT_OFFICE)]
) -> RepPublic:
    policy.check(principal, EDIT_OFFICE, Scope(f"office {data.office_id}", data.office_id), ("body", "office_id"))
    rep = master_data.create_rep(session, data)
    audit.record(session, principal, "rep.created", rep.office_id, "rep", rep.id, {"code": rep.code})
    return RepPublic.of(rep)


@router.get("/{rep_id}", dependencies=[policy.on_rep(READ_REP)])
def get_rep(rep_id: int, session: SessionDep) -> RepPublic:
    return RepPublic.of(master_data.require_rep(session, rep_id, ("path", "rep_id")))


@router.patch("/{rep_id}")
def update_rep(
    rep_id: int, data: RepUpdate, session: SessionDep, principal: Annotated[Principal, policy.on_rep(EDIT_REP)]
) -> RepPublic:
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
