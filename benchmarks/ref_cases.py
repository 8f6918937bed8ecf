"""Generated weeks for the reference comparison: a seeded rep territory with any number of weekly outlets.

They follow the sample office's style (ref_sample): an e-bike rep leaving the office at 08:30 and back by
17:30, Monday to Saturday, outlets in a few dense neighbourhoods plus scattered ones, a channel mix with one
opening window each (restaurants outside meal peaks, school shops around classes). Service times are shorter
than the sample's (4-15 min, 6 on average, against 9) so that 300 weekly visits still fit in six days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.ref_week import WeekCase, WeekOutlet
from geo.travel import travel_model
from service.core.time_of_day import seconds_of

WORKING_DAYS = (0, 1, 2, 3, 4, 5)
SHIFT_START_S = 8 * 3600 + 30 * 60
SHIFT_END_S = 17 * 3600 + 30 * 60
OFFICE_LONLAT = (121.381, 31.112)  # a sales office in Minhang district, Shanghai
METRES_PER_DEGREE_LAT = 111_195.0


@dataclass(frozen=True)
class _Channel:
    name: str
    share: float
    service_s: int
    windows: tuple[tuple[str, str], ...]  # one is drawn per outlet


_CHANNELS = (
    _Channel("grocery", 0.40, 300, (("07:30", "21:00"),)),
    _Channel("convenience", 0.22, 360, (("07:00", "23:00"),)),
    _Channel("restaurant", 0.15, 480, (("09:30", "11:30"), ("14:00", "17:00"))),
    _Channel("supermarket", 0.06, 900, (("09:00", "16:00"),)),
    _Channel("school_shop", 0.07, 300, (("07:30", "11:30"), ("13:30", "16:00"))),
    _Channel("internet_cafe", 0.05, 300, (("12:00", "23:30"),)),
    _Channel("kiosk", 0.05, 240, (("08:00", "20:00"),)),
)


def generated_lonlat(n_outlets: int, seed: int) -> np.ndarray:
    """(n_outlets + 1, 2) [lon, lat]: the office first, then outlets in a territory 1-4 km from it."""
    rng = np.random.default_rng(seed)
    centre = np.array([1800.0, 1200.0])  # territory centre east-north of the office, metres
    hubs = centre + rng.uniform(-1800, 1800, size=(8, 2))
    clustered = int(round(0.8 * n_outlets))
    which = rng.integers(0, len(hubs), size=clustered)
    points = np.vstack(
        [
            hubs[which] + rng.normal(0.0, 350.0, size=(clustered, 2)),
            centre + rng.uniform(-2200, 2200, size=(n_outlets - clustered, 2)),
        ]
    )
    rng.shuffle(points)
    lon0, lat0 = OFFICE_LONLAT
    metres_per_degree_lon = METRES_PER_DEGREE_LAT * np.cos(np.radians(lat0))
    lon = lon0 + points[:, 0] / metres_per_degree_lon
    lat = lat0 + points[:, 1] / METRES_PER_DEGREE_LAT
    outlets = np.column_stack([lon, lat])
    return np.vstack([np.array([OFFICE_LONLAT]), outlets])


def generated_week(n_outlets: int, seed: int) -> WeekCase:
    """A seeded rep's week of `n_outlets` weekly outlets with e-bike travel times."""
    if n_outlets <= 0:
        raise ValueError(f"n_outlets must be positive, not {n_outlets}")
    lonlat = generated_lonlat(n_outlets, seed)
    rng = np.random.default_rng(seed + 1)
    shares = np.array([c.share for c in _CHANNELS])
    kinds = rng.choice(len(_CHANNELS), size=n_outlets, p=shares / shares.sum())
    outlets = []
    for i, k in enumerate(kinds):
        channel = _CHANNELS[k]
        opens, closes = channel.windows[rng.integers(len(channel.windows))]
        window = (seconds_of(opens), seconds_of(closes))
        outlets.append(WeekOutlet(location=i + 1, service_s=channel.service_s, windows=(window,)))
    travel = travel_model("ebike").matrix(lonlat)
    return WeekCase(
        name=f"generated {n_outlets} (seed {seed})",
        outlets=tuple(outlets),
        duration_s=travel.duration_s,
        distance_m=travel.distance_m,
        working_days=WORKING_DAYS,
        shift_start_s=SHIFT_START_S,
        shift_end_s=SHIFT_END_S,
    )
