"""A travel-matrix cache on disk, so re-planning and line cleanup ask the engine only for pairs it has not answered.

Entries are keyed by engine, profile and road-data version; points by their coordinates rounded to 1e-6
degree (0.1 m, the precision sent to the engine). Registering a new data version for an engine and profile
drops everything cached under the old one: road times from a previous graph are never served.

Storage is one SQLite file: each answered block of travel adds, per source point, one row holding the
destination ids and the two int64 vectors as blobs. Reading a 1,000-point matrix is then about a thousand
row reads instead of a million.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from geo.osrm import OutsideEngineMap, RoadBlock, RoadTable, road_table
from geo.travel import TravelMatrix, TravelModel, as_lonlat

_SCHEMA = """
CREATE TABLE IF NOT EXISTS data_versions (
    key_id INTEGER PRIMARY KEY,
    engine TEXT NOT NULL,
    profile TEXT NOT NULL,
    data_version TEXT NOT NULL,
    UNIQUE (engine, profile, data_version)
);
CREATE TABLE IF NOT EXISTS points (
    point_id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL REFERENCES data_versions (key_id),
    lon_e6 INTEGER NOT NULL,
    lat_e6 INTEGER NOT NULL,
    snap_m REAL,
    UNIQUE (key_id, lon_e6, lat_e6)
);
CREATE TABLE IF NOT EXISTS travel_rows (
    from_id INTEGER NOT NULL REFERENCES points (point_id),
    to_ids BLOB NOT NULL,
    duration_s BLOB NOT NULL,
    distance_m BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS travel_rows_from ON travel_rows (from_id);
"""

# A source answered in many small blocks is merged into one row once it has this many.
_MERGE_ROWS = 8


@dataclass(frozen=True)
class CacheKey:
    engine: str  # e.g. "osrm http://osrm:5000"
    profile: str  # e.g. "driving"
    data_version: str  # e.g. geo.osrm.osrm_data_version(path), or a version string from configuration


class MatrixStore:
    """The SQLite file holding answered pairs (created with its folder if missing)."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the threads of a process (a service's request and job threads), serialised
        # by the lock; other processes wait on SQLite's own file lock (timeout).
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def key_id(self, key: CacheKey) -> int:
        """The id of `key`, registering it; registering a new data version drops the engine's older ones."""
        with self._transaction():
            row = self._db.execute(
                "SELECT key_id FROM data_versions WHERE engine = ? AND profile = ? AND data_version = ?",
                (key.engine, key.profile, key.data_version),
            ).fetchone()
            if row:
                return row[0]
            stale = "SELECT key_id FROM data_versions WHERE engine = ? AND profile = ?"
            args = (key.engine, key.profile)
            points_of_stale = f"SELECT point_id FROM points WHERE key_id IN ({stale})"
            self._db.execute(f"DELETE FROM travel_rows WHERE from_id IN ({points_of_stale})", args)
            self._db.execute(f"DELETE FROM points WHERE key_id IN ({stale})", args)
            self._db.execute("DELETE FROM data_versions WHERE engine = ? AND profile = ?", args)
            cur = self._db.execute(
                "INSERT INTO data_versions (engine, profile, data_version) VALUES (?, ?, ?)",
                (key.engine, key.profile, key.data_version),
            )
        assert cur.lastrowid is not None  # set by every INSERT
        return cur.lastrowid

    def point_ids(self, key_id: int, points: np.ndarray) -> np.ndarray:
        """Ids of (N, 2) [lon, lat] points under key_id, creating ids for points not seen before."""
        e6 = np.rint(points * 1e6).astype(np.int64).tolist()
        with self._transaction():
            self._db.executemany(
                "INSERT OR IGNORE INTO points (key_id, lon_e6, lat_e6) VALUES (?, ?, ?)",
                [(key_id, lon, lat) for lon, lat in e6],
            )
            ids = [
                self._db.execute(
                    "SELECT point_id FROM points WHERE key_id = ? AND lon_e6 = ? AND lat_e6 = ?", (key_id, lon, lat)
                ).fetchone()[0]
                for lon, lat in e6
            ]
        return np.array(ids, dtype=np.int64)

    def snap_m(self, point_ids: np.ndarray) -> np.ndarray:
        """Stored snap distances of the points, nan where none is stored."""
        with self._lock:
            found = dict(self._select_in("SELECT point_id, snap_m FROM points WHERE point_id IN", point_ids))
        return np.array([np.nan if found.get(i) is None else found[i] for i in point_ids.tolist()])

    def put_snap_m(self, point_ids: np.ndarray, snap_m: np.ndarray) -> None:
        with self._transaction():
            self._db.executemany(
                "UPDATE points SET snap_m = ? WHERE point_id = ?", zip(snap_m.tolist(), point_ids.tolist(), strict=True)
            )

    def get(self, point_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(duration_s, distance_m, known) between the given distinct sorted ids; known marks cached pairs."""
        n = len(point_ids)
        duration_s = np.zeros((n, n), dtype=np.int64)
        distance_m = np.zeros((n, n), dtype=np.int64)
        known = np.zeros((n, n), dtype=bool)
        with self._lock:
            rows = self._select_in(
                "SELECT from_id, to_ids, duration_s, distance_m FROM travel_rows WHERE from_id IN", point_ids
            )
        for from_id, to_blob, dur_blob, dist_blob in rows:
            to_ids = np.frombuffer(to_blob, dtype=np.int64)
            pos = np.searchsorted(point_ids, to_ids)
            wanted = (pos < n) & (point_ids[np.minimum(pos, n - 1)] == to_ids)
            r = np.searchsorted(point_ids, from_id)
            cols = pos[wanted]
            duration_s[r, cols] = np.frombuffer(dur_blob, dtype=np.int64)[wanted]
            distance_m[r, cols] = np.frombuffer(dist_blob, dtype=np.int64)[wanted]
            known[r, cols] = True
        return duration_s, distance_m, known

    def put(self, from_ids: np.ndarray, to_ids: np.ndarray, duration_s: np.ndarray, distance_m: np.ndarray) -> None:
        """Store a (len(from_ids), len(to_ids)) block of answered travel."""
        to_blob = np.ascontiguousarray(to_ids, dtype=np.int64).tobytes()
        with self._transaction():
            self._db.executemany(
                "INSERT INTO travel_rows (from_id, to_ids, duration_s, distance_m) VALUES (?, ?, ?, ?)",
                (
                    (
                        int(f),
                        to_blob,
                        np.ascontiguousarray(dur, dtype=np.int64).tobytes(),
                        np.ascontiguousarray(dist, dtype=np.int64).tobytes(),
                    )
                    for f, dur, dist in zip(from_ids, duration_s, distance_m, strict=True)
                ),
            )
            crowded = self._select_in(
                "SELECT from_id FROM travel_rows WHERE from_id IN",
                np.unique(from_ids),
                suffix=f" GROUP BY from_id HAVING count(*) >= {_MERGE_ROWS}",
            )
            for (from_id,) in crowded:
                self._merge_rows(from_id)

    def _merge_rows(self, from_id: int) -> None:
        """Fold a source's rows into one, the newest answer winning for a destination stored twice."""
        rows = self._db.execute(
            "SELECT to_ids, duration_s, distance_m FROM travel_rows WHERE from_id = ? ORDER BY rowid DESC", (from_id,)
        ).fetchall()
        to_ids = np.concatenate([np.frombuffer(r[0], dtype=np.int64) for r in rows])
        durations = np.concatenate([np.frombuffer(r[1], dtype=np.int64) for r in rows])
        distances = np.concatenate([np.frombuffer(r[2], dtype=np.int64) for r in rows])
        to_ids, first = np.unique(to_ids, return_index=True)  # first occurrence = newest row
        self._db.execute("DELETE FROM travel_rows WHERE from_id = ?", (from_id,))
        self._db.execute(
            "INSERT INTO travel_rows (from_id, to_ids, duration_s, distance_m) VALUES (?, ?, ?, ?)",
            (from_id, to_ids.tobytes(), durations[first].tobytes(), distances[first].tobytes()),
        )

    def _select_in(self, sql: str, ids: np.ndarray, suffix: str = "") -> list[tuple]:
        out: list[tuple] = []
        ids_list = [int(i) for i in ids]
        for start in range(0, len(ids_list), 900):  # SQLite's bound-parameter limit
            chunk = ids_list[start : start + 900]
            marks = ",".join("?" * len(chunk))
            out.extend(self._db.execute(f"{sql} ({marks}){suffix}", chunk).fetchall())
        return out

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the store's lock, rolled back on error."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


@runtime_checkable
class RoadModel(TravelModel, Protocol):
    """A road engine (as OsrmTable): it answers rectangular blocks with snap distances, and names the snap
    distance beyond which a point is reported as far from any road."""

    far_from_road_m: float

    def block(self, sources: np.ndarray, destinations: np.ndarray) -> RoadBlock: ...


class CachedTravelModel:
    """Any TravelModel behind the cache.

    Road engines (RoadModel) are asked only for the missing pairs: new points to all, and all to new points.
    Other engines are asked for the whole matrix once the query has any missing pair.
    """

    def __init__(self, engine: TravelModel, store: MatrixStore, key: CacheKey) -> None:
        self.engine = engine
        self.store = store
        self.key = key

    def matrix(self, lonlat: np.ndarray) -> TravelMatrix:
        duration_s, distance_m, _, _ = self._lookup(as_lonlat(lonlat))
        return TravelMatrix(duration_s=duration_s, distance_m=distance_m)

    def table(self, lonlat: np.ndarray) -> RoadTable:
        """The matrix with its road report (snap distances, unreachable pairs); needs a road engine."""
        if not isinstance(self.engine, RoadModel):
            raise TypeError(f"{type(self.engine).__name__} reports no snap distances; use matrix()")
        duration_s, distance_m, uniq, inverse = self._lookup(as_lonlat(lonlat))
        snap_m = self.store.snap_m(uniq)[inverse]
        return road_table(duration_s, distance_m, snap_m, self.engine.far_from_road_m)

    def _lookup(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(duration_s, distance_m) of the points, and their distinct point ids with the inverse index."""
        key_id = self.store.key_id(self.key)
        ids = self.store.point_ids(key_id, points)
        uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
        query = _Query(uniq, points[first], inverse, *self.store.get(uniq))
        if not query.known.all():
            if isinstance(self.engine, RoadModel):
                self._ask_blocks(self.engine, query)
            else:
                m = self.engine.matrix(query.points)
                query.duration_s[:], query.distance_m[:] = m.duration_s, m.distance_m
                self.store.put(uniq, uniq, m.duration_s, m.distance_m)
        square = np.ix_(inverse, inverse)
        return query.duration_s[square], query.distance_m[square], uniq, inverse

    def _ask_blocks(self, engine: RoadModel, query: _Query) -> None:
        # A point never seen has no cached pair with itself: ask new points -> all, then the rest -> new.
        diagonal = query.known.diagonal()
        fresh, seen = np.flatnonzero(~diagonal), np.flatnonzero(diagonal)
        if fresh.size:
            self._ask(engine, query, fresh, np.arange(len(query.ids)))
            if seen.size:
                self._ask(engine, query, seen, fresh)
        # Seen points may still miss pairs between themselves (first seen in different queries).
        missing = ~query.known
        if missing.any():
            self._ask(engine, query, np.flatnonzero(missing.any(axis=1)), np.flatnonzero(missing.any(axis=0)))

    def _ask(self, engine: RoadModel, query: _Query, rows: np.ndarray, cols: np.ndarray) -> None:
        try:
            block = engine.block(query.points[rows], query.points[cols])
        except OutsideEngineMap as exc:
            # Name the caller's points, not their positions in the block sent to the engine.
            u = (cols if exc.role == "destination" else rows)[exc.indices]
            snap_of = dict(zip(u.tolist(), exc.snaps_m, strict=True))
            callers = np.flatnonzero(np.isin(query.inverse, u)).tolist()  # outlets sharing a location all named
            lonlat = query.points[query.inverse[callers[0]]].tolist()
            snaps_m = [snap_of[int(query.inverse[c])] for c in callers]
            raise OutsideEngineMap("point", callers, lonlat, snaps_m, exc.limit_m) from None
        square = np.ix_(rows, cols)
        query.duration_s[square] = block.duration_s
        query.distance_m[square] = block.distance_m
        query.known[square] = True
        self.store.put(query.ids[rows], query.ids[cols], block.duration_s, block.distance_m)
        self.store.put_snap_m(query.ids[rows], block.source_snap_m)
        self.store.put_snap_m(query.ids[cols], block.destination_snap_m)


@dataclass(frozen=True, eq=False)
class _Query:
    """The distinct points of one matrix request and what is known of their travel so far."""

    ids: np.ndarray  # sorted distinct point ids
    points: np.ndarray  # their [lon, lat]
    inverse: np.ndarray  # for each of the caller's points, its index in ids
    duration_s: np.ndarray
    distance_m: np.ndarray
    known: np.ndarray
