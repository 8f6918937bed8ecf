"""The one travel-time interface: a model turns points into integer duration and distance matrices.

Engines (the straight-line default here; road engines such as OSRM later) all satisfy `TravelModel`, take
WGS84 [lon, lat] points and return whole seconds and metres. Nothing here knows about plans or solvers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import numpy as np

from geo.sphere import great_circle_blocks_m

# Default door-to-door speeds in a Chinese city district, stops at lights and crossings included.
TRAVEL_MODES: Mapping[str, float] = MappingProxyType({"walking": 4.5, "ebike": 15.0, "car": 25.0})
DEFAULT_DETOUR_FACTOR = 1.3  # road distance over great-circle distance, typical for city street grids


class UnknownTravelMode(ValueError):
    """A travel mode that is not one of TRAVEL_MODES."""


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Travel from every point (row) to every point (column): (N, N) int64, read-only."""

    duration_s: np.ndarray
    distance_m: np.ndarray

    def __post_init__(self) -> None:
        for name in ("duration_s", "distance_m"):
            m = getattr(self, name)
            if m.ndim != 2 or m.shape[0] != m.shape[1] or m.dtype != np.int64:
                raise ValueError(f"{name} must be a square int64 matrix, got {m.dtype} {m.shape}")
            m.setflags(write=False)
        if self.duration_s.shape != self.distance_m.shape:
            raise ValueError(
                f"duration_s {self.duration_s.shape} and distance_m {self.distance_m.shape} differ in size"
            )


class TravelModel(Protocol):
    def matrix(self, lonlat: np.ndarray) -> TravelMatrix:
        """Travel between all rows of an (N, 2) float array of WGS84 [lon, lat] degrees."""
        ...


def as_lonlat(lonlat: np.ndarray) -> np.ndarray:
    """The points as an (N, 2) float64 array, or a ValueError saying what is wrong with them."""
    points = np.asarray(lonlat, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"lonlat must have shape (N, 2) as [lon, lat] rows, got {points.shape}")
    bad = ~(np.isfinite(points).all(axis=1) & (np.abs(points[:, 0]) <= 180) & (np.abs(points[:, 1]) <= 90))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"lonlat row {i} is not a WGS84 [lon, lat] coordinate: {points[i].tolist()}")
    return points


@dataclass(frozen=True)
class StraightLine:
    """Great-circle distance times a detour factor, covered at a constant speed. Needs no data or server."""

    speed_kmh: float
    detour_factor: float = DEFAULT_DETOUR_FACTOR

    def __post_init__(self) -> None:
        if not (np.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise ValueError(f"speed_kmh must be a positive number, not {self.speed_kmh}")
        if not (np.isfinite(self.detour_factor) and self.detour_factor >= 1):
            raise ValueError(f"detour_factor must be at least 1, not {self.detour_factor}")

    def matrix(self, lonlat: np.ndarray) -> TravelMatrix:
        points = as_lonlat(lonlat)
        n = points.shape[0]
        distance_m = np.empty((n, n), dtype=np.int64)
        duration_s = np.empty((n, n), dtype=np.int64)
        seconds_per_m = 3.6 / self.speed_kmh
        for rows, metres in great_circle_blocks_m(points):
            # Both are rounded from the same unrounded road length, so neither carries the other's error.
            # Adding 0.5 before the truncating cast to int64 rounds these non-negative values to nearest.
            metres *= self.detour_factor
            metres += 0.5
            distance_m[rows] = metres
            metres -= 0.5
            metres *= seconds_per_m
            metres += 0.5
            duration_s[rows] = metres
        return TravelMatrix(duration_s=duration_s, distance_m=distance_m)


def travel_model(mode: str, speed_kmh: float | None = None) -> TravelModel:
    """The travel model of a rep's travel mode; `speed_kmh` overrides the mode's default speed."""
    if mode not in TRAVEL_MODES:
        raise UnknownTravelMode(f"unknown travel mode {mode!r}; known modes: {', '.join(TRAVEL_MODES)}")
    return StraightLine(speed_kmh=TRAVEL_MODES[mode] if speed_kmh is None else speed_kmh)
