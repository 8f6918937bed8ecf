"""The coordinator's line-cleanup pages: the change-set form (/change-sets/page) and a change set's diff
(/change-sets/{id}/page) as a table per rep-day and on the draft's map, from where a supervisor publishes the
draft. Writes come as JSON from this site's own page with its sign-in cookie (service/access/sign_in.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from service.access import audit, policy, sign_in
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.tables import Plan, PlanStatus
from service.line_cleanup import change_sets
from service.line_cleanup.diff_view import diff_view
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out
from service.pages.tiles import page_json, tile_source
from service.plans import views as plan_views
from service.plans.schemas import PlanPublic

router = APIRouter(route_class=CommittingRoute, tags=["pages"])

PagePrincipal = Annotated[Principal | None, Depends(sign_in.optional_page_principal)]
PhonePrincipal = Annotated[Principal, Depends(sign_in.phone_principal)]


@router.get("/change-sets/{change_set_id}/page", response_class=HTMLResponse)
def change_set_page(
    change_set_id: int, request: Request, session: SessionDep, t: TranslatorDep, principal: PagePrincipal
) -> HTMLResponse:
    """What the change set changed, per rep-day and on the draft's map; the supervisor's publish button."""
    if principal is None:
        return signed_out(request, t)
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


@router.post("/change-sets/{change_set_id}/page/publish", response_model=PlanPublic)
def publish_change_set(change_set_id: int, session: SessionDep, principal: PhonePrincipal) -> PlanPublic:
    """The diff page's publish: POST /plans/{result_plan_id}/publish for the page's cookie (supervisors and
    admins; a coordinator's change set makes a draft, never a published plan)."""
    change_set = change_sets.get_change_set(session, change_set_id)
    scope = policy.Scope(f"change set {change_set_id}", change_set.office_id)
    policy.check_role(principal, policy.PLAN)
    policy.check(principal, policy.PLAN, scope, ("path", "change_set_id"))
    plan = plan_views.publish_plan(session, change_set.result_plan_id)
    audit.record(
        session,
        principal,
        "plan.published",
        plan.office_id,
        "plan",
        plan.id,
        {"based_on_id": plan.based_on_id, "change_set_id": plan.change_set_id},
    )
    return plan
