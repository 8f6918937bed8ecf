"""The days reps are handed: idle time, lunch, end of the day and balance between a rep's days, as `make run`
plans an office (default time limit per rep, every rep in a worker process).

    .venv/bin/python -m benchmarks.rep_days [--office sample_routes/shanghai_minhang] [--generated 3]
        [--time-limit 15]

Each office is loaded into a fresh SQLite database and planned; `--generated N` adds N offices made by
sample_routes.generate with seeds 1..N (other streets' mix, frequencies and hours than the sample's). Idle is a
rep-day's span (leaving the start place to reaching the end place) less travel, service and lunch: waiting for
an outlet to open or for the lunch window. Balance is the spread of a rep's day workloads (travel + service).
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlmodel import Session

from benchmarks.offices import loaded_office, office_folders
from service.plans import planning
from service.plans import repository as plan_repository

START = date(2026, 11, 30)


def plan_office(folder: Path, time_limit_s: float, work: Path) -> dict:
    engine, office_id = loaded_office(folder, work)
    started = time.perf_counter()
    plan_id = planning.plan_office(engine, office_id, START, time_limit_s=time_limit_s, created_by="benchmark")
    wall_s = time.perf_counter() - started
    with Session(engine) as session:
        plan = plan_repository.get_plan(session, plan_id)
        days = plan_repository.plan_days(session, plan_id)
        reps = plan_repository.plan_reps(session, plan_id)
        kpis = plan.kpis
    engine.dispose()
    return {"wall_s": wall_s, "kpis": kpis, "days": days, "reps": reps}


def report(name: str, run: dict) -> None:
    days, kpis = run["days"], run["kpis"]
    idle_min = [d.idle_s / 60 for d in days]
    lunches = [d.lunch_start_s for d in days if d.lunch_start_s is not None]
    empty_mornings = sum(1 for d in days if d.lunch_after_stops == 0)
    spreads = {r["rep_code"]: r["workload_spread_s"] / 60 for r in kpis["reps"]}
    hhmm = lambda s: f"{s // 3600:02d}:{s % 3600 // 60:02d}"  # noqa: E731
    print(
        f"{name}: {len(kpis['reps'])} reps, {len(days)} rep-days, coverage {kpis['coverage']:.2%}, "
        f"plan wall time {run['wall_s']:.1f} s, travel {kpis['travel_s'] / 3600:.1f} h"
    )
    print(
        f"  idle per rep-day    mean {statistics.mean(idle_min):.1f} min, max {max(idle_min):.0f} min, "
        f"{sum(m > 60 for m in idle_min)} rep-days above 60 min, total {sum(idle_min) / 60:.1f} h"
    )
    print(
        f"  lunch starts        {hhmm(min(lunches))} - {hhmm(max(lunches))}, "
        f"median {hhmm(int(statistics.median(lunches)))}; "
        f"{empty_mornings} rep-days with lunch before the first visit"
    )
    print(f"  day ends            {hhmm(min(d.end_s for d in days))} - {hhmm(max(d.end_s for d in days))}")
    print(
        f"  day workload spread per rep (min): max {max(spreads.values()):.0f}; "
        + ", ".join(f"{code} {m:.0f}" for code, m in sorted(spreads.items()))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--office", type=Path, action="append", help="an office folder (repeatable)")
    parser.add_argument("--generated", type=int, default=0, help="also this many generated offices")
    parser.add_argument("--time-limit", type=float, default=planning.DEFAULT_TIME_LIMIT_S, help="solver s per rep")
    args = parser.parse_args()
    print(f"$ {shlex.join([Path(sys.executable).name, '-m', 'benchmarks.rep_days', *sys.argv[1:]])}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for folder in office_folders(args.office, args.generated, work):
            report(folder.name, plan_office(folder, args.time_limit, work))


if __name__ == "__main__":
    main()
