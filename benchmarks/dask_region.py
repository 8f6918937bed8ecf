"""Plans as jobs on Dask: how a region's plan scales with workers, and what the job machinery costs.

    .venv/bin/python -m benchmarks.dask_region [--reps 40] [--outlets-per-rep 200] [--time-limit 3] [--seed 7]

A region of REPS e-bike reps with about OUTLETS-PER-REP outlets each (the sample generator's outlets and
equal-workload territories, seeded; straight-line times) is loaded into a temporary SQLite database and planned
as a job (service/jobs/plan_job.py, the path POST /plans takes) on a local Dask cluster of 1 and then 2
single-threaded worker processes. Printed: wall time per cluster size and their ratio, the service process's own
share (reading the office and building the problems, storing the plan), peak memory per worker and of this
process, the projected time of 1,000 reps on 50 workers from the measured per-rep cost, and the overhead of a job
against `planning.plan_office` (in-process worker pool) for the tiny sample office.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from distributed import Client, LocalCluster
from sqlmodel import Session

from sample_routes import generate, places
from service.core import db
from service.jobs import lifecycle as jobs
from service.jobs import plan_job as plan_jobs
from service.jobs.runner import JobRunner
from service.master_data.bundle import load_bundle
from service.plans import planning
from service.plans import repository as plan_repository
from service.plans.planning import PlanRequest
from service.plans.travel import EngineChoice
from service.solving.dask_runner import DaskRunner

REPO_ROOT = Path(__file__).resolve().parent.parent
START = date(2026, 11, 30)
TINY = REPO_ROOT / "sample_routes" / "tiny"
TINY_TIME_LIMIT_S = 0.5
PROJECTED_REPS, PROJECTED_WORKERS = 1000, 50


def write_region(folder: Path, reps: int, outlets_per_rep: int, seed: int) -> None:
    """office.json and outlets.csv of one office with `reps` reps sharing reps x outlets_per_rep outlets."""
    rng = np.random.default_rng(seed)
    outlets = generate.make_outlets(rng, reps * outlets_per_rep)
    rep_of = generate.assign_territories(outlets, reps)
    rep_rows = [
        {
            "code": f"RG-R{k + 1:02d}",
            "name": f"Rep {k + 1}",
            "supervisor_code": places.SUPERVISOR["code"],
            "start_place": "office",
            "end_place": "office",
            "home_lon": None,
            "home_lat": None,
            "working_days": list(generate.WORKING_DAYS),
            **generate.SHIFT,
            "travel_mode": "ebike",
        }
        for k in range(reps)
    ]
    office = {
        "office": {**places.OFFICE, "code": "REGION", **generate.SHIFT},
        "supervisors": [dict(places.SUPERVISOR)],
        "reps": rep_rows,
    }
    generate.write_office(folder / "office.json", office)
    generate.write_outlets(folder / "outlets.csv", outlets, [rep_rows[k]["code"] for k in rep_of])


def process_stats() -> tuple[float, float]:
    """This process's peak resident memory in MB (VmHWM: ru_maxrss of a spawned worker would still count the
    process it was forked from) and its CPU seconds so far."""
    with open("/proc/self/status") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    times = os.times()
    return peak_kib / 1024, times.user + times.system


def worker_stats(client: Client) -> list[tuple[float, float]]:
    return sorted(client.run(process_stats).values())


def plan_as_job(engine, runner: JobRunner, request: PlanRequest) -> tuple[float, int]:
    """Wall time of a plan job run to its end, and the plan's id."""
    with Session(engine) as session:
        job_id = plan_jobs.create(session, request, runner.owner, runner.lease_s).id
        session.commit()
    started = time.perf_counter()
    plan_id = runner.run_now(job_id)
    wall_s = time.perf_counter() - started
    with Session(engine) as session:
        assert jobs.get(session, job_id).status == "succeeded"
    return wall_s, plan_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--outlets-per-rep", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=3.0, help="solver seconds per rep")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"$ {shlex.join([Path(sys.executable).name, '-m', 'benchmarks.dask_region', *sys.argv[1:]])}")
    print(f"{os.cpu_count()} cores, load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory() as tmp:
        region = Path(tmp) / "region"
        region.mkdir()
        write_region(region, args.reps, args.outlets_per_rep, args.seed)
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db.migrate(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            office_id = load_bundle(session, region).id
            tiny_id = load_bundle(session, TINY).id
            session.commit()
        request = PlanRequest(
            office_id, START, time_limit_s=args.time_limit, created_by="benchmark", engine_choice=EngineChoice.STRAIGHT
        )

        started = time.perf_counter()  # before any Dask thread runs: the CLI's forked worker pool
        planning.plan_office(engine, tiny_id, START, time_limit_s=TINY_TIME_LIMIT_S, created_by="benchmark")
        in_process_s = time.perf_counter() - started

        started = time.perf_counter()
        prepared = planning.prepare_plan(engine, request)
        prepare_s = time.perf_counter() - started
        sizes = [len(p.outlet_ids) for p in prepared.problems]
        print(
            f"region: {len(sizes)} reps, {sum(sizes)} outlets ({min(sizes)}-{max(sizes)} a rep), "
            f"time limit {args.time_limit:g} s per rep; reading it and building the problems: {prepare_s:.1f} s"
        )

        walls = {}
        for workers in (1, 2):
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
                ) as cluster,
                Client(cluster, set_as_default=False) as client,
            ):
                runner = JobRunner(engine, DaskRunner(cluster.scheduler_address))
                cpu_before_s = sum(cpu_s for _, cpu_s in worker_stats(client))
                wall_s, plan_id = plan_as_job(engine, runner, request)
                stats = worker_stats(client)
                worker_cpu_s = sum(cpu_s for _, cpu_s in stats) - cpu_before_s
                with Session(engine) as session:
                    kpis = plan_repository.get_plan(session, plan_id).kpis
                runner.stop()
            walls[workers] = wall_s
            service_s = wall_s - kpis["solve_wall_s"]
            print(
                f"{workers} worker(s): wall {wall_s:.1f} s (solving {kpis['solve_wall_s']} s, service process "
                f"{service_s:.1f} s), workers' CPU {worker_cpu_s:.0f} s, coverage {kpis['coverage']:.1%}, "
                f"worker peak memory {', '.join(f'{peak:.0f}' for peak, _ in stats)} MB"
            )
            if workers == 1:
                per_rep_s = kpis["solve_wall_s"] / len(sizes)
                per_rep_cpu_s = worker_cpu_s / len(sizes)
                service_per_rep_s = service_s / len(sizes)
        print(f"speed-up 1 -> 2 workers: {walls[1] / walls[2]:.2f}x")
        # A rep's solve ends at its time limit or after a set amount of search work, and its first construction is
        # never cut short: on a worker with a core of its own its wall time is about its CPU time; on a machine
        # shared with other work it is longer.
        rounds = math.ceil(PROJECTED_REPS / PROJECTED_WORKERS)
        print(
            f"per rep: {per_rep_s:.2f} s wall on 1 worker, {per_rep_cpu_s:.2f} s CPU; "
            f"{service_per_rep_s:.3f} s in the service process (reading, problems, storing)"
        )
        for basis, rep_s in (
            ("CPU per rep (a core per worker)", per_rep_cpu_s),
            ("wall per rep measured here", per_rep_s),
        ):
            projected_s = rounds * rep_s + PROJECTED_REPS * service_per_rep_s
            print(
                f"projected {PROJECTED_REPS} reps on {PROJECTED_WORKERS} workers from {basis}: "
                f"{projected_s / 60:.1f} min ({rounds} rounds x {rep_s:.2f} s + {PROJECTED_REPS} x "
                f"{service_per_rep_s:.3f} s)"
            )
        print(f"service process peak memory: {process_stats()[0]:.0f} MB")

        tiny = PlanRequest(tiny_id, START, time_limit_s=TINY_TIME_LIMIT_S, created_by="benchmark")
        runner = JobRunner(engine, DaskRunner())  # the default: a local cluster started on first use
        cold_s, _ = plan_as_job(engine, runner, tiny)
        warm_s, _ = plan_as_job(engine, runner, tiny)
        runner.stop()
        engine.dispose()
        print(
            f"tiny office (2 reps, {TINY_TIME_LIMIT_S:g} s per rep): in-process pool {in_process_s:.2f} s, "
            f"job on Dask {warm_s:.2f} s (overhead {warm_s - in_process_s:+.2f} s), first job with the local "
            f"cluster's start {cold_s:.2f} s"
        )
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
