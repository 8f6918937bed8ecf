"""An outlet file checked as the import would check it, nothing written: its rows as read and every bad cell, in
the reader's language. What the import page and the OM file page show before anything is submitted."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from geo.coords import CoordSystem
from service.core.errors import InvalidInput
from service.core.i18n import Translator
from service.core.tables import Office, stored_id
from service.master_data import import_messages
from service.master_data import outlet_import as imports

PREVIEW_ROWS = 500  # rows a preview shows; every row is checked, the problems of all are listed


class PreviewProblem(BaseModel):
    row: int = Field(description="The spreadsheet row (header = 1) or GeoJSON feature (first = 1).")
    column: str = Field(description="The file's column, e.g. channel or hours_mon.")
    msg: str = Field(description="What is wrong, in the request's language when it names one.")


class ImportPreview(BaseModel):
    office_id: int = Field(description="The office the outlets would belong to.")
    rows: int = Field(description="Outlet rows in the file.")
    shown: list[dict[str, Any]] = Field(description=f"The first {PREVIEW_ROWS} rows as read, with their row number.")
    problems: list[PreviewProblem] = Field(description="Every bad cell of the file; empty when it can be imported.")
    summary: str | None = Field(description="What the problems amount to; null when there are none.")


def in_language(error: InvalidInput, t: Translator | None) -> InvalidInput:
    """The error as it is (English) without a translator, else with each row problem in its language."""
    return error if t is None else import_messages.translated(error, t)


def preview(
    session: Session, office: Office, filename: str, data: bytes, coord_system: CoordSystem, t: Translator | None
) -> ImportPreview:
    """The file's rows and problems; a file that cannot be read at all raises InvalidInput as the import does.
    Rolls `session` back: a preview writes nothing, even when every row is good."""
    try:
        rows = imports.read_rows(filename, data)
    except InvalidInput as error:
        raise in_language(error, t) from error
    problems: list[PreviewProblem] = []
    summary = None
    try:
        imports.import_outlets(session, office, rows, coord_system=coord_system)
    except InvalidInput as error:
        found = in_language(error, t)
        summary = found.msg
        problems = [PreviewProblem(row=int(d.loc[-2]), column=str(d.loc[-1]), msg=d.msg) for d in found.details]
    finally:
        session.rollback()
    shown = [{"row": r.number, **{k: v for k, v in r.values.items() if k}} for r in rows[:PREVIEW_ROWS]]
    return ImportPreview(office_id=stored_id(office), rows=len(rows), shown=shown, problems=problems, summary=summary)
