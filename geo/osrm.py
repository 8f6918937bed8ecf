"""Road travel times from an osrm-routed server (the standard OSRM deployment) through its table service.

`OsrmTable` satisfies the `TravelModel` protocol of geo.travel. Beyond the bare matrix it reports what a
planner must know about road times: pairs with no route (one-way traps, islands of road), points snapped to a
road far from where they are, and points outside the map, which is an error naming the point.

Requests larger than the server's table limit are split into blocks with the `sources`/`destinations`
parameters; osrm-routed accepts a block when sources x destinations <= max_table_size ** 2.
"""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from geo.travel import TravelMatrix, as_lonlat

# Stands in for "no route" in the integer matrices: far beyond any shift or day, so a planner never uses such
# an arc, and small enough that summing a whole route of them cannot overflow int64.
UNREACHABLE_S = 1_000_000_000
UNREACHABLE_M = 1_000_000_000

DEFAULT_FAR_FROM_ROAD_M = 500.0
DEFAULT_OUTSIDE_MAP_M = 5_000.0


class TravelEngineUnavailable(RuntimeError):
    """The travel-time engine did not answer (down, refusing, too slow) after the bounded retries. -> 503"""


class TravelEngineError(RuntimeError):
    """The engine answered but refused the request (bad configuration, an OSRM error code)."""


class OutsideEngineMap(ValueError):
    """Points lie outside the engine's road map: their nearest road is further than the map allows.

    role is "point" (a square table), "source" or "destination"; indices are positions in the caller's array
    with snaps_m their distances to the nearest road; the message describes the first with its coordinates."""

    def __init__(
        self, role: str, indices: list[int], lonlat: list[float], snaps_m: list[float], limit_m: float
    ) -> None:
        more = f"; so are {role}s {', '.join(map(str, indices[1:]))}" if len(indices) > 1 else ""
        super().__init__(
            f"{role} {indices[0]} (lon {lonlat[0]:.6f}, lat {lonlat[1]:.6f}) is {snaps_m[0]:.0f} m from the nearest "
            f"road of the engine's map (limit {limit_m:.0f} m): it lies outside the map{more}"
        )
        self.role = role
        self.indices = indices
        self.snaps_m = snaps_m
        self.limit_m = limit_m

    @property
    def index(self) -> int:
        return self.indices[0]


@dataclass(frozen=True, eq=False)
class RoadBlock:
    """Road travel from S sources to D destinations, UNREACHABLE_S / UNREACHABLE_M where there is no route."""

    duration_s: np.ndarray  # (S, D) int64
    distance_m: np.ndarray  # (S, D) int64
    source_snap_m: np.ndarray  # (S,) float64, from each source to the road point it was snapped to
    destination_snap_m: np.ndarray  # (D,) float64


@dataclass(frozen=True, eq=False)
class RoadTable:
    """A square road matrix and what a planner must be told about it."""

    matrix: TravelMatrix
    snap_distance_m: np.ndarray  # (N,) float64 metres from each point to the road it was snapped to
    unreachable: np.ndarray  # (K, 2) int64 [from, to] pairs with no route
    far_from_road: np.ndarray  # indices of points snapped further than far_from_road_m
    cut_off: np.ndarray  # indices of points that cannot reach, or be reached from, most of the others

    @property
    def flagged(self) -> np.ndarray:
        """Indices of points to show to a person: far from any road or cut off from the rest."""
        return np.union1d(self.far_from_road, self.cut_off)


def road_table(
    duration_s: np.ndarray, distance_m: np.ndarray, snap_distance_m: np.ndarray, far_from_road_m: float
) -> RoadTable:
    """Assemble the report of a square road matrix that uses UNREACHABLE_S for missing routes."""
    n = duration_s.shape[0]
    missing = duration_s >= UNREACHABLE_S
    # A point is cut off when more than half the others are unreachable from it or cannot reach it; its
    # partners in those pairs are fine, they just cannot get to or from it.
    worst = np.maximum(missing.sum(axis=1), missing.sum(axis=0))
    cut_off = np.flatnonzero(worst > (n - 1) / 2)
    return RoadTable(
        matrix=TravelMatrix(duration_s=duration_s, distance_m=distance_m),
        snap_distance_m=snap_distance_m,
        unreachable=np.argwhere(missing).astype(np.int64).reshape(-1, 2),
        far_from_road=np.flatnonzero(snap_distance_m > far_from_road_m),
        cut_off=cut_off,
    )


