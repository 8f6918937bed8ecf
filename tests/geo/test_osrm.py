"""OsrmTable and the matrix cache against a real osrm-routed (built and started by tests/geo/osrm_server.py)."""

import http.server
import socket
import threading
import time
from contextlib import contextmanager

import httpx
import numpy as np
import pytest

from geo.matrix_cache import CachedTravelModel, CacheKey, MatrixStore
from geo.osrm import (
    UNREACHABLE_S,
    OsrmTable,
    OutsideEngineMap,
    TravelEngineError,
    TravelEngineUnavailable,
    osrm_data_version,
)
from geo.osrm_local import build_graph, find_bin_dir
from geo.sphere import great_circle_m
from geo.travel import TravelModel

# Island map (see osrm_server.ISLANDS_OSM): two points on island A, one on island B, one 880 m off island A's
# nearest road, one 19 km from any road.
ON_A = [[0.5001, 0.5000], [0.5020, 0.5015]]
ON_B = [[0.5300, 0.5010]]
FAR_OFF_A = [[0.5010, 0.5100]]
OUTSIDE = [[0.7000, 0.5000]]


class CountingTransport(httpx.BaseTransport):
    """A real HTTP transport that counts the requests it sends."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def porto_alegre_points(n: int, seed: int) -> np.ndarray:
    """Random points in the city centre, where roads are dense (snap distances of metres)."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-51.23, -51.17, n), rng.uniform(-30.07, -30.02, n)])


def test_osrm_table_is_a_travel_model(osrm_server):
    with OsrmTable(osrm_server.base_url) as osrm:
        engine: TravelModel = osrm
        m = engine.matrix(porto_alegre_points(5, seed=0))
    assert m.duration_s.shape == m.distance_m.shape == (5, 5)
    assert m.duration_s.dtype == np.int64


def test_road_times_are_asymmetric_and_no_shorter_than_crow_flight(osrm_server):
    points = porto_alegre_points(40, seed=1)
    with OsrmTable(osrm_server.base_url) as engine:
        table = engine.table(points)
    duration_s, distance_m = table.matrix.duration_s, table.matrix.distance_m
    assert (np.diag(duration_s) == 0).all()
    assert (duration_s != duration_s.T).sum() > 40  # one-way streets: A->B differs from B->A
    crow_m = great_circle_m(points[:, None, 0], points[:, None, 1], points[None, :, 0], points[None, :, 1])
    snaps_m = table.snap_distance_m[:, None] + table.snap_distance_m[None, :]
    assert (distance_m + snaps_m + 1 >= crow_m).all()
    assert table.unreachable.shape == (0, 2)


def test_requests_above_the_table_limit_are_split_into_blocks_with_the_same_answer(osrm_server):
    points = porto_alegre_points(150, seed=2)  # 150 > the server's --max-table-size 100
    with OsrmTable(osrm_server.base_url, max_table_size=100) as engine:
        whole = engine.matrix(points)
    small = CountingTransport()
    with OsrmTable(osrm_server.base_url, max_table_size=40, transport=small) as engine:
        blocks = engine.matrix(points)
    assert small.requests == 16  # ceil(150 / 40) ** 2
    np.testing.assert_array_equal(blocks.duration_s, whole.duration_s)
    np.testing.assert_array_equal(blocks.distance_m, whole.distance_m)
    with OsrmTable(osrm_server.base_url) as engine:
        corner = engine.matrix(points[:30])
    np.testing.assert_array_equal(corner.duration_s, whole.duration_s[:30, :30])


def test_a_client_limit_above_the_servers_is_a_clear_error(osrm_server):
    with OsrmTable(osrm_server.base_url, max_table_size=150) as engine:
        with pytest.raises(TravelEngineError, match="max_table_size 150 is larger than the server's"):
            engine.matrix(porto_alegre_points(120, seed=3))


def test_unreachable_pairs_are_reported_and_the_cut_off_point_flagged(osrm_islands):
    with OsrmTable(osrm_islands.base_url) as engine:
        table = engine.table(np.array(ON_A + ON_B))
    assert sorted(map(tuple, table.unreachable.tolist())) == [(0, 2), (1, 2), (2, 0), (2, 1)]
    assert table.matrix.duration_s[0, 2] == UNREACHABLE_S
    assert 0 < table.matrix.duration_s[0, 1] < 600
    assert table.cut_off.tolist() == [2]
    assert table.flagged.tolist() == [2]


