"""Sales offices: GET, POST /offices; GET /offices/{office_id}."""

from __future__ import annotations

from fastapi import APIRouter

from service import master_data, repository
from service.db import SessionDep
from service.schemas import OfficeCreate, OfficePublic

router = APIRouter(prefix="/offices", tags=["offices"])


@router.get("")
def list_offices(session: SessionDep) -> list[OfficePublic]:
    return [OfficePublic.of(o) for o in repository.offices(session)]


@router.post("", status_code=201)
def create_office(data: OfficeCreate, session: SessionDep) -> OfficePublic:
    return OfficePublic.of(master_data.create_office(session, data))


@router.get("/{office_id}")
def get_office(office_id: int, session: SessionDep) -> OfficePublic:
    return OfficePublic.of(master_data.require_office(session, office_id, ("path", "office_id")))
