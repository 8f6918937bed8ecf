"""Signing a phone in: a pasted token, or a one-time link, becomes the pages' cookie, with an expiry.

A one-time link (`/sign-in/link?link=sl_...`, made by the rep's supervisor or an admin) holds a random secret of
which only the SHA-256 is stored. The first visit before it expires uses it up (one conditional UPDATE, so two
visits at once cannot both win) and signs the phone in with a rep token of its own, which an admin can revoke
like any other. The access log redacts the secret like a page link's token (log_redaction.py); it is not
called `token` so that the page's language switch keeps it (the switch drops a `token`).

The cookie is the pages' (HttpOnly, SameSite=Strict, Secure over https) with a Max-Age of COOKIE_DAYS. The phone's
outcome reports are writes: `phone_principal` takes the cookie on them only from this site's own pages (a JSON
body and the site's own Origin), which a form on another site cannot send.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy import update
from sqlmodel import Session, col, select

from service.access import auth, policy, tokens
from service.access.auth import Principal
from service.core.errors import Unauthorized
from service.core.tables import Rep, Role, SignInLink, as_utc, stored_id, utcnow

LINK_PREFIX = "sl_"
LINK_PARAM = "link"
LINK_TTL = timedelta(hours=24)  # a link sent in the evening still works the next morning
COOKIE_DAYS = 30  # a rep signs in again once a month


def new_link(session: Session, rep: Rep, actor: Principal, now: datetime | None = None) -> tuple[SignInLink, str]:
    """A one-time link for `rep`'s phone (staged; the caller commits) and its secret, which is never stored."""
    secret = LINK_PREFIX + secrets.token_urlsafe(32)
    link = SignInLink(
        secret_hash=auth.token_hash(secret),
        rep_id=stored_id(rep),
        created_by=actor.token_id,
        expires_at=(now or utcnow()) + LINK_TTL,
    )
    session.add(link)
    session.flush()
    return link, secret


def redeem_link(session: Session, secret: str, now: datetime | None = None) -> tuple[str, int] | None:
    """Use the link up: a new rep token (raw) and the rep's id; None when the link is unknown, used or expired."""
    if not secret.startswith(LINK_PREFIX) or len(secret) > auth.MAX_TOKEN_CHARS:
        return None
    now = now or utcnow()
    digest = auth.token_hash(secret)
    claimed = session.exec(
        update(SignInLink)
        .where(
            col(SignInLink.secret_hash) == digest,
            col(SignInLink.used_at).is_(None),
            col(SignInLink.expires_at) > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        return None
    link = session.exec(select(SignInLink).where(SignInLink.secret_hash == digest)).one()
    rep = session.get(Rep, link.rep_id)
    if rep is None or not rep.active:
        return None
    token, raw = tokens.create_token(
        session,
        role=Role.REP,
        name=f"phone sign-in {rep.code} {as_utc(now).date().isoformat()}",
        office_id=rep.office_id,
        rep_id=stored_id(rep),
        actor=None,
    )
    link.token_id = token.id
    session.add(link)
    return raw, stored_id(rep)


def set_cookie(request: Request, response: Response, raw: str) -> None:
    response.set_cookie(
        auth.COOKIE,
        raw,
        max_age=COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(auth.COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https")


async def optional_page_principal(request: Request) -> Principal | None:
    """The pages' principal from the Bearer header or the cookie; None without a valid one (the page then shows
    the sign-in form). A link's `?token=` is exchanged for the cookie first (auth.PageLinkRedirect)."""
    try:
        return await auth.page_principal(request, None)
    except Unauthorized:
        return None


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and origin == f"{request.url.scheme}://{request.url.netloc}"


async def phone_principal(request: Request) -> Principal:
    """The Bearer header's principal, else the cookie's on a JSON request from this site's own page (what the
    phone's outcome form sends); 401 otherwise."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        raw = auth.request_token(authorization, request.method, None)
    else:
        json_body = request.headers.get("content-type", "").split(";")[0].strip() == "application/json"
        raw = request.cookies.get(auth.COOKIE) if json_body and _same_origin(request) else None
    if raw is None:
        raise Unauthorized("send an API token, or sign in on this site's page", ("header", "Authorization"))
    principal = await request.app.state.principals.principal(raw)
    if principal is None:
        raise Unauthorized("unknown or revoked token", ("header", "Authorization"))
    return principal


async def token_principal(request: Request, raw: str) -> Principal | None:
    """The principal of a pasted token, None for an unknown or revoked one."""
    return await request.app.state.principals.principal(raw.strip())


PhonePrincipalDep = Annotated[Principal, Depends(phone_principal)]


def phone_role(rule: policy.Rule) -> Any:
    """phone_principal with the role checked at once: a token that may never do this is a 403 before the body
    is read (the route checks the office its body names)."""

    def role_rule(principal: PhonePrincipalDep) -> Principal:
        policy.check_role(principal, rule)
        return principal

    return Depends(role_rule)
