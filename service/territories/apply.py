"""A proposal applied as a line cleanup: a change set of moves (per receiving rep) and reps leaving, folded into the
office's current plan version like any other (line_cleanup.change_sets.submit) with the reps whose outlets change
keeping the routes the proposal planned for them; the reps' territories stored as the proposal's polygons.

A new rep of the proposal (NEW-1, ...) is a rep created beforehand (POST /reps) without outlets, named in
`new_rep_codes`. Outlets closed since the proposal are left out of the moves; an outlet that already has its
proposed rep is not moved.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session

from service.core.errors import Conflict, ErrorDetail, InvalidInput
from service.core.tables import Outlet, OutletStatus, Rep, TerritoryProposal, stored_id
from service.line_cleanup import change_sets
from service.line_cleanup.schemas import ChangeSetCreate, ChangeSetPublic, MoveIn
from service.master_data import repository
from service.master_data.territories import store_territory
from service.plans import repository as plan_repository
from service.territories.schemas import ProposalApply


def _rep_codes(row: TerritoryProposal, body: ProposalApply, reps: dict[str, Rep], outlets: list[Outlet]) -> dict:
    """The rep code of every rep key of the proposal (a new rep's: the rep named for it); InvalidInput naming every
    new rep left unnamed or named wrongly."""
    keys = [r["rep_code"] for r in row.result["reps"]]
    new = [r["rep_code"] for r in row.result["reps"] if r["new"]]
    with_outlets = {o.rep_id for o in outlets}
    problems = []
    for key, code in body.new_rep_codes.items():
        rep = reps.get(code)
        where = ("body", "new_rep_codes", key)
        if key not in new:
            problems.append(
                ErrorDetail(where, f"the proposal has no new rep {key} (its new reps: {new})", "value_error")
            )
        elif rep is None or not rep.active:
            problems.append(ErrorDetail(where, f"rep {code} is not an active rep of the office", "value_error"))
        elif code in keys or list(body.new_rep_codes.values()).count(code) > 1 or rep.id in with_outlets:
            problems.append(ErrorDetail(where, f"rep {code} already has outlets or another part", "value_error"))
    problems += [
        ErrorDetail(("body", "new_rep_codes", key), f"name the rep created for {key} (POST /reps)", "missing")
        for key in new
        if key not in body.new_rep_codes
    ]
    if problems:
        raise InvalidInput(f"{len(problems)} problems in new_rep_codes; nothing was applied", details=problems)
    return {key: body.new_rep_codes.get(key, key) for key in keys}


def apply_proposal(session: Session, row: TerritoryProposal, body: ProposalApply) -> ChangeSetPublic:
    """The change set applying the proposal (staged in `session`, the caller commits), or the one a repeated
    idempotency key made."""
    request = {"territory_proposal_id": row.job_id} | body.model_dump(mode="json")
    earlier = change_sets.replayed(session, row.office_id, body.idempotency_key, request)
    if earlier is not None:
        return earlier
    if row.change_set_id is not None:
        raise Conflict(f"the proposal was applied already, as change set {row.change_set_id}", ("path", "proposal_id"))
    base = change_sets.base_plan(session, body.base_plan_id)
    if base.office_id != row.office_id:
        raise InvalidInput(f"plan {body.base_plan_id} is not a plan of the proposal's office", ("body", "base_plan_id"))

    reps = {r.code: r for r in repository.reps(session, row.office_id)}
    outlets = list(repository.outlets(session, row.office_id, status=OutletStatus.ACTIVE))
    codes = _rep_codes(row, body, reps, outlets)
    by_code = {o.code: o for o in outlets}
    moves = []
    touched: set[int] = set()
    for move in row.result["moves"]:
        to = reps[codes[move["to_rep_code"]]]
        moving = [by_code[c] for c in move["outlet_codes"] if c in by_code and by_code[c].rep_id != to.id]
        if moving:
            moves.append(MoveIn(to_rep_code=to.code, outlet_codes=[o.code for o in moving]))
            touched |= {stored_id(to)} | {o.rep_id for o in moving if o.rep_id is not None}
    touched |= {u.rep_id for u, _ in plan_repository.plan_unplaced(session, stored_id(base)) if u.rep_id is not None}
    leaving = [code for code in row.result["reps_leaving"] if code in reps and reps[code].active]
    planned: dict[int, dict[int, list[int]]] = defaultdict(dict)
    for key, days in row.result["routes"].items():
        rep_id = stored_id(reps[codes[key]])
        if rep_id in touched:
            planned[rep_id] = {day: outlet_ids for day, outlet_ids in days}
    change_set = ChangeSetCreate(
        base_plan_id=body.base_plan_id,
        idempotency_key=body.idempotency_key,
        created_by=body.created_by,
        moves=moves,
        reps_leaving=leaving,
    )
    result = change_sets.submit(session, change_set, request, dict(planned))
    for feature in row.result["territories"]["features"]:
        store_territory(session, reps[codes[feature["properties"]["rep_code"]]], feature["geometry"])
    row.change_set_id = result.id
    session.add(row)
    session.flush()
    return result
