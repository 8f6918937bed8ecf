"""The coordinator's line-cleanup pages: the change-set form (/line-cleanup/page) and a change set's diff
(/change-sets/{id}/page) as a table per rep-day and on the draft's map, from where a supervisor publishes the
draft. Writes come as JSON from this site's own page with its sign-in cookie (service/access/sign_in.py)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import Field

from geo.coords import CoordSystem, gcj02_to_wgs84
from service.access import policy, sign_in
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput
from service.core.fields import ChangeSetId, CoordSystemName, OfficePage, RequestModel
from service.core.tables import OutletStatus, Plan, PlanStatus, stored_id
from service.line_cleanup import change_sets, submission
from service.line_cleanup.diff_view import diff_view
from service.line_cleanup.schemas import ChangeSetCreate, ChangeSetPublic
from service.master_data import repository
from service.master_data import writes as master_data
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out
from service.pages.tiles import page_json, tile_source, to_display
from service.plans import views as plan_views
from service.plans.schemas import PlanPublic

router = APIRouter(route_class=CommittingRoute, tags=["pages"])

MAP_OUTLETS = 20_000  # outlets the form's map and closure list carry; an office has a few thousand


class ChangeSetFromMap(RequestModel):
    """The change-set form's submission: the change set, its move polygons drawn on the page's base map."""

    change_set: ChangeSetCreate = Field(description="As POST /change-sets; new outlets carry their coord_system.")
    map_coord_system: CoordSystemName = Field(
        default=CoordSystem.wgs84, description="The system of the drawn polygons (the base map's); stored as WGS84."
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "change_set": {
                        "base_plan_id": 7,
                        "idempotency_key": "form-2026-12-04-1",
                        "closures": ["SH0900012"],
                        "moves": [
                            {
                                "to_rep_code": "TINY-R02",
                                "polygon": {
                                    "type": "Polygon",
                                    "coordinates": [
                                        [[121.34, 31.15], [121.35, 31.15], [121.35, 31.16], [121.34, 31.15]]
                                    ],
                                },
                            }
                        ],
                    },
                    "map_coord_system": "wgs84",
                }
            ]
        }
    }


def _to_wgs84(polygon: dict, system: CoordSystem) -> dict:
    """A drawn GeoJSON polygon's rings in WGS84 (the base map may draw in GCJ-02)."""
    if system == CoordSystem.wgs84 or polygon.get("type") != "Polygon":
        return polygon
    rings = []
    for ring in polygon.get("coordinates", []):
        points = np.asarray(ring, dtype=float).reshape(-1, 2)
        lon, lat = gcj02_to_wgs84(points[:, 0], points[:, 1])
        rings.append(np.column_stack([lon, lat]).tolist())
    return {"type": "Polygon", "coordinates": rings}


@router.get("/line-cleanup/page", summary="The change-set form (page)", response_class=HTMLResponse)
def change_set_form(
    request: Request, session: SessionDep, t: TranslatorDep, principal: PagePrincipal, office_id: OfficePage = None
) -> HTMLResponse:
    """New outlets placed on the map, closures, moves by a drawn polygon, reps leaving or joining, the change
    budget: submitted as one change set to the office's current plan."""
    if principal is None:
        return signed_out(request, t)
    policy.check_role(principal, policy.LINE_CLEANUP)
    office_id = office_id if office_id is not None else principal.office_id
    if office_id is None:
        raise InvalidInput("office_id is required", ("query", "office_id"))
    office = master_data.require_office(session, office_id, ("query", "office_id"))
    policy.check(principal, policy.LINE_CLEANUP, policy.Scope(f"office {office_id}", office_id), ("query", "office_id"))
    tiles = tile_source()
    current = change_sets.current_plan(session, office_id)
    reps = list(repository.reps(session, office_id))
    rep_codes = {stored_id(r): r.code for r in reps}
    outlets = [o for o in repository.outlets(session, office_id) if o.status == OutletStatus.ACTIVE][:MAP_OUTLETS]
    shown = to_display(np.array([[o.lon, o.lat] for o in outlets]), tiles).tolist() if outlets else []
    data = {
        "office_id": office_id,
        "base_plan_id": current.id if current else None,
        "centre": to_display(np.array([[office.lon, office.lat]]), tiles).tolist()[0],
        "tiles": page_json(tiles),
        "map_coord_system": str(tiles.coords) if tiles else str(CoordSystem.wgs84),
        "outlets": [
            {"code": o.code, "name": o.name, "rep_code": rep_codes.get(o.rep_id or 0), "lonlat": p}
            for o, p in zip(outlets, shown)
        ],
        "submit_url": "/line-cleanup/page/submit",
        "diff_url": "/change-sets/{id}/page",
        "messages": {k: v for k, v in t.messages.items() if k.startswith("line_cleanup.form.")},
    }
    channels = t.messages["channels"]
    return page(
        request, "change_set_form.html", t, office=office, reps=reps, outlets=outlets, channels=channels, data=data
    )


