"""The rep's day list: what a rep fetches every morning."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from fastapi.responses import Response

from service.access import policy, sign_in
from service.access.auth import Principal
from service.core.db import CommittingRoute, SessionDep
from service.core.errors import NotFound
from service.core.fields import RepId
from service.core.tables import Rep, as_utc
from service.day_list import cache as day_list_cache
from service.day_list.schemas import DayListPublic, SignInLinkPublic

router = APIRouter(route_class=CommittingRoute, tags=["day list"], lifespan=day_list_cache.lifespan)


@router.get(
    "/reps/{rep_id}/day/{date}",
    summary="A rep's day list",
    response_model=DayListPublic,
    dependencies=[policy.on_rep(policy.DAY_LIST, cookie=True)],
)
async def read_day_list(
    rep_id: RepId,
    date: Annotated[dt.date, Path(description="The day, ISO date (YYYY-MM-DD), office-local.")],
    request: Request,
) -> Response:
    """The published plan's ordered outlets for `date` (YYYY-MM-DD), with arrival and departure times, travel
    from the previous stop, the lunch break and the return to the end place. The cycle repeats."""
    # async: a list still current is answered without a thread hop (see service/day_list/cache.py); most such
    # reads are answered before FastAPI by service/day_list/fast_path.py, through the same cache
    body = await request.app.state.day_list_cache.day_list(rep_id, date)
    return body.response(request.headers.get("accept-encoding", ""))


@router.post(
    "/reps/{rep_id}/sign-in-links",
    summary="Make a sign-in link for a rep's phone",
    response_model=SignInLinkPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["sign-in"],
)
def create_sign_in_link(
    rep_id: RepId,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, policy.on_rep(policy.EDIT_REP)],
) -> SignInLinkPublic:
    """A one-time link that signs the rep's phone in to its day page (valid 24 h, used up by its first visit;
    the phone keeps a token of its own, which an admin can revoke). The rep's supervisor or an admin makes it."""
    rep = session.get(Rep, rep_id)
    if rep is None:
        raise NotFound(f"rep {rep_id} does not exist", ("path", "rep_id"))
    link, secret = sign_in.new_link(session, rep, principal)
    url = request.url_for("sign_in_link").include_query_params(**{sign_in.LINK_PARAM: secret})
    return SignInLinkPublic(rep_id=rep_id, url=str(url), expires_at=as_utc(link.expires_at))
