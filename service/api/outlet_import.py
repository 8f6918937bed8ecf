"""POST /outlets/import: a CSV, XLSX or GeoJSON file of outlets for one office, all rows or none."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, UploadFile
from pydantic import BaseModel

from geo.coords import CoordSystem
from service.access import audit, policy
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput
from service.core.fields import CoordSystemName
from service.master_data import outlet_import as imports
from service.master_data import writes as master_data

router = APIRouter(route_class=CommittingRoute, prefix="/outlets", tags=["outlets"])


class ImportReport(BaseModel):
    office_id: int
    rows: int
    created: int
    updated: int


@router.post("/import")
def import_outlets(
    file: UploadFile,
    session: SessionDep,
    principal: Annotated[Principal, policy.role(policy.EDIT_OUTLETS)],
    office_id_query: Annotated[int | None, Query(alias="office_id")] = None,
    office_id_form: Annotated[int | None, Form(alias="office_id")] = None,
    coord_system_query: Annotated[CoordSystemName | None, Query(alias="coord_system")] = None,
    coord_system_form: Annotated[CoordSystemName | None, Form(alias="coord_system")] = None,
) -> ImportReport:
    """Create new outlets and update those whose customer code the office already has. On any bad row the
    answer is 422 listing every bad row as ["file", "row", <row number>, <column>] and nothing is written.
    `office_id` and `coord_system` (default wgs84) come as query parameters or form fields."""
    office_id = office_id_query if office_id_query is not None else office_id_form
    coord_system = coord_system_query or coord_system_form or CoordSystem.wgs84
    if office_id is None:
        raise InvalidInput("office_id is required (query parameter or form field)", ("query", "office_id"))
    office = master_data.require_office(session, office_id, ("query", "office_id"))
    policy.check(principal, policy.EDIT_OUTLETS, policy.Scope(f"office {office_id}", office_id), ("query", "office_id"))
    rows = imports.read_rows(file.filename or "", file.file.read())
    result = imports.import_outlets(session, office, rows, coord_system=coord_system)
    audit.record(
        session,
        principal,
        "outlets.imported",
        office_id,
        "office",
        office_id,
        {"file": file.filename or "", "rows": len(rows), "created": result.created, "updated": result.updated},
    )
    return ImportReport(office_id=office_id, rows=len(rows), created=result.created, updated=result.updated)