@router.post(
    "/line-cleanup/page/submit",
    summary="Submit the change-set form",
    status_code=201,
    response_model=ChangeSetPublic,
)
def submit_change_set_form(
    body: ChangeSetFromMap,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, sign_in.phone_role(policy.LINE_CLEANUP)],
) -> Any:
    """The form's submit: POST /change-sets for the page's cookie, its polygons turned to WGS84."""
    change_set = body.change_set
    submission.check_base(session, principal, change_set.base_plan_id, ("body", "change_set", "base_plan_id"))
    for move in change_set.moves:
        if move.polygon is not None:
            move.polygon = _to_wgs84(move.polygon, body.map_coord_system)
    return submission.submitted(session, change_set, response, principal)


PagePrincipal = Annotated[Principal | None, Depends(sign_in.optional_page_principal)]


@router.get("/change-sets/{change_set_id}/page", summary="A change set's diff (page)", response_class=HTMLResponse)
def change_set_page(
    change_set_id: ChangeSetId, request: Request, session: SessionDep, t: TranslatorDep, principal: PagePrincipal
) -> HTMLResponse:
    """What the change set changed, per rep-day and on the draft's map; the supervisor's publish button."""
    if principal is None:
        return signed_out(request, t)
    policy.check_role(principal, policy.READ_OFFICE)  # first: no lookup for a role that never may
    change_set = change_sets.get_change_set(session, change_set_id)
    scope = policy.Scope(f"change set {change_set_id}", change_set.office_id)
    policy.check(principal, policy.READ_OFFICE, scope, ("path", "change_set_id"))
    base = session.get(Plan, change_set.base_plan_id)
    draft = session.get(Plan, change_set.result_plan_id)
    assert base is not None and draft is not None  # a change set's versions are never deleted
    tiles = tile_source()
    view = diff_view(session, change_set.diff, base, t, tiles)
    data: dict[str, Any] = {
        "points": view["points"],
        "tiles": page_json(tiles),
        "publish_url": f"/change-sets/{change_set_id}/page/publish",
        "messages": {"published": t("line_cleanup.published"), "status": t.messages["status"]},
    }
    can_publish = draft.status == PlanStatus.DRAFT and policy.allows(principal, policy.PLAN, scope)
    return page(
        request,
        "change_set_diff.html",
        t,
        change_set=change_set,
        draft=draft,
        view=view,
        kpis=change_set.diff.get("kpi_deltas", {}),
        can_publish=can_publish,
        data=data,
    )


@router.post(
    "/change-sets/{change_set_id}/page/publish",
    summary="Publish a change set's draft (page)",
    response_model=PlanPublic,
)
def publish_change_set(
    change_set_id: ChangeSetId, session: SessionDep, principal: Annotated[Principal, sign_in.phone_role(policy.PLAN)]
) -> PlanPublic:
    """The diff page's publish: POST /plans/{result_plan_id}/publish for the page's cookie (supervisors and
    admins; a coordinator's change set makes a draft, never a published plan)."""
    change_set = change_sets.get_change_set(session, change_set_id)
    scope = policy.Scope(f"change set {change_set_id}", change_set.office_id)
    policy.check(principal, policy.PLAN, scope, ("path", "change_set_id"))
    return plan_views.publish_plan(session, principal, change_set.result_plan_id)
