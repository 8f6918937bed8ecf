"""The monthly OM file (the outlet import's columns) as a change set against the stored outlets."""

from __future__ import annotations

from sqlmodel import Session

from geo.coords import CoordSystem
from service.core.tables import (
    OutletStatus,
)
from service.core.time_of_day import opening_hours_seconds, opening_hours_text
from service.line_cleanup.change_sets import base_plan
from service.line_cleanup.schemas import ChangeSetCreate, MoveIn, NewOutletIn, OutletChangeIn
from service.master_data import outlet_import as imports
from service.master_data import repository


def om_file_change_set(
    session: Session,
    filename: str,
    data: bytes,
    base_plan_id: int,
    idempotency_key: str,
    created_by: str = "",
    change_budget: int | None = 0,
    coord_system: CoordSystem = CoordSystem.wgs84,
) -> ChangeSetCreate:
    """The monthly master-data file (the outlet import's columns, CSV or XLSX) as a change set against the stored
    outlets of the base plan's office. A code not stored is a new outlet; a stored row whose status turns closed
    is a closure; a different frequency, opening hours or service time is a change; a different rep_code is a
    move. Outlets absent from the file stay as they are (a month's file may list only what changed); names,
    addresses, channels and positions are master data for POST /outlets/import, not line cleanup."""
    base = base_plan(session, base_plan_id)
    rows = imports.read_rows(filename, data)  # at least one row
    problems = imports.RowProblems(("file",))
    checked = imports.checked_rows(rows, problems)
    problems.raise_if_any(len(rows))
    stored = repository.outlets_by_code(session, [d.customer_code for _, d in checked])
    rep_codes = {r.id: r.code for r in repository.reps(session, base.office_id)}
    new_outlets: list[NewOutletIn] = []
    closures: list[str] = []
    changes: list[OutletChangeIn] = []
    moves: dict[str, list[str]] = {}  # rep code -> outlet codes
    for row, d in checked:
        outlet = stored.get(d.customer_code)
        hours = d.opening_hours()
        if outlet is None:
            if d.status == OutletStatus.CLOSED:
                problems.add(row, "status", f"outlet {d.customer_code} is new and closed: leave it out of the file")
                continue
            new_outlets.append(
                NewOutletIn(
                    code=d.customer_code,
                    name=d.name,
                    address=d.address,
                    phone=d.phone,
                    notes=d.notes,
                    channel=d.channel,
                    lon=d.lon,
                    lat=d.lat,
                    coord_system=coord_system,
                    service_min=d.service_min,
                    visits_per_cycle=d.visits_per_cycle,
                    opening_hours=opening_hours_text(hours),
                    rep_code=d.rep_code,
                )
            )
            continue
        if outlet.office_id != base.office_id:
            problems.add(row, "customer_code", f"customer code {d.customer_code} belongs to another office", "conflict")
            continue
        if d.status == OutletStatus.CLOSED:
            if outlet.status != OutletStatus.CLOSED:
                closures.append(outlet.code)
            continue
        if outlet.status == OutletStatus.CLOSED:
            problems.add(row, "status", f"outlet {outlet.code} is closed; reopening is not a line cleanup change")
            continue
        change: dict[str, object] = {}  # only the fields that differ: the others stay
        if d.visits_per_cycle != outlet.visits_per_cycle:
            change["visits_per_cycle"] = d.visits_per_cycle
        if hours != opening_hours_seconds(opening_hours_text(outlet.opening_hours)):
            change["opening_hours"] = opening_hours_text(hours)
        if d.service_min * 60 != outlet.service_s:
            change["service_min"] = d.service_min
        if change:
            changes.append(OutletChangeIn.model_validate({"code": outlet.code, **change}))
        if d.rep_code and d.rep_code != rep_codes.get(outlet.rep_id):
            moves.setdefault(d.rep_code, []).append(outlet.code)
    problems.raise_if_any(len(rows))
    return ChangeSetCreate(
        base_plan_id=base_plan_id,
        idempotency_key=idempotency_key,
        created_by=created_by,
        change_budget=change_budget,
        moves=[MoveIn(to_rep_code=rep, outlet_codes=codes) for rep, codes in moves.items()],
        new_outlets=new_outlets,
        closures=closures,
        changes=changes,
    )
