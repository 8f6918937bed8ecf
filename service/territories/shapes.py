"""Territories as polygons derived from an assignment: each outlet's Voronoi cell (the area nearer to it than to any
other outlet), merged per rep and clipped to the office's area, so territories do not overlap and a new outlet
lies in the territory of the rep whose outlet is nearest."""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from service.master_data.territories import derived_territory


def partition(points: dict[str, list[tuple[float, float]]]) -> dict[str, BaseGeometry]:
    """Each key's territory from its [lon, lat] points (a point given twice counts for the first key)."""
    owner: dict[tuple[float, float], str] = {}
    for key, key_points in points.items():
        for point in key_points:
            owner.setdefault(point, key)
    if not owner:
        return {}
    area = derived_territory(list(owner))
    if len(owner) < 3:
        return dict.fromkeys(owner.values(), area)  # too few outlets to tell territories apart
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(owner)), extend_to=area, ordered=True).geoms
    merged: dict[str, list[BaseGeometry]] = {}
    for key, cell in zip(owner.values(), cells, strict=True):
        merged.setdefault(key, []).append(cell)
    return {key: _polygonal(shapely.union_all(parts).intersection(area)) for key, parts in merged.items()}


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of a clipped territory (a clip may leave slivers of lines or points beside them)."""
    polygons = [part for part in shapely.get_parts(geometry) if isinstance(part, shapely.Polygon)]
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
