"""Time the straight-line travel-time matrix for 5,000 points (best of 5) and print it with the command.

Run from the repository root: .venv/bin/python -m benchmarks.geo_matrix [--points 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import sys
import time

import numpy as np

from geo.travel import travel_model

# The sample office's area in Shanghai Minhang (WGS84), about 10 x 8 km.
AREA_LON = (121.330, 121.435)
AREA_LAT = (31.092, 31.164)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mode", default="ebike")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    lonlat = np.column_stack([rng.uniform(*AREA_LON, args.points), rng.uniform(*AREA_LAT, args.points)])
    model = travel_model(args.mode)
    times_s, cpu_s = [], []  # wall clock, and CPU time of this process (unaffected by other jobs' load)
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        matrix = model.matrix(lonlat)
        times_s.append(time.perf_counter() - t0)
        cpu_s.append(time.process_time() - c0)
        del matrix  # so each run allocates its own output, as a caller would
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"command: {shlex.join([sys.executable, '-m', 'benchmarks.geo_matrix', *sys.argv[1:]])}")
    print(
        f"{args.points} x {args.points} {args.mode} matrix (duration_s + distance_m, int64): "
        f"best of {args.repeat} {min(times_s):.3f} s, first call {times_s[0]:.3f} s, "
        f"all {' '.join(f'{t:.3f}' for t in times_s)} s, best CPU time {min(cpu_s):.3f} s, "
        f"peak RSS {peak_mb:.0f} MB, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
