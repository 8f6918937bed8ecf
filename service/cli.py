"""The `routeplan` command: serve the API, load data, plan an office, print a rep's day, run the demo.

Every command works on DATABASE_URL (else the SQLite file var/routeplan.db) and migrates it first.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlmodel import Session

from service import db, imports, plan_repository, plan_views, planning, repository
from service.app import create_app
from service.bundle import load_bundle
from service.errors import InvalidInput, NotFound, ServiceError
from service.plan_schemas import DayListPublic
from service.tables import Office, Plan, Rep

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLE_OFFICE = Path("sample_routes") / "shanghai_minhang"

app = typer.Typer(help="Journey plans for field sales teams.", no_args_is_help=True, add_completion=False)


def console() -> Console:
    """A console on the current stdout and terminal width (created per use: tests swap stdout)."""
    return Console(highlight=False, markup=False, soft_wrap=True)


@contextmanager
def _reported_errors() -> Iterator[None]:
    """A service error ends the command with its message and exit code 1, not a traceback."""
    try:
        yield
    except ServiceError as e:
        Console(stderr=True, highlight=False, markup=False).print(f"error: {e}")
        raise typer.Exit(1) from e


def _engine() -> Engine:
    db.migrate()
    return db.make_engine()


def _office_by_code(session: Session, code: str) -> Office:
    office = repository.office_by_code(session, code)
    if office is None:
        raise NotFound(f"office {code} does not exist", ("office",))
    return office


def _print_plan(plan: Plan) -> None:
    k = plan.kpis
    per_day = k["visits_per_day"]
    console().print(f"plan {plan.id} ({plan.status}) from {plan.start_date}, {plan.weeks} weeks")
    console().print(
        f"coverage {k['coverage']:.1%} ({k['visits_placed']}/{k['visits_required']} visits), "
        f"visits per day {per_day['mean']} (min {per_day['min']}, max {per_day['max']}), "
        f"travel {k['travel_s'] / 3600:.1f} h / {k['distance_m'] / 1000:.1f} km, "
        f"largest day workload spread {k['workload_spread_s_max'] / 60:.0f} min, solved in {k['solve_wall_s']} s",
    )
    for reason, visits in k["unplaced_by_reason"].items():
        console().print(f"unplaced: {visits} visits ({reason})")


def _plan_and_maybe_publish(engine: Engine, office: Office, start: date, weeks: int, time_limit_s: float,
                            publish: bool) -> Plan:
    plan_id = planning.plan_office(engine, office.id, start, weeks=weeks, time_limit_s=time_limit_s,
                                   created_by="cli")
    with Session(engine) as session:
        plan = plan_repository.get_plan(session, plan_id)
        if publish:
            plan_repository.publish(session, plan)
            session.commit()
        session.refresh(plan)
        return plan


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1, help="API processes (each with its own day-list cache)")] = 1,
    access_log: Annotated[bool, typer.Option(help="log every request")] = True,
) -> None:
    """Serve the HTTP API (docs at /docs)."""
    db.migrate()  # once, before the workers start: each would otherwise race the others to migrate a new database
    # an import string: every worker process builds its own app
    uvicorn.run("service.app:create_app", factory=True, host=host, port=port, workers=workers,
                access_log=access_log)


@app.command("import")
def import_bundle(folder: Annotated[Path, typer.Argument(exists=True, file_okay=False)]) -> None:
    """Load an office bundle (office.json + outlets.csv): the office, its supervisors, reps and outlets."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        office = load_bundle(session, folder)
        session.commit()
        console().print(f"loaded office {office.code} (id {office.id}) from {folder}")


@app.command("import-outlets")
def import_outlets(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    office: Annotated[str, typer.Option(help="office code")],
) -> None:
    """Create or update the outlets of a CSV, XLSX or GeoJSON file in an office; all rows or none."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        rows = imports.read_rows(file.name, file.read_bytes(), (file.name,))
        result = imports.import_outlets(session, _office_by_code(session, office), rows, (file.name,))
        session.commit()
        console().print(f"imported {file}: {result.created} outlets created, {result.updated} updated")


@app.command()
def plan(
    office_code: str,
    start: Annotated[str, typer.Option(help="the cycle's first day, a Monday (YYYY-MM-DD)")],
    weeks: int = 4,
    time_limit: Annotated[float, typer.Option(help="solver seconds per rep")] = planning.DEFAULT_TIME_LIMIT_S,
    publish: Annotated[bool, typer.Option(help="publish the plan to the reps")] = False,
) -> None:
    """Plan every rep of an office for a cycle and print its KPIs."""
    engine = _engine()
    with _reported_errors():
        start_date = _parse_date(start, "start")
        with Session(engine) as session:
            office = _office_by_code(session, office_code)
        _print_plan(_plan_and_maybe_publish(engine, office, start_date, weeks, time_limit, publish))


@app.command()
def day(rep_code: str, on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")]) -> None:
    """Print a rep's day list from the published plan."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        day_date = _parse_date(on, "date")
        rep = repository.rep_by_code(session, rep_code)
        if rep is None:
            raise NotFound(f"rep {rep_code} does not exist", ("rep",))
        _print_day(plan_views.rep_day_list(session, rep.id, day_date))


