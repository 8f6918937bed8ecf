"""A change set checked against the stored office, one kind of change at a time, every problem collected: either
all of it can be written (an Edits) or a 422 / 409 names every item that cannot, and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from sqlmodel import Session

from service.core.errors import Conflict, ErrorDetail, InvalidInput
from service.core.tables import Office, Outlet, OutletStatus, Rep, stored_id
from service.core.time_of_day import opening_hours_seconds
from service.line_cleanup.edits import Edits
from service.line_cleanup.reassignment import carve_for_new_rep, redistribute_leaving
from service.line_cleanup.schemas import ChangeSetCreate, MoveIn, NewOutletIn, NewRepIn, OutletChangeIn
from service.master_data import repository
from service.master_data.territories import RepTerritory, polygon_of, rep_territories, territory_for
from service.master_data.writes import new_outlet, outlet_problems


@dataclass
class _Problems:
    """The stored office as the checks look it up, and the problems found so far."""

    office: Office
    reps: dict[int, Rep]
    by_code: dict[str, Outlet]
    found: list[ErrorDetail] = field(default_factory=list)
    claimed: dict[str, str] = field(default_factory=dict)  # outlet code -> the item that already uses it

    def bad(self, loc: tuple, msg: str, kind: str = "value_error") -> None:
        self.found.append(ErrorDetail(("body", *loc), msg, kind))

    def stored_outlet(self, code: str, loc: tuple, what: str) -> Outlet | None:
        outlet = self.by_code.get(code)
        if outlet is None:  # whether another office has it is not this office's business
            self.bad(loc, f"outlet {code} does not exist in office {self.office.code}")
            return None
        # a changed outlet may also move; anything else twice (closed and moved, moved twice) contradicts
        if code in self.claimed and {self.claimed[code].split()[0], what.split()[0]} != {"changed", "moved"}:
            self.bad(loc, f"outlet {code} is both {self.claimed[code]} and {what} in this change set")
            return None
        self.claimed[code] = what
        return outlet

    def office_rep(self, code: str, loc: tuple) -> Rep | None:
        rep = next((r for r in self.reps.values() if r.code == code), None)
        if rep is None:
            self.bad(loc, f"rep {code} does not exist in office {self.office.code}")
        elif not rep.active:
            self.bad(loc, f"rep {code} is not active")
            return None
        return rep

    def raise_if_any(self) -> None:
        if self.found:
            error = Conflict if all(p.type == "conflict" for p in self.found) else InvalidInput
            raise error(f"{len(self.found)} problems in the change set; nothing was applied", details=self.found)


def check(session: Session, office: Office, body: ChangeSetCreate) -> Edits:
    reps = {stored_id(r): r for r in repository.reps(session, office.id)}
    outlets = list(repository.outlets(session, office.id))
    edits = Edits(office=office, reps=reps, outlets=outlets)
    problems = _Problems(office, reps, {o.code: o for o in outlets})
    leaving_codes = set(body.reps_leaving)
    _reps_leaving(problems, edits, body.reps_leaving)
    _closures(problems, edits, body.closures)
    _changes(problems, edits, body.changes)
    for i, move in enumerate(body.moves):
        _move(problems, edits, i, move, leaving_codes)
    _new_outlets(session, problems, edits, body.new_outlets, leaving_codes)
    _new_reps(problems, edits, body.new_reps)
    problems.raise_if_any()
    for rep in edits.leaving:
        redistribute_leaving(edits, rep, outlets, leaving_codes)
    return edits


def _reps_leaving(problems: _Problems, edits: Edits, codes: list[str]) -> None:
    for i, code in enumerate(codes):
        rep = problems.office_rep(code, ("reps_leaving", i))
        if rep is not None:
            edits.leaving.append(rep)


def _closures(problems: _Problems, edits: Edits, codes: list[str]) -> None:
    for i, code in enumerate(codes):
        outlet = problems.stored_outlet(code, ("closures", i), "closed")
        if outlet is not None and outlet.status == OutletStatus.CLOSED:
            problems.bad(("closures", i), f"outlet {code} is already closed")
        elif outlet is not None:
            edits.closed.append(outlet)


def _changes(problems: _Problems, edits: Edits, changes: list[OutletChangeIn]) -> None:
    for i, change in enumerate(changes):
        outlet = problems.stored_outlet(change.code, ("changes", i, "code"), "changed")
        if outlet is None:
            continue
        if outlet.status == OutletStatus.CLOSED:
            problems.bad(("changes", i, "code"), f"outlet {change.code} is closed")
            continue
        values = change.model_dump(exclude_unset=True, exclude={"code"})
        if "service_min" in values:
            values["service_s"] = values.pop("service_min") * 60
        if "opening_hours" in values:
            values["opening_hours"] = opening_hours_seconds(values["opening_hours"])
        trial = Outlet.model_validate({**outlet.model_dump(), **values})
        for column, msg in outlet_problems(trial, edits.office, None):
            problems.bad(("changes", i, column), msg)
        edits.changed.append((outlet, values))


def _move(problems: _Problems, edits: Edits, i: int, move: MoveIn, leaving_codes: set[str]) -> None:
    rep = problems.office_rep(move.to_rep_code, ("moves", i, "to_rep_code"))
    if rep is not None and rep.code in leaving_codes:
        problems.bad(("moves", i, "to_rep_code"), f"rep {rep.code} is leaving in this change set")
        rep = None
    what = f"moved to {move.to_rep_code}"
    if move.outlet_codes is not None:
        chosen = [
            problems.stored_outlet(code, ("moves", i, "outlet_codes", j), what)
            for j, code in enumerate(move.outlet_codes)
        ]
    else:
        try:
            area = polygon_of(move.polygon, ("body", "moves", i, "polygon"))
        except InvalidInput as exc:
            problems.bad(("moves", i, "polygon"), exc.msg)
            return
        inside = [
            o for o in edits.outlets if o.status == OutletStatus.ACTIVE and area.covers(shapely.Point(o.lon, o.lat))
        ]
        if not inside:
            problems.bad(("moves", i, "polygon"), "no active outlet of the office lies inside the polygon")
        chosen = [problems.stored_outlet(o.code, ("moves", i, "polygon"), what) for o in inside]
    for outlet in chosen:
        if outlet is not None and rep is not None:
            if outlet.status == OutletStatus.CLOSED:
                problems.bad(("moves", i), f"outlet {outlet.code} is closed")
            elif outlet.rep_id != rep.id:
                edits.reassigned[stored_id(outlet)] = (outlet, stored_id(rep))


def _new_outlets(
    session: Session, problems: _Problems, edits: Edits, new_outlets: list[NewOutletIn], leaving_codes: set[str]
) -> None:
    staying = [r for r in edits.reps.values() if r.active and r.code not in leaving_codes]
    territories = rep_territories(session, staying, edits.outlets)
    taken_codes = repository.outlets_by_code(session, [n.code for n in new_outlets])
    for i, new in enumerate(new_outlets):
        if new.code in taken_codes or new.code in problems.claimed:
            problems.bad(("new_outlets", i, "code"), f"customer code {new.code} already exists", "conflict")
            continue
        problems.claimed[new.code] = "new"
        outlet = new_outlet(
            office_id=stored_id(edits.office),
            code=new.code,
            name=new.name,
            address=new.address,
            phone=new.phone,
            notes=new.notes,
            channel=new.channel,
            lon=new.lon,
            lat=new.lat,
            coord_system=new.coord_system,
            service_min=new.service_min,
            visits_per_cycle=new.visits_per_cycle,
            opening_hours_s=opening_hours_seconds(new.opening_hours),
            rep_id=None,
        )
        rep = _rep_of_new_outlet(problems, edits, i, new, outlet, territories, leaving_codes)
        if rep is None:
            continue
        outlet.rep_id = rep.id
        for column, msg in outlet_problems(outlet, edits.office, rep):
            problems.bad(("new_outlets", i, column), msg)
        edits.new_outlets.append(outlet)


def _rep_of_new_outlet(
    problems: _Problems,
    edits: Edits,
    i: int,
    new: NewOutletIn,
    outlet: Outlet,
    territories: dict[int, RepTerritory],
    leaving_codes: set[str],
) -> Rep | None:
    """The rep named, or the rep whose territory holds the outlet (the nearest territory's, with a warning)."""
    if new.rep_code is not None:
        rep = problems.office_rep(new.rep_code, ("new_outlets", i, "rep_code"))
        if rep is not None and rep.code in leaving_codes:
            problems.bad(("new_outlets", i, "rep_code"), f"rep {rep.code} is leaving in this change set")
            return None
        return rep
    found = territory_for(territories, outlet.lon, outlet.lat)
    if found is None:
        problems.bad(("new_outlets", i, "rep_code"), "no rep territory to place the outlet in: name a rep")
        return None
    rep = edits.reps[found[0]]
    if found[1] > 0:
        edits.warnings.append(
            f"new outlet {new.code} lies in no territory: given to rep {rep.code}, whose "
            f"territory is nearest ({found[1]:.0f} m away)"
        )
    return rep


def _new_reps(problems: _Problems, edits: Edits, new_reps: list[NewRepIn]) -> None:
    for i, new_rep in enumerate(new_reps):
        rep = problems.office_rep(new_rep.rep_code, ("new_reps", i, "rep_code"))
        if rep is not None and any(o.rep_id == rep.id and o.status == OutletStatus.ACTIVE for o in edits.outlets):
            problems.bad(("new_reps", i, "rep_code"), f"rep {rep.code} already has outlets")
        elif rep is not None:
            carve_for_new_rep(edits, rep, new_rep.visits, edits.outlets, problems.claimed)
