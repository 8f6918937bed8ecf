"""Line cleanup: a change set of master-data changes folded into the office's current plan version, giving a new
draft version and the diff between the two.

"Current version" of an office: its newest plan (highest id) that is draft or published. A change set must name
it as its base, or it is refused (409, with the current id). A draft base becomes superseded by the version made
from it; a published base stays what reps read until the new draft is published.

The whole change set runs in one transaction: checks, outlet and rep writes, the new plan and its rows, the
change-set row. Anything refused raises before the commit, so nothing is written. Concurrent submissions are
serialised by locking the office's plan rows (PostgreSQL); the unique index on (office, based_on_id) refuses a
second version of the same base whatever the isolation, and the unique (office, idempotency key) makes a
repeated key answer with the first result.

Folding (solver.fold) keeps every kept visit on its day and in its order; only the reps touched by the change set
are re-folded, the others' routes are copied unchanged.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import shapely
from sqlalchemy import insert, literal
from sqlmodel import Session, col, select

from geo.coords import CoordSystem, to_wgs84
from service import imports, plan_repository, repository
from service.change_set_schemas import ChangeSetCreate, ChangeSetPublic, MoveIn, NewOutletIn, OutletChangeIn
from service.convert import PlanRows, rep_points, rep_problem, solution_rows
from service.errors import Conflict, ErrorDetail, InvalidInput, NotFound
from service.master_data import outlet_problems
from service.planning import office_kpis
from service.schemas import opening_hours_seconds, opening_hours_text
from service.tables import (
    ChangeSet,
    Office,
    Outlet,
    OutletStatus,
    Plan,
    PlanDay,
    PlanStatus,
    PlanUnplaced,
    PlanVisit,
    Rep,
    utcnow,
)
from service.territories import distance_m, polygon_of, rep_territories, territory_for
from service.travel import OfficeTravel
from solver.fold import FoldInput, fold

ARRIVAL_SHIFT_S = 600  # arrival times that move by more than this are listed in the diff


class StalePlan(Conflict):
    """The change set's base is not the office's current plan version."""

    def __init__(self, base_id: int, current_id: int | None) -> None:
        super().__init__(
            f"plan {base_id} is not the office's current version; the current version is {current_id}",
            ("body", "base_plan_id"),
        )
        self.current_plan_id = current_id


def current_plan(session: Session, office_id: int) -> Plan | None:
    statement = (
        select(Plan)
        .where(Plan.office_id == office_id, col(Plan.status).in_([PlanStatus.DRAFT, PlanStatus.PUBLISHED]))
        .order_by(col(Plan.id).desc())
    )
    return session.exec(statement).first()


def get_change_set(session: Session, change_set_id: int) -> ChangeSetPublic:
    row = session.get(ChangeSet, change_set_id)
    if row is None:
        raise NotFound(f"no change set with id {change_set_id}", ("path", "change_set_id"))
    return _public(row, replayed=False)


def _public(row: ChangeSet, replayed: bool) -> ChangeSetPublic:
    return ChangeSetPublic(
        id=row.id,
        office_id=row.office_id,
        idempotency_key=row.idempotency_key,
        status=row.status,
        base_plan_id=row.base_plan_id,
        result_plan_id=row.result_plan_id,
        created_by=row.created_by,
        created_at=row.created_at,
        replayed=replayed,
        request=row.request,
        diff=row.diff,
    )


def _by_key(session: Session, office_id: int, key: str) -> ChangeSet | None:
    return session.exec(
        select(ChangeSet).where(ChangeSet.office_id == office_id, ChangeSet.idempotency_key == key)
    ).first()


def replayed(session: Session, office_id: int, key: str, request: dict) -> ChangeSetPublic | None:
    """The change set already applied under this idempotency key (None if none); 409 if it asked otherwise."""
    earlier = _by_key(session, office_id, key)
    if earlier is None:
        return None
    if earlier.request != request:
        raise Conflict(
            f"idempotency key {key!r} was used for a different change set ({earlier.id})", ("body", "idempotency_key")
        )
    return _public(earlier, replayed=True)


def base_plan(session: Session, plan_id: int) -> Plan:
    base = session.get(Plan, plan_id)
    if base is None:
        raise InvalidInput(f"plan {plan_id} does not exist", ("body", "base_plan_id"))
    return base


def submit(session: Session, body: ChangeSetCreate, request: dict | None = None) -> ChangeSetPublic:
    """Apply the change set (staged in `session`; the caller commits), or answer a repeated idempotency key.
    `request` is what the key is checked against and stored (default: the body)."""
    base = base_plan(session, body.base_plan_id)
    request = request or body.model_dump(mode="json")
    # Serialise change sets and publishes of one office: a second one waits here, then reads the versions and
    # the base's status as the first left them (a base published meanwhile stays published).
    plan_repository.lock_office_versions(session, base.office_id)
    session.refresh(base)
    earlier = replayed(session, base.office_id, body.idempotency_key, request)
    if earlier is not None:
        return earlier
    current = current_plan(session, base.office_id)
    if current is None or current.id != base.id:
        raise StalePlan(base.id, current.id if current else None)

    office = repository.office(session, base.office_id)
    edits = _Edits.check(session, office, body)
    new_plan = Plan(
        office_id=office.id,
        start_date=base.start_date,
        weeks=base.weeks,
        status=PlanStatus.DRAFT,
        based_on_id=base.id,
        created_by=body.created_by,
        time_limit_s=base.time_limit_s,
    )
    edits.apply(session)  # outlets and reps as changed; new outlets get their ids
    session.add(new_plan)
    session.flush()

    base_visits = list(session.execute(select(PlanVisit.__table__).where(PlanVisit.plan_id == base.id)))
    rows, unplaced_new = _fold_plan(session, office, base, new_plan, edits, body.change_budget, base_visits)
    reps = [r for r in edits.reps.values() if r.active]
    active = [o for o in edits.outlets if o.status == OutletStatus.ACTIVE]
    new_plan.kpis = office_kpis(reps, active, base.weeks, rows) | {"travel": base.kpis.get("travel", {})}
    if base.status == PlanStatus.DRAFT:
        base.status = PlanStatus.SUPERSEDED
        session.add(base)
    change_set = ChangeSet(
        office_id=office.id,
        idempotency_key=body.idempotency_key,
        base_plan_id=base.id,
        result_plan_id=new_plan.id,
        created_by=body.created_by,
        request=request,
    )
    change_set.diff = plan_diff(edits, base, new_plan, base_visits, rows) | {
        "unplaced": unplaced_new,
        "warnings": edits.warnings,
        "changes": edits.summary(),
    }
    session.add(change_set)
    session.flush()
    new_plan.change_set_id = change_set.id
    session.add(new_plan)
    session.flush()
    return _public(change_set, replayed=False)


# --- checking the change set -----------------------------------------------------------------------------------


@dataclass
class _Edits:
    """The change set checked against the stored office: what to write, and which reps it touches."""

    office: Office
    reps: dict[int, Rep]  # the office's reps by id
    outlets: list[Outlet]  # the office's outlets (new ones appended when applied)
    new_outlets: list[Outlet] = field(default_factory=list)
    closed: list[Outlet] = field(default_factory=list)
    changed: list[tuple[Outlet, dict]] = field(default_factory=list)
    refold: set[int] = field(default_factory=set)  # outlets to re-insert (frequency changed, moved to a new rep)
    reassigned: dict[int, tuple[Outlet, int]] = field(default_factory=dict)  # outlet id -> (outlet, new rep id)
    leaving: list[Rep] = field(default_factory=list)
    touched_reps: set[int] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def check(cls, session: Session, office: Office, body: ChangeSetCreate) -> _Edits:
        reps = {r.id: r for r in repository.reps(session, office.id)}
        outlets = list(repository.outlets(session, office.id))
        edits = cls(office=office, reps=reps, outlets=outlets)
        by_code = {o.code: o for o in outlets}
        problems: list[ErrorDetail] = []
        claimed: dict[str, str] = {}  # outlet code -> the item that already uses it

        def bad(loc: tuple, msg: str, kind: str = "value_error") -> None:
            problems.append(ErrorDetail(("body", *loc), msg, kind))

        def stored_outlet(code: str, loc: tuple, what: str) -> Outlet | None:
            outlet = by_code.get(code)
            if outlet is None:  # whether another office has it is not this office's business
                bad(loc, f"outlet {code} does not exist in office {office.code}")
                return None
            # a changed outlet may also move; anything else twice (closed and moved, moved twice) contradicts
            if code in claimed and {claimed[code].split()[0], what.split()[0]} != {"changed", "moved"}:
                bad(loc, f"outlet {code} is both {claimed[code]} and {what} in this change set")
                return None
            claimed[code] = what
            return outlet

        def office_rep(code: str, loc: tuple) -> Rep | None:
            rep = next((r for r in reps.values() if r.code == code), None)
            if rep is None:
                bad(loc, f"rep {code} does not exist in office {office.code}")
            elif not rep.active:
                bad(loc, f"rep {code} is not active")
                return None
            return rep

        leaving_codes = set(body.reps_leaving)
        for i, code in enumerate(body.reps_leaving):
            rep = office_rep(code, ("reps_leaving", i))
            if rep is not None:
                edits.leaving.append(rep)
        for i, code in enumerate(body.closures):
            outlet = stored_outlet(code, ("closures", i), "closed")
            if outlet is not None and outlet.status == OutletStatus.CLOSED:
                bad(("closures", i), f"outlet {code} is already closed")
            elif outlet is not None:
                edits.closed.append(outlet)
        for i, change in enumerate(body.changes):
            outlet = stored_outlet(change.code, ("changes", i, "code"), "changed")
            if outlet is None:
                continue
            if outlet.status == OutletStatus.CLOSED:
                bad(("changes", i, "code"), f"outlet {change.code} is closed")
                continue
            values = change.model_dump(exclude_unset=True, exclude={"code"})
            if "service_min" in values:
                values["service_s"] = values.pop("service_min") * 60
            if "opening_hours" in values:
                values["opening_hours"] = opening_hours_seconds(values["opening_hours"])
            trial = Outlet.model_validate({**outlet.model_dump(), **values})
            for column, msg in outlet_problems(trial, office, None):
                bad(("changes", i, column), msg)
            edits.changed.append((outlet, values))
        for i, move in enumerate(body.moves):
            edits._check_move(i, move, outlets, office_rep, stored_outlet, bad, leaving_codes)
        territories = rep_territories(
            session, [r for r in reps.values() if r.active and r.code not in leaving_codes], outlets
        )
        taken_codes = repository.outlets_by_code(session, [n.code for n in body.new_outlets])
        for i, new in enumerate(body.new_outlets):
            if new.code in taken_codes or new.code in claimed:
                problems.append(
                    ErrorDetail(
                        ("body", "new_outlets", i, "code"), f"customer code {new.code} already exists", "conflict"
                    )
                )
                continue
            claimed[new.code] = "new"
            lon, lat = to_wgs84(new.lon, new.lat, new.coord_system)
            rep = None
            if new.rep_code is not None:
                rep = office_rep(new.rep_code, ("new_outlets", i, "rep_code"))
                if rep is None:
                    continue
                if rep.code in leaving_codes:
                    bad(("new_outlets", i, "rep_code"), f"rep {rep.code} is leaving in this change set")
                    continue
            else:
                found = territory_for(territories, lon, lat)
                if found is None:
                    bad(("new_outlets", i, "rep_code"), "no rep territory to place the outlet in: name a rep")
                    continue
                rep = reps[found[0]]
                if found[1] > 0:
                    edits.warnings.append(
                        f"new outlet {new.code} lies in no territory: given to rep {rep.code}, whose "
                        f"territory is nearest ({found[1]:.0f} m away)"
                    )
            outlet = Outlet(
                office_id=office.id,
                code=new.code,
                name=new.name,
                address=new.address,
                channel=new.channel,
                lon=lon,
                lat=lat,
                service_s=new.service_min * 60,
                visits_per_cycle=new.visits_per_cycle,
                opening_hours=opening_hours_seconds(new.opening_hours),
                rep_id=rep.id,
            )
            for column, msg in outlet_problems(outlet, office, rep):
                bad(("new_outlets", i, column), msg)
            edits.new_outlets.append(outlet)
        for i, new_rep in enumerate(body.new_reps):
            rep = office_rep(new_rep.rep_code, ("new_reps", i, "rep_code"))
            if rep is not None and any(o.rep_id == rep.id and o.status == OutletStatus.ACTIVE for o in outlets):
                bad(("new_reps", i, "rep_code"), f"rep {rep.code} already has outlets")
            elif rep is not None:
                edits._carve(rep, new_rep.visits, outlets, claimed)
        if problems:
            conflict = all(p.type == "conflict" for p in problems)
            error = Conflict if conflict else InvalidInput
            raise error(f"{len(problems)} problems in the change set; nothing was applied", details=problems)
        for rep in edits.leaving:
            edits._redistribute(rep, outlets, leaving_codes)
        return edits

    def _check_move(self, i, move: MoveIn, outlets, office_rep, stored_outlet, bad, leaving_codes) -> None:
        rep = office_rep(move.to_rep_code, ("moves", i, "to_rep_code"))
        if rep is not None and rep.code in leaving_codes:
            bad(("moves", i, "to_rep_code"), f"rep {rep.code} is leaving in this change set")
            rep = None
        if move.outlet_codes is not None:
            chosen = [
                stored_outlet(code, ("moves", i, "outlet_codes", j), f"moved to {move.to_rep_code}")
                for j, code in enumerate(move.outlet_codes)
            ]
        else:
            try:
                area = polygon_of(move.polygon, ("body", "moves", i, "polygon"))
            except InvalidInput as exc:
                bad(("moves", i, "polygon"), exc.msg)
                return
            inside = [
                o for o in outlets if o.status == OutletStatus.ACTIVE and area.covers(shapely.Point(o.lon, o.lat))
            ]
            if not inside:
                bad(("moves", i, "polygon"), "no active outlet of the office lies inside the polygon")
            chosen = [stored_outlet(o.code, ("moves", i, "polygon"), f"moved to {move.to_rep_code}") for o in inside]
        for outlet in chosen:
            if outlet is not None and rep is not None:
                if outlet.status == OutletStatus.CLOSED:
                    bad(("moves", i), f"outlet {outlet.code} is closed")
                elif outlet.rep_id != rep.id:
                    self.reassigned[outlet.id] = (outlet, rep.id)

    def _carve(self, rep: Rep, visits: int | None, outlets: list[Outlet], claimed: dict[str, str]) -> None:
        """Give the new rep the outlets nearest its start place, up to `visits` visits per cycle (default: the
        office's mean per rep, the new rep counted)."""
        active = [
            o for o in outlets if o.status == OutletStatus.ACTIVE and o.rep_id in self.reps and o.code not in claimed
        ]
        working = [r for r in self.reps.values() if r.active and r.id != rep.id]
        target = visits or sum(o.visits_per_cycle for o in active) // (len(working) + 1)
        lon, lat = (rep.home_lon, rep.home_lat) if rep.start_place == "home" else (self.office.lon, self.office.lat)
        taken = 0
        for o in sorted(active, key=lambda o: distance_m(lon, lat, o.lon, o.lat)):
            if taken + o.visits_per_cycle > target:
                break  # a compact territory: no farther outlet is taken past the first that does not fit
            self.reassigned[o.id] = (o, rep.id)
            claimed[o.code] = f"carved for new rep {rep.code}"
            taken += o.visits_per_cycle
        self.touched_reps.add(rep.id)

    def _redistribute(self, rep: Rep, outlets: list[Outlet], leaving_codes: set[str]) -> None:
        """The leaving rep's outlets, each to the rep with the nearest outlet, that distance stretched by how far
        above the office's mean workload (visits per cycle) the receiving rep already is."""
        staying = [r for r in self.reps.values() if r.active and r.code not in leaving_codes]
        if not staying:
            raise InvalidInput(f"rep {rep.code} leaves and no rep stays to take the outlets", ("body", "reps_leaving"))
        load = Counter()
        points: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for o in outlets:
            rep_id = self.reassigned[o.id][1] if o.id in self.reassigned else o.rep_id
            if o.status == OutletStatus.ACTIVE and rep_id in {r.id for r in staying}:
                load[rep_id] += o.visits_per_cycle
                points[rep_id].append((o.lon, o.lat))
        theirs = [
            o for o in outlets if o.rep_id == rep.id and o.status == OutletStatus.ACTIVE and o.id not in self.reassigned
        ]
        mean_load = (sum(load.values()) + sum(o.visits_per_cycle for o in theirs)) / len(staying)
        for o in theirs:

            def score(r: Rep) -> float:  # used for this outlet only, within the iteration
                near = min((distance_m(o.lon, o.lat, x, y) for x, y in points[r.id]), default=1e9)  # noqa: B023
                return (near + 100.0) * (1.0 + max(0.0, load[r.id] / mean_load - 1.0) * 4)

            to = min(staying, key=lambda r: (score(r), r.id))
            self.reassigned[o.id] = (o, to.id)
            load[to.id] += o.visits_per_cycle
            points[to.id].append((o.lon, o.lat))
        self.touched_reps.add(rep.id)

    def apply(self, session: Session) -> None:
        for outlet in self.new_outlets:
            session.add(outlet)
            self.outlets.append(outlet)
            self.touched_reps.add(outlet.rep_id)
        for outlet in self.closed:
            outlet.status = OutletStatus.CLOSED
            outlet.updated_at = utcnow()
            session.add(outlet)
            self.touched_reps.add(outlet.rep_id)
        for outlet, values in self.changed:
            if values.get("visits_per_cycle", outlet.visits_per_cycle) != outlet.visits_per_cycle:
                self.refold.add(outlet.id)
            for name, value in values.items():
                setattr(outlet, name, value)
            outlet.updated_at = utcnow()
            session.add(outlet)
            self.touched_reps.add(outlet.rep_id)
        for outlet, rep_id in self.reassigned.values():
            self.touched_reps |= {outlet.rep_id, rep_id}
            self.refold.add(outlet.id)
            outlet.rep_id = rep_id
            outlet.updated_at = utcnow()
            session.add(outlet)
        for rep in self.leaving:
            rep.active = False
            session.add(rep)
        self.touched_reps.discard(None)
        session.flush()

    def summary(self) -> dict:
        return {
            "new_outlets": [o.code for o in self.new_outlets],
            "closed": [o.code for o in self.closed],
            "changed": [o.code for o, _ in self.changed],
            "reassigned": [{"outlet_code": o.code, "rep_code": self.reps[r].code} for o, r in self.reassigned.values()],
            "reps_leaving": [r.code for r in self.leaving],
        }


# --- folding and the new version's rows ------------------------------------------------------------------------


def _fold_plan(
    session: Session,
    office: Office,
    base: Plan,
    plan: Plan,
    edits: _Edits,
    change_budget: int | None,
    base_visits: list,
) -> tuple[PlanRows, list[dict]]:
    """Write the new version's rows: untouched reps copied from the base (in the database), touched reps folded.
    Returns the rows (the copied visits as the base's rows, for KPIs and the diff) and the outlets the fold could
    not place, with their reasons."""
    rows = PlanRows(days=[], visits=[], unplaced=[])
    touched = edits.touched_reps
    for table in (PlanDay, PlanVisit):
        _copy_routes(session, table, base.id, plan.id, touched)
    rows.days += [d for d in plan_repository.plan_days(session, base.id) if d.rep_id not in touched]
    rows.visits += [v for v in base_visits if v.rep_id not in touched]
    for u, outlet in plan_repository.plan_unplaced(session, base.id):
        if (
            u.rep_id if u.rep_id is not None else outlet.rep_id
        ) not in touched and outlet.status == OutletStatus.ACTIVE:
            rows.unplaced.append(PlanUnplaced(**u.model_dump(exclude={"id", "plan_id"}), plan_id=plan.id))

    kept_days: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))  # rep -> day -> outlet ids
    for v in sorted(base_visits, key=lambda v: (v.rep_id, v.day, v.seq)):
        kept_days[v.rep_id][v.day].append(v.outlet_id)
    unplaced_new: list[dict] = []
    folded = PlanRows(days=[], visits=[], unplaced=[])
    with OfficeTravel(office) as travel:
        for rep_id in sorted(touched):
            rep = edits.reps[rep_id]
            if not rep.active:
                continue
            outlets = sorted(
                (o for o in edits.outlets if o.rep_id == rep_id and o.status == OutletStatus.ACTIVE),
                key=lambda o: o.code,
            )
            matrix = travel.rep_travel(rep, rep_points(office, rep, outlets), [o.code for o in outlets]).matrix
            problem = rep_problem(office, rep, outlets, base.weeks, matrix)
            index = {outlet_id: i for i, outlet_id in enumerate(problem.outlet_ids)}
            keep = lambda outlet_id: outlet_id in index and outlet_id not in edits.refold  # noqa: E731, B023 (used at once)
            routes = tuple(
                tuple(index[o] for o in kept_days[rep_id].get(v.day, []) if keep(o)) for v in problem.problem.vehicles
            )
            on_routes = {c for seq in routes for c in seq}
            new_clients = tuple(c for c in range(len(outlets)) if c not in on_routes)
            result = fold(FoldInput(problem.problem, routes, new_clients, change_budget))
            rep_rows = solution_rows(plan.id, problem, result.solution)
            folded.days += rep_rows.days
            folded.visits += rep_rows.visits
            folded.unplaced += rep_rows.unplaced
            unplaced_new += [
                {
                    "outlet_code": outlets[u.client].code,
                    "rep_code": rep.code,
                    "reason": u.reason.value,
                    "detail": u.detail,
                }
                for u in result.solution.unplaced
            ]
    session.add_all(rows.days + rows.unplaced + folded.days + folded.unplaced)
    session.execute(insert(PlanVisit), [v.model_dump(exclude={"id"}) for v in folded.visits])
    rows.days += folded.days
    rows.visits += folded.visits
    rows.unplaced += folded.unplaced
    return rows, unplaced_new