def _parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}", (name,)) from e


def _print_day(listing: DayListPublic) -> None:
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[listing.weekday]
    console().print(f"{listing.rep_code} {listing.rep_name} - {weekday} {listing.date} "
                  f"(plan {listing.plan_id}, week {listing.week + 1} of the cycle)")
    if not listing.visits:
        console().print("no visits" + ("" if listing.working_day else " (not a working day)"))
        return
    table = Table("#", "arrive", "leave", "code", "outlet", "channel", "travel", "km", "open", "address")
    lunch_after = listing.lunch.after_seq if listing.lunch else None
    if listing.start:
        table.add_row("", "", listing.start.departure, "", f"leave {listing.start.place}", "", "", "", "", "")
    if lunch_after == 0:
        table.add_row("", listing.lunch.start, listing.lunch.end, "", "lunch", "", "", "", "", "")
    for v in listing.visits:
        table.add_row(str(v.seq), v.arrival, v.departure, v.outlet_code, v.outlet_name, v.channel,
                      f"{v.travel_s // 60} min", f"{v.distance_m / 1000:.1f}", " ".join(v.opening_hours), v.address)
        if v.seq == lunch_after:
            table.add_row("", listing.lunch.start, listing.lunch.end, "", "lunch", "", "", "", "", "")
    if listing.end:
        table.add_row("", listing.end.arrival, "", "", f"back at {listing.end.place}", "",
                      f"{listing.end.travel_s // 60} min", f"{listing.end.distance_m / 1000:.1f}", "", "")
    console().print(table)
    console().print(f"{len(listing.visits)} visits, travel {listing.travel_s // 60} min / "
                  f"{listing.distance_m / 1000:.1f} km, service {listing.service_s // 60} min")


def next_monday(today: date) -> date:
    """The coming Monday (today when today is one)."""
    return today + timedelta(days=-today.weekday() % 7)


def prepare_demo(engine: Engine, office_folder: Path, time_limit_s: float) -> tuple[Plan, Rep | None]:
    """The office of `office_folder` loaded (unless it is already) with a published plan (planned from the
    office's next Monday unless one is published already), and the rep whose day list to show."""
    office_code = json.loads((office_folder / "office.json").read_text(encoding="utf-8-sig"))["office"]["code"]
    with Session(engine) as session:
        office = repository.office_by_code(session, office_code)
        if office is None:
            office = load_bundle(session, office_folder)
            session.commit()
            console().print(f"loaded office {office.code} from {office_folder}")
        published = plan_repository.published_plan(session, office.id)
        reps = sorted(repository.reps(session, office.id, active=True), key=lambda r: r.code)
    if published is None:
        start = next_monday(datetime.now(ZoneInfo(office.timezone)).date())
        console().print(f"planning office {office.code} from {start} (about {time_limit_s:g} s per rep)...")
        published = _plan_and_maybe_publish(engine, office, start, 4, time_limit_s, publish=True)
    return published, reps[0] if reps else None


@app.command()
def demo(
    office: Annotated[Path, typer.Option(exists=True, file_okay=False)] = DEFAULT_SAMPLE_OFFICE,
    port: int = 8000,
    time_limit: Annotated[float, typer.Option(help="solver seconds per rep")] = planning.DEFAULT_TIME_LIMIT_S,
) -> None:
    """Load the sample office (once), plan it from the next Monday and publish, then serve the API."""
    engine = _engine()
    with _reported_errors():
        published, rep = prepare_demo(engine, office, time_limit)
    _print_plan(published)
    base = f"http://127.0.0.1:{port}"
    console().print(f"API docs:          {base}/docs")
    if rep is not None:
        console().print(f"{rep.code}'s day list: {base}/reps/{rep.id}/day/{published.start_date}")
    uvicorn.run(create_app(), host="127.0.0.1", port=port)


bench_app = typer.Typer(help="Benchmarks (run from a source checkout).", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("pvrp")
def bench_pvrp(
    instances_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, metavar="DIR")],
    time_limit: Annotated[float, typer.Option(help="seconds per instance")],
    out: Annotated[Path, typer.Option(help="folder for the results")],
    seed: int = 0,
) -> None:
    """Solve the periodic VRP instances of DIR and write the results to OUT."""
    # benchmarks/ is not part of the installed package; it lives next to service/ in the checkout
    sys.path.insert(0, str(REPO_ROOT))
    pvrp = importlib.import_module("benchmarks.pvrp")
    pvrp.run(instances_dir, time_limit, out, seed)
