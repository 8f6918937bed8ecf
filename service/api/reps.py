"""Reps: GET, POST /reps; GET, PATCH /reps/{rep_id}."""

from __future__ import annotations

from fastapi import APIRouter

from service import master_data, repository
from service.db import SessionDep
from service.schemas import RepCreate, RepPublic, RepUpdate

router = APIRouter(prefix="/reps", tags=["people"])


@router.get("")
def list_reps(
    session: SessionDep, office_id: int | None = None, supervisor_id: int | None = None, active: bool | None = None
) -> list[RepPublic]:
    return [RepPublic.of(r) for r in repository.reps(session, office_id, supervisor_id, active)]


@router.post("", status_code=201)
def create_rep(data: RepCreate, session: SessionDep) -> RepPublic:
    return RepPublic.of(master_data.create_rep(session, data))


@router.get("/{rep_id}")
def get_rep(rep_id: int, session: SessionDep) -> RepPublic:
    return RepPublic.of(master_data.require_rep(session, rep_id, ("path", "rep_id")))


@router.patch("/{rep_id}")
def update_rep(rep_id: int, data: RepUpdate, session: SessionDep) -> RepPublic:
    return RepPublic.of(master_data.update_rep(session, rep_id, data))
