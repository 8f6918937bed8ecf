"""The rep's day on a phone (/reps/{id}/day/{date}/page: the ordered outlets and a small numbered map) and the
printable A4 visit card (/reps/{id}/day/{date}/sheet.pdf)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from service.access import auth, policy
from service.core.db import CommittingRoute, SessionDep
from service.day_list import views as day_list_views
from service.day_list.day_sheet import day_sheet_pdf
from service.day_list.schemas import DayListPublic
from service.pages.render import TranslatorDep, page
from service.pages.tiles import TileSource, page_json, tile_source, to_display

router = APIRouter(route_class=CommittingRoute, tags=["pages"])


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


@router.get(
    "/reps/{rep_id}/day/{date}/page",
    response_class=HTMLResponse,
    dependencies=[policy.on_rep(policy.DAY_LIST, page=True)],
)
def rep_day_page(rep_id: int, date: dt.date, request: Request, session: SessionDep, t: TranslatorDep) -> HTMLResponse:
    """The rep's day on a phone: the ordered outlets and a small numbered map."""
    listing = day_list_views.rep_day_list(session, rep_id, date)
    data = _day_page_data(listing, tile_source()) | {"messages": t.messages}
    sheet_url = str(
        request.url_for("rep_day_sheet", rep_id=rep_id, date=date.isoformat()).include_query_params(lang=t.language)
    )
    return page(request, "day_page.html", t, listing=listing, data=data, sheet_url=sheet_url)


@router.get(
    "/reps/{rep_id}/day/{date}/sheet.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    dependencies=[policy.on_rep(policy.DAY_LIST, page=True)],
)
def rep_day_sheet(rep_id: int, date: dt.date, request: Request, session: SessionDep, t: TranslatorDep) -> Response:
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
