"""Line cleanup: change sets folded into the current plan version, and the rep territories they place outlets by."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, Response, UploadFile, status
from shapely.geometry import mapping

from geo.coords import CoordSystem
from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import LINE_CLEANUP, READ_OFFICE
from service.core.db import CommittingRoute, SessionDep
from service.core.fields import ChangeSetId, CoordSystemName, RepId, StorableText
from service.core.tables import OutletStatus
from service.line_cleanup import change_sets, submission
from service.line_cleanup.schemas import TERRITORY_EXAMPLES, ChangeSetCreate, ChangeSetPublic, TerritoryPublic
from service.master_data import repository, territories
from service.master_data import writes as master_data

router = APIRouter(route_class=CommittingRoute, tags=["change sets"])

# this month's OM file of the sample office (Shanghai Minhang): one outlet closed, one moved to MH-R02
_OM_FILE = (
    "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,status,"
    "hours_mon,hours_tue,hours_wed,hours_thu,hours_fri,hours_sat,hours_sun\n"
    "MH0000123,好德便利店(莘东路),上海市闵行区莘庄镇莘东路200号,convenience,121.3832,31.1139,8,4,MH-R01,closed,"
    + ",".join(["07:00-22:00"] * 7)
    + "\nMH0000124,宏达食杂店(莲花路),上海市闵行区莲花路35号,grocery,121.3875,31.1416,7,2,MH-R02,active,"
    + ",".join(["06:30-20:00"] * 7)
    + "\n"
)
_OM_FILE_EXAMPLE = {
    "summary": "The OM file of December (CSV)",
    "value": {"file": _OM_FILE, "base_plan_id": 12, "idempotency_key": "mh01-om-2026-12", "created_by": "周建国"},
}
# the OM file's form fields, as ChangeSetCreate's (service/line_cleanup/schemas.py)
_BASE_PLAN = ChangeSetCreate.model_fields["base_plan_id"].description
_KEY = ChangeSetCreate.model_fields["idempotency_key"].description
_CREATED_BY = ChangeSetCreate.model_fields["created_by"].description
_BUDGET = ChangeSetCreate.model_fields["change_budget"].description


@router.post(
    "/change-sets",
    summary="Submit a change set",
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
    submission.check_base(session, principal, body.base_plan_id, ("body", "base_plan_id"))
    return submission.submitted(session, body, response, principal)


@router.post(
    "/change-sets/om-file",
    summary="Submit the monthly OM file as a change set",
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"examples": {"csv": _OM_FILE_EXAMPLE}}}}},
    status_code=status.HTTP_201_CREATED,
    response_model=ChangeSetPublic,
)
def create_om_change_set(
    file: Annotated[UploadFile, File(description="The OM file: CSV or XLSX with the outlet import's columns.")],
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, policy.role(LINE_CLEANUP)],
    base_plan_id: Annotated[int, Form(description=_BASE_PLAN)],
    idempotency_key: Annotated[StorableText, Form(min_length=1, max_length=100, description=_KEY)],
    created_by: Annotated[StorableText, Form(max_length=100, description=_CREATED_BY)] = "",
    change_budget: Annotated[int | None, Form(ge=0, description=_BUDGET)] = 0,
    coord_system: Annotated[CoordSystemName, Form()] = CoordSystem.wgs84,
) -> Any:
    """The monthly OM file (CSV or XLSX, the outlet import's columns) as a change set: new codes are new outlets,
    rows turned closed are closures, other frequency/hours/service time are changes, another rep_code is a move;
    outlets absent from the file stay as they are."""
    return submission.submit_om_file(
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


@router.get(
    "/change-sets/{change_set_id}",
    summary="A change set and its diff",
    response_model=ChangeSetPublic,
    dependencies=[policy.on_change_set(READ_OFFICE)],
)
def read_change_set(change_set_id: ChangeSetId, session: SessionDep) -> ChangeSetPublic:
    """The change set as submitted, the draft plan version it made (`result_plan_id`, to publish) and its diff
    per rep-day."""
    return change_sets.get_change_set(session, change_set_id)


@router.put("/reps/{rep_id}/territory", response_model=TerritoryPublic, summary="Draw a rep's territory")
def put_territory(
    rep_id: RepId,
    session: SessionDep,
    principal: Annotated[Principal, policy.on_rep(LINE_CLEANUP)],
    geometry: Annotated[
        dict,
        Body(
            description="A GeoJSON Polygon or MultiPolygon (a geometry or a Feature), WGS84 lon/lat.",
            openapi_examples=TERRITORY_EXAMPLES,
        ),
    ],
) -> TerritoryPublic:
    """Store the rep's territory: a GeoJSON Polygon or MultiPolygon (geometry or Feature), WGS84."""
    rep = master_data.require_rep(session, rep_id, ("path", "rep_id"))
    territory = territories.store_territory(session, rep, geometry)
    audit.record(session, principal, "territory.changed", rep.office_id, "rep", rep_id, {"source": territory.source})
    return TerritoryPublic(
        rep_id=rep_id, rep_code=rep.code, source=territory.source, geometry=mapping(territory.geometry)
    )


@router.get(
    "/reps/{rep_id}/territory",
    summary="A rep's territory",
    response_model=TerritoryPublic,
    dependencies=[policy.on_rep(READ_OFFICE)],
)
def get_territory(rep_id: RepId, session: SessionDep) -> TerritoryPublic:
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
