"""The supervisor's ride-along week (GET /supervisors/{id}/ride-along) and an office's ride-along settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from service.access import audit, policy
from service.access.auth import Principal
from service.access.policy import EDIT_OFFICE, READ_OFFICE, RIDE_ALONG
from service.core.db import CommittingRoute, SessionDep
from service.pages.render import TranslatorDep
from service.ride_along import planner as ride_along
from service.ride_along.schemas import RideAlongSettingsPublic, RideAlongSettingsUpdate, RideAlongWeekPublic
from service.ride_along.text import week_text

router = APIRouter(route_class=CommittingRoute, tags=["ride-along"])


@router.get(
    "/supervisors/{supervisor_id}/ride-along",
    summary="A supervisor's ride-along week",
    response_model=RideAlongWeekPublic,
    dependencies=[policy.on_supervisor(RIDE_ALONG, page=True)],
)
def read_ride_along_week(
    supervisor_id: int,
    start_date: Annotated[dt.date, Query(description="the week's Monday")],
    request: Request,
    t: TranslatorDep,
    output: Annotated[
        Literal["json", "text"], Query(alias="format", description="json, or text to print or send in a chat")
    ] = "json",
):
    """Per working day: the rep to ride with (and why), the rep's re-timed route with the coaching stops and the
    point where the supervisor leaves it, the afternoon delivery spot checks in order with arrival times and
    their value, and the return to the office before the evening meeting. A supervisor reads its own week only.

    `format=text` gives the same week as plain text (UTF-8), for printing or a chat message:

        Ride-along plan of supervisor <code>, week of <Monday> (period <start> to <end>)

        <Weekday> <date>: ride with <rep code> <rep name> (<reasons, ; separated>)
          morning (meet at the office|first stop):
            <seq>  arrive HH:MM  HH:MM-HH:MM  <outlet code>  <outlet name>[  COACHING <n> min]
          leave the route at HH:MM after seq <n> (<note>)
          afternoon from HH:MM, orders of <date>|no earlier working day's orders:
            <order>  arrive HH:MM  HH:MM-HH:MM  <outlet code>  <outlet name>  value <n>: <why>
          back at the office HH:MM (meeting HH:MM)
        ...one block per working day...

        reps ridden this week: <codes>; not yet in the period: <codes>; spot checks: <n>; supervisor travel <n> min,
        <km> km

    Only the morning stops the supervisor rides along are listed; the afternoon lists the spot checks in the
    order driven. The first working day of a plan has no earlier day's orders to check. The text is in `lang`
    (zh-CN or en; else the Accept-Language header's, else zh-CN); in zh-CN its lines say the same in Chinese.
    In JSON every reason (why a rep, the morning's notes, why a spot check) is a `key` with its `values` and an
    English `text`. Like the pages, this route also takes a link's `?token=` (exchanged for the page cookie), so
    the page's link to the text works in a browser.

    The page at /supervisors/{id}/ride-along/page shows the week with a map per day."""
    # no request session: reads and writes use short sessions, none stays open while the solvers run
    week = ride_along.ride_along_week(request.app.state.engine, supervisor_id, start_date)
    if output == "text":
        return PlainTextResponse(week_text(week, t), headers={"Content-Language": t.language})
    return week


@router.get(
    "/offices/{office_id}/ride-along-settings",
    summary="An office's ride-along settings",
    response_model=RideAlongSettingsPublic,
    dependencies=[policy.on_office(READ_OFFICE)],
)
def read_settings(office_id: int, session: SessionDep) -> RideAlongSettingsPublic:
    """The office's ride-along rules as the planner uses them: the stored values, or the defaults where none was
    stored."""
    return RideAlongSettingsPublic.of(ride_along.office_settings(session, office_id))


@router.patch(
    "/offices/{office_id}/ride-along-settings",
    summary="Change an office's ride-along settings",
    response_model=RideAlongSettingsPublic,
)
def update_settings(
    office_id: int,
    data: RideAlongSettingsUpdate,
    session: SessionDep,
    principal: Annotated[Principal, policy.on_office(EDIT_OFFICE)],
) -> RideAlongSettingsPublic:
    """Change the office's morning end, coaching minutes, demonstration interval, meeting time, period, spot-check
    minutes, the supervisor's travel mode or the days a rep counts as new. Only the fields sent change; weeks
    planned from then on use them (weeks shown earlier stay as stored)."""
    changes = data.model_dump(exclude_unset=True)
    settings = ride_along.update_settings(session, office_id, changes)
    audit.record(
        session, principal, "ride_along_settings.updated", office_id, "office", office_id, {"fields": sorted(changes)}
    )
    return RideAlongSettingsPublic.of(settings)
