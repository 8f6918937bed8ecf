"""Outlets by customer code: GET, POST /outlets; GET, PATCH /outlets/{code}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service import master_data, repository
from service.db import SessionDep
from service.schemas import OutletCreate, OutletPublic, OutletUpdate
from service.tables import OutletStatus

router = APIRouter(prefix="/outlets", tags=["outlets"])


@router.get("")
def list_outlets(
    session: SessionDep,
    response: Response,
    office_id: int | None = None,
    rep_id: int | None = None,
    status: OutletStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[OutletPublic]:
    """Outlets in customer-code order; page with `limit` and `offset`. The header X-Total-Count gives how many
    outlets match the filters in all."""
    response.headers["X-Total-Count"] = str(repository.count_outlets(session, office_id, rep_id, status))
    return [OutletPublic.of(o) for o in repository.outlets(session, office_id, rep_id, status, limit, offset)]


@router.post("", status_code=201)
def create_outlet(data: OutletCreate, session: SessionDep) -> OutletPublic:
    return OutletPublic.of(master_data.create_outlet(session, data))


@router.get("/{code}")
def get_outlet(code: str, session: SessionDep) -> OutletPublic:
    return OutletPublic.of(master_data.require_outlet(session, code))


@router.patch("/{code}")
def update_outlet(code: str, data: OutletUpdate, session: SessionDep) -> OutletPublic:
    return OutletPublic.of(master_data.update_outlet(session, code, data))
