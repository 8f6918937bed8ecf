"""Line cleanup: change sets folded into the current plan version, and the rep territories they place outlets by."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, Response, UploadFile, status
from shapely.geometry import mapping
from sqlmodel import Session

from geo.coords import CoordSystem
from service.access import audit, auth, policy
from service.access.auth import Principal
from service.access.policy import LINE_CLEANUP, READ_OFFICE, Scope
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import Loc
from service.core.fields import CoordSystemName, StorableText
from service.core.tables import OutletStatus, Plan, stored_id
from service.line_cleanup import change_sets, om_file
from service.line_cleanup.schemas import ChangeSetCreate, ChangeSetPublic, TerritoryPublic
from service.master_data import repository, territories
from service.master_data import writes as master_data

router = APIRouter(route_class=CommittingRoute, tags=["change sets"])


@router.post(
    "/change-sets",
    status_code=status.HTTP_201_CREATED,
    response_model=ChangeSetPublic,
    responses={409: {"description": "stale base version (body has current_plan_id), duplicate code or key"}},
)
def create_change_set(
    body: ChangeSetCreate,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(LINE_CLEANUP)],
) -> Any:
    """Fold new outlets, closures, changes, moves, leaving and new reps into the base version (which must be the
    office's current one); returns the change set with the new draft version's id and the diff. A repeated
    idempotency key returns the first result (200) and applies nothing."""
    _check_base(session, principal, body.base_plan_id, ("body", "base_plan_id"))
    return submitted(session, body, response, principal)


def _check_base(session: Session, principal: Principal, base_plan_id: int, loc: Loc) -> None:
    if (base := session.get(Plan, base_plan_id)) is not None:  # else the change set's own 422
        policy.check(principal, LINE_CLEANUP, Scope(f"plan {base_plan_id}", base.office_id), loc)


def submitted(
    session: Session, body: ChangeSetCreate, response: Response, principal: Principal, request: dict | None = None
) -> Any:
    """Apply the change set (or answer its earlier result), record who submitted it, sign its leaving reps out."""
    result = change_sets.submit(session, body, request)
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        audit.record(
            session,
            principal,
            "change_set.submitted",
            result.office_id,
            "change_set",
            result.id,
            {
                "base_plan_id": result.base_plan_id,
                "result_plan_id": result.result_plan_id,
                "idempotency_key": body.idempotency_key,
            },
        )
    if not result.replayed and body.reps_leaving:  # their tokens stop working now, not when the caches expire
        session.commit()  # first: a lookup between forgetting and committing would cache them as active again
        for rep in repository.reps(session, result.office_id):
            if rep.code in body.reps_leaving:
                auth.forget_rep(stored_id(rep))
    return result


@router.post("/change-sets/om-file", status_code=status.HTTP_201_CREATED, response_model=ChangeSetPublic)
def create_om_change_set(
    file: UploadFile,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(LINE_CLEANUP)],
    base_plan_id: Annotated[int, Form()],
    idempotency_key: Annotated[StorableText, Form(min_length=1, max_length=100)],
    created_by: Annotated[StorableText, Form(max_length=100)] = "",
    change_budget: Annotated[int | None, Form(ge=0)] = 0,
    coord_system: Annotated[CoordSystemName, Form()] = CoordSystem.wgs84,
) -> Any:
    """The monthly OM file (CSV or XLSX, the outlet import's columns) as a change set: new codes are new outlets,
    rows turned closed are closures, other frequency/hours/service time are changes, another rep_code is a move;
    outlets absent from the file stay as they are."""
    return submit_om_file(
        session,
        response,
        principal,
        file.filename or "",
        file.file.read(),
        base_plan_id,
        idempotency_key,
        created_by,
        change_budget,
        coord_system,
    )


def submit_om_file(
    session: Session,
    response: Response,
    principal: Principal,
    filename: str,
    data: bytes,
    base_plan_id: int,
    idempotency_key: str,
    created_by: str,
    change_budget: int | None,
    coord_system: CoordSystem,
) -> Any:
    """The OM file as a change set, for the API and the OM file page alike."""
    _check_base(session, principal, base_plan_id, ("body", "base_plan_id"))
    # the key is checked against the file itself: once applied, the same file would read as other changes
    request = {
        "om_file": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "base_plan_id": base_plan_id,
        "idempotency_key": idempotency_key,
        "created_by": created_by,
        "change_budget": change_budget,
        "coord_system": str(coord_system),
    }
    earlier = change_sets.replayed(
        session, change_sets.base_plan(session, base_plan_id).office_id, idempotency_key, request
    )
    if earlier is not None:
        response.status_code = status.HTTP_200_OK
        return earlier
    body = om_file.om_file_change_set(
        session, filename, data, base_plan_id, idempotency_key, created_by, change_budget, coord_system
    )
    return submitted(session, body, response, principal, request)


@router.get(
    "/change-sets/{change_set_id}", response_model=ChangeSetPublic, dependencies=[policy.on_change_set(READ_OFFICE)]
)
def read_change_set(change_set_id: int, session: SessionDep) -> ChangeSetPublic:
    return change_sets.get_change_set(session, change_set_id)


@router.put("/reps/{rep_id}/territory", response_model=TerritoryPublic)
def put_territory(
    rep_id: int,
    session: SessionDep,
    principal: Annotated[Principal, policy.on_rep(LINE_CLEANUP)],
    geometry: dict = Body(...),
) -> TerritoryPublic:
    """Store the rep's territory: a GeoJSON Polygon or MultiPolygon (geometry or Feature), WGS84."""
    rep = master_data.require_rep(session, rep_id, ("path", "rep_id"))
    territory = territories.store_territory(session, rep, geometry)
    audit.record(session, principal, "territory.changed", rep.office_id, "rep", rep_id, {"source": territory.source})
    return TerritoryPublic(
        rep_id=rep_id, rep_code=rep.code, source=territory.source, geometry=mapping(territory.geometry)
    )


@router.get("/reps/{rep_id}/territory", response_model=TerritoryPublic, dependencies=[policy.on_rep(READ_OFFICE)])
def get_territory(rep_id: int, session: SessionDep) -> TerritoryPublic:
    """The rep's territory: as given, else derived from the rep's active outlets (null without any)."""
    rep = master_data.require_rep(session, rep_id, ("path", "rep_id"))
    outlets = list(repository.outlets(session, rep.office_id, rep_id=rep_id, status=OutletStatus.ACTIVE))
    found = territories.rep_territories(session, [rep], outlets).get(rep_id)
    return TerritoryPublic(
        rep_id=rep_id,
        rep_code=rep.code,
        source=found.source if found else "none",
        geometry=mapping(found.geometry) if found else None,
    )
