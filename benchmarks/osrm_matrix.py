"""Time a 1,000 x 1,000 road matrix from OSRM (MLD) on the Porto Alegre graph: cold, then from the cache.

Builds the graph and starts osrm-routed (--max-table-size 100 unless told, the default deployments run with)
in a temporary folder, as the tests do; needs the OSRM executables of .venv-osrm (or env OSRM_BIN_DIR).
Besides wall time it prints the CPU seconds of this process and of osrm-routed, which other jobs on a shared
machine do not inflate, and the load average.

Run from the repository root:
    .venv/bin/python -m benchmarks.osrm_matrix [--points 1000] [--new 10] [--max-table-size 100] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from geo.matrix_cache import CachedTravelModel, CacheKey, MatrixStore
from geo.osrm import OsrmTable, osrm_data_version
from geo.osrm_local import PORTO_ALEGRE_PBF, running_osrm

# The dense centre of the extract (WGS84), about 6 x 5.5 km.
AREA_LON = (-51.23, -51.17)
AREA_LAT = (-30.07, -30.02)


def _process_cpu_s(pid: int) -> float:
    """utime + stime of a process from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(label: str, server_pid: int, fn: Callable[[], object]) -> tuple[float, object]:
    wall0, cpu0, server0 = time.perf_counter(), time.process_time(), _process_cpu_s(server_pid)
    result = fn()
    wall = time.perf_counter() - wall0
    cpu, server = time.process_time() - cpu0, _process_cpu_s(server_pid) - server0
    print(f"| {label} | {wall:.2f} s | {cpu:.2f} s | {server:.2f} s | {os.getloadavg()[0]:.1f} |", flush=True)
    return wall, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--new", type=int, default=10, help="outlets added for the incremental re-plan")
    parser.add_argument("--max-table-size", type=int, default=100, help="osrm-routed --max-table-size")
    parser.add_argument("--concurrency", type=int, default=1, help="table requests in flight at once")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    lonlat = np.column_stack(
        [rng.uniform(*AREA_LON, args.points + args.new), rng.uniform(*AREA_LAT, args.points + args.new)]
    )
    known = lonlat[: args.points]
    n = args.points

    print("command:", shlex.join([".venv/bin/python", "-m", "benchmarks.osrm_matrix", *sys.argv[1:]]))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with running_osrm(PORTO_ALEGRE_PBF, Path(tmp) / "graph", max_table_size=args.max_table_size) as server:
            build_s = time.perf_counter() - t0
            print(f"graph built (extract, partition, customize) and osrm-routed started: {build_s:.1f} s")
            print("| step | wall | CPU, this process | CPU, osrm-routed | load average |")
            print("|---|---|---|---|---|")
            pid = server.process.pid
            engine = OsrmTable(server.base_url, max_table_size=args.max_table_size, concurrency=args.concurrency)
            with engine:
                block = min(n, args.max_table_size)
                _, direct = _timed(f"engine only, {n}x{n} in {block}x{block} blocks", pid, lambda: engine.table(known))
                key = CacheKey(f"osrm {server.base_url}", "driving", osrm_data_version(server.osrm_path))
                store_path = Path(tmp) / "matrix.sqlite"
                cached = CachedTravelModel(engine, MatrixStore(store_path), key)
                cold_s, cold = _timed("cold cache (engine + store)", pid, lambda: cached.matrix(known))
                reopened = CachedTravelModel(engine, MatrixStore(store_path), key)
                warm_s, warm = _timed("from the cache (store reopened)", pid, lambda: reopened.matrix(known))
                _timed(f"{n} cached + {args.new} new outlets", pid, lambda: reopened.matrix(lonlat))
        assert np.array_equal(warm.duration_s, direct.matrix.duration_s)
        assert np.array_equal(cold.distance_m, direct.matrix.distance_m)
        cache_mb = sum(f.stat().st_size for f in store_path.parent.glob(store_path.name + "*")) / 1e6  # with -wal
        print(
            f"cache file {cache_mb:.1f} MB; cold / from cache: {cold_s / warm_s:.0f}x; "
            f"unreachable pairs {len(direct.unreachable)}; points > 500 m from a road {len(direct.far_from_road)}"
        )


if __name__ == "__main__":
    main()
