"""GET /reps/{id}/day/{date} answered from the day-list cache before FastAPI sees the request.

Reps fetch their lists all at once in the morning, and for a list kept in memory FastAPI's own request handling
(routing, parameter validation, dependencies, response wrapping) costs several times the list itself. This pure
ASGI middleware, installed outermost, answers only a list the cache holds and still finds current: the cache's
check and the same `DayListBody.response` the endpoint sends (service/day_list/cache.py), so the same bytes and
headers. Everything else goes to the app unchanged, so errors keep the service's shape: a list not kept or
outdated (the endpoint builds it), an id or date the endpoint would refuse, HEAD, every other path.

Access: the same rule as the endpoint's (service/access/policy.py DAY_LIST), on the same credentials and token cache
(service/access/auth.py), judged on the rep's office and supervisor read with the list's version; a token missing,
unknown or refused goes to the app, which answers 401 or 403.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.access import auth, policy
from service.day_list.cache import DayListBody

# The endpoint's path with a rep id and a date spelt as the cache's keys print (no leading zero, at most 18 digits:
# a PostgreSQL bigint; YYYY-MM-DD); any other spelling the endpoint might still accept goes to it.
_DAY_LIST_PATH = re.compile(r"/reps/([1-9][0-9]{0,17})/day/([0-9]{4}-[0-9]{2}-[0-9]{2})")


class DayListFastPath:
    """ASGI middleware: kept, current day lists straight from `app.state.day_list_cache`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = None
        if scope["type"] == "http" and scope["method"] == "GET":
            headers = Headers(scope=scope)
            body = await self._kept(scope, headers)
        if body is None:
            await self.app(scope, receive, send)
            return
        await body.response(headers.get("accept-encoding", ""))(scope, receive, send)

    @staticmethod
    async def _kept(scope: Scope, headers: Headers) -> DayListBody | None:
        # behind a proxy's root path the app routes on part of the path: left to it
        match = None if scope.get("root_path") else _DAY_LIST_PATH.fullmatch(scope["path"])
        if match is None:
            return None
        raw = auth.request_token(headers.get("authorization"), scope["method"], headers.get("cookie"))
        # Starlette puts the app in the scope before its middleware run; the caches live as long as the app serves
        state = scope["app"].state
        principal = None if raw is None else await state.principals.principal(raw)
        if principal is None:
            return None
        try:
            on = date.fromisoformat(match[2])
        except ValueError:  # 2026-02-30: the endpoint's 422
            return None
        rep_id = int(match[1])
        kept = await state.day_list_cache.kept(rep_id, on)
        if kept is None or not policy.allows(
            principal, policy.DAY_LIST, policy.Scope(f"rep {rep_id}", kept.office_id, kept.supervisor_id, rep_id)
        ):
            return None
        return kept.body
