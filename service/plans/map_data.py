"""What the plan map page draws, as one JSON-ready dict: the office, each rep's territory and colour, every
route with its numbered stops, the unplaced outlets, and the key figures.

Built from the plan as the API serves it (plan_views.plan_public and plan_views.plan_geojson), so the numbers
on the map are the day list's. Coordinates are shifted for the base map here, on the server (tiles.to_display).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from statistics import mean

import numpy as np
from shapely.geometry import MultiPoint, mapping
from sqlmodel import Session

from service.core.tables import Place, Rep, stored_id
from service.master_data import repository
from service.pages.tiles import TileSource, page_json, to_display
from service.plans import repository as plan_repository
from service.plans import views as plan_views
from service.plans.schemas import PlanPublic

# One rep's days, one colour per weekday (Monday first), white numbers readable on each (contrast >= 4.5).
DAY_COLOURS = ("#1f77b4", "#d62728", "#248624", "#8e62b5", "#b75b0a", "#0f818c", "#aa5991")
# Distinguishable on a light background and in print, each dark enough for the white stop numbers drawn on it
# (contrast >= 4.5, WCAG AA; Tableau 10's hues, the light ones darkened); reps beyond the palette reuse it.
REP_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#248624",
    "#8e62b5",
    "#b75b0a",
    "#0f818c",
    "#8c564b",
    "#aa5991",
    "#787815",
    "#393b79",
    "#637939",
    "#747474",
)


def _display_pairs(lonlat: list[list[float]], tiles: TileSource | None) -> list[list[float]]:
    return to_display(np.array(lonlat, dtype=float), tiles).tolist() if lonlat else []


def territory(points: list[list[float]]) -> dict | None:
    """The convex hull of a rep's outlets as a GeoJSON geometry (a Point or LineString when they are fewer
    than three or in a line), None without outlets."""
    if not points:
        return None
    hull = MultiPoint([tuple(p) for p in points]).convex_hull
    return mapping(hull)


def _routes(geojson: dict, tiles: TileSource | None) -> list[dict]:
    """One entry per rep and cycle day: the line from start place through the stops to the end place, and the
    stops as [seq, outlet_code, outlet_name, lon, lat, arrival] in visiting order."""
    stops: dict[tuple[int, int], list[dict]] = defaultdict(list)
    lines: dict[tuple[int, int], dict] = {}
    for feature in geojson["features"]:
        props = feature["properties"]
        key = (props["rep_id"], props["day"])
        if props["kind"] == "visit":
            stops[key].append(feature)
        elif props["kind"] == "route":
            lines[key] = feature
    routes = []
    for key, line in lines.items():
        props = line["properties"]
        visits = sorted(stops[key], key=lambda f: f["properties"]["seq"])
        shown = _display_pairs([f["geometry"]["coordinates"] for f in visits], tiles)
        routes.append(
            {
                "rep_id": props["rep_id"],
                "day": props["day"],
                "week": props["week"],
                "weekday": props["weekday"],
                "travel_s": props["travel_s"],
                "distance_m": props["distance_m"],
                "line": _display_pairs(line["geometry"]["coordinates"], tiles),
                "stops": [
                    [
                        f["properties"]["seq"],
                        f["properties"]["outlet_code"],
                        f["properties"]["outlet_name"],
                        lon,
                        lat,
                        f["properties"]["arrival"],
                    ]
                    for f, (lon, lat) in zip(visits, shown)
                ],
            }
        )
    return sorted(routes, key=lambda r: (r["rep_id"], r["day"]))


def _home_shown(rep: Rep, tiles: TileSource | None) -> list[float] | None:
    """The rep's home as drawn when the rep's days start or end there (where the rep's lines begin or end)."""
    if Place.HOME not in (rep.start_place, rep.end_place) or rep.home_lon is None or rep.home_lat is None:
        return None
    return _display_pairs([[rep.home_lon, rep.home_lat]], tiles)[0]


def key_figures(plan: PlanPublic) -> dict:
    """Coverage, travel and visits per day of the whole plan, from its routes and unplaced visits."""
    placed = sum(len(d.visits) for d in plan.days)
    unplaced = sum(u.visits for u in plan.unplaced)
    per_day = [len(d.visits) for d in plan.days]
    return {
        "coverage": placed / (placed + unplaced) if placed + unplaced else 1.0,
        "visits_placed": placed,
        "visits_required": placed + unplaced,
        "travel_s": sum(d.travel_s for d in plan.days),
        "distance_m": sum(d.distance_m for d in plan.days),
        "visits_per_day": {
            "mean": round(mean(per_day), 1) if per_day else 0,
            "min": min(per_day, default=0),
            "max": max(per_day, default=0),
        },
        "unplaced_visits": unplaced,
        "unplaced_outlets": len(plan.unplaced),
    }


def plan_map_data(session: Session, plan_id: int, tiles: TileSource | None) -> dict:
    plan = plan_views.plan_public(session, plan_id)
    geojson = plan_views.plan_geojson(session, plan_id)
    office = repository.office(session, plan.office_id)
    assert office is not None  # the plan's office (a foreign key)
    routes = _routes(geojson, tiles)
    unplaced_places = {
        outlet.id: [outlet.lon, outlet.lat] for _, outlet in plan_repository.plan_unplaced(session, plan_id)
    }
    unplaced_shown = dict(zip(unplaced_places, _display_pairs(list(unplaced_places.values()), tiles)))

    rep_ids = {d.rep_id for d in plan.days} | {u.rep_id for u in plan.unplaced if u.rep_id is not None}
    reps = [r for r in sorted(repository.reps(session, plan.office_id), key=lambda r: r.code) if r.id in rep_ids]
    outlet_points: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for route in routes:
        for _seq, code, _name, lon, lat, _arrival in route["stops"]:
            outlet_points[route["rep_id"]][code] = [lon, lat]
    for u in plan.unplaced:
        if u.rep_id is not None:
            outlet_points[u.rep_id][u.outlet_code] = unplaced_shown[u.outlet_id]

    workload = [
        {
            "rep_id": d.rep_id,
            "rep_code": d.rep_code,
            "day": d.day,
            "week": d.week,
            "weekday": d.weekday,
            "date": (plan.start_date + timedelta(days=d.day)).isoformat(),
            "visits": len(d.visits),
            "service_s": d.service_s,
            "travel_s": d.travel_s,
            "workload_s": d.service_s + d.travel_s,
            "idle_s": d.idle_s,
            "distance_m": d.distance_m,
        }
        for d in sorted(plan.days, key=lambda d: (d.rep_code, d.day))
    ]
    return {
        "plan": {
            "id": plan.id,
            "status": str(plan.status),
            "start_date": plan.start_date.isoformat(),
            "weeks": plan.weeks,
            "office_id": plan.office_id,
        },
        "office": {
            "code": office.code,
            "name": office.name,
            "lonlat": _display_pairs([[office.lon, office.lat]], tiles)[0],
        },
        "reps": [
            {
                "id": r.id,
                "code": r.code,
                "name": r.name,
                "colour": REP_COLOURS[i % len(REP_COLOURS)],
                "territory": territory(list(outlet_points[stored_id(r)].values())),
                "home": _home_shown(r, tiles),
            }
            for i, r in enumerate(reps)
        ],
        "day_colours": DAY_COLOURS,
        "routes": routes,
        "workload": workload,
        "unplaced": [
            {
                "outlet_code": u.outlet_code,
                "outlet_name": u.outlet_name,
                "rep_id": u.rep_id,
                "visits": u.visits,
                "reason": u.reason,
                "detail": u.detail,
                "lonlat": unplaced_shown[u.outlet_id],
            }
            for u in plan.unplaced
        ],
        "kpis": key_figures(plan),
        "tiles": page_json(tiles),
    }
