"""Territories (issue 20): proposals on generated offices against the coordinator's angular sectors.

    .venv/bin/python -m benchmarks.territories [--offices 8x180 6x220] [--time-limit 100] [--plan-time-limit 10]
    .venv/bin/python -m benchmarks.territories --rep-count 8x180 [--counts 6-10] [--count-time-limit 60]
    .venv/bin/python -m benchmarks.territories --dask 20x200 [--time-limit 150]

An office of REPS e-bike reps x OUTLETS outlets each is made by the sample generator (benchmarks/dask_region.py:
its outlets, its equal-workload angular sectors as the coordinator's territories, every rep from the office; seed
--seed, straight-line times) and loaded into a temporary SQLite database. Its sectors are planned as a plan job
would (--plan-time-limit s per rep); then a free proposal (keep share 0) and one with a keep share of 90% are made as
the proposal job makes them (service/territories), their cycles planned in worker processes of this machine.
Printed per office: coverage, workload of the busiest rep over the lightest's (each working day's span less lunch:
service, travel and idle), travel, wall time, share of outlets keeping their rep.

--rep-count: the rep-count study of the office (counts in --counts), each count searched for --count-time-limit s.
--dask: the free proposal as a job (service/jobs/territory_job.py, the path POST /offices/{id}/territory-proposals
takes) on a local Dask cluster of 1, then 2 single-threaded workers; the workers' CPU seconds show how much of the
machine they had (on a machine busy with other work, 2 workers may get no more CPU than 1).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from distributed import Client, LocalCluster
from sqlmodel import Session

from benchmarks.dask_region import worker_stats, write_region
from service.core import db
from service.core.tables import JobStatus
from service.jobs import lifecycle as jobs
from service.jobs.runner import JobRunner
from service.master_data import repository
from service.master_data.bundle import load_bundle
from service.plans import planning
from service.plans import repository as plan_repository
from service.plans.travel import EngineChoice
from service.solving.dask_runner import DaskRunner
from service.solving.rep_solvers import ProcessPoolSolver
from service.territories import proposals, views
from service.territories.planner import RepSolverPlanner
from service.territories.requests import PROPOSAL, ProposalRequest, RepCountRequest

START = date(2026, 11, 30)


def load_office(work: Path, reps: int, per_rep: int, seed: int) -> tuple:
    folder = work / f"office-{reps}x{per_rep}"
    folder.mkdir()
    write_region(folder, reps, per_rep, seed)
    url = f"sqlite:///{work / (folder.name + '.db')}"
    db.migrate(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        office_id = load_bundle(session, folder).id
        session.commit()
    return engine, office_id


def sector_plan(engine, office_id: int, time_limit_s: float) -> dict:
    """The sectors planned: coverage, travel and each rep's workload (day spans less lunch)."""
    started = time.perf_counter()
    plan_id = planning.plan_office(
        engine, office_id, START, time_limit_s=time_limit_s, engine_choice=EngineChoice.STRAIGHT
    )
    wall_s = time.perf_counter() - started
    with Session(engine) as session:
        kpis = plan_repository.get_plan(session, plan_id).kpis
        lunch = {r.id: r.lunch_s for r in repository.reps(session, office_id)}
        workload: dict[int, int] = defaultdict(int)
        for d in plan_repository.plan_days(session, plan_id):
            workload[d.rep_id] += d.end_s - d.start_s - (lunch[d.rep_id] if d.lunch_start_s is not None else 0)
    return {
        "coverage": kpis["coverage"],
        "unplaced": kpis["unplaced_visits"],
        "travel_s": kpis["travel_s"],
        "ratio": max(workload.values()) / min(workload.values()),
        "wall_s": wall_s,
    }


def proposal(engine, office_id: int, time_limit_s: float, keep_share: float) -> dict:
    request = ProposalRequest(
        office_id, keep_share=keep_share, time_limit_s=time_limit_s, engine_choice=EngineChoice.STRAIGHT
    )
    started = time.perf_counter()
    prepared = proposals.prepare_proposal(engine, request)
    answer = proposals.search_proposal(prepared, request, RepSolverPlanner(ProcessPoolSolver(), "bench"))
    result = proposals.proposal_result(prepared, answer, request.as_json())
    return result | {"wall_s": time.perf_counter() - started}


def print_office(reps: int, per_rep: int, sectors: dict, free: dict, keep: dict) -> None:
    visits = free["visits_required"]
    print(f"\noffice {reps} reps x {per_rep} outlets, {visits} visits per cycle")
    print(
        f"  sectors        coverage {sectors['coverage']:.2%} ({sectors['unplaced']} visits unplaced), "
        f"busiest/lightest {sectors['ratio']:.3f}, travel {sectors['travel_s'] / 3600:.1f} h "
        f"(planned in {sectors['wall_s']:.0f} s)"
    )
    for name, p in (("free", free), ("keep 90%", keep)):
        ratio = f"{p['workload_ratio']:.3f}" if p["workload_ratio"] is not None else "-"
        change = p["travel_s"] / sectors["travel_s"] - 1
        print(
            f"  {name:14} coverage {p['visits_placed'] / visits:.2%}, busiest/lightest {ratio}, travel "
            f"{p['travel_s'] / 3600:.1f} h ({change:+.1%}), keep {p['keep_share']:.1%} ({p['outlets_moved']} moved), "
            f"wall {p['wall_s']:.0f} s, {p['cycles_planned']} cycles planned"
        )


