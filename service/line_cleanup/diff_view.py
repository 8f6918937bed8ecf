"""A change set's diff as people read it: per rep-day with its date and weekday, outlets by name, times as HH:MM,
and the outlets added, removed and moved as points for the draft's map."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session

from service.core.i18n import Translator
from service.core.tables import Outlet, Plan
from service.core.time_of_day import hhmm_of
from service.master_data import repository
from service.pages.tiles import TileSource, to_display


def _codes(diff: dict) -> set[str]:
    items = [*diff.get("added", []), *diff.get("removed", []), *diff.get("moved", [])]
    items += diff.get("arrival_shifts", []) + diff.get("resequenced", [])
    return {item["outlet_code"] for item in items}


def diff_view(session: Session, diff: dict, base: Plan, t: Translator, tiles: TileSource | None) -> dict[str, Any]:
    """The rep-days that changed (date order), the moved outlets, and the map's points."""
    outlets = repository.outlets_by_code(session, _codes(diff))
    reps = {r.code: r for r in repository.reps(session, base.office_id)}

    def day_text(day: int) -> str:
        on: date = base.start_date + timedelta(days=day)
        return f"{on.isoformat()} {t.weekday(on.weekday())}"

    def name(code: str) -> str:
        outlet = outlets.get(code)
        return f"{outlet.name} ({code})" if outlet else code

    def rep_text(code: str) -> str:
        rep = reps.get(code)
        return f"{code} {rep.name}" if rep else code

    per_day: defaultdict[tuple[str, int], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in sorted(diff.get("added", []), key=lambda i: i["seq"]):
        per_day[(item["rep_code"], item["day"])]["added"].append(f"{item['seq']}. {name(item['outlet_code'])}")
    for item in diff.get("removed", []):
        per_day[(item["rep_code"], item["day"])]["removed"].append(name(item["outlet_code"]))
    for item in diff.get("moved", []):  # a moved outlet leaves the days it had and joins others
        before = {(e["rep_code"], e["day"]) for e in item["from"]}
        after = {(e["rep_code"], e["day"]) for e in item["to"]}
        moved_name = t("line_cleanup.moved_outlet", outlet=name(item["outlet_code"]))
        for key in sorted(after - before):
            per_day[key]["added"].append(moved_name)
        for key in sorted(before - after):
            per_day[key]["removed"].append(moved_name)
    for item in diff.get("arrival_shifts", []):
        per_day[(item["rep_code"], item["day"])]["shifted"].append(
            t(
                "line_cleanup.arrival_shift",
                outlet=name(item["outlet_code"]),
                old=hhmm_of(item["old_arrival_s"]),
                new=hhmm_of(item["arrival_s"]),
            )
        )
    days = []
    for change in sorted(diff.get("days_changed", []), key=lambda c: (c["day"], c["rep_code"])):
        found = per_day.get((change["rep_code"], change["day"]), {})
        days.append(
            {
                "date": day_text(change["day"]),
                "rep": rep_text(change["rep_code"]),
                "added": found.get("added", []),
                "removed": found.get("removed", []),
                "shifted": found.get("shifted", [])
                or ([t("line_cleanup.retimed", n=change["retimed"])] if change["retimed"] else []),
                "reordered": change["reordered"],
            }
        )
    moved = [
        {
            "outlet": name(item["outlet_code"]),
            "from": _rep_days(item["from"], rep_text, day_text),
            "to": _rep_days(item["to"], rep_text, day_text),
        }
        for item in diff.get("moved", [])
    ]
    return {"days": days, "moved": moved, "points": _points(diff, outlets, t, tiles, name)}


def _rep_days(entries: list[dict], rep_text: Any, day_text: Any) -> str:
    by_rep: defaultdict[str, list[str]] = defaultdict(list)
    for entry in entries:
        by_rep[entry["rep_code"]].append(day_text(entry["day"]))
    return "; ".join(f"{rep_text(rep)}: {', '.join(days)}" for rep, days in by_rep.items())


def _points(
    diff: dict, outlets: dict[str, Outlet], t: Translator, tiles: TileSource | None, name: Any
) -> list[dict[str, Any]]:
    """One point per outlet added, removed or moved, where the base map draws it."""
    marked: dict[str, str] = {}
    for kind in ("added", "removed", "moved"):
        for item in diff.get(kind, []):
            marked.setdefault(item["outlet_code"], kind)
    codes = [code for code in marked if code in outlets]
    if not codes:
        return []
    shown = to_display(np.array([[outlets[c].lon, outlets[c].lat] for c in codes]), tiles)
    return [
        {
            "kind": marked[code],
            "label": f"{t.messages['line_cleanup.kinds'][marked[code]]}: {name(code)}",
            "lonlat": list(p),
        }
        for code, p in zip(codes, shown.tolist())
    ]
