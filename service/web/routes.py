"""The pages: the plan map (/plans/{id}/map, and /map for an office's published plan), the rep's day page
(/reps/{id}/day/{date}/page), the printable day sheet (/reps/{id}/day/{date}/sheet.pdf), and the pages' own
static files (Leaflet included) under /web/static/. Every page takes `lang` (zh-CN or en), else follows the
browser's Accept-Language. Every page but the static files needs a token: a Bearer header, a link's `?token=`
(exchanged for a cookie by a redirect to the link without it) or that cookie (service/access/auth.py). Pages send a
Content-Security-Policy that runs no inline script or style."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import numpy as np
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session
from starlette.staticfiles import StaticFiles

from service.access import auth, policy
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import InvalidInput, NotFound
from service.core.tables import stored_id
from service.core.time_of_day import WEEKDAYS
from service.day_list import views as day_list_views
from service.day_list.schemas import DayListPublic
from service.master_data import repository
from service.plans import repository as plan_repository
from service.web.day_sheet import day_sheet_pdf
from service.web.i18n import LANGUAGES, Translator, choose_language, messages
from service.web.map_data import plan_map_data
from service.web.tiles import TileSource, page_json, tile_source, to_display

_HERE = Path(__file__).parent
_templates = Environment(loader=FileSystemLoader(_HERE / "templates"), autoescape=select_autoescape(["html"]))
_templates.filters["hm"] = lambda seconds: f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
_templates.filters["km"] = lambda metres: f"{metres / 1000:.1f}"
_static = StaticFiles(directory=_HERE / "static")

router = APIRouter(route_class=CommittingRoute, tags=["pages"])


def page_translator(
    lang: Annotated[str | None, Query(description="zh-CN or en; default: the browser's language")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Translator:
    return Translator(choose_language(lang, accept_language))


TranslatorDep = Annotated[Translator, Depends(page_translator)]


def content_security_policy(tiles: TileSource | None) -> str:
    """Scripts, styles and images of the pages come from the service itself (the base map's tiles from their
    server): no inline script or style runs, whatever a stored name holds."""
    images = "'self' data:"
    if tiles is not None:
        parts = urlsplit(tiles.url.replace("{s}", "*"))
        images += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {images}; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _page(request: Request, template: str, t: Translator, **context) -> HTMLResponse:
    html = _templates.get_template(template).render(
        t=t,
        lang=t.language,
        language_names={language: messages(language)["language_name"] for language in LANGUAGES},
        language_links=_language_links(request),
        **context,
    )
    return auth.page_response(
        HTMLResponse(html, headers={"Content-Language": t.language, "Vary": "Accept-Language"}),
        content_security_policy(tile_source()),
    )


def _language_links(request: Request) -> dict[str, str]:
    """This page's URL in each language (the other query parameters kept but a token: the cookie carries it)."""
    url = request.url.remove_query_params(auth.PAGE_TOKEN_PARAM)
    return {language: str(url.include_query_params(lang=language)) for language in LANGUAGES}


def _map_filters(data: dict, rep: int | None, week: int | None, weekday: str | None) -> dict:
    """The filters the page opens with; week 1 of the cycle unless asked (a whole cycle overlays four)."""
    if rep is not None and rep not in {r["id"] for r in data["reps"]}:
        raise InvalidInput(f"rep {rep} has no route or outlet in plan {data['plan']['id']}", ("query", "rep"))
    weeks = data["plan"]["weeks"]
    if week is not None and not 0 <= week <= weeks:
        raise InvalidInput(f"week must be 1..{weeks}, or 0 for every week, not {week}", ("query", "week"))
    if weekday is not None and weekday not in WEEKDAYS:
        raise InvalidInput(f"weekday must be one of {', '.join(WEEKDAYS)}, not {weekday!r}", ("query", "weekday"))
    return {
        "rep": rep,
        "week": 1 if week is None else week,
        "weekday": None if weekday is None else WEEKDAYS.index(weekday),
    }


def _plan_map_page(
    request: Request,
    session: Session,
    plan_id: int,
    t: Translator,
    rep: int | None,
    week: int | None,
    weekday: str | None,
) -> HTMLResponse:
    data = plan_map_data(session, plan_id, tile_source())
    data["filters"] = _map_filters(data, rep, week, weekday)
    data["messages"] = t.messages
    data["language"] = t.language
    return _page(request, "plan_map.html", t, data=data, kpis=data["kpis"], reps={r["id"]: r for r in data["reps"]})


RepFilter = Annotated[int | None, Query(description="show only this rep (id)")]
WeekFilter = Annotated[int | None, Query(description="week of the cycle, 1-based; 0 = every week; default 1")]
WeekdayFilter = Annotated[str | None, Query(description="mon..sun; default every day")]
OfficeChoice = Annotated[int | None, Query(description="default: the only office with a published plan")]


@router.get(
    "/plans/{plan_id}/map", response_class=HTMLResponse, dependencies=[policy.on_plan(policy.READ_OFFICE, page=True)]
)
def plan_map(
    plan_id: int,
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    rep: RepFilter = None,
    week: WeekFilter = None,
    weekday: WeekdayFilter = None,
) -> HTMLResponse:
    """The plan on a map: territories, routes with numbered stops, key figures, unplaced visits."""
    return _plan_map_page(request, session, plan_id, t, rep, week, weekday)


@router.get("/map", response_class=HTMLResponse)
def published_plan_map(
    request: Request,
    session: SessionDep,
    t: TranslatorDep,
    principal: Annotated[Principal, policy.role(policy.READ_OFFICE, page=True)],
    office_id: OfficeChoice = None,
    rep: RepFilter = None,
    week: WeekFilter = None,
    weekday: WeekdayFilter = None,
) -> HTMLResponse:
    """The map of the published plan of an office: what the reps are working to (the token's office's, unless
    the token is a global admin's)."""
    office_id = policy.office_filter(principal, office_id)
    if office_id is not None:
        if repository.office(session, office_id) is None:
            raise NotFound(f"no office with id {office_id}", ("query", "office_id"))
        plan = plan_repository.published_plan(session, office_id)
        if plan is None:
            raise NotFound(f"office {office_id} has no published plan", ("query", "office_id"))
    else:
        published = [
            p for o in repository.offices(session) if (p := plan_repository.published_plan(session, stored_id(o)))
        ]
        if not published:
            raise NotFound("no office has a published plan", ("query", "office_id"))
        if len(published) > 1:
            offices = ", ".join(str(p.office_id) for p in published)
            raise InvalidInput(f"several offices have a published plan ({offices}); choose one", ("query", "office_id"))
        plan = published[0]
    return _plan_map_page(request, session, stored_id(plan), t, rep, week, weekday)


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
    return _page(request, "day_page.html", t, listing=listing, data=data, sheet_url=sheet_url)


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


@router.get("/web/static/{path:path}", include_in_schema=False)
async def static_file(path: str, request: Request) -> Response:
    """The pages' scripts, styles and the vendored Leaflet, from the package (never a CDN)."""
    return await _static.get_response(path, request.scope)
