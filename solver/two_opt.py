"""2-opt inside one route, for routes whose timing cannot break: no windows, no breaks, symmetric travel.

Reversing a segment then changes only the two edges at its ends, so every move's gain is one vectorised
expression over all edge pairs; the best move is applied until none gains. Capacity is unaffected and the
duration only shrinks, so an improved route stays feasible.
"""

from __future__ import annotations

import numpy as np


def two_opt(travel: np.ndarray, start: int, end: int, locs: list[int], order: list[int]) -> tuple[list[int], int, int]:
    """Improve `order` (items visited at `locs`); returns the new order, the travel saved and the passes made
    over all moves (the work done)."""
    pts = np.array([start, *locs, end], dtype=np.int64)
    order = list(order)
    saved = passes = 0
    m = len(pts) - 1  # edges
    if m < 3:
        return order, 0, 0
    upper = np.triu(np.ones((m, m), dtype=bool), k=1)
    while True:
        passes += 1
        a, b = pts[:-1], pts[1:]
        gain = (
            travel[a, b][:, None]
            + travel[a, b][None, :]
            - travel[a[:, None], a[None, :]]
            - travel[b[:, None], b[None, :]]
        )
        gain = np.where(upper, gain, 0)
        flat = int(gain.argmax())
        best = int(gain.flat[flat])
        if best <= 0:
            return order, saved, passes
        i, j = divmod(flat, m)  # reverse the points i+1 .. j (items i .. j-1)
        pts[i + 1 : j + 1] = pts[i + 1 : j + 1][::-1].copy()
        order[i:j] = order[i:j][::-1]
        saved += best
