"""The optional base map: a tile server URL from the environment, and the coordinate system its tiles use.

Stored coordinates are WGS84. Tiles of Chinese map providers (AMap/Gaode, Tencent) are drawn in GCJ-02, so
geometry shown on them is shifted to GCJ-02 on the server (geo.coords) to sit on the right streets. Without a
tile URL the pages draw the geometry on a plain background, which needs no internet.

    ROUTEPLAN_TILE_URL          e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png (unset: no base map)
    ROUTEPLAN_TILE_COORDS       wgs84 or gcj02; default gcj02 for AMap and Tencent hosts, else wgs84
    ROUTEPLAN_TILE_SUBDOMAINS   the letters or digits {s} stands for in the URL (default abc; AMap: 1234)
    ROUTEPLAN_TILE_ATTRIBUTION  the map data credit shown in the corner
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np

from geo.coords import CoordSystem, UnknownCoordSystem, parse_coord_system, wgs84_to_gcj02
from service.core.errors import ServiceError

# Hosts whose tiles are in GCJ-02 (AMap/Gaode and Tencent maps).
_GCJ02_HOST_SUFFIXES = ("autonavi.com", "amap.com", "map.qq.com", "gtimg.com")


class TileConfigError(ServiceError):
    """A tile setting in the environment that the pages cannot use (a server misconfiguration: 500)."""

    error_type = "configuration_error"


@dataclass(frozen=True)
class TileSource:
    url: str
    coords: CoordSystem
    subdomains: str
    attribution: str


def _default_coords(url: str) -> CoordSystem:
    host = (urlsplit(url.replace("{s}", "a")).hostname or "").lower()
    gcj = any(host == suffix or host.endswith("." + suffix) for suffix in _GCJ02_HOST_SUFFIXES)
    return CoordSystem.gcj02 if gcj else CoordSystem.wgs84


def tile_source(environ: Mapping[str, str] = os.environ) -> TileSource | None:
    """The configured base map, or None when ROUTEPLAN_TILE_URL is unset or empty."""
    url = environ.get("ROUTEPLAN_TILE_URL", "").strip()
    if not url:
        return None
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise TileConfigError(
            f"must contain {{z}}, {{x}} and {{y}}, not {url!r}", ("environment", "ROUTEPLAN_TILE_URL")
        )
    name = environ.get("ROUTEPLAN_TILE_COORDS", "").strip()
    try:
        coords = parse_coord_system(name) if name else _default_coords(url)
    except UnknownCoordSystem as exc:
        raise TileConfigError(str(exc), ("environment", "ROUTEPLAN_TILE_COORDS")) from None
    if coords == CoordSystem.bd09:
        # Baidu tiles are not in Web Mercator tile numbering either; shifting points would not be enough.
        raise TileConfigError(
            "Baidu (bd09) tiles are not supported; use wgs84 or gcj02 tiles", ("environment", "ROUTEPLAN_TILE_COORDS")
        )
    return TileSource(
        url=url,
        coords=coords,
        subdomains=environ.get("ROUTEPLAN_TILE_SUBDOMAINS", "").strip() or "abc",
        attribution=environ.get("ROUTEPLAN_TILE_ATTRIBUTION", "").strip(),
    )


def to_display(lonlat: np.ndarray, tiles: TileSource | None) -> np.ndarray:
    """(n, 2) WGS84 lon/lat -> the coordinates to draw on the base map, rounded to 1e-6 degrees (~0.1 m)."""
    points = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    if tiles is not None and tiles.coords == CoordSystem.gcj02 and len(points):
        lon, lat = wgs84_to_gcj02(points[:, 0], points[:, 1])
        points = np.column_stack([lon, lat])
    return np.round(points, 6)


def page_json(tiles: TileSource | None) -> dict | None:
    """What a page's script needs to draw the base map; None for a plain background."""
    if tiles is None:
        return None
    return {"url": tiles.url, "attribution": tiles.attribution, "subdomains": tiles.subdomains}