def _copy_routes(
    session: Session, table: type[PlanDay] | type[PlanVisit], base_id: int, plan_id: int, touched: set[int]
) -> None:
    """Copy the untouched reps' rows of the base version into the new one, inside the database."""
    columns = [c.name for c in table.__table__.columns if c.name not in ("id", "plan_id")]
    rows = select(*[getattr(table, c) for c in columns], literal(plan_id)).where(
        table.plan_id == base_id, col(table.rep_id).not_in(touched or {-1})
    )
    session.execute(insert(table).from_select([*columns, "plan_id"], rows))


def plan_diff(edits: _Edits, base: Plan, plan: Plan, base_visits: list, rows: PlanRows) -> dict:
    """What changed between the base version and the new one, per rep and day."""
    codes = {o.id: o.code for o in edits.outlets}
    reps = {r.id: r.code for r in edits.reps.values()}
    old = {(v.outlet_id, v.rep_id, v.day): v for v in base_visits}
    new = {(v.outlet_id, v.rep_id, v.day): v for v in rows.visits}
    old_outlets = {k[0] for k in old}
    new_outlets = {k[0] for k in new}
    old_days, new_days = defaultdict(list), defaultdict(list)
    for o, r, d in old:
        old_days[o].append((r, d))
    for o, r, d in new:
        new_days[o].append((r, d))

    def item(v, **extra) -> dict:
        return {"outlet_code": codes[v.outlet_id], "rep_code": reps[v.rep_id], "day": v.day, "seq": v.seq, **extra}

    added = [item(v) for k, v in sorted(new.items()) if k[0] not in old_outlets]
    removed = [item(v) for k, v in sorted(old.items()) if k[0] not in new_outlets]
    moved = []
    for outlet_id in sorted(old_outlets & new_outlets):
        before, after = old_days[outlet_id], new_days[outlet_id]
        if set(before) != set(after):
            before, after = sorted(before), sorted(after)
            moved.append(
                {
                    "outlet_code": codes[outlet_id],
                    "from": [{"rep_code": reps[r], "day": d} for r, d in before],
                    "to": [{"rep_code": reps[r], "day": d} for r, d in after],
                }
            )
    resequenced, shifted = [], []
    for k in sorted(old.keys() & new.keys()):
        a, b = old[k], new[k]
        if a.seq != b.seq:
            resequenced.append(item(b, old_seq=a.seq))
        if abs(b.arrival_s - a.arrival_s) > ARRIVAL_SHIFT_S:
            shifted.append(item(b, old_arrival_s=a.arrival_s, arrival_s=b.arrival_s))
    day_changes = _day_changes(old.values(), new.values(), reps)
    kpis_old, kpis_new = base.kpis, plan.kpis
    kept = sum(1 for k in old.keys() & new.keys())
    return {
        "base_plan_id": base.id,
        "result_plan_id": plan.id,
        "added": added,
        "removed": removed,
        "moved": moved,
        "resequenced": resequenced,
        "arrival_shifts": shifted,
        "days_changed": day_changes,
        # Rep-days that got no outlet added or taken away, yet changed order or times (0 is what a fold aims at).
        "untouched_days_changed": sum(1 for d in day_changes if not d["added"] and not d["removed"]),
        "existing_visits_kept": kept,
        "existing_visits": len(old),
        "kpi_deltas": {
            name: kpis_new.get(name, 0) - kpis_old.get(name, 0)
            for name in (
                "travel_s",
                "distance_m",
                "workload_spread_s_max",
                "coverage",
                "visits_placed",
                "visits_required",
                "unplaced_visits",
            )
        },
    }


