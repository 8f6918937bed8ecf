"""Conversions between WGS84 (GPS), GCJ-02 (AMap, Tencent) and BD-09 (Baidu) coordinates.

The formulas are the published reference ones (eviltransform, coordtransform): the GCJ-02 offset is a fixed
polynomial-and-sine field on the Krasovsky ellipsoid, BD-09 is a small rotation-and-shift of GCJ-02. Points
outside the reference bounding box of China are left unchanged, as the reference algorithms do.

Every function takes scalars or numpy arrays (broadcast together) and returns the same kind.
"""

from __future__ import annotations

import enum
import math

import numpy as np

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 reference algorithm.
_A_M = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# The reference out_of_china box (degrees).
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)

# The inverse iterates the forward offset; it converges to ~1e-12 degrees in a handful of steps.
_INVERSE_TOL_DEG = 1e-10
_INVERSE_MAX_STEPS = 30


class CoordSystem(enum.StrEnum):
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


class UnknownCoordSystem(ValueError):
    """A coordinate system name that is not one of CoordSystem."""


def parse_coord_system(name: str) -> CoordSystem:
    """'wgs84', 'GCJ-02', 'bd_09', ... -> CoordSystem; anything else raises UnknownCoordSystem naming it."""
    key = str(name).strip().lower().replace("-", "").replace("_", "")
    try:
        return CoordSystem(key)
    except ValueError:
        known = ", ".join(s.value for s in CoordSystem)
        raise UnknownCoordSystem(f"unknown coordinate system {name!r}; expected one of {known}") from None


def out_of_china(lon, lat):
    """True where the reference algorithms leave a point unchanged."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    inside = (lon >= _CHINA_LON[0]) & (lon <= _CHINA_LON[1]) & (lat >= _CHINA_LAT[0]) & (lat <= _CHINA_LAT[1])
    return _like(~inside, lon, lat)


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dlon, dlat) in degrees that GCJ-02 adds to a WGS84 point, without the China box check."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A_M * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A_M / sqrt_magic * np.cos(radlat) * np.pi)
    return dlon, dlat


def _as_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon_a, lat_a


def _like(values: np.ndarray, lon, lat):
    """Return a Python scalar when both inputs were scalars, else the array."""
    if np.ndim(lon) == 0 and np.ndim(lat) == 0:
        return values.item()
    return values


def _pair(out_lon: np.ndarray, out_lat: np.ndarray, lon, lat):
    return _like(out_lon, lon, lat), _like(out_lat, lon, lat)


def wgs84_to_gcj02(lon, lat):
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    keep = out_of_china(lon_a, lat_a)
    return _pair(np.where(keep, lon_a, lon_a + dlon), np.where(keep, lat_a, lat_a + dlat), lon, lat)


def gcj02_to_wgs84(lon, lat):
    """Exact inverse of wgs84_to_gcj02 (to ~1e-10 degrees) by fixed-point iteration.

    The one-step inverse of the reference code (gcj - offset(gcj)) is off by up to a few metres; iterating
    w <- w - (gcj(w) - target) converges because the offset field changes slowly.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    w_lon, w_lat = lon_a.copy(), lat_a.copy()
    for _ in range(_INVERSE_MAX_STEPS):
        dlon, dlat = _gcj_offset(w_lon, w_lat)
        err_lon = w_lon + dlon - lon_a
        err_lat = w_lat + dlat - lat_a
        w_lon = w_lon - err_lon
        w_lat = w_lat - err_lat
        if np.all(np.abs(err_lon) < _INVERSE_TOL_DEG) and np.all(np.abs(err_lat) < _INVERSE_TOL_DEG):
            break
    keep = out_of_china(lon_a, lat_a)
    return _pair(np.where(keep, lon_a, w_lon), np.where(keep, lat_a, w_lat), lon, lat)


def gcj02_to_bd09(lon, lat):
    lon_a, lat_a = _as_arrays(lon, lat)
    z = np.hypot(lon_a, lat_a) + 0.00002 * np.sin(lat_a * _X_PI)
    theta = np.arctan2(lat_a, lon_a) + 0.000003 * np.cos(lon_a * _X_PI)
    keep = out_of_china(lon_a, lat_a)
    bd_lon = z * np.cos(theta) + 0.0065
    bd_lat = z * np.sin(theta) + 0.006
    return _pair(np.where(keep, lon_a, bd_lon), np.where(keep, lat_a, bd_lat), lon, lat)


def bd09_to_gcj02(lon, lat):
    lon_a, lat_a = _as_arrays(lon, lat)
    x = lon_a - 0.0065
    y = lat_a - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    keep = out_of_china(lon_a, lat_a)
    return _pair(np.where(keep, lon_a, z * np.cos(theta)), np.where(keep, lat_a, z * np.sin(theta)), lon, lat)


def to_wgs84(lon, lat, system: CoordSystem | str):
    """Convert (lon, lat) given in `system` to WGS84."""
    system = parse_coord_system(system)
    if system is CoordSystem.gcj02:
        return gcj02_to_wgs84(lon, lat)
    if system is CoordSystem.bd09:
        # The China box is judged on the input as given, like the reference bd2wgs.
        g_lon, g_lat = bd09_to_gcj02(lon, lat)
        w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
        keep = out_of_china(lon, lat)
        return _pair(
            np.where(keep, np.asarray(lon, dtype=float), w_lon),
            np.where(keep, np.asarray(lat, dtype=float), w_lat),
            lon,
            lat,
        )
    return _pair(*_as_arrays(lon, lat), lon, lat)


def from_wgs84(lon, lat, system: CoordSystem | str):
    """Convert WGS84 (lon, lat) to `system`."""
    system = parse_coord_system(system)
    if system is CoordSystem.gcj02:
        return wgs84_to_gcj02(lon, lat)
    if system is CoordSystem.bd09:
        g_lon, g_lat = wgs84_to_gcj02(lon, lat)
        b_lon, b_lat = gcj02_to_bd09(g_lon, g_lat)
        keep = out_of_china(lon, lat)
        return _pair(
            np.where(keep, np.asarray(lon, dtype=float), b_lon),
            np.where(keep, np.asarray(lat, dtype=float), b_lat),
            lon,
            lat,
        )
    return _pair(*_as_arrays(lon, lat), lon, lat)
