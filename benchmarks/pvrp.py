"""The Cordeau periodic VRP benchmark: solve every instance of a directory, write .res files and a summary.

    python -m benchmarks.pvrp DIR --time-limit SECONDS --out OUTDIR [--seed N] [--only p01,p02]
        [--max-iterations N] [--workers N]

With --max-iterations the search stops after that many iterations (the time limit then only guards), which
makes the plans independent of the machine's load: the same command gives the same .res files. With
--workers N each instance is searched N times side by side (seeds seed..seed+N-1, one process and core each,
solver.portfolio) and the best plan is kept (default: one search per core); CPU seconds add up the workers'.

Reference costs are the first line of each NAME.res in DIR. The gap is computed from the cost recomputed in
double precision from our routes (solver.pvrp), and the .res file written is what the tests' checker reads.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from solver import SolveParams, solve
from solver.pvrp import PvrpInstance, read_instance, route_lines, write_res


@dataclass(frozen=True)
class Row:
    instance: str
    cost: float
    reference_cost: float | None
    gap_pct: float | None
    seconds: float
    cpu_seconds: float  # of this process and its workers: what the solve got of the machine when others share it
    feasible: bool  # every customer served, every route within capacity and duration in double precision


def instance_paths(instances_dir: Path) -> list[Path]:
    return sorted(instances_dir.glob("*.txt"))


def reference_cost(instances_dir: Path, name: str) -> float | None:
    res = instances_dir / f"{name}.res"
    if not res.exists():
        return None
    return float(res.read_text().split()[0])


def feasible(inst: PvrpInstance, solution) -> bool:
    """Recomputed from the routes in double precision, as the tests' independent checker does from the file."""
    if solution.unplaced:
        return False
    for day, _, _, duration, load, _ in route_lines(inst, solution):
        limit = inst.max_duration[day - 1]
        if load > inst.capacity[day - 1] or (limit > 0 and duration > limit + 1e-9):
            return False
    return True


def every_core() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cpu_time() -> float:
    """CPU seconds of this process and of its finished workers."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def peak_memory_mb() -> float:
    """Peak resident memory of this process or of its largest worker."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


def run(
    instances_dir,
    time_limit_s: float,
    out_dir,
    seed: int = 0,
    only: list[str] | None = None,
    max_iterations: int | None = None,
    workers: int = 1,
) -> list[Row]:
    instances_dir, out_dir = Path(instances_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for path in instance_paths(instances_dir):
        if only and path.stem not in only:
            continue
        inst = read_instance(path)
        started, cpu_started = time.perf_counter(), cpu_time()
        solution = solve(
            inst.problem,
            SolveParams(time_limit_s=time_limit_s, seed=seed, max_iterations=max_iterations, workers=workers),
        )
        seconds, cpu_seconds = time.perf_counter() - started, cpu_time() - cpu_started
        cost = write_res(inst, solution, out_dir / f"{inst.name}.res")
        ref = reference_cost(instances_dir, inst.name)
        gap = None if ref is None else 100.0 * (cost - ref) / ref
        ok = feasible(inst, solution)
        rows.append(
            Row(
                inst.name,
                round(cost, 2),
                ref,
                None if gap is None else round(gap, 2),
                round(seconds, 2),
                round(cpu_seconds, 2),
                ok,
            )
        )
        shown = "n/a" if gap is None else f"{gap:.2f}%"
        print(
            f"{inst.name}: cost {cost:.2f} reference {ref} gap {shown} {seconds:.1f}s ({cpu_seconds:.1f}s CPU) "
            f"feasible={ok}",
            flush=True,
        )
    with open(out_dir / "summary.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(Row.__dataclass_fields__))
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances_dir")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated instance names")
    parser.add_argument("--max-iterations", type=int, default=None)
    parser.add_argument(
        "--workers", type=int, default=None, help="searches side by side per instance (default: every core)"
    )
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s] or None
    rows = run(
        args.instances_dir,
        args.time_limit,
        args.out,
        args.seed,
        only,
        args.max_iterations,
        args.workers or every_core(),
    )
    gaps = [r.gap_pct for r in rows if r.gap_pct is not None]
    peak_mb = peak_memory_mb()
    if gaps:
        print(
            f"{len(rows)} instances, {sum(r.feasible for r in rows)} feasible, mean gap {sum(gaps) / len(gaps):.2f}%, "
            f"max {max(gaps):.2f}%, peak memory {peak_mb:.0f} MB"
        )


if __name__ == "__main__":
    main()
