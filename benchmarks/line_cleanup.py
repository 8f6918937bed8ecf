"""Line cleanup on a sample office: fold new outlets and closures into its published plan, and compare.

    .venv/bin/python benchmarks/line_cleanup.py [--office sample_routes/shanghai_minhang] [--new 20] [--closures 10]
        [--budgets 0,5,20,unlimited] [--time-limit 5] [--seed 0]

Loads the office into a temporary SQLite database, plans and publishes a 4-week cycle (time limit per rep), then,
for each change budget on a copy of that database, submits one change set (new outlets at random points of the
office's area without a named rep, so territories place them, and closures of random planned outlets) and
reports: the wall time of the change set, the existing visits moved, the share of the surviving existing visits
that kept their day and their order, and the travel of the folded plan. Finally the changed office is re-planned
from scratch with the same time limit, and the folded travel is compared with it. Also times folding one outlet.
"""

from __future__ import annotations

import argparse
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from service.core import db  # noqa: E402
from service.core.tables import Outlet, OutletStatus  # noqa: E402
from service.line_cleanup import change_sets  # noqa: E402
from service.line_cleanup.schemas import ChangeSetCreate  # noqa: E402
from service.master_data.bundle import load_bundle  # noqa: E402
from service.plans import planning  # noqa: E402
from service.plans import repository as plan_repository  # noqa: E402

