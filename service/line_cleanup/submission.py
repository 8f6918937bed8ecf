"""A change set submitted, from the API or the coordinator's pages alike: its base checked against the token's
office, applied (or its earlier result answered), recorded in the audit trail, its leaving reps signed out."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import Response, status
from sqlmodel import Session

from geo.coords import CoordSystem
from service.access import audit, auth, policy
from service.access.auth import Principal
from service.access.policy import LINE_CLEANUP, Scope
from service.core.errors import Loc
from service.core.tables import Plan, stored_id
from service.line_cleanup import change_sets, om_file
from service.line_cleanup.schemas import ChangeSetCreate
from service.master_data import repository


def check_base(session: Session, principal: Principal, base_plan_id: int, loc: Loc) -> None:
    if (base := session.get(Plan, base_plan_id)) is not None:  # else the change set's own 422
        policy.check(principal, LINE_CLEANUP, Scope(f"plan {base_plan_id}", base.office_id), loc)


def submitted(
    session: Session, body: ChangeSetCreate, response: Response, principal: Principal, request: dict | None = None
) -> Any:
    """Apply the change set (or answer its earlier result), record who submitted it, sign its leaving reps out."""
    result = change_sets.submit(session, body, request)
    if result.replayed:
        response.status_code = status.HTTP_200_OK
    else:
        audit.record(
            session,
            principal,
            "change_set.submitted",
            result.office_id,
            "change_set",
            result.id,
            {
                "base_plan_id": result.base_plan_id,
                "result_plan_id": result.result_plan_id,
                "idempotency_key": body.idempotency_key,
            },
        )
    if not result.replayed and body.reps_leaving:  # their tokens stop working now, not when the caches expire
        session.commit()  # first: a lookup between forgetting and committing would cache them as active again
        for rep in repository.reps(session, result.office_id):
            if rep.code in body.reps_leaving:
                auth.forget_rep(stored_id(rep))
    return result


def submit_om_file(
    session: Session,
    response: Response,
    principal: Principal,
    filename: str,
    data: bytes,
    base_plan_id: int,
    idempotency_key: str,
    created_by: str,
    change_budget: int | None,
    coord_system: CoordSystem,
) -> Any:
    """The OM file as a change set, for the API and the OM file page alike."""
    check_base(session, principal, base_plan_id, ("body", "base_plan_id"))
    # the key is checked against the file itself: once applied, the same file would read as other changes
    request = {
        "om_file": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "base_plan_id": base_plan_id,
        "idempotency_key": idempotency_key,
        "created_by": created_by,
        "change_budget": change_budget,
        "coord_system": str(coord_system),
    }
    earlier = change_sets.replayed(
        session, change_sets.base_plan(session, base_plan_id).office_id, idempotency_key, request
    )
    if earlier is not None:
        response.status_code = status.HTTP_200_OK
        return earlier
    body = om_file.om_file_change_set(
        session, filename, data, base_plan_id, idempotency_key, created_by, change_budget, coord_system
    )
    return submitted(session, body, response, principal, request)
