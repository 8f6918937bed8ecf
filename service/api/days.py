"""The rep's day list: what a rep fetches every morning."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from service import plan_views
from service.db import SessionDep
from service.plan_schemas import DayListPublic

router = APIRouter(tags=["day list"])


@router.get("/reps/{rep_id}/day/{date}", response_model=DayListPublic)
def read_day_list(rep_id: int, date: dt.date, session: SessionDep) -> DayListPublic:
    """The published plan's ordered outlets for `date` (YYYY-MM-DD), with arrival and departure times, travel
    from the previous stop, the lunch break and the return to the end place. The cycle repeats."""
    return plan_views.rep_day_list(session, rep_id, date)
