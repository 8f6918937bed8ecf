"""POST /outlets/import: a CSV, XLSX or GeoJSON file of outlets for one office, all rows or none; and
POST /outlets/import/preview: the same checks, its rows and their problems, nothing written."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, UploadFile
from pydantic import BaseModel, Field
from sqlmodel import Session

from geo.coords import CoordSystem
from service.access import audit, policy
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput
from service.core.fields import CoordSystemName
from service.core.i18n import Translator, choose_language
from service.core.tables import Office
from service.master_data import import_preview
from service.master_data import outlet_import as imports
from service.master_data import writes as master_data

router = APIRouter(route_class=CommittingRoute, prefix="/outlets", tags=["outlets"])


class ImportReport(BaseModel):
    office_id: int = Field(description="The office the outlets belong to.")
    rows: int = Field(description="Outlet rows in the file (blank rows not counted).")
    created: int = Field(description="Outlets new to the office.")
    updated: int = Field(description="Outlets whose customer code the office already had, now updated.")


def _translator(lang: str | None, accept_language: str | None) -> Translator | None:
    """The request's language when it names one (the pages always do); API clients naming none get English."""
    if lang is None and accept_language is None:
        return None
    return Translator(choose_language(lang, accept_language))


def _office(session: Session, principal: Principal, office_id: int | None) -> Office:
    if office_id is None:
        raise InvalidInput("office_id is required (query parameter or form field)", ("query", "office_id"))
    office = master_data.require_office(session, office_id, ("query", "office_id"))
    policy.check(principal, policy.EDIT_OUTLETS, policy.Scope(f"office {office_id}", office_id), ("query", "office_id"))
    return office


LangQuery = Annotated[str | None, Query(description="zh-CN or en: the language of the row problems")]
AcceptLanguage = Annotated[
    str | None, Header(description="The language of the row problems when `lang` is not given (zh-CN or en).")
]
OutletFile = Annotated[
    UploadFile,
    File(description="The outlets: CSV (UTF-8, GBK or UTF-16), XLSX or GeoJSON; one row or feature per outlet."),
]
_HEADER = (
    "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,status,"
    "hours_mon,hours_tue,hours_wed,hours_thu,hours_fri,hours_sat,hours_sun\n"
)
# two outlets of the sample office (Shanghai Minhang): a convenience store and a grocery closed on Sunday afternoons
_OUTLET_FILE = (
    _HEADER
    + "MH0000123,好德便利店(莘东路),上海市闵行区莘庄镇莘东路200号,convenience,121.3832,31.1139,8,4,MH-R01,active,"
    + ",".join(["07:00-22:00"] * 7)
    + "\nMH0000124,宏达食杂店(莲花路),上海市闵行区莲花路35号,grocery,121.3875,31.1416,7,2,MH-R01,active,"
    + ",".join(["6:30-20:00"] * 6)
    + ",6:30-12:00\n"
)


def _file_examples(form: dict) -> dict:
    """The operation's multipart body example (OpenAPI), the file given as its text."""
    example = {"summary": "A CSV file of two outlets", "value": {"file": _OUTLET_FILE, **form}}
    return {"requestBody": {"content": {"multipart/form-data": {"examples": {"csv": example}}}}}


_OFFICE = "The office the outlets belong to (as a query parameter or a form field)."
_COORDS = "The system of the file's lon/lat (CoordSystem); default wgs84."


@router.post(
    "/import",
    summary="Import an outlet file",
    openapi_extra=_file_examples({"office_id": 1, "coord_system": "wgs84"}),
)
def import_outlets(
    file: OutletFile,
    session: SessionDep,
    principal: Annotated[Principal, policy.role(policy.EDIT_OUTLETS)],
    office_id_query: Annotated[int | None, Query(alias="office_id", description=_OFFICE)] = None,
    office_id_form: Annotated[int | None, Form(alias="office_id", description=_OFFICE)] = None,
    coord_system_query: Annotated[CoordSystemName | None, Query(alias="coord_system", description=_COORDS)] = None,
    coord_system_form: Annotated[CoordSystemName | None, Form(alias="coord_system", description=_COORDS)] = None,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> ImportReport:
    """Create new outlets and update those whose customer code the office already has. On any bad row the
    answer is 422 listing every bad row as ["file", "row", <row number>, <column>] and nothing is written.
    `office_id` and `coord_system` (default wgs84) come as query parameters or form fields. Channels may be
    given by code or by their Chinese or English name ("小卖部", "便利店", "Convenience store"), times as "7:00"
    or "07:00". The row problems are in English unless the request names a language (`lang` or
    Accept-Language: zh-CN or en)."""
    office_id = office_id_query if office_id_query is not None else office_id_form
    coord_system = coord_system_query or coord_system_form or CoordSystem.wgs84
    office = _office(session, principal, office_id)
    t = _translator(lang, accept_language)
    try:
        rows = imports.read_rows(file.filename or "", file.file.read())
        result = imports.import_outlets(session, office, rows, coord_system=coord_system)
    except InvalidInput as error:
        raise import_preview.in_language(error, t) from error
    audit.record(
        session,
        principal,
        "outlets.imported",
        office.id,
        "office",
        office.id,
        {"file": file.filename or "", "rows": len(rows), "created": result.created, "updated": result.updated},
    )
    return ImportReport(office_id=office.id, rows=len(rows), created=result.created, updated=result.updated)  # type: ignore[arg-type]


@router.post("/import/preview", summary="Check an outlet file without importing it", openapi_extra=_file_examples({}))
def preview_import(
    file: OutletFile,
    session: SessionDep,
    principal: Annotated[Principal, policy.role(policy.EDIT_OUTLETS)],
    office_id: Annotated[int | None, Query(description="The office the outlets would belong to.")] = None,
    coord_system: Annotated[CoordSystemName | None, Query(description=_COORDS)] = None,
    lang: LangQuery = None,
    accept_language: AcceptLanguage = None,
) -> import_preview.ImportPreview:
    """Every check of POST /outlets/import on the file, nothing written: the rows as read and each bad cell. A
    file that cannot be read at all (wrong type, missing columns) is 422 as for the import."""
    office = _office(session, principal, office_id)
    data = file.file.read()
    coordinates = coord_system or CoordSystem.wgs84
    return import_preview.preview(
        session, office, file.filename or "", data, coordinates, _translator(lang, accept_language)
    )
