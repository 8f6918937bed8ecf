"""The Porto Alegre sample office planned on road times (OSRM) and on straight-line times, and the straight-line
plan's own routes driven on road times: how far its travel and its visit times are from what the reps meet.

Loads sample_routes/porto_alegre into a temporary SQLite database, builds the road graph and starts
osrm-routed (car.lua, MLD) in a temporary folder as the tests do (needs .venv-osrm or env OSRM_BIN_DIR), and
plans the same cycle three times: straight line, road with a cold matrix cache, road from the cache. Then every
day of the straight-line plan is re-timed on the road matrix in its planned order: leave at the planned time,
drive the road time, wait for the opening window, serve, lunch after the same stop. A visit misses its window
when no window of the day can hold its service from the road arrival on.

Run from the repository root:
    .venv/bin/python -m benchmarks.road_vs_straight [--time-limit 10] [--office sample_routes/porto_alegre]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlmodel import Session, select

from geo.osrm import osrm_data_version
from geo.osrm_local import running_osrm
from service.core import db
from service.core.tables import Outlet, Plan, PlanDay, PlanVisit, Rep
from service.master_data import repository
from service.master_data.bundle import load_bundle
from service.plans.convert import rep_points, weekday_windows
from service.plans.planning import plan_office
from service.plans.travel import EngineChoice, OfficeTravel

START = date(2026, 11, 30)  # a Monday


@dataclass
class Retimed:
    """The straight-line plan's routes driven on road times."""

    planned_travel_s: int = 0  # what the straight-line plan says its routes take
    road_travel_s: int = 0  # what they take on the road
    planned_distance_m: int = 0
    road_distance_m: int = 0
    visits: int = 0
    missed_windows: int = 0  # visits that can no longer be served inside an opening window
    late_visits: int = 0  # visits starting more than 15 min after their planned start
    days: int = 0
    overtime_days: int = 0  # days ending after the shift
    overtime_s: int = 0
    leg_ratios: list[float] | None = None  # road / straight-line duration per leg


def serve_start(arrival_s: int, service_s: int, windows) -> int | None:
    """When service starts, waiting for a window that can hold it; None when no window of the day can."""
    for w in windows:
        start = max(arrival_s, w.start_s)
        if start + service_s <= w.end_s:
            return start
    return None


def retime(session: Session, straight_plan_id: int, travel: OfficeTravel, office) -> Retimed:
    out = Retimed(leg_ratios=[])
    reps = {r.id: r for r in repository.reps(session, office.id)}
    outlets = {o.id: o for o in session.exec(select(Outlet).where(Outlet.office_id == office.id))}
    days = session.exec(select(PlanDay).where(PlanDay.plan_id == straight_plan_id)).all()
    visits = session.exec(
        select(PlanVisit)
        .where(PlanVisit.plan_id == straight_plan_id)
        .order_by(PlanVisit.rep_id, PlanVisit.day, PlanVisit.seq)
    ).all()
    for rep_id in sorted({d.rep_id for d in days}):
        rep: Rep = reps[rep_id]
        mine = sorted({v.outlet_id for v in visits if v.rep_id == rep_id})
        index = {outlet_id: 2 + i for i, outlet_id in enumerate(mine)}
        rep_outlets = [outlets[i] for i in mine]
        road = travel.rep_travel(rep, rep_points(office, rep, rep_outlets), [o.code for o in rep_outlets]).matrix
        for day in (d for d in days if d.rep_id == rep_id):
            stops = [v for v in visits if v.rep_id == rep_id and v.day == day.day]
            path = [0] + [index[v.outlet_id] for v in stops] + [1]
            legs_s = [int(road.duration_s[a, b]) for a, b in zip(path, path[1:])]
            out.road_distance_m += sum(int(road.distance_m[a, b]) for a, b in zip(path, path[1:]))
            planned_legs_s = [v.travel_s for v in stops] + [day.travel_s - sum(v.travel_s for v in stops)]
            out.leg_ratios += [r / p for r, p in zip(legs_s, planned_legs_s) if p > 0]
            out.planned_travel_s += day.travel_s
            out.planned_distance_m += day.distance_m
            out.road_travel_s += sum(legs_s)
            out.days += 1
            now = day.start_s
            if day.lunch_after_stops == 0:
                now = max(now, rep.lunch_earliest_s) + rep.lunch_s
            for k, (v, leg_s) in enumerate(zip(stops, legs_s), start=1):
                outlet = outlets[v.outlet_id]
                arrival = now + leg_s
                start = serve_start(arrival, outlet.service_s, weekday_windows(outlet.opening_hours, day.day % 7))
                out.visits += 1
                if start is None:
                    out.missed_windows += 1
                    start = arrival  # served anyway (outside its hours), the day goes on
                if start > v.start_s + 15 * 60:
                    out.late_visits += 1
                now = start + outlet.service_s
                if k == day.lunch_after_stops:
                    now = max(now, rep.lunch_earliest_s) + rep.lunch_s
            end = now + legs_s[-1]
            if end > rep.shift_end_s:
                out.overtime_days += 1
                out.overtime_s += end - rep.shift_end_s
    return out


