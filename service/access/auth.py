"""Who is asking: the principal of the request's token, looked up by the token's SHA-256 through a short cache.

Credentials, first found wins:
1. `Authorization: Bearer <token>` (every request);
2. on a page (the plan map, the rep's day page, the day sheet PDF), `?token=<token>`: the links the demo prints
   carry it; a valid one is answered with a redirect to the same URL without it that sets an HttpOnly,
   SameSite=Strict cookie holding the token, so the token stays in no address bar, history or page script;
3. on GET and HEAD of the pages and the rep's day list, that cookie (the pages' own links and language switch
   need no token in the URL); every other route takes the Bearer header only.
No credential, or one naming an unknown or revoked token: 401 with `WWW-Authenticate: Bearer`.

The cache: each API process keeps a looked-up token's principal (or the fact that it is unknown) for
CACHE_TTL_S = 5 s, so a token costs one indexed query per 5 s and process, not one per request. Requests that
miss at once (a rep's phone firing several, every 5 s) share one lookup: without that, each expiry sent a burst
of requests through the slow path and tripled the day list's 95th percentile under load. Revoking a token
forgets it in the revoking process as soon as the revoke commits; another process (a second uvicorn worker, or
the CLI revoking while the server runs) may accept it for up to CACHE_TTL_S more.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Annotated, TypeVar
from weakref import WeakSet

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from service.core.errors import Unauthorized, request_validation_response, service_error_response
from service.core.tables import ApiToken, Rep, Role, as_utc, stored_id, utcnow

TOKEN_PREFIX = "rp_"
MAX_TOKEN_CHARS = 100  # raw tokens are 46 characters; anything much longer is not one of ours
COOKIE = "routeplan_token"
PAGE_TOKEN_PARAM = "token"
CACHE_TTL_S = 5.0
CACHE_MAX_ENTRIES = 10_000  # per process; the oldest lookup goes first
LAST_USED_EVERY = timedelta(minutes=5)  # how stale `last_used_at` may get: a write per token per 5 min at most

_bearer = HTTPBearer(auto_error=False, description="an API token: `routeplan token create` or POST /tokens")


@dataclass(frozen=True)
class Principal:
    """What a valid token grants: its role and what it is bound to (see service/access/policy.py)."""

    token_id: int
    name: str
    role: Role
    office_id: int | None  # None only for a global admin
    supervisor_id: int | None = None
    rep_id: int | None = None

    @classmethod
    def of(cls, token: ApiToken) -> Principal:
        return cls(stored_id(token), token.name, token.role, token.office_id, token.supervisor_id, token.rep_id)


def token_hash(raw: str) -> str:
    """The stored form of a raw token: SHA-256, hex (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _plausible(raw: str) -> bool:
    return raw.startswith(TOKEN_PREFIX) and len(raw) <= MAX_TOKEN_CHARS


_caches: WeakSet[PrincipalCache] = WeakSet()  # every cache of this process, for `forget`


class PrincipalCache:
    """Principals of one database's tokens by hash, each kept CACHE_TTL_S after it was looked up."""

    def __init__(self, engine: Engine, ttl_s: float = CACHE_TTL_S, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        self._engine = engine
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal | None]] = {}  # hash -> (expiry, principal or unknown)
        self._lock = threading.Lock()  # lookups store from the thread pool
        self._forgotten = 0  # revokes seen: a lookup that overlapped one does not store what it read
        self._pending: dict[str, asyncio.Future] = {}  # hash -> the lookup in flight, for requests missing at once
        self.lookups = 0  # database lookups (a cache hit makes none)
        _caches.add(self)

    def hit(self, raw: str) -> Principal | None:
        """The token's principal if it is cached and still fresh; never touches the database."""
        entry = self._entries.get(token_hash(raw))
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    async def principal(self, raw: str) -> Principal | None:
        """The token's principal, None for an unknown or revoked token; a miss is looked up in the thread pool."""
        if not _plausible(raw):
            return None  # no query, and garbage does not fill the cache
        digest = token_hash(raw)
        entry = self._entries.get(digest)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        pending = self._pending.get(digest)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            pending = asyncio.ensure_future(run_in_threadpool(self._look_up, digest))
            self._pending[digest] = pending
            pending.add_done_callback(lambda done: self._settled(digest, done))
        return await asyncio.shield(pending)  # one waiter's cancellation must not cancel the others' lookup

    def _settled(self, digest: str, done: asyncio.Future) -> None:
        if self._pending.get(digest) is done:
            del self._pending[digest]

    def _look_up(self, digest: str) -> Principal | None:
        expires = time.monotonic() + self._ttl_s
        forgotten = self._forgotten
        with Session(self._engine) as session:
            token = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
            principal = (
                None
                if token is None or token.revoked_at is not None or _rep_left(session, token)
                else Principal.of(token)
            )
            now = utcnow()
            if (principal is not None and token is not None) and (
                token.last_used_at is None or as_utc(token.last_used_at) < now - LAST_USED_EVERY
            ):
                session.exec(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now))
                session.commit()
        with self._lock:
            self.lookups += 1
            if forgotten == self._forgotten:  # else a token was revoked while this one was read: maybe this one
                self._entries.pop(digest, None)
                if len(self._entries) >= self._max_entries:
                    del self._entries[next(iter(self._entries))]
                self._entries[digest] = (expires, principal)
        return principal

    def forget(self, token_id: int | None = None, rep_id: int | None = None) -> None:
        """Drop the token `token_id`, or every token of the rep `rep_id`."""
        with self._lock:
            self._forgotten += 1
            for digest in [
                d
                for d, (_, p) in self._entries.items()
                if p is not None and (p.token_id == token_id or (rep_id is not None and p.rep_id == rep_id))
            ]:
                del self._entries[digest]


