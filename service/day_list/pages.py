"""The rep's phone app: its day (/reps/{id}/day/{date|today}/page: the ordered outlets, a form per stop to record
the visit's outcome, previous and next day, a small numbered map) and the printable A4 visit card
(/reps/{id}/day/{date}/sheet.pdf). Without a valid token the pages show the sign-in form (service/pages/sign_in.py)."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from typing import Annotated
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from service.access import auth, policy, sign_in
from service.access.auth import Principal
from service.core.calendar import office_today
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput, NotFound
from service.core.fields import RepId
from service.core.i18n import Translator
from service.core.tables import Office, Rep
from service.day_list import views as day_list_views
from service.day_list.day_sheet import day_sheet_pdf
from service.day_list.schemas import DayListPublic
from service.master_data import repository
from service.pages.render import TranslatorDep, page
from service.pages.sign_in import signed_out
from service.pages.tiles import TileSource, page_json, tile_source, to_display
from service.visits.outcomes import FAR_FROM_OUTLET_M, list_outcomes
from service.visits.schemas import NotVisitedReason

router = APIRouter(route_class=CommittingRoute, tags=["pages"])

TODAY = "today"
CardDate = Annotated[dt.date, Path(description="the day, YYYY-MM-DD")]
OptionalPrincipal = Annotated[Principal | None, Depends(sign_in.optional_page_principal)]


def _day_page_data(listing: DayListPublic, tiles: TileSource | None) -> dict:
    """The day's places for the small map, shifted for the base map: start, stops (numbered), end."""
    if listing.start is None or listing.end is None:
        return {}  # nothing to draw: the page says so instead
    lonlat = (
        [[listing.start.lon, listing.start.lat]]
        + [[v.lon, v.lat] for v in listing.visits]
        + [[listing.end.lon, listing.end.lat]]
    )
    shown = to_display(np.array(lonlat), tiles).tolist()
    return {
        "start": {"place": listing.start.place, "lonlat": shown[0]},
        "stops": [
            [v.seq, v.outlet_code, v.outlet_name, *lonlat, v.arrival] for v, lonlat in zip(listing.visits, shown[1:-1])
        ],
        "end": {"place": listing.end.place, "lonlat": shown[-1]},
        "tiles": page_json(tiles),
    }


def _rep_or_refusal(
    request: Request, session: SessionDep, t: Translator, rep_id: int, principal: Principal | None
) -> Rep | HTMLResponse:
    """The rep whose page this is, or the page to show instead: the sign-in form without a valid token."""
    if principal is None:
        return signed_out(request, t)
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"rep {rep_id} does not exist", ("path", "rep_id"))
    policy.check(principal, policy.DAY_LIST, policy.rep_scope(rep), ("path", "rep_id"))
    return rep


def _office(session: SessionDep, rep: Rep) -> Office:
    office = repository.office(session, rep.office_id)
    assert office is not None  # the rep's office (a foreign key)
    return office


def _the_date(day: str, today: dt.date) -> dt.date:
    if day == TODAY:
        return today
    try:
        return dt.date.fromisoformat(day)
    except ValueError as exc:
        raise InvalidInput(f"{day!r} is neither YYYY-MM-DD nor {TODAY}", ("path", "date")) from exc


SERVICE_WORKER = pathlib.Path(__file__).parent / "static" / "rep_service_worker.js"


@router.get("/reps/app/service-worker.js", include_in_schema=False)
def rep_service_worker() -> Response:
    """The phone app's service worker (keeps the day pages for offline use). Allowed to control every page under
    /reps/ (a worker's scope is its own folder unless allowed more); revalidated on every load, so an update
    reaches the phones at once."""
    return Response(
        SERVICE_WORKER.read_bytes(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/reps/"},
    )


@router.get("/reps/{rep_id}/day/{date}/page", summary="The rep's day on the phone (page)", response_class=HTMLResponse)
def rep_day_page(
    rep_id: RepId,
    date: Annotated[str, Path(description="YYYY-MM-DD, or `today` in the office's time zone")],
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    principal: OptionalPrincipal,
) -> HTMLResponse:
    """The rep's day on a phone: the ordered outlets, each with its outcome form, and a small numbered map."""
    rep = _rep_or_refusal(request, session, t, rep_id, principal)
    if isinstance(rep, HTMLResponse):
        return rep
    office = _office(session, rep)
    today = office_today(office)
    on = _the_date(date, today)
    days = {
        name: str(
            request.url_for("rep_day_page", rep_id=rep_id, date=d.isoformat()).include_query_params(lang=t.language)
        )
        for name, d in (("previous", on - dt.timedelta(days=1)), ("next", on + dt.timedelta(days=1)))
    }
    days["today"] = str(
        request.url_for("rep_day_page", rep_id=rep_id, date=TODAY).include_query_params(lang=t.language)
    )
    service_worker = str(request.url_for("rep_service_worker").path)
    try:
        listing = day_list_views.rep_day_list(session, rep_id, on)
    except NotFound:  # no published plan, or a date before it starts: say so on the page, in its language
        return page(
            request, "day_page.html", t, listing=None, rep=rep, on=on, days=days, data={}, service_worker=service_worker
        )
    outcomes = {o.outlet_code: o for o in list_outcomes(session, rep_id, on, on)}
    data = _day_page_data(listing, tile_source()) | {
        "messages": t.messages,
        "rep_id": rep_id,
        "date": on.isoformat(),
        "post_url": f"/reps/{rep_id}/visits",
        "timezone": office.timezone,
        "far_m": int(FAR_FROM_OUTLET_M),
    }
    sheet_url = str(
        request.url_for("rep_day_sheet", rep_id=rep_id, date=on.isoformat()).include_query_params(lang=t.language)
    )
    return page(
        request,
        "day_page.html",
        t,
        listing=listing,
        rep=rep,
        on=on,
        days=days,
        data=data,
        sheet_url=sheet_url,
        outcomes=outcomes,
        service_worker=service_worker,
        reasons=list(NotVisitedReason),
        far_m=int(FAR_FROM_OUTLET_M),
        is_future=on > today,
        timezone=ZoneInfo(office.timezone),
    )


@router.get(
    "/reps/{rep_id}/day/{date}/sheet.pdf",
    summary="The rep's visit card (A4 PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    dependencies=[policy.on_rep(policy.DAY_LIST, page=True)],
)
def rep_day_sheet(rep_id: RepId, date: CardDate, request: Request, session: SessionDep, t: TranslatorDep) -> Response:
    """The printable A4 visit card of the rep's day: map and list with the same numbers."""
    listing = day_list_views.rep_day_list(session, rep_id, date)
    # header values are Latin-1: any other character of a rep code becomes "_"
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", f"visit-card-{listing.rep_code}-{date.isoformat()}.pdf")
    return auth.page_response(
        Response(
            day_sheet_pdf(listing, t),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{filename}"',
                "Content-Language": t.language,
                "Vary": "Accept-Language",
            },
        )
    )
