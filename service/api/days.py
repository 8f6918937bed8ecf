"""The rep's day list: what a rep fetches every morning."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from service import day_list_cache
from service.plan_schemas import DayListPublic

router = APIRouter(tags=["day list"])


@router.get("/reps/{rep_id}/day/{date}", response_model=DayListPublic)
async def read_day_list(rep_id: int, date: dt.date, request: Request) -> Response:
    """The published plan's ordered outlets for `date` (YYYY-MM-DD), with arrival and departure times, travel
    from the previous stop, the lunch break and the return to the end place. The cycle repeats."""
    # async: a list still current is answered without a thread hop; building one runs in the thread pool
    cache = day_list_cache.of(request.app)
    if cache.checks_inline:
        body = cache.cached(rep_id, date) or await run_in_threadpool(cache.load, rep_id, date)
    else:
        body = await run_in_threadpool(cache.get, rep_id, date)
    return body.response(request.headers.get("accept-encoding", ""))