def timed_plan(engine, office_id: int, time_limit_s: float, choice: EngineChoice) -> tuple[int, float, Plan]:
    started = time.perf_counter()
    plan_id = plan_office(engine, office_id, START, time_limit_s=time_limit_s, created_by="bench", engine_choice=choice)
    wall = time.perf_counter() - started
    with Session(engine) as session:
        return plan_id, wall, session.get(Plan, plan_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="solver seconds per rep")
    parser.add_argument("--office", type=Path, default=Path("sample_routes") / "porto_alegre")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="road-vs-straight-") as tmp:
        url = f"sqlite:///{tmp}/routeplan.db"
        db.migrate(url)
        engine = db.make_engine(url)
        with Session(engine) as session:
            office = load_bundle(session, args.office)
            session.commit()
            office_id = office.id
            outlets = len(list(repository.outlets(session, office_id)))
        [road_map] = args.office.glob("*.osm.pbf")  # the office folder ships its road map
        with running_osrm(road_map.resolve(), Path(tmp) / "osrm") as server:
            os.environ["ROUTEPLAN_OSRM_URL_CAR"] = server.base_url
            os.environ["ROUTEPLAN_OSRM_DATA_VERSION_CAR"] = osrm_data_version(server.osrm_path)
            os.environ["ROUTEPLAN_MATRIX_CACHE"] = f"{tmp}/matrix.sqlite"
            print(
                f"office {office.code}: {outlets} outlets, solver {args.time_limit:g} s per rep, "
                f"load average {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            straight_id, straight_wall, straight = timed_plan(engine, office_id, args.time_limit, EngineChoice.STRAIGHT)
            _, cold_wall, road = timed_plan(engine, office_id, args.time_limit, EngineChoice.OSRM)
            _, cached_wall, road_cached = timed_plan(engine, office_id, args.time_limit, EngineChoice.OSRM)
            with Session(engine) as session:
                office = repository.office(session, office_id)
                with OfficeTravel(office, EngineChoice.OSRM) as travel:
                    r = retime(session, straight_id, travel, office)

    print("\n| plan | wall | of which solver | coverage | travel (own times) | distance |")
    print("|---|---|---|---|---|---|")
    for name, wall, p in (
        ("straight line", straight_wall, straight),
        ("road, cold matrix cache", cold_wall, road),
        ("road, matrix from the cache", cached_wall, road_cached),
    ):
        k = p.kpis
        print(
            f"| {name} | {wall:.1f} s | {k['solve_wall_s']:.1f} s | {k['coverage']:.1%} | "
            f"{k['travel_s'] / 3600:.1f} h | {k['distance_m'] / 1000:.0f} km |"
        )
    ratios = np.array(r.leg_ratios)
    print(f"\nThe straight-line plan's {r.days} days ({r.visits} visits) driven on road times:")
    print("| | straight-line plan says | on the road |")
    print("|---|---|---|")
    print(
        f"| travel | {r.planned_travel_s / 3600:.1f} h | {r.road_travel_s / 3600:.1f} h "
        f"({r.road_travel_s / r.planned_travel_s - 1:+.0%}) |"
    )
    print(
        f"| distance | {r.planned_distance_m / 1000:.0f} km | {r.road_distance_m / 1000:.0f} km "
        f"({r.road_distance_m / r.planned_distance_m - 1:+.0%}) |"
    )
    print(f"| visits missing their opening window | 0 | {r.missed_windows} ({r.missed_windows / r.visits:.1%}) |")
    print(f"| visits starting > 15 min after the planned start | 0 | {r.late_visits} |")
    print(f"| days ending after the shift | 0 | {r.overtime_days} of {r.days}, {r.overtime_s / 60:.0f} min in all |")
    print(
        f"\nroad / straight-line time per leg ({len(ratios)} legs): p10 {np.percentile(ratios, 10):.2f}, "
        f"median {np.median(ratios):.2f}, p90 {np.percentile(ratios, 90):.2f}, "
        f"min {ratios.min():.2f}, max {ratios.max():.2f}"
    )
    print(
        f"the road plan's own travel: {road.kpis['travel_s'] / 3600:.1f} h vs the straight-line plan driven on "
        f"the road: {r.road_travel_s / 3600:.1f} h"
    )


if __name__ == "__main__":
    main()