def test_points_far_from_any_road_are_flagged_with_their_snap_distance(osrm_islands):
    with OsrmTable(osrm_islands.base_url, far_from_road_m=500) as engine:
        table = engine.table(np.array(ON_A + FAR_OFF_A))
    assert table.far_from_road.tolist() == [2]
    assert 800 < table.snap_distance_m[2] < 950
    assert table.snap_distance_m[:2].max() < 5
    assert table.flagged.tolist() == [2]


def test_points_outside_the_map_are_an_error_naming_them(osrm_islands):
    with OsrmTable(osrm_islands.base_url, outside_map_m=5000) as engine:
        with pytest.raises(OutsideEngineMap, match=r"^point 2 \(lon 0.700000, lat 0.500000\) is 189\d\d m") as err:
            engine.matrix(np.array(ON_A + OUTSIDE))
        assert err.value.indices == [2]
        with pytest.raises(OutsideEngineMap, match=r"^destination 0 .*; so are destinations 2$") as err:
            engine.block(np.array(ON_A), np.array(OUTSIDE + ON_A[:1] + OUTSIDE))
        assert err.value.indices == [0, 2]


def test_engine_down_is_unavailable_after_bounded_retries():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with OsrmTable(f"http://127.0.0.1:{port}", timeout_s=1.0, retries=2, backoff_s=0.1) as engine:
        started = time.monotonic()
        with pytest.raises(TravelEngineUnavailable, match=f"127.0.0.1:{port} did not answer after 3 attempts"):
            engine.matrix(np.array(ON_A))
    assert time.monotonic() - started < 3 * 1.0 + 0.1 + 0.2 + 2.0


def test_engine_too_slow_is_unavailable_after_bounded_retries():
    # A server that accepts connections and never answers.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept_and_hold():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_hold)
    thread.start()
    try:
        port = listener.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        with OsrmTable(url, max_table_size=40, timeout_s=0.3, retries=1, backoff_s=0.1, concurrency=2) as engine:
            started = time.monotonic()
            with pytest.raises(TravelEngineUnavailable, match="after 2 attempts .*ReadTimeout"):
                engine.matrix(porto_alegre_points(150, seed=7))  # 16 blocks
            elapsed_s = time.monotonic() - started
        # One block's bound (2 x 0.3 s + 0.1 s) per worker, with slack; not 8 blocks' worth per worker (5.6 s).
        assert elapsed_s < 3.0
        assert 2 <= len(accepted) < 16
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