HOURS = {day: ["07:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def routes(session: Session, plan_id: int) -> dict[tuple[int, int], list[int]]:
    by_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for visit, _ in plan_repository.plan_visits(session, plan_id):
        by_day[(visit.rep_id, visit.day)].append(visit.outlet_id)
    return by_day


def lcs(a: list[int], b: list[int]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, start=1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def kept_share(before: dict, after: dict, gone: set[int]) -> tuple[int, int]:
    """(visits that kept their rep, day and order, surviving existing visits): per rep and day the longest
    common subsequence of the old order and the new one, both without the closed outlets."""
    kept = total = 0
    for route, old in before.items():
        old = [o for o in old if o not in gone]
        new = [o for o in after.get(route, []) if o in set(old)]
        total += len(old)
        kept += lcs(old, new)
    return kept, total


def change_set(
    session: Session,
    office_id: int,
    base_id: int,
    rng: random.Random,
    new: int,
    closures: int,
    budget: int | None,
    key: str,
) -> ChangeSetCreate:
    outlets = list(
        session.exec(
            select(Outlet)
            .where(Outlet.office_id == office_id, Outlet.status == OutletStatus.ACTIVE)
            .order_by(Outlet.code)
        )
    )
    lons, lats = [o.lon for o in outlets], [o.lat for o in outlets]
    planned = {v.outlet_id for v, _ in plan_repository.plan_visits(session, base_id)}
    closing = rng.sample(sorted(o.code for o in outlets if o.id in planned), closures)
    added = [
        {
            "code": f"NEW{key}{i:04d}",
            "name": f"新店 {i}",
            "channel": rng.choice(["grocery", "convenience", "kiosk"]),
            "lon": rng.uniform(min(lons), max(lons)),
            "lat": rng.uniform(min(lats), max(lats)),
            "service_min": rng.choice([5, 8, 10]),
            "visits_per_cycle": rng.choice([2, 4, 4, 8]),
            "opening_hours": HOURS,
        }
        for i in range(new)
    ]
    return ChangeSetCreate(
        base_plan_id=base_id,
        idempotency_key=key,
        created_by="benchmark",
        change_budget=budget,
        new_outlets=added,
        closures=closing,
    )


def fold_once(
    base_db: Path, work: Path, office_id: int, base_id: int, seed: int, new: int, closures: int, budget: int | None
) -> dict:
    copy = work / f"fold-{budget}-{new}.db"
    shutil.copy(base_db, copy)
    engine = db.make_engine(f"sqlite:///{copy}")
    with Session(engine) as session:
        body = change_set(session, office_id, base_id, random.Random(seed), new, closures, budget, f"b{budget}")
        before = routes(session, base_id)
        gone = {o.id for o in session.exec(select(Outlet).where(Outlet.code.in_(body.closures)))}
        started, cpu_started = time.perf_counter(), time.process_time()
        result = change_sets.submit(session, body)
        session.commit()
        wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        after = routes(session, result.result_plan_id)
        plan = plan_repository.get_plan(session, result.result_plan_id)
        kept, total = kept_share(before, after, gone)
        out = {
            "wall_s": wall_s,
            "cpu_s": cpu_s,
            "moved": len(result.diff["moved"]),
            "kept": kept,
            "total": total,
            "travel_s": plan.kpis["travel_s"],
            "coverage": plan.kpis["coverage"],
            "unplaced_new": len(result.diff["unplaced"]),
            "warnings": len(result.diff["warnings"]),
            "spread_s": plan.kpis["workload_spread_s_max"],
            "db": copy,
            "engine": engine,
            "days_changed": len(result.diff["days_changed"]),
            "untouched_days_changed": result.diff["untouched_days_changed"],
            "reordered": sum(d["reordered"] for d in result.diff["days_changed"]),
            "retimed": sum(d["retimed"] for d in result.diff["days_changed"]),
            "rep_days": len(plan_repository.plan_days(session, result.result_plan_id)),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--closures", type=int, default=10)
    parser.add_argument("--budgets", default="0", help="comma-separated change budgets per rep; 'unlimited' for none")
    parser.add_argument("--time-limit", type=float, default=5.0, help="solver s per rep, base plan and re-plan")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    budgets = [None if b == "unlimited" else int(b) for b in args.budgets.split(",")]
    start = date(2026, 11, 30)

    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        base_db = work / "base.db"
        url = f"sqlite:///{base_db}"
        db.migrate(url)
        engine = db.make_engine(url, pooled=False)
        with Session(engine) as session:
            office_id = load_bundle(session, args.office).id
            session.commit()
        base_id = planning.plan_office(engine, office_id, start, time_limit_s=args.time_limit, created_by="benchmark")
        with Session(engine) as session:
            base = plan_repository.publish(session, plan_repository.get_plan(session, base_id))
            session.commit()
            kpis = base.kpis
        engine.dispose()
        print(
            f"office {args.office.name}: published plan {kpis['visits_placed']} visits, travel "
            f"{kpis['travel_s'] / 3600:.2f} h, spread max {kpis['workload_spread_s_max'] / 60:.0f} min "
            f"(time limit {args.time_limit:g} s per rep)"
        )

        one = fold_once(base_db, work, office_id, base_id, args.seed, 1, 0, 0)
        one["engine"].dispose()
        print(
            f"one new outlet      {one['wall_s']:.2f} s wall, {one['cpu_s']:.2f} s CPU (change set incl. checks, "
            f"fold, writes), "
            f"{one['moved']} existing visits moved; rep-days changed {one['days_changed']} of {one['rep_days']}, "
            f"of them {one['untouched_days_changed']} that received no outlet"
        )

        print(f"{args.new} new outlets + {args.closures} closures:")
        print(
            "| change budget per rep | wall (CPU) time | outlets moved | existing visits kept (day + order) | "
            "travel | spread max | new outlets unplaced | rep-days changed (no outlet added or removed) | "
            "kept visits reordered / retimed |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        first = None
        for budget in budgets:
            run = fold_once(base_db, work, office_id, base_id, args.seed, args.new, args.closures, budget)
            first = first or run
            print(
                f"| {'unlimited' if budget is None else budget} | {run['wall_s']:.1f} s ({run['cpu_s']:.1f} s) | "
                f"{run['moved']} | "
                f"{run['kept'] / run['total']:.1%} ({run['kept']}/{run['total']}) | {run['travel_s'] / 3600:.2f} h | "
                f"{run['spread_s'] / 60:.0f} min | {run['unplaced_new']} | "
                f"{run['days_changed']} of {run['rep_days']} ({run['untouched_days_changed']}) | "
                f"{run['reordered']} / {run['retimed']} |"
            )
            if run is not first:
                run["engine"].dispose()

        started = time.perf_counter()
        replan_id = planning.plan_office(
            first["engine"], office_id, start, time_limit_s=args.time_limit, created_by="benchmark re-plan"
        )
        replan_s = time.perf_counter() - started
        with Session(first["engine"]) as session:
            replan = plan_repository.get_plan(session, replan_id).kpis
        first["engine"].dispose()
        delta = first["travel_s"] / replan["travel_s"] - 1
        print(
            f"re-plan from scratch (same changed data): {replan_s:.1f} s, travel {replan['travel_s'] / 3600:.2f} h, "
            f"spread max {replan['workload_spread_s_max'] / 60:.0f} min, coverage {replan['coverage']:.2%}; "
            f"folded (budget {budgets[0]}) travel is {delta:+.1%} vs re-plan, "
            f"coverage {first['coverage']:.2%}"
        )


if __name__ == "__main__":
    main()
