"""Which rep takes which outlets when a rep joins (a compact territory carved around the new rep's start) or leaves
(each outlet to the nearest rep that is not already overloaded)."""

from __future__ import annotations

from collections import Counter, defaultdict

from service.core.errors import InvalidInput
from service.core.tables import Outlet, OutletStatus, Rep, stored_id
from service.line_cleanup.edits import Edits
from service.master_data.territories import distance_m
from service.plans.convert import place_lonlat


def carve_for_new_rep(
    edits: Edits, rep: Rep, visits: int | None, outlets: list[Outlet], claimed: dict[str, str]
) -> None:
    """Give the new rep the outlets nearest its start place, up to `visits` visits per cycle (default: the
    office's mean per rep, the new rep counted)."""
    active = [
        o for o in outlets if o.status == OutletStatus.ACTIVE and o.rep_id in edits.reps and o.code not in claimed
    ]
    working = [r for r in edits.reps.values() if r.active and r.id != rep.id]
    target = visits or sum(o.visits_per_cycle for o in active) // (len(working) + 1)
    lon, lat = place_lonlat(rep.start_place, edits.office, rep)
    taken = 0
    for o in sorted(active, key=lambda o: distance_m(lon, lat, o.lon, o.lat)):
        if taken + o.visits_per_cycle > target:
            break  # a compact territory: no farther outlet is taken past the first that does not fit
        edits.reassigned[stored_id(o)] = (o, stored_id(rep))
        claimed[o.code] = f"carved for new rep {rep.code}"
        taken += o.visits_per_cycle
    edits.touched_reps.add(stored_id(rep))


def redistribute_leaving(edits: Edits, rep: Rep, outlets: list[Outlet], leaving_codes: set[str]) -> None:
    """The leaving rep's outlets, each to the rep with the nearest outlet, that distance stretched by how far
    above the office's mean workload (visits per cycle) the receiving rep already is."""
    staying = [r for r in edits.reps.values() if r.active and r.code not in leaving_codes]
    if not staying:
        raise InvalidInput(f"rep {rep.code} leaves and no rep stays to take the outlets", ("body", "reps_leaving"))
    load: Counter[int] = Counter()
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    staying_ids = {stored_id(r) for r in staying}
    for o in outlets:
        rep_id = edits.reassigned[o.id][1] if o.id in edits.reassigned else o.rep_id
        if o.status == OutletStatus.ACTIVE and rep_id is not None and rep_id in staying_ids:
            load[rep_id] += o.visits_per_cycle
            points[rep_id].append((o.lon, o.lat))
    theirs = [
        o for o in outlets if o.rep_id == rep.id and o.status == OutletStatus.ACTIVE and o.id not in edits.reassigned
    ]
    mean_load = (sum(load.values()) + sum(o.visits_per_cycle for o in theirs)) / len(staying)
    for o in theirs:

        def score(r: Rep) -> float:  # used for this outlet only, within the iteration
            near = min((distance_m(o.lon, o.lat, x, y) for x, y in points[stored_id(r)]), default=1e9)  # noqa: B023
            return (near + 100.0) * (1.0 + max(0.0, load[stored_id(r)] / mean_load - 1.0) * 4)

        to = min(staying, key=lambda r: (score(r), r.id))
        to_id = stored_id(to)
        edits.reassigned[stored_id(o)] = (o, to_id)
        load[to_id] += o.visits_per_cycle
        points[to_id].append((o.lon, o.lat))
    edits.touched_reps.add(stored_id(rep))