def osrm_data_version(osrm_path: str | Path) -> str:
    """A version string for the road data an osrm-routed serves from `osrm_path` (the .osrm base name):
    names, sizes and modification times of its data files. Rebuilding the graph changes it."""
    base = Path(osrm_path)
    files = sorted(base.parent.glob(base.name + ".*"))
    if not files:
        raise FileNotFoundError(f"no OSRM data files {base}.* found")
    parts = [f"{f.name}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


class OsrmTable:
    """The table service of an osrm-routed server as a TravelModel.

    base_url: e.g. "http://127.0.0.1:5000". profile: the profile name in the URL ("driving"); osrm-routed
    ignores it and answers with the profile its graph was built with, so each travel mode needs its own
    server (car.lua, bicycle.lua, foot.lua) and base_url. max_table_size: the server's --max-table-size.
    timeout_s: per HTTP request; retries: extra attempts after a failed one, waiting backoff_s,
    2 * backoff_s, ... in between. far_from_road_m flags points, outside_map_m rejects them. concurrency:
    blocks in flight at once (osrm-routed answers each on one of its -t threads; raise it on a server with
    cores to spare). transport: an httpx transport (tests count requests with it).
    """

    def __init__(
        self,
        base_url: str,
        profile: str = "driving",
        max_table_size: int = 100,
        timeout_s: float = 10.0,
        retries: int = 2,
        backoff_s: float = 0.25,
        far_from_road_m: float = DEFAULT_FAR_FROM_ROAD_M,
        outside_map_m: float = DEFAULT_OUTSIDE_MAP_M,
        concurrency: int = 1,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if max_table_size < 1 or concurrency < 1:
            raise ValueError(f"max_table_size ({max_table_size}) and concurrency ({concurrency}) must be >= 1")
        if timeout_s <= 0 or retries < 0 or backoff_s < 0:
            raise ValueError("timeout_s must be positive, retries and backoff_s not negative")
        if not 0 < far_from_road_m <= outside_map_m:
            raise ValueError(f"need 0 < far_from_road_m ({far_from_road_m}) <= outside_map_m ({outside_map_m})")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.max_table_size = max_table_size
        self.retries = retries
        self.backoff_s = backoff_s
        self.far_from_road_m = far_from_road_m
        self.outside_map_m = outside_map_m
        self.concurrency = concurrency
        self._client = httpx.Client(timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> OsrmTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def matrix(self, lonlat: np.ndarray) -> TravelMatrix:
        return self.table(lonlat).matrix

    def table(self, lonlat: np.ndarray) -> RoadTable:
        points = as_lonlat(lonlat)
        block = self._fill(points, points)
        self._check_inside_map("point", points, block.source_snap_m)
        return road_table(block.duration_s, block.distance_m, block.source_snap_m, self.far_from_road_m)

    def block(self, sources: np.ndarray, destinations: np.ndarray) -> RoadBlock:
        """Road travel from every source to every destination ((S, 2) and (D, 2) [lon, lat] arrays)."""
        src, dst = as_lonlat(sources), as_lonlat(destinations)
        block = self._fill(src, dst)
        self._check_inside_map("source", src, block.source_snap_m)
        self._check_inside_map("destination", dst, block.destination_snap_m)
        return block

    def _fill(self, src: np.ndarray, dst: np.ndarray) -> RoadBlock:
        n_src, n_dst = len(src), len(dst)
        duration_s = np.empty((n_src, n_dst), dtype=np.int64)
        distance_m = np.empty((n_src, n_dst), dtype=np.int64)
        src_snap = np.zeros(n_src)
        dst_snap = np.zeros(n_dst)
        square = src is dst or np.array_equal(src, dst)
        blocks = _blocks(n_src, n_dst, self.max_table_size, square)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            # Executor.map cancels the blocks not yet sent when one fails, so an engine that is down costs one
            # block's retries per worker, not every block's.
            answers = pool.map(
                lambda block: self._request(src[block[0]], dst[block[1]], same_points=square and block[0] == block[1]),
                blocks,
            )
            for (rows, cols), answer in zip(blocks, answers, strict=True):
                duration_s[rows, cols], distance_m[rows, cols] = _integer_matrices(answer, rows.stop - rows.start)
                dst_snap[cols] = [w["distance"] for w in answer["destinations"]]
                src_snap[rows] = [w["distance"] for w in answer["sources"]]
        return RoadBlock(duration_s, distance_m, src_snap, dst_snap)

    def _check_inside_map(self, role: str, points: np.ndarray, snap_m: np.ndarray) -> None:
        outside = np.flatnonzero(snap_m > self.outside_map_m)
        if outside.size:
            lonlat = points[outside[0]].tolist()
            raise OutsideEngineMap(role, outside.tolist(), lonlat, snap_m[outside].tolist(), self.outside_map_m)

    def _request(self, src: np.ndarray, dst: np.ndarray, same_points: bool) -> dict:
        """One table request; a block whose sources are its destinations sends its coordinates once."""
        params = {"annotations": "duration,distance"}
        if same_points:
            coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in src)
        else:
            coords = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in np.concatenate([src, dst]))
            params["sources"] = ";".join(map(str, range(len(src))))
            params["destinations"] = ";".join(map(str, range(len(src), len(src) + len(dst))))
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        response = self._get_with_retries(url, params)
        try:
            answer = response.json()
        except ValueError:
            raise TravelEngineError(
                f"{self.base_url} answered HTTP {response.status_code} without OSRM JSON: is it an OSRM server?"
            ) from None
        if response.status_code != 200 or answer.get("code") != "Ok":
            code, message = answer.get("code"), answer.get("message")
            if code == "TooBig":
                raise TravelEngineError(
                    f"OSRM at {self.base_url} refused a {len(src)}x{len(dst)} table: max_table_size "
                    f"{self.max_table_size} is larger than the server's --max-table-size"
                )
            raise TravelEngineError(f"OSRM at {self.base_url} answered {code}: {message}")
        return answer

    def _get_with_retries(self, url: str, params: dict) -> httpx.Response:
        failure = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            try:
                response = self._client.get(url, params=params)
            except httpx.TransportError as exc:  # refused, reset, timed out
                failure = f"{type(exc).__name__}: {exc}"
                continue
            if response.status_code < 500:
                return response
            failure = f"HTTP {response.status_code}"
        raise TravelEngineUnavailable(
            f"OSRM at {self.base_url} did not answer after {self.retries + 1} attempts ({failure})"
        )


def _max_points_per_request(max_table_size: int) -> int:
    """Coordinates one request may carry. osrm-routed (v26) sizes its header limit from --max-table-size:
    max(25,000, ~49 x max_table_size) bytes; a coordinate costs at most ~27 bytes of our URL (lon,lat with six
    decimals and its sources/destinations index). Kept to 80% of that limit."""
    return int(0.8 * max(25_000, 49 * max_table_size)) // 27


def _blocks(n_src: int, n_dst: int, max_table_size: int, square: bool) -> list[tuple[slice, slice]]:
    """(rows, cols) blocks covering an n_src x n_dst table, each one request that osrm-routed accepts: it
    takes sources x destinations <= max_table_size ** 2, so a thin block (a few new outlets to all others)
    goes in one request. A square table (sources are the destinations) is cut into square blocks whose
    diagonal ones send their coordinates once."""
    if n_src == 0 or n_dst == 0:
        return []
    max_points = _max_points_per_request(max_table_size)
    if square and n_src <= min(max_table_size, max_points):
        return [(slice(0, n_src), slice(0, n_dst))]
    if square:
        src_step = dst_step = max(1, min(max_table_size, max_points // 2))
    elif n_src <= n_dst:
        src_step = min(n_src, max_table_size, max_points // 2)
        dst_step = max(1, min(n_dst, max_table_size * max_table_size // src_step, max_points - src_step))
    else:
        dst_step = min(n_dst, max_table_size, max_points // 2)
        src_step = max(1, min(n_src, max_table_size * max_table_size // dst_step, max_points - dst_step))
    return [
        (slice(s0, min(s0 + src_step, n_src)), slice(d0, min(d0 + dst_step, n_dst)))
        for s0 in range(0, n_src, src_step)
        for d0 in range(0, n_dst, dst_step)
    ]


def _integer_matrices(answer: dict, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """OSRM's float seconds and metres, null for no route, as int64 with UNREACHABLE_* for null."""
    out = []
    for field, unreachable in (("durations", UNREACHABLE_S), ("distances", UNREACHABLE_M)):
        values = np.array(answer[field], dtype=np.float64).reshape(n_rows, -1)  # null -> nan
        missing = np.isnan(values)
        values[missing] = 0.0
        ints = np.rint(values).astype(np.int64)
        ints[missing] = unreachable
        out.append(ints)
    return out[0], out[1]
