"""Checks on coordinates typed or pasted by people: ranges, and latitude/longitude given the wrong way round."""

from __future__ import annotations

import math

from geo.sphere import great_circle_m

# How far from the office a point may lie and still be "in its region" (a city and its suburbs).
REGION_RADIUS_M = 200_000.0


class CoordinateError(ValueError):
    """A coordinate that cannot be a WGS84 position; `field` names the offending value ("lon" or "lat")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _in_range(lon: float, lat: float) -> bool:
    return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90


def validate_lonlat(lon: float, lat: float) -> None:
    """Raise CoordinateError unless lon is in [-180, 180] and lat in [-90, 90] (finite numbers)."""
    for field, value, limit in (("lon", lon, 180), ("lat", lat, 90)):
        if not (math.isfinite(value) and -limit <= value <= limit):
            raise CoordinateError(field, f"{field} must be a number in [-{limit}, {limit}], not {value}")


def looks_swapped(lon: float, lat: float, ref_lon: float, ref_lat: float, region_m: float = REGION_RADIUS_M) -> bool:
    """True when (lon, lat) was most likely entered as (lat, lon): read the other way round the point lies
    within `region_m` of the reference (the office), while as given it is out of range or outside that region.

    Check this before validate_lonlat: in China a swapped pair usually has a "latitude" above 90, and
    "swapped" is the more useful message. A point near the office either way (only possible close to the
    lon == lat diagonal) is not called swapped.
    """
    if not _in_range(lat, lon):  # read the other way round it is no position at all
        return False
    if float(great_circle_m(lat, lon, ref_lon, ref_lat)) > region_m:
        return False
    return not _in_range(lon, lat) or float(great_circle_m(lon, lat, ref_lon, ref_lat)) > region_m
