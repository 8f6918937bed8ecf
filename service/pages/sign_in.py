"""Signing in a browser: the form (paste a token), its POST, the one-time link and signing out. Every page shows
the form, in the page's language, to a browser without a valid token (service/access/sign_in.py says what the
cookie is)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.access import auth, sign_in
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import Unauthorized
from service.core.i18n import Translator
from service.pages.render import TranslatorDep, page

router = APIRouter(route_class=CommittingRoute, tags=["pages"], include_in_schema=False)  # browser pages only

MAX_FORM_TOKEN_CHARS = 200


def safe_next(target: str | None) -> str | None:
    """A page of this site to go to after signing in: a path, never another host (`//host`, `/\\host`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def same_site_form(request: Request) -> bool:
    """A sign-in form sent from this site (or by a client that names no Origin): another site must not sign a
    phone in with a token of its choosing."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


def home_of(principal: auth.Principal) -> str:
    """Where a token lands: a rep's today, anyone else's KPI page."""
    return f"/reps/{principal.rep_id}/day/today/page" if principal.rep_id is not None else "/kpis/page"


def sign_in_page(request: Request, t: Translator, error: str | None = None, status_code: int = 401) -> HTMLResponse:
    """The sign-in form, coming back to this page (or the `next` it was given) once signed in."""
    here = request.url.remove_query_params([auth.PAGE_TOKEN_PARAM, sign_in.LINK_PARAM])
    next_url = safe_next(request.query_params.get("next")) or (
        None if here.path.startswith("/sign-in") else f"{here.path}?{here.query}" if here.query else here.path
    )
    response = page(request, "sign_in.html", t, error=error, next_url=next_url or "")
    response.status_code = status_code
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_out(request: Request, t: Translator) -> HTMLResponse:
    """A page asked for without a valid token: the sign-in form for a browser; an API client (which accepts no
    HTML) gets the API's 401."""
    if "text/html" not in request.headers.get("accept", ""):
        raise Unauthorized("unknown, revoked or missing token", ("header", "Authorization"))
    response = sign_in_page(request, t)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


@router.get("/sign-in", response_class=HTMLResponse, name="sign_in")
def sign_in_form(request: Request, t: TranslatorDep) -> HTMLResponse:
    """Sign in on a phone: paste the token the supervisor gave, or open a one-time link."""
    return sign_in_page(request, t, status_code=200)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in_with_token(request: Request, t: TranslatorDep) -> Response:
    """The pasted token becomes the pages' cookie (with an expiry); then the page asked for, or the rep's today."""
    if not same_site_form(request):
        return sign_in_page(request, t, t("sign_in.bad_token"), status_code=403)
    form = await request.form()
    raw = str(form.get("token") or "").strip()[:MAX_FORM_TOKEN_CHARS]
    principal = await sign_in.token_principal(request, raw) if raw else None
    if principal is None:
        return sign_in_page(request, t, t("sign_in.bad_token"))
    target = safe_next(str(form.get("next") or "")) or home_of(principal)
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    sign_in.set_cookie(request, response, raw)
    return response


@router.get("/sign-in/link", response_class=HTMLResponse, name="sign_in_link")
def sign_in_link_page(request: Request, t: TranslatorDep) -> HTMLResponse:
    """A one-time link opens a page with one button: the link is used up by pressing it (a POST), not by opening
    it, so a chat app that fetches the link for a preview does not spend it."""
    response = page(
        request,
        "sign_in.html",
        t,
        error=None,
        next_url="",
        link_secret=request.query_params.get(sign_in.LINK_PARAM, "")[:MAX_FORM_TOKEN_CHARS],
    )
    # the page's own Referrer-Policy (same-origin) stays: under no-referrer the browser sends its POST with
    # `Origin: null`, which same_site_form refuses
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/sign-in/link", response_class=HTMLResponse)
async def sign_in_with_link(request: Request, session: SessionDep, t: TranslatorDep) -> Response:
    """Use the one-time link: signs this phone in (once, before the link expires) and opens the rep's today."""
    if not same_site_form(request):
        return sign_in_page(request, t, t("sign_in.link_used"), status_code=403)
    form = await request.form()
    redeemed = sign_in.redeem_link(session, str(form.get("link") or "")[:MAX_FORM_TOKEN_CHARS])
    if redeemed is None:
        session.rollback()
        return sign_in_page(request, t, t("sign_in.link_used"), status_code=410)
    raw, rep_id = redeemed
    session.commit()
    response = RedirectResponse(
        f"/reps/{rep_id}/day/today/page?lang={t.language}", status_code=303, headers={"Cache-Control": "no-store"}
    )
    sign_in.set_cookie(request, response, raw)
    return response


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(request: Request, t: TranslatorDep) -> Response:
    """Forget the cookie on this phone (the token itself stays valid until revoked)."""
    response = RedirectResponse(f"/sign-in?lang={t.language}", status_code=303)
    sign_in.clear_cookie(request, response)
    return response
