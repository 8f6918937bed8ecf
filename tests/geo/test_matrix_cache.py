"""The matrix cache around an engine that needs no server (the straight-line model); OSRM cases are in test_osrm."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from geo.matrix_cache import CachedTravelModel, CacheKey, MatrixStore, RoadModel
from geo.osrm import RoadBlock
from geo.travel import StraightLine, TravelMatrix

KEY = CacheKey("straight-line", "ebike", "v1")


class CountingEngine:
    """The straight-line engine, counting the matrices it computes and the points in them."""

    def __init__(self) -> None:
        self._engine = StraightLine(speed_kmh=15.0)
        self.calls = 0
        self.points_asked = 0

    def matrix(self, lonlat: np.ndarray) -> TravelMatrix:
        self.calls += 1
        self.points_asked += len(lonlat)
        return self._engine.matrix(lonlat)


class BlockEngine(CountingEngine):
    """A road engine without a server: straight-line blocks, each point 100 m per 0.01 degree east of 121.3
    away from its road (3-13 m for shanghai_points)."""

    far_from_road_m = 8.0

    def __init__(self) -> None:
        super().__init__()
        self.pairs_asked = 0

    def block(self, sources: np.ndarray, destinations: np.ndarray) -> RoadBlock:
        self.pairs_asked += len(sources) * len(destinations)
        both = self._engine.matrix(np.vstack([sources, destinations]))
        s = len(sources)
        return RoadBlock(
            duration_s=both.duration_s[:s, s:],
            distance_m=both.distance_m[:s, s:],
            source_snap_m=np.abs(sources[:, 0] - 121.3) * 100,
            destination_snap_m=np.abs(destinations[:, 0] - 121.3) * 100,
        )


def shanghai_points(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(121.33, 121.43, n), rng.uniform(31.09, 31.16, n)])


@pytest.fixture
def store(tmp_path):
    s = MatrixStore(tmp_path / "var" / "cache" / "matrix.sqlite")
    yield s
    s.close()


def test_cached_matrix_equals_the_engines_and_is_not_asked_twice(store):
    engine = CountingEngine()
    cached = CachedTravelModel(engine, store, KEY)
    points = shanghai_points(30, seed=0)
    first = cached.matrix(points)
    second = cached.matrix(points)
    assert engine.calls == 1
    expected = StraightLine(speed_kmh=15.0).matrix(points)
    for m in (first, second):
        np.testing.assert_array_equal(m.duration_s, expected.duration_s)
        np.testing.assert_array_equal(m.distance_m, expected.distance_m)


def test_a_subset_in_another_order_comes_from_the_cache(store):
    engine = CountingEngine()
    cached = CachedTravelModel(engine, store, KEY)
    points = shanghai_points(20, seed=1)
    full = cached.matrix(points)
    order = [7, 3, 19, 0]
    part = cached.matrix(points[order])
    assert engine.calls == 1
    np.testing.assert_array_equal(part.duration_s, full.duration_s[np.ix_(order, order)])


def test_outlets_sharing_a_location_get_zero_travel_between_them(store):
    engine = CountingEngine()
    points = shanghai_points(3, seed=2)
    twice = np.concatenate([points, points[:1]])
    m = CachedTravelModel(engine, store, KEY).matrix(twice)
    assert engine.points_asked == 3  # the shared location is asked once
    assert m.duration_s[0, 3] == m.duration_s[3, 0] == 0
    np.testing.assert_array_equal(m.duration_s[3, :3], m.duration_s[0, :3])


def test_an_engine_without_blocks_is_asked_for_the_whole_matrix_when_a_point_is_new(store):
    engine = CountingEngine()
    cached = CachedTravelModel(engine, store, KEY)
    points = shanghai_points(12, seed=3)
    cached.matrix(points[:10])
    cached.matrix(points)
    assert (engine.calls, engine.points_asked) == (2, 22)
    with pytest.raises(TypeError, match="reports no snap distances"):
        cached.table(points)


def test_a_new_data_version_drops_the_old_entries(store):
    engine = CountingEngine()
    points = shanghai_points(5, seed=4)
    CachedTravelModel(engine, store, KEY).matrix(points)
    CachedTravelModel(engine, store, CacheKey(KEY.engine, KEY.profile, "v2")).matrix(points)
    assert engine.calls == 2
    CachedTravelModel(engine, store, KEY).matrix(points)  # v1 again: its entries went with v2's arrival
    assert engine.calls == 3


def test_other_profiles_and_engines_keep_their_own_entries(store):
    engine = CountingEngine()
    points = shanghai_points(5, seed=5)
    walking = CachedTravelModel(engine, store, CacheKey(KEY.engine, "walking", "v1"))
    ebike = CachedTravelModel(engine, store, KEY)
    walking.matrix(points)
    ebike.matrix(points)
    walking.matrix(points)
    ebike.matrix(points)
    assert engine.calls == 2


def test_many_small_answers_for_a_source_are_merged_and_stay_right(store):
    engine = CountingEngine()
    cached = CachedTravelModel(engine, store, KEY)
    points = shanghai_points(12, seed=6)
    for n in range(2, 13):  # each step adds a point: the first point's travel arrives in 11 pieces
        cached.matrix(points[:n])
    expected = StraightLine(speed_kmh=15.0).matrix(points)
    calls = engine.calls
    np.testing.assert_array_equal(cached.matrix(points).duration_s, expected.duration_s)
    assert engine.calls == calls
    rows = store._db.execute("SELECT count(*) FROM travel_rows GROUP BY from_id").fetchall()
    assert max(r[0] for r in rows) < 8


def test_threads_of_one_process_can_share_the_store(store):
    cached = CachedTravelModel(CountingEngine(), store, KEY)
    batches = [shanghai_points(40, seed=10 + i) for i in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(cached.matrix, batches))
    for points, result in zip(batches, results, strict=True):
        np.testing.assert_array_equal(result.duration_s, StraightLine(speed_kmh=15.0).matrix(points).duration_s)


def test_a_road_engine_is_asked_only_for_the_missing_pairs_and_reports_its_snaps(store):
    engine = BlockEngine()
    assert isinstance(engine, RoadModel) and not isinstance(CountingEngine(), RoadModel)
    cached = CachedTravelModel(engine, store, KEY)
    first, more = shanghai_points(30, seed=11), shanghai_points(5, seed=12)
    cached.matrix(first)
    assert engine.pairs_asked == 30 * 30 and engine.calls == 0
    table = cached.table(np.vstack([first, more]))
    assert engine.pairs_asked == 30 * 30 + 5 * 35 + 30 * 5  # new points to all, the others to new points
    expected = StraightLine(speed_kmh=15.0).matrix(np.vstack([first, more]))
    np.testing.assert_array_equal(table.matrix.duration_s, expected.duration_s)
    snaps = np.abs(np.vstack([first, more])[:, 0] - 121.3) * 100
    np.testing.assert_allclose(table.snap_distance_m, snaps)
    far = np.flatnonzero(snaps > engine.far_from_road_m)
    assert 0 < len(far) < 35
    np.testing.assert_array_equal(table.far_from_road, far)


def test_only_a_road_engine_gives_a_road_table(store):
    with pytest.raises(TypeError, match="snap distances"):
        CachedTravelModel(CountingEngine(), store, KEY).table(shanghai_points(3, seed=1))
