"""Sales offices: GET, POST /offices; GET /offices/{office_id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import CREATE_OFFICES, READ_OFFICE
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeId
from service.master_data import repository
from service.master_data import writes as master_data
from service.master_data.schemas import OfficeCreate, OfficePublic

router = APIRouter(route_class=CommittingRoute, prefix="/offices", tags=["offices"])


@router.get("", summary="List the sales offices")
def list_offices(session: SessionDep, principal: Annotated[Principal, policy.role(READ_OFFICE)]) -> list[OfficePublic]:
    """Every office for a global admin; else the token's office."""
    office_id = policy.office_filter(principal, None)
    return [OfficePublic.of(o) for o in repository.offices(session) if office_id in (None, o.id)]


@router.post("", status_code=201, summary="Create a sales office")
def create_office(
    data: OfficeCreate, session: SessionDep, principal: Annotated[Principal, policy.role(CREATE_OFFICES)]
) -> OfficePublic:
    """A new office with its depot place, time zone and the default shift and lunch window of its reps. Global
    admins only; 409 when the code is taken."""
    office = master_data.create_office(session, data)
    audit.record(session, principal, "office.created", office.id, "office", office.id, {"code": office.code})
    return OfficePublic.of(office)


@router.get("/{office_id}", dependencies=[policy.on_office(READ_OFFICE)], summary="An office")
def get_office(office_id: OfficeId, session: SessionDep) -> OfficePublic:
    """The office's place, time zone, default shift and lunch window."""
    return OfficePublic.of(master_data.require_office(session, office_id, ("path", "office_id")))
