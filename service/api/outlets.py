"""Outlets by customer code: GET, POST /outlets; GET, PATCH /outlets/{code}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import EDIT_OUTLETS, READ_OFFICE, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import OfficeFilter, OutletCode
from service.core.tables import OutletStatus
from service.master_data import repository
from service.master_data import writes as master_data
from service.master_data.schemas import OutletCreate, OutletPublic, OutletUpdate

router = APIRouter(route_class=CommittingRoute, prefix="/outlets", tags=["outlets"])


@router.get("", summary="List outlets")
def list_outlets(
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(READ_OFFICE)],
    office_id: OfficeFilter = None,
    rep_id: Annotated[int | None, Query(description="Only the outlets this rep visits.")] = None,
    status: Annotated[OutletStatus | None, Query(description="Only outlets in this status. Default: any.")] = None,
    limit: Annotated[int, Query(ge=1, le=5000, description="Outlets in this page, at most.")] = 500,
    offset: Annotated[int, Query(ge=0, description="Outlets to skip, in customer-code order.")] = 0,
) -> list[OutletPublic]:
    """Outlets in customer-code order; page with `limit` and `offset`. The header X-Total-Count gives how many
    outlets match the filters in all."""
    office_id = policy.office_filter(principal, office_id)
    response.headers["X-Total-Count"] = str(repository.count_outlets(session, office_id, rep_id, status))
    return [OutletPublic.of(o) for o in repository.outlets(session, office_id, rep_id, status, limit, offset)]


@router.post("", status_code=201, summary="Add an outlet")
def create_outlet(
    data: OutletCreate, session: SessionDep, principal: Annotated[Principal, policy.role(EDIT_OUTLETS)]
) -> OutletPublic:
    """One outlet of the office, with its place, channel, opening hours, service time and visits per cycle; it is
    planned from the next plan on (or at once with a change set's `new_outlets`). 409 when the customer code is
    taken."""
    policy.check(principal, EDIT_OUTLETS, Scope(f"office {data.office_id}", data.office_id), ("body", "office_id"))
    outlet = master_data.create_outlet(session, data)
    audit.record(session, principal, "outlet.created", outlet.office_id, "outlet", outlet.code)
    return OutletPublic.of(outlet)


@router.get("/{code}", dependencies=[policy.on_outlet(READ_OFFICE)], summary="An outlet by customer code")
def get_outlet(code: OutletCode, session: SessionDep) -> OutletPublic:
    """The outlet's place (WGS84), channel, opening hours, service time, visits per cycle, rep and status."""
    return OutletPublic.of(master_data.require_outlet(session, code))


@router.patch("/{code}", summary="Change an outlet")
def update_outlet(
    code: OutletCode,
    data: OutletUpdate,
    session: SessionDep,
    principal: Annotated[Principal, policy.on_outlet(EDIT_OUTLETS)],
) -> OutletPublic:
    """Change the fields sent, others stay. Published plans keep their visits: a change set
    (POST /change-sets) folds such changes into the plan the reps follow."""
    outlet = master_data.update_outlet(session, code, data)
    audit.record(
        session,
        principal,
        "outlet.updated",
        outlet.office_id,
        "outlet",
        outlet.code,
        {"fields": sorted(data.model_dump(exclude_unset=True))},
    )
    return OutletPublic.of(outlet)