def _day_changes(old_visits, new_visits, reps: dict[int, str]) -> list[dict]:
    """Per rep-day that changed: outlets added and removed, kept visits whose order among the kept ones changed
    (reordered) and kept visits that start at another time (retimed)."""
    old_days, new_days = defaultdict(dict), defaultdict(dict)
    for v in old_visits:
        old_days[(v.rep_id, v.day)][v.outlet_id] = v
    for v in new_visits:
        new_days[(v.rep_id, v.day)][v.outlet_id] = v
    changes = []
    for rep_id, day in sorted(old_days.keys() | new_days.keys()):
        a, b = old_days.get((rep_id, day), {}), new_days.get((rep_id, day), {})
        kept = a.keys() & b.keys()
        order_a = sorted(kept, key=lambda o: a[o].seq)
        order_b = sorted(kept, key=lambda o: b[o].seq)
        change = {
            "rep_code": reps[rep_id],
            "day": day,
            "added": len(b.keys() - a.keys()),
            "removed": len(a.keys() - b.keys()),
            "reordered": sum(x != y for x, y in zip(order_a, order_b)),
            "retimed": sum(a[o].start_s != b[o].start_s for o in kept),
        }
        if change["added"] or change["removed"] or change["reordered"] or change["retimed"]:
            changes.append(change)
    return changes


