"""What changed between a plan version and the one a change set made from it: per outlet, per rep-day, and in the
KPIs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Protocol

from service.core.tables import (
    Plan,
    stored_id,
)
from service.line_cleanup.edits import Edits
from service.plans.convert import PlanRows

ARRIVAL_SHIFT_S = 600  # arrival times that move by more than this are listed in the diff


class _Visit(Protocol):
    """A visit: a PlanVisit, or a row of its table."""

    rep_id: int
    day: int
    outlet_id: int
    seq: int
    start_s: int


def plan_diff(edits: Edits, base: Plan, plan: Plan, base_visits: list, rows: PlanRows) -> dict:
    """What changed between the base version and the new one, per rep and day."""
    codes = {o.id: o.code for o in edits.outlets}
    reps = {stored_id(r): r.code for r in edits.reps.values()}
    old = {(v.outlet_id, v.rep_id, v.day): v for v in base_visits}
    new = {(v.outlet_id, v.rep_id, v.day): v for v in rows.visits}
    old_outlets = {k[0] for k in old}
    new_outlets = {k[0] for k in new}
    old_days, new_days = defaultdict(list), defaultdict(list)
    for o, r, d in old:
        old_days[o].append((r, d))
    for o, r, d in new:
        new_days[o].append((r, d))

    def item(v, **extra) -> dict:
        return {"outlet_code": codes[v.outlet_id], "rep_code": reps[v.rep_id], "day": v.day, "seq": v.seq, **extra}

    added = [item(v) for k, v in sorted(new.items()) if k[0] not in old_outlets]
    removed = [item(v) for k, v in sorted(old.items()) if k[0] not in new_outlets]
    moved = []
    for outlet_id in sorted(old_outlets & new_outlets):
        before, after = old_days[outlet_id], new_days[outlet_id]
        if set(before) != set(after):
            before, after = sorted(before), sorted(after)
            moved.append(
                {
                    "outlet_code": codes[outlet_id],
                    "from": [{"rep_code": reps[r], "day": d} for r, d in before],
                    "to": [{"rep_code": reps[r], "day": d} for r, d in after],
                }
            )
    resequenced, shifted = [], []
    place_before, place_after = _places_among_kept(old, new), _places_among_kept(new, old)
    for k in sorted(old.keys() & new.keys()):
        a, b = old[k], new[k]
        if place_before[k] != place_after[k]:  # not a visit only renumbered around one added or removed
            resequenced.append(item(b, old_seq=a.seq))
        if abs(b.arrival_s - a.arrival_s) > ARRIVAL_SHIFT_S:
            shifted.append(item(b, old_arrival_s=a.arrival_s, arrival_s=b.arrival_s))
    day_changes = _day_changes(old.values(), new.values(), reps)
    kpis_old, kpis_new = base.kpis, plan.kpis
    kept = sum(1 for k in old.keys() & new.keys())
    return {
        "base_plan_id": base.id,
        "result_plan_id": plan.id,
        "added": added,
        "removed": removed,
        "moved": moved,
        "resequenced": resequenced,
        "arrival_shifts": shifted,
        "days_changed": day_changes,
        # Rep-days that got no outlet added or taken away, yet changed order or times (0 is what a fold aims at).
        "untouched_days_changed": sum(1 for d in day_changes if not d["added"] and not d["removed"]),
        "existing_visits_kept": kept,
        "existing_visits": len(old),
        "kpi_deltas": {
            name: kpis_new.get(name, 0) - kpis_old.get(name, 0)
            for name in (
                "travel_s",
                "distance_m",
                "workload_spread_s_max",
                "coverage",
                "visits_placed",
                "visits_required",
                "unplaced_visits",
            )
        },
    }


def _places_among_kept(
    visits: Mapping[tuple[int, int, int], _Visit], other: Mapping
) -> dict[tuple[int, int, int], int]:
    """Each visit also in `other`: its place among those visits of its rep-day."""
    days: defaultdict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for k in visits.keys() & other.keys():
        days[k[1:]].append(k)
    return {k: place for day in days.values() for place, k in enumerate(sorted(day, key=lambda k: visits[k].seq))}


def _day_changes(old_visits, new_visits, reps: dict[int, str]) -> list[dict]:
    """Per rep-day that changed: outlets added and removed, kept visits whose order among the kept ones changed
    (reordered) and kept visits that start at another time (retimed)."""
    old_days: defaultdict[tuple[int, int], dict[int, _Visit]] = defaultdict(dict)
    new_days: defaultdict[tuple[int, int], dict[int, _Visit]] = defaultdict(dict)
    for v in old_visits:
        old_days[(v.rep_id, v.day)][v.outlet_id] = v
    for v in new_visits:
        new_days[(v.rep_id, v.day)][v.outlet_id] = v
    changes = []
    for rep_id, day in sorted(old_days.keys() | new_days.keys()):
        a, b = old_days.get((rep_id, day), {}), new_days.get((rep_id, day), {})
        kept = a.keys() & b.keys()
        order_a = sorted(kept, key=lambda o: a[o].seq)
        order_b = sorted(kept, key=lambda o: b[o].seq)
        change = {
            "rep_code": reps[rep_id],
            "day": day,
            "added": len(b.keys() - a.keys()),
            "removed": len(a.keys() - b.keys()),
            "reordered": sum(x != y for x, y in zip(order_a, order_b)),
            "retimed": sum(a[o].start_s != b[o].start_s for o in kept),
        }
        if change["added"] or change["removed"] or change["reordered"] or change["retimed"]:
            changes.append(change)
    return changes
