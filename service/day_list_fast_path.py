"""GET /reps/{id}/day/{date} answered from the day-list cache before FastAPI sees the request.

Reps fetch their lists all at once in the morning, and for a list kept in memory FastAPI's own request handling
(routing, parameter validation, dependencies, response wrapping) costs several times the list itself. This pure
ASGI middleware, installed outermost, answers only a list the cache holds and still finds current: the cache's
check and the same `DayListBody.response` the endpoint sends (service/day_list_cache.py), so the same bytes and
headers. Everything else goes to the app unchanged, so errors keep the service's shape: a list not kept or
outdated (the endpoint builds it), an id or date the endpoint would refuse, HEAD, every other path.
"""

from __future__ import annotations

import re
from datetime import date

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from service.day_list_cache import DayListBody

# The endpoint's path with a rep id and a date spelt as the cache's keys print (no leading zero, at most 18 digits:
# a PostgreSQL bigint; YYYY-MM-DD); any other spelling the endpoint might still accept goes to it.
_DAY_LIST_PATH = re.compile(r"/reps/([1-9][0-9]{0,17})/day/([0-9]{4}-[0-9]{2}-[0-9]{2})")


class DayListFastPath:
    """ASGI middleware: kept, current day lists straight from `app.state.day_list_cache`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await self._kept(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        await body.response(Headers(scope=scope).get("accept-encoding", ""))(scope, receive, send)

    @staticmethod
    async def _kept(scope: Scope) -> DayListBody | None:
        # behind a proxy's root path the app routes on part of the path: left to it
        match = None if scope.get("root_path") else _DAY_LIST_PATH.fullmatch(scope["path"])
        if match is None:
            return None
        try:
            on = date.fromisoformat(match[2])
        except ValueError:  # 2026-02-30: the endpoint's 422
            return None
        # Starlette puts the app in the scope before its middleware run; the cache lives as long as the app serves
        return await scope["app"].state.day_list_cache.kept(int(match[1]), on)