# --- the monthly OM file -------------------------------------------------------------------------------------


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
    body = {"new_outlets": [], "closures": [], "changes": [], "moves": {}}
    for row, d in checked:
        outlet = stored.get(d.customer_code)
        hours = d.opening_hours()
        if outlet is None:
            if d.status == OutletStatus.CLOSED:
                problems.add(row, "status", f"outlet {d.customer_code} is new and closed: leave it out of the file")
                continue
            body["new_outlets"].append(
                NewOutletIn(
                    code=d.customer_code,
                    name=d.name,
                    address=d.address,
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
                body["closures"].append(outlet.code)
            continue
        if outlet.status == OutletStatus.CLOSED:
            problems.add(row, "status", f"outlet {outlet.code} is closed; reopening is not a line cleanup change")
            continue
        change = {}
        if d.visits_per_cycle != outlet.visits_per_cycle:
            change["visits_per_cycle"] = d.visits_per_cycle
        if hours != opening_hours_seconds(opening_hours_text(outlet.opening_hours)):
            change["opening_hours"] = opening_hours_text(hours)
        if d.service_min * 60 != outlet.service_s:
            change["service_min"] = d.service_min
        if change:
            body["changes"].append(OutletChangeIn(code=outlet.code, **change))
        if d.rep_code and d.rep_code != rep_codes.get(outlet.rep_id):
            body["moves"].setdefault(d.rep_code, []).append(outlet.code)
    problems.raise_if_any(len(rows))
    moves = [MoveIn(to_rep_code=rep, outlet_codes=codes) for rep, codes in body.pop("moves").items()]
    return ChangeSetCreate(
        base_plan_id=base_plan_id,
        idempotency_key=idempotency_key,
        created_by=created_by,
        change_budget=change_budget,
        moves=moves,
        **body,
    )