@contextmanager
def answering(status: int, body: bytes):
    """A local HTTP server that answers every GET with `status` and `body`; yields (url, hits)."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_a_proxy_answering_502_for_a_dead_engine_is_unavailable_after_the_retries():
    with answering(502, b"<html>Bad Gateway</html>") as (url, hits):
        with OsrmTable(url, retries=2, backoff_s=0.05) as engine:
            with pytest.raises(TravelEngineUnavailable, match=r"after 3 attempts \(HTTP 502\)"):
                engine.matrix(np.array(ON_A))
    assert len(hits) == 3


def test_a_url_that_is_no_osrm_server_is_a_clear_error_without_retries():
    with answering(404, b"<html>Not Found</html>") as (url, hits):
        with OsrmTable(url, retries=2) as engine:
            with pytest.raises(TravelEngineError, match="answered HTTP 404 without OSRM JSON: is it an OSRM server"):
                engine.matrix(np.array(ON_A))
    assert len(hits) == 1


def test_the_data_version_of_missing_osrm_files_is_an_error_naming_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="no OSRM data files .*/city.osrm"):
        osrm_data_version(tmp_path / "city.osrm")


def _cached(base_url: str, store: MatrixStore, version: str = "v1", **kwargs):
    counter = CountingTransport()
    engine = OsrmTable(base_url, transport=counter, **kwargs)
    return CachedTravelModel(engine, store, CacheKey(f"osrm {base_url}", "driving", version)), counter


def test_cache_hit_asks_the_engine_nothing_and_survives_a_restart(osrm_server, tmp_path):
    points = porto_alegre_points(60, seed=4)
    cached, counter = _cached(osrm_server.base_url, MatrixStore(tmp_path / "matrix.sqlite"))
    first = cached.matrix(points)
    assert counter.requests == 1
    again = cached.matrix(points[::-1])  # same outlets, other order
    assert counter.requests == 1
    np.testing.assert_array_equal(again.duration_s, first.duration_s[::-1, ::-1])

    reopened, counter2 = _cached(osrm_server.base_url, MatrixStore(tmp_path / "matrix.sqlite"))
    np.testing.assert_array_equal(reopened.matrix(points).distance_m, first.distance_m)
    assert counter2.requests == 0


def test_replanning_with_new_outlets_asks_only_for_their_pairs(osrm_server, tmp_path):
    known, new = porto_alegre_points(90, seed=5), porto_alegre_points(10, seed=6)
    cached, counter = _cached(osrm_server.base_url, MatrixStore(tmp_path / "matrix.sqlite"))
    cached.matrix(known)
    asked_before = counter.requests
    both = np.concatenate([known, new])
    result = cached.matrix(both)
    # new -> all (10 x 100) and known -> new (90 x 10): two blocks, nothing of known x known again.
    assert counter.requests - asked_before == 2
    with OsrmTable(osrm_server.base_url) as direct:
        expected = direct.matrix(both)
    np.testing.assert_array_equal(result.duration_s, expected.duration_s)
    np.testing.assert_array_equal(result.distance_m, expected.distance_m)


def test_cached_table_keeps_the_road_report(osrm_islands, tmp_path):
    cached, counter = _cached(osrm_islands.base_url, MatrixStore(tmp_path / "matrix.sqlite"))
    points = np.array(ON_A + ON_B + FAR_OFF_A)
    cold = cached.table(points)
    warm = cached.table(points)
    assert counter.requests == 1
    assert warm.cut_off.tolist() == cold.cut_off.tolist() == [2]
    assert warm.far_from_road.tolist() == cold.far_from_road.tolist() == [3]
    np.testing.assert_allclose(warm.snap_distance_m, cold.snap_distance_m)
    assert len(warm.unreachable) == len(cold.unreachable) == 6


def test_cache_names_the_callers_point_when_it_is_outside_the_map(osrm_islands, tmp_path):
    cached, _ = _cached(osrm_islands.base_url, MatrixStore(tmp_path / "matrix.sqlite"))
    cached.matrix(np.array(ON_A))
    with pytest.raises(OutsideEngineMap, match=r"^point 1 \(lon 0.700000.*; so are points 3$"):
        cached.matrix(np.array(ON_A[:1] + OUTSIDE + ON_A[1:] + OUTSIDE))


def test_rebuilt_road_data_invalidates_the_cache(osrm_islands, tmp_path):
    store = MatrixStore(tmp_path / "matrix.sqlite")
    version = osrm_data_version(osrm_islands.osrm_path)
    cached, counter = _cached(osrm_islands.base_url, store, version)
    cached.matrix(np.array(ON_A))
    cached.matrix(np.array(ON_A))
    assert counter.requests == 1

    # The operator rebuilds the graph where the server reads it: the data version changes.
    build_graph(find_bin_dir(), osrm_islands.osm_file, osrm_islands.osrm_path.parent)
    new_version = osrm_data_version(osrm_islands.osrm_path)
    assert new_version != version
    rebuilt, counter_after = _cached(osrm_islands.base_url, store, new_version)
    rebuilt.matrix(np.array(ON_A))
    assert counter_after.requests == 1
    # Entries of the old version are gone, not just shadowed.
    stale, counter_stale = _cached(osrm_islands.base_url, store, version)
    stale.matrix(np.array(ON_A))
    assert counter_stale.requests == 1


def test_no_points_need_no_engine():
    counter = CountingTransport()
    with OsrmTable("http://127.0.0.1:1", transport=counter) as engine:  # nothing listens on port 1
        table = engine.table(np.empty((0, 2)))
    assert table.matrix.duration_s.shape == (0, 0)
    assert counter.requests == 0
