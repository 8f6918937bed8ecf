"""The rep's day list: what a rep fetches every morning."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from service.access import policy
from service.core.db import CommittingRoute
from service.day_list import cache as day_list_cache
from service.day_list.schemas import DayListPublic

router = APIRouter(route_class=CommittingRoute, tags=["day list"], lifespan=day_list_cache.lifespan)


@router.get(
    "/reps/{rep_id}/day/{date}",
    response_model=DayListPublic,
    dependencies=[policy.on_rep(policy.DAY_LIST, cookie=True)],
)
async def read_day_list(rep_id: int, date: dt.date, request: Request) -> Response:
    """The published plan's ordered outlets for `date` (YYYY-MM-DD), with arrival and departure times, travel
    from the previous stop, the lunch break and the return to the end place. The cycle repeats."""
    # async: a list still current is answered without a thread hop (see service/day_list/cache.py); most such
    # reads are answered before FastAPI by service/day_list/fast_path.py, through the same cache
    body = await request.app.state.day_list_cache.day_list(rep_id, date)
    return body.response(request.headers.get("accept-encoding", ""))
