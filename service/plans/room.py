"""Where a plan's `day_full` outlets could go: for every rep whose days are too full, the reps nearby with working
time to spare, and the territory proposal that places every visit moving the fewest outlets (issue 20).

A rep's room is its working time over the cycle (every working day's shift less lunch) less its planned workload
(each planned day's span less lunch: service, travel and idle). "Nearby" ranks the other reps by how close their
outlets come to the left-out ones.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from sqlmodel import Session

from geo.sphere import great_circle_m
from service.core.tables import OutletStatus, Plan, UnplacedReason, stored_id
from service.master_data import repository
from service.plans import repository as plan_repository
from service.plans.convert import rep_vehicles, visits_required
from service.plans.schemas import DayFullPublic, NearbyRoomPublic, RoomForUnplacedPublic

NEARBY_REPS = 3


def room_for_unplaced(session: Session, plan: Plan) -> RoomForUnplacedPublic | None:
    """None when the plan leaves no outlet out for `day_full`."""
    plan_id = stored_id(plan)
    left_out = defaultdict(list)
    for u, outlet in plan_repository.plan_unplaced(session, plan_id):
        if u.reason == UnplacedReason.DAY_FULL and u.rep_id is not None:
            left_out[u.rep_id].append(outlet)
    if not left_out:
        return None
    reps = {stored_id(r): r for r in repository.reps(session, plan.office_id, active=True)}
    workload: dict[int, int] = defaultdict(int)
    for d in plan_repository.plan_days(session, plan_id):
        lunch_s = reps[d.rep_id].lunch_s if d.rep_id in reps and d.lunch_start_s is not None else 0
        workload[d.rep_id] += d.end_s - d.start_s - lunch_s
    room = {
        rep_id: sum(
            v.shift_end_s - v.shift_start_s - sum(b.duration_s for b in v.breaks) for v in rep_vehicles(rep, plan.weeks)
        )
        - workload[rep_id]
        for rep_id, rep in reps.items()
    }
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for o in repository.outlets(session, plan.office_id, status=OutletStatus.ACTIVE):
        if o.rep_id in reps:
            points[o.rep_id].append((o.lon, o.lat))

    full = []
    for rep_id, outlets in sorted(left_out.items(), key=lambda item: reps[item[0]].code if item[0] in reps else ""):
        if rep_id not in reps:
            continue
        mine = np.array([(o.lon, o.lat) for o in outlets])
        nearby = []
        for other, theirs in points.items():
            if other == rep_id or room[other] <= 0:
                continue
            there = np.array(theirs)
            gap = np.min(great_circle_m(mine[:, None, 0], mine[:, None, 1], there[None, :, 0], there[None, :, 1]))
            nearby.append((float(gap), other))
        full.append(
            DayFullPublic(
                rep_id=rep_id,
                rep_code=reps[rep_id].code,
                outlets=len(outlets),
                visits=sum(visits_required(o, plan.weeks) for o in outlets),
                nearby_reps_with_room=[
                    NearbyRoomPublic(rep_id=other, rep_code=reps[other].code, room_s=room[other], distance_m=round(gap))
                    for gap, other in sorted(nearby)[:NEARBY_REPS]
                ],
            )
        )
    return RoomForUnplacedPublic(
        reps=full,
        proposal={
            "method": "POST",
            "href": f"/offices/{plan.office_id}/territory-proposals",
            "body": {"fewest_moves": True},
        },
    )