def dask_scaling(engine, office_id: int, time_limit_s: float) -> None:
    request = ProposalRequest(office_id, time_limit_s=time_limit_s, engine_choice=EngineChoice.STRAIGHT)
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
            ) as cluster,
            Client(cluster, set_as_default=False) as client,
        ):
            cpu_before_s = sum(cpu_s for _, cpu_s in worker_stats(client))
            runner = JobRunner(engine, DaskRunner(cluster.scheduler_address))
            with Session(engine) as session:
                job = jobs.create(
                    session, PROPOSAL, request.as_json(), runner.owner, runner.lease_s, office_id=office_id
                )
                job_id = job.id
                session.commit()
            started = time.perf_counter()
            runner.run_now(job_id)
            wall_s = time.perf_counter() - started
            worker_cpu_s = sum(cpu_s for _, cpu_s in worker_stats(client)) - cpu_before_s
            runner.stop()
        with Session(engine) as session:
            assert jobs.get(session, job_id).status == JobStatus.SUCCEEDED
            result = views.proposal(session, job_id).result
        ratio = f"{result['workload_ratio']:.3f}" if result["workload_ratio"] is not None else "-"
        print(
            f"  {workers} Dask worker(s): wall {wall_s:.0f} s, workers' CPU {worker_cpu_s:.0f} s, "
            f"{result['cycles_planned']} cycles planned, coverage "
            f"{result['visits_placed'] / result['visits_required']:.2%}, busiest/lightest {ratio}, travel "
            f"{result['travel_s'] / 3600:.1f} h"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offices", nargs="*", default=["8x180"], help="REPSxOUTLETS per rep")
    parser.add_argument("--time-limit", type=float, default=100.0, help="s per proposal")
    parser.add_argument("--plan-time-limit", type=float, default=10.0, help="s per rep for the sectors' plan")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rep-count", help="REPSxOUTLETS: the rep-count study of this office")
    parser.add_argument("--counts", default="6-10")
    parser.add_argument("--count-time-limit", type=float, default=60.0)
    parser.add_argument("--dask", help="REPSxOUTLETS: the free proposal as a job on 1 and 2 Dask workers")
    args = parser.parse_args()
    print(f"$ {shlex.join([Path(sys.executable).name, '-m', 'benchmarks.territories', *sys.argv[1:]])}")
    print(f"{os.cpu_count()} cores, load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.rep_count:
            reps, per_rep = map(int, args.rep_count.split("x"))
            engine, office_id = load_office(work, reps, per_rep, args.seed)
            low, high = map(int, args.counts.split("-"))
            request = RepCountRequest(
                office_id, low, high, time_limit_s=args.count_time_limit, engine_choice=EngineChoice.STRAIGHT
            )
            started = time.perf_counter()
            prepared = proposals.prepare_rep_count(engine, request)
            study = proposals.search_rep_counts(prepared, request, RepSolverPlanner(ProcessPoolSolver(), "bench"))
            result = proposals.rep_count_result(prepared, study, request.as_json())
            print(f"\nrep-count study, office {reps} x {per_rep}: {time.perf_counter() - started:.0f} s")
            for row in result["rows"]:
                ratio = f"{row['workload_ratio']:.3f}" if row["workload_ratio"] is not None else "-"
                print(
                    f"  {row['reps']:3d} reps: coverage {row['visits_placed'] / row['visits_required']:.2%}, busiest/"
                    f"lightest {ratio} ({row['workload_min_s'] / 3600:.0f}-{row['workload_max_s'] / 3600:.0f} h), "
                    f"travel {row['travel_s'] / 3600:.1f} h"
                )
            print(f"  smallest count placing every visit: {result['smallest_reps']}")
            return
        if args.dask:
            reps, per_rep = map(int, args.dask.split("x"))
            engine, office_id = load_office(work, reps, per_rep, args.seed)
            print(f"\nproposal job, office {reps} x {per_rep}, time limit {args.time_limit:g} s")
            dask_scaling(engine, office_id, args.time_limit)
            return
        for office in args.offices:
            reps, per_rep = map(int, office.split("x"))
            engine, office_id = load_office(work, reps, per_rep, args.seed)
            sectors = sector_plan(engine, office_id, args.plan_time_limit)
            free = proposal(engine, office_id, args.time_limit, 0.0)
            keep = proposal(engine, office_id, args.time_limit, 0.9)
            print_office(reps, per_rep, sectors, free, keep)
            engine.dispose()


if __name__ == "__main__":
    main()
