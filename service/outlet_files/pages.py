"""The coordinator's master-data pages: the outlet import (/outlets/import/page) and the monthly OM file
(/line-cleanup/om-file/page). A file is chosen, its rows and their problems shown in the reader's language, and
only a file without problems is imported or submitted: all rows or none.

The pages' script sends the file as JSON (base64) to the page routes below: they take the page's sign-in cookie
on a JSON request from this site's own page (as the rep's outcome form does), which another site cannot send.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field
from sqlmodel import Session

from geo.coords import CoordSystem
from service.access import audit, policy, sign_in
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput
from service.core.fields import CoordSystemName, OfficePage, RequestModel
from service.core.i18n import Translator
from service.core.tables import Office, stored_id
from service.line_cleanup import change_sets, submission
from service.line_cleanup.schemas import ChangeSetPublic
from service.master_data import import_preview
from service.master_data import outlet_import as imports
from service.master_data import writes as master_data
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out

router = APIRouter(route_class=CommittingRoute, tags=["pages"])

PagePrincipal = Annotated[Principal | None, Depends(sign_in.optional_page_principal)]
OutletEditor = Annotated[Principal, sign_in.phone_role(policy.EDIT_OUTLETS)]


class FileUpload(RequestModel):
    """A file the page read in the browser."""

    office_id: int = Field(description="The office the outlets belong to.")
    filename: str = Field(max_length=255, description="The file's name; its extension says its type.")
    content_base64: str = Field(description="The file's bytes, base64.")
    coord_system: CoordSystemName = Field(
        default=CoordSystem.wgs84, description="The system of the file's coordinates."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "office_id": 1,
                    "filename": "outlets.csv",
                    "content_base64": "Y3VzdG9tZXJfY29kZSwuLi4=",
                    "coord_system": "gcj02",
                }
            ]
        }
    }

    def data(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except binascii.Error as exc:
            raise InvalidInput("the file is not base64", ("body", "content_base64")) from exc


def office_for(session: Session, principal: Principal, office_id: int | None, rule: policy.Rule) -> Office:
    """The office asked for, else the principal's own; the principal must be allowed `rule` there."""
    office_id = office_id if office_id is not None else principal.office_id
    if office_id is None:
        raise InvalidInput("office_id is required", ("query", "office_id"))
    office = master_data.require_office(session, office_id, ("query", "office_id"))
    policy.check(principal, rule, policy.Scope(f"office {office_id}", office_id), ("query", "office_id"))
    return office


def file_page(request: Request, t: Translator, template: str, office: Office, **data: Any) -> HTMLResponse:
    data = {"office_id": stored_id(office), "messages": t.messages, "language": t.language, **data}
    return page(request, template, t, office=office, data=data)


@router.get("/outlets/import/page", summary="The outlet import (page)", response_class=HTMLResponse)
def outlet_import_page(
    request: Request, session: SessionDep, t: TranslatorDep, principal: PagePrincipal, office_id: OfficePage = None
) -> HTMLResponse:
    """Choose an outlet file (CSV, XLSX, GeoJSON), see its rows and problems, import it."""
    if principal is None:
        return signed_out(request, t)
    policy.check_role(principal, policy.EDIT_OUTLETS)
    office = office_for(session, principal, office_id, policy.EDIT_OUTLETS)
    urls = {"preview_url": "/outlets/import/page/preview", "submit_url": "/outlets/import/page/import"}
    return file_page(request, t, "outlet_import.html", office, **urls)


@router.post("/outlets/import/page/preview", summary="Preview an outlet file, row by row (page)")
def outlet_import_preview(
    body: FileUpload, session: SessionDep, t: TranslatorDep, principal: OutletEditor
) -> import_preview.ImportPreview:
    """The import page's preview: POST /outlets/import/preview for the page's cookie."""
    office = office_for(session, principal, body.office_id, policy.EDIT_OUTLETS)
    return import_preview.preview(session, office, body.filename, body.data(), body.coord_system, t)


@router.post("/outlets/import/page/import", summary="Import an outlet file (page)")
def outlet_import_submit(
    body: FileUpload, session: SessionDep, t: TranslatorDep, principal: OutletEditor
) -> dict[str, int]:
    """The import page's import: POST /outlets/import for the page's cookie, its problems in the page's language."""
    office = office_for(session, principal, body.office_id, policy.EDIT_OUTLETS)
    try:
        rows = imports.read_rows(body.filename, body.data())
        result = imports.import_outlets(session, office, rows, coord_system=body.coord_system)
    except InvalidInput as error:
        raise import_preview.in_language(error, t) from error
    counts = {"rows": len(rows), "created": result.created, "updated": result.updated}
    audit.record(
        session, principal, "outlets.imported", office.id, "office", office.id, {"file": body.filename, **counts}
    )
    return counts


class OmFileUpload(FileUpload):
    base_plan_id: int = Field(description="The plan version the month's changes apply to: the office's current one.")
    idempotency_key: str = Field(
        min_length=1, max_length=100, description="Resending the same key applies nothing twice."
    )
    change_budget: int | None = Field(default=0, ge=0, description="Existing visits that may move per rep.")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "office_id": 1,
                    "filename": "om-2026-12.csv",
                    "content_base64": "Y3VzdG9tZXJfY29kZSwuLi4=",
                    "base_plan_id": 7,
                    "idempotency_key": "om-2026-12",
                    "change_budget": 0,
                }
            ]
        }
    }


@router.get("/line-cleanup/om-file/page", summary="The monthly OM file (page)", response_class=HTMLResponse)
def omfile_page(
    request: Request, session: SessionDep, t: TranslatorDep, principal: PagePrincipal, office_id: OfficePage = None
) -> HTMLResponse:
    """The monthly OM file: choose it, see its rows and problems, submit it as a change set to the current plan."""
    if principal is None:
        return signed_out(request, t)
    policy.check_role(principal, policy.LINE_CLEANUP)
    office = office_for(session, principal, office_id, policy.LINE_CLEANUP)
    current = change_sets.current_plan(session, stored_id(office))
    return file_page(
        request,
        t,
        "om_file.html",
        office,
        base_plan_id=current.id if current else None,
        preview_url="/outlets/import/page/preview",  # the OM file has the import's columns and checks
        submit_url="/line-cleanup/om-file/page/submit",
        diff_url="/change-sets/{id}/page",
    )


@router.post(
    "/line-cleanup/om-file/page/submit",
    summary="Submit the monthly OM file as a change set (page)",
    status_code=201,
    response_model=ChangeSetPublic,
)
def om_file_submit(
    body: OmFileUpload,
    session: SessionDep,
    response: Response,
    t: TranslatorDep,
    principal: Annotated[Principal, sign_in.phone_role(policy.LINE_CLEANUP)],
) -> Any:
    """The OM file page's submit: POST /change-sets/om-file for the page's cookie."""
    office_for(session, principal, body.office_id, policy.LINE_CLEANUP)
    try:
        return submission.submit_om_file(
            session,
            response,
            principal,
            body.filename,
            body.data(),
            body.base_plan_id,
            body.idempotency_key,
            principal.name,
            body.change_budget,
            body.coord_system,
        )
    except InvalidInput as error:
        raise import_preview.in_language(error, t) from error
