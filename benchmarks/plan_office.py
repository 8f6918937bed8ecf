"""Time the plan of a sample office: wall time, peak memory, coverage and unplaced visits.

    .venv/bin/python benchmarks/plan_office.py [--office sample_routes/shanghai_minhang] [--time-limit 15]
        [--start 2026-11-30] [--database-url URL]

Loads the office into a fresh SQLite database (or the given, empty database), plans a 4-week cycle with every
rep in a worker process, and prints the numbers with the command that produced them.
"""

from __future__ import annotations

import argparse
import json
import resource
import shlex
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlmodel import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from service.core import db  # noqa: E402
from service.master_data.bundle import load_bundle  # noqa: E402
from service.plans import planning  # noqa: E402
from service.plans import repository as plan_repository  # noqa: E402

SHOWN_UNPLACED = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--time-limit", type=float, default=planning.DEFAULT_TIME_LIMIT_S, help="solver s per rep")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 30), help="a Monday")
    parser.add_argument("--database-url", help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        db.migrate(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            office = load_bundle(session, args.office)
            session.commit()
            office_id = office.id

        started = time.perf_counter()
        plan_id = planning.plan_office(
            engine, office_id, args.start, time_limit_s=args.time_limit, created_by="benchmark"
        )
        wall_s = time.perf_counter() - started

        with Session(engine) as session:
            plan = plan_repository.get_plan(session, plan_id)
            kpis = plan.kpis
            unplaced = [(u.reason, o.code, u.detail) for u, o in plan_repository.plan_unplaced(session, plan_id)]
        engine.dispose()

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"office {args.office.name}: {len(kpis['reps'])} reps, {kpis['visits_required']} visits per cycle, "
        f"time limit {args.time_limit:g} s per rep"
    )
    print(f"plan wall time      {wall_s:.1f} s (solving {kpis['solve_wall_s']} s)")
    print(
        f"peak memory         main process {self_mb:.0f} MB, largest solver worker {kpis['solver_peak_rss_mb']:.0f} MB"
    )
    print(f"coverage            {kpis['coverage']:.2%} ({kpis['visits_placed']}/{kpis['visits_required']} visits)")
    per_day = kpis["visits_per_day"]
    print(f"visits per day      mean {per_day['mean']}, min {per_day['min']}, max {per_day['max']}")
    print(f"travel              {kpis['travel_s'] / 3600:.1f} h, {kpis['distance_m'] / 1000:.1f} km")
    spreads = ", ".join(f"{r['rep_code']} {r['workload_spread_s'] / 60:.0f} min" for r in kpis["reps"])
    print(f"day workload spread {spreads}")
    print(f"unplaced visits     {kpis['unplaced_visits']} {json.dumps(kpis['unplaced_by_reason'])}")
    for reason, code, detail in unplaced[:SHOWN_UNPLACED]:
        print(f"  {code}: {reason} {detail}")
    if len(unplaced) > SHOWN_UNPLACED:
        print(f"  ... and {len(unplaced) - SHOWN_UNPLACED} more outlets")


if __name__ == "__main__":
    main()
