"""Rep territories: a polygon per rep, drawn by a coordinator (stored GeoJSON) or derived from the rep's active
outlets (their convex hull, buffered so a lone outlet or a line of outlets still has an area)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points
from sqlmodel import Session, col, select

from service.core.errors import InvalidInput, Loc
from service.core.tables import Outlet, OutletStatus, Rep, Territory, stored_id, utcnow

DERIVED_BUFFER_DEG = 0.002  # ~200 m around the hull of a rep's outlets
METRES_PER_DEG = 111_320.0


@dataclass(frozen=True)
class RepTerritory:
    rep_id: int
    geometry: BaseGeometry
    source: str  # given | derived


def polygon_of(geojson: object, loc: Loc) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (geometry or Feature) as a valid shapely shape, or InvalidInput at loc."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidInput("must be a GeoJSON Polygon or MultiPolygon (geometry or Feature)", loc)
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise InvalidInput(f"not a readable GeoJSON polygon: {exc}", loc) from exc
    if geometry.is_empty or not geometry.is_valid:
        raise InvalidInput(f"not a valid polygon: {shapely.is_valid_reason(geometry)}", loc)
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InvalidInput("coordinates must be WGS84 [lon, lat]", loc)
    return geometry


def store_territory(session: Session, rep: Rep, geojson: object) -> RepTerritory:
    geometry = polygon_of(geojson, ("body",))
    rep_id = stored_id(rep)
    row = session.get(Territory, rep_id) or Territory(rep_id=rep_id, geometry={})
    row.geometry = mapping(geometry)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return RepTerritory(rep_id, geometry, "given")


def derived_territory(points: list[tuple[float, float]]) -> BaseGeometry:
    return shapely.MultiPoint(points).convex_hull.buffer(DERIVED_BUFFER_DEG)


def rep_territories(session: Session, reps: list[Rep], outlets: list[Outlet]) -> dict[int, RepTerritory]:
    """The territory of every rep given that has one: stored, else derived from its active `outlets`."""
    stored = {
        t.rep_id: t for t in session.exec(select(Territory).where(col(Territory.rep_id).in_([r.id for r in reps])))
    }
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for o in outlets:
        if o.status == OutletStatus.ACTIVE and o.rep_id is not None:
            points[o.rep_id].append((o.lon, o.lat))
    found: dict[int, RepTerritory] = {}
    for rep_id in map(stored_id, reps):
        if rep_id in stored:
            found[rep_id] = RepTerritory(rep_id, shape(stored[rep_id].geometry), "given")
        elif points[rep_id]:
            found[rep_id] = RepTerritory(rep_id, derived_territory(points[rep_id]), "derived")
    return found


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: good to a fraction of a percent across one office's area."""
    x = (lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(x, lat2 - lat1) * METRES_PER_DEG


def territory_for(territories: dict[int, RepTerritory], lon: float, lat: float) -> tuple[int, float] | None:
    """(rep id, metres outside the territory) of the rep whose territory contains the point (0 m), else of the
    nearest territory; None without any territory. Overlaps go to the given polygon, then the lowest rep id."""
    point = shapely.Point(lon, lat)
    inside = sorted((t.source != "given", rep_id) for rep_id, t in territories.items() if t.geometry.covers(point))
    if inside:
        return inside[0][1], 0.0
    if not territories:
        return None
    rep_id, t = min(territories.items(), key=lambda item: item[1].geometry.distance(point))
    nearest = nearest_points(t.geometry, point)[0]
    return rep_id, distance_m(lon, lat, nearest.x, nearest.y)