def _rep_left(session: Session, token: ApiToken) -> bool:
    """A rep's token stops working once the rep is deactivated (left the company, or `reps_leaving`)."""
    if token.rep_id is None:
        return False
    return not session.exec(select(Rep.active).where(Rep.id == token.rep_id)).one()


def forget(token_id: int) -> None:
    """Drop a (revoked) token from every cache of this process."""
    for cache in list(_caches):
        cache.forget(token_id=token_id)


def forget_rep(rep_id: int) -> None:
    """Drop every token of a rep who was deactivated from every cache of this process."""
    for cache in list(_caches):
        cache.forget(rep_id=rep_id)


def request_token(
    authorization: str | None, method: str, cookie_header: str | None, cookie_allowed: bool = True
) -> str | None:
    """The raw token a request carries: its bearer token, else (where `cookie_allowed`, on GET/HEAD) the page
    cookie. Used by the app's dependencies and by the day-list fast path alike (pages' `?token=` is read by
    `page_principal`)."""
    if authorization is not None:
        scheme, _, credentials = authorization.partition(" ")
        return credentials.strip() if scheme.lower() == "bearer" else None
    if cookie_allowed and method in ("GET", "HEAD") and cookie_header:
        morsel = SimpleCookie(cookie_header).get(COOKIE)
        return morsel.value if morsel is not None else None
    return None


async def _resolve(request: Request, raw: str | None) -> Principal:
    if raw is None:
        raise Unauthorized("send an API token: Authorization: Bearer <token>", ("header", "Authorization"))
    principal = await request.app.state.principals.principal(raw)
    if principal is None:
        raise Unauthorized("unknown or revoked token", ("header", "Authorization"))
    return principal


async def current_principal(
    request: Request,
    _bearer_credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The request's principal from its Bearer header, else 401. (`_bearer` only declares the scheme in the
    OpenAPI document.)"""
    return await _resolve(
        request,
        request_token(
            request.headers.get("authorization"), request.method, request.headers.get("cookie"), cookie_allowed=False
        ),
    )


async def cookie_principal(
    request: Request,
    _bearer_credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """As `current_principal`, and the pages' cookie counts too (the rep's day list, which the day page uses)."""
    return await _resolve(
        request, request_token(request.headers.get("authorization"), request.method, request.headers.get("cookie"))
    )


class PageLinkRedirect(Exception):
    """A page link carried a valid `?token=`: answered by `page_link_redirect`."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url)
        self.url, self.token = url, token


async def page_principal(
    request: Request,
    _bearer_credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """As `cookie_principal`, and a page link's valid `?token=` is exchanged for the cookie by a redirect to
    the same URL without it (PageLinkRedirect)."""
    raw = request.query_params.get(PAGE_TOKEN_PARAM)
    if raw is None or "authorization" in request.headers:
        return await cookie_principal(request, _bearer_credentials)
    await _resolve(request, raw)
    raise PageLinkRedirect(str(request.url.remove_query_params(PAGE_TOKEN_PARAM)), raw)


def page_link_redirect(request: Request, exc: Exception) -> Response:
    """303 to the page without its token, setting the page cookie; the token goes in no Referer either."""
    assert isinstance(exc, PageLinkRedirect)
    response = Response(
        status_code=303, headers={"Location": exc.url, "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    )
    response.set_cookie(COOKIE, exc.token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


async def _authenticated(request: Request) -> bool:
    """Whether the request carries a valid token by any of the accepted means."""
    raw = request.query_params.get(PAGE_TOKEN_PARAM) if "authorization" not in request.headers else None
    raw = raw or request_token(request.headers.get("authorization"), request.method, request.headers.get("cookie"))
    return raw is not None and await request.app.state.principals.principal(raw) is not None


def refuse_unauthenticated_first(app: FastAPI) -> None:
    """FastAPI decodes a JSON body before it runs any dependency, so a malformed body would be answered 422 before
    the token is looked at: answer 401 first, as to every other request without a valid token."""

    async def validation_error(request: Request, exc: Exception) -> Response:
        if not await _authenticated(request):
            return service_error_response(
                request, Unauthorized("unknown, revoked or missing token", ("header", "Authorization"))
            )
        return request_validation_response(request, exc)

    app.add_exception_handler(RequestValidationError, validation_error)


_Response = TypeVar("_Response", bound=Response)


def page_response(response: _Response, content_security_policy: str | None = None) -> _Response:
    """The page as sent: no Referer to other sites (the base map's tiles), and its Content-Security-Policy."""
    response.headers["Referrer-Policy"] = "same-origin"
    if content_security_policy:
        response.headers["Content-Security-Policy"] = content_security_policy
    return response


PrincipalDep = Annotated[Principal, Depends(current_principal)]
PagePrincipalDep = Annotated[Principal, Depends(page_principal)]
