"""Supervisors: GET, POST /supervisors."""

from __future__ import annotations

from fastapi import APIRouter

from service import master_data, repository
from service.db import SessionDep
from service.schemas import SupervisorCreate, SupervisorPublic

router = APIRouter(prefix="/supervisors", tags=["people"])


@router.get("")
def list_supervisors(session: SessionDep, office_id: int | None = None) -> list[SupervisorPublic]:
    return [SupervisorPublic.of(s) for s in repository.supervisors(session, office_id)]


@router.post("", status_code=201)
def create_supervisor(data: SupervisorCreate, session: SessionDep) -> SupervisorPublic:
    return SupervisorPublic.of(master_data.create_supervisor(session, data))
