"""Generated journey-plan problems: one rep, one vehicle per working day of a 4-week cycle.

Outlets are spread over a city district around the office; restaurants have split hours, supermarkets long
visits; the rep rides an e-bike (4 m/s over a 1.3 detour) from 08:30 to 17:30 with an hour's lunch starting
between 11:30 and 13:00.
"""

from __future__ import annotations

import numpy as np

from solver.model import Break, Client, Problem, TimeWindow, Vehicle
from solver.patterns import cycle_patterns

H = 3600
WORKING_DAYS = (0, 1, 2, 3, 4, 5)
SHIFT = (8 * H + 1800, 17 * H + 1800)
LUNCH = Break(earliest_start_s=11 * H + 1800, latest_start_s=13 * H, duration_s=H)
# channel: (share, service minutes, windows as (start h, end h), closed weekdays)
CHANNELS = {
    "restaurant": (0.25, 10, ((9.5, 11.0), (14.0, 17.0)), (0,)),
    "grocery": (0.45, 8, ((8.0, 20.0),), ()),
    "supermarket": (0.10, 25, ((9.0, 21.0),), ()),
    "school_shop": (0.10, 8, ((7.5, 12.0), (13.5, 16.5)), (5,)),
    "kiosk": (0.10, 5, ((6.0, 22.0),), ()),
}
FREQUENCIES = ((12, 0.04), (8, 0.12), (4, 0.5), (2, 0.22), (1, 0.12))


def rep_cycle(seed: int, n_outlets: int, side_m: float = 5000.0, consistent: bool = True) -> Problem:
    rng = np.random.default_rng(seed)
    xy = np.vstack([[0.0, 0.0], rng.uniform(-side_m / 2, side_m / 2, size=(n_outlets, 2))])
    road_m = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) * 1.3
    distance_m = np.rint(road_m).astype(np.int64)
    duration_s = np.rint(road_m / 4.0).astype(np.int64)
    names = list(CHANNELS)
    shares = np.array([CHANNELS[c][0] for c in names])
    freqs = np.array([f for f, _ in FREQUENCIES])
    fshares = np.array([s for _, s in FREQUENCIES])
    clients = []
    for i in range(n_outlets):
        _, service_min, hours, closed = CHANNELS[names[rng.choice(len(names), p=shares / shares.sum())]]
        windows = tuple(
            () if day % 7 in closed or day % 7 == 6 else tuple(TimeWindow(int(a * H), int(b * H)) for a, b in hours)
            for day in range(28)
        )
        freq = int(rng.choice(freqs, p=fshares / fshares.sum()))
        clients.append(
            Client(
                location=i + 1, service_s=service_min * 60, patterns=cycle_patterns(freq, WORKING_DAYS), windows=windows
            )
        )
    vehicles = tuple(
        Vehicle(day=7 * w + d, start=0, end=0, shift_start_s=SHIFT[0], shift_end_s=SHIFT[1], breaks=(LUNCH,))
        for w in range(4)
        for d in WORKING_DAYS
    )
    return Problem(
        num_days=28,
        clients=tuple(clients),
        vehicles=vehicles,
        duration_s=duration_s,
        distance_m=distance_m,
        consistent=consistent,
    )
