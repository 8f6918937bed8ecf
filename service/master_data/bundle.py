"""An office bundle: a folder with `office.json` (office, supervisors, reps) and `outlets.csv`, loaded through the
same checks as the API, all or nothing.

office.json:
    {"office": {"code", "name", "lon", "lat", "timezone", "shift_start", "shift_end", "lunch_earliest",
                "lunch_latest", "lunch_min"},
     "supervisors": [{"code", "name"}],
     "reps": [{"code", "name", "supervisor_code", "start_place", "end_place", "home_lon", "home_lat",
               "working_days", "shift_start", "shift_end", "lunch_earliest", "lunch_latest", "lunch_min",
               "travel_mode", "started_on"}]}
outlets.csv: the outlet import format of service/master_data/outlet_import.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from service.core.errors import ErrorDetail, InvalidInput, Loc
from service.core.tables import Office, stored_id
from service.master_data import outlet_import as imports
from service.master_data import writes as master_data
from service.master_data.schemas import OfficeCreate, RepCreate, SupervisorCreate


def _model(schema: type[BaseModel], values: Any, loc: Loc) -> Any:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(
            f"invalid {'.'.join(map(str, loc))}",
            details=[
                ErrorDetail((*loc, *e["loc"]), e["msg"].removeprefix("Value error, "), e["type"]) for e in exc.errors()
            ],
        ) from exc


def _section(document: dict, key: str, kind: type, loc: Loc) -> Any:
    if not isinstance(document.get(key), kind):
        raise InvalidInput(f"{key} must be {'an object' if kind is dict else 'a list'}", (*loc, key))
    return document[key]


def load_bundle(session: Session, folder: Path) -> Office:
    """Create the office, its supervisors, reps and outlets described in `folder`, staged in `session`.

    Raises InvalidInput/Conflict (nothing staged that the caller should keep) on any bad value; the caller
    commits on success and rolls back (or just closes the session) on error.
    """
    folder = Path(folder)
    office_file = folder / "office.json"
    outlets_file = folder / "outlets.csv"
    for path in (office_file, outlets_file):
        if not path.is_file():
            raise InvalidInput(f"{path} not found", (path.name,))
    root: Loc = ("office.json",)
    try:
        document = json.loads(office_file.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc}", root) from exc
    if not isinstance(document, dict):
        raise InvalidInput("a JSON object with office, supervisors and reps is expected", root)

    office_data = _model(OfficeCreate, _section(document, "office", dict, root), (*root, "office"))
    office = master_data.create_office(session, office_data, (*root, "office"))

    supervisor_ids: dict[str, int] = {}
    for i, values in enumerate(_section(document, "supervisors", list, root)):
        loc = (*root, "supervisors", i)
        values = values if isinstance(values, dict) else {}
        data = _model(SupervisorCreate, {**values, "office_id": office.id}, loc)
        supervisor_ids[data.code] = stored_id(master_data.create_supervisor(session, data, loc))

    for i, values in enumerate(_section(document, "reps", list, root)):
        loc = (*root, "reps", i)
        values = dict(values) if isinstance(values, dict) else {}
        supervisor_code = values.pop("supervisor_code", None)
        if supervisor_code is not None and supervisor_code not in supervisor_ids:
            raise InvalidInput(
                f"supervisor {supervisor_code} is not among this office's supervisors", (*loc, "supervisor_code")
            )
        values = {k: v for k, v in values.items() if v is not None}  # null = the default (office hours, no home)
        data = _model(
            RepCreate, {**values, "office_id": office.id, "supervisor_id": supervisor_ids.get(supervisor_code)}, loc
        )
        master_data.create_rep(session, data, loc)

    rows = imports.read_rows(outlets_file.name, outlets_file.read_bytes(), (outlets_file.name,))
    imports.import_outlets(session, office, rows, (outlets_file.name,))
    return office
