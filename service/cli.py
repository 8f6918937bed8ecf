"""The `routeplan` command: serve the API, load data, plan an office, print a rep's day, manage API tokens, run
the demo.

Every command works on DATABASE_URL (else the SQLite file var/routeplan.db) and migrates it first.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
import uvicorn
from rich.console import Console
from rich.table import Column, Table
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from geo import osrm_local
from service.access import audit, tokens
from service.app import create_app
from service.core import db
from service.core.calendar import next_monday
from service.core.errors import EngineUnavailable, InvalidInput, NotFound, ServiceError
from service.core.tables import ApiToken, Office, Plan, Rep, Role, Supervisor, TravelMode, stored_id
from service.day_list import views as day_list_views
from service.day_list.schemas import DayListPublic
from service.master_data import outlet_import as imports
from service.master_data import repository
from service.master_data.bundle import load_bundle
from service.plans import planning
from service.plans import repository as plan_repository
from service.plans.travel import EngineChoice, check_road_engines

DEFAULT_SAMPLE_OFFICE = Path("sample_routes") / "shanghai_minhang"
WORKER_HEALTHCHECK_S = 60
LOCAL_OSRM_DIR = Path("var") / "osrm"
ENGINE_HELP = (
    "travel times: configured (each rep's road engine if one is set, else straight line), straight "
    "(straight line only) or osrm (road times required for every rep)"
)

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


def _supervisor_by_code(session: Session, code: str) -> Supervisor:
    supervisor = repository.supervisor_by_code(session, code)
    if supervisor is None:
        raise NotFound(f"supervisor {code} does not exist", ("supervisor",))
    return supervisor


def _rep_by_code(session: Session, code: str) -> Rep:
    rep = repository.rep_by_code(session, code)
    if rep is None:
        raise NotFound(f"rep {code} does not exist", ("rep",))
    return rep


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
    for rep in k["reps"]:
        if not rep.get("balance", {"met": True})["met"]:
            console().print(
                f"{rep['rep_code']}: days {rep['workload_spread_s'] / 60:.0f} min apart: {rep['balance']['why']}"
            )
    travel = k.get("travel", {})
    for rep_code, engine in travel.get("engines", {}).items():
        console().print(f"{rep_code} travel times: {engine}")
    for far in travel.get("far_from_road", []):
        console().print(f"far from any road: outlet {far['outlet_code']} ({far['snap_m']:.0f} m)")


def _plan_and_maybe_publish(
    engine: Engine,
    office: Office,
    start: date,
    weeks: int,
    time_limit_s: float,
    publish: bool,
    engine_choice: EngineChoice = EngineChoice.CONFIGURED,
) -> Plan:
    plan_id = planning.plan_office(
        engine,
        stored_id(office),
        start,
        weeks=weeks,
        time_limit_s=time_limit_s,
        created_by="cli",
        engine_choice=engine_choice,
    )
    with Session(engine) as session:
        plan = plan_repository.get_plan(session, plan_id)
        if publish:
            plan_repository.publish(session, plan)
            audit.record(
                session,
                None,
                "plan.published",
                plan.office_id,
                "plan",
                plan.id,
                {"based_on_id": plan.based_on_id, "change_set_id": plan.change_set_id},
            )
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
    # an import string: every worker process builds its own app. While a worker imports it (OR-Tools,
    # GeoPandas: seconds) its answer to uvicorn's health ping can be late; on a busy machine later than uvicorn's
    # 5 s default, and the workers are then killed and restarted over and over.
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )


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
        target = _office_by_code(session, office)
        result = imports.import_outlets(session, target, rows, (file.name,))
        audit.record(
            session,
            None,
            "outlets.imported",
            target.id,
            "office",
            target.id,
            {"file": file.name, "rows": len(rows), "created": result.created, "updated": result.updated},
        )
        session.commit()
        console().print(f"imported {file}: {result.created} outlets created, {result.updated} updated")


@app.command()
def plan(
    office_code: str,
    start: Annotated[str, typer.Option(help="the cycle's first day, a Monday (YYYY-MM-DD)")],
    weeks: int = 4,
    time_limit: Annotated[float, typer.Option(help="solver seconds per rep")] = planning.DEFAULT_TIME_LIMIT_S,
    publish: Annotated[bool, typer.Option(help="publish the plan to the reps")] = False,
    engine: Annotated[EngineChoice, typer.Option(help=ENGINE_HELP)] = EngineChoice.CONFIGURED,
) -> None:
    """Plan every rep of an office for a cycle and print its KPIs."""
    db_engine = _engine()
    with _reported_errors():
        start_date = _parse_date(start, "start")
        with Session(db_engine) as session:
            office = _office_by_code(session, office_code)
        _print_plan(_plan_and_maybe_publish(db_engine, office, start_date, weeks, time_limit, publish, engine))


@app.command("road-engine")
def road_engine(
    office_code: str,
    mode: Annotated[TravelMode, typer.Argument(help="the travel mode the engine serves")],
    url: Annotated[str | None, typer.Option(help="the osrm-routed serving this mode's profile")] = None,
    data_version: Annotated[
        str | None, typer.Option(help="version of its road data (new version = cache dropped)")
    ] = None,
    straight_line: Annotated[bool, typer.Option(help="straight-line times for this mode, whatever is global")] = False,
    use_global: Annotated[
        bool, typer.Option("--global", help="forget the office's setting: use the environment")
    ] = False,
) -> None:
    """Set an office's road travel engine for one travel mode (one osrm-routed serves one profile)."""
    db_engine = _engine()
    with _reported_errors(), Session(db_engine) as session:
        office = _office_by_code(session, office_code)
        if sum([url is not None, straight_line, use_global]) != 1:
            raise InvalidInput("give exactly one of --url (with --data-version), --straight-line, --global", ("mode",))
        engines = dict(office.road_engines or {})
        if use_global:
            engines.pop(mode.value, None)
        elif straight_line:
            engines[mode.value] = None
        else:
            engines[mode.value] = {"url": url, "data_version": data_version}
        office.road_engines = check_road_engines(engines)
        session.add(office)
        session.commit()
        console().print(
            f"office {office.code} road engines: {json.dumps(office.road_engines)} "
            "(modes not listed use the environment)"
        )


@app.command()
def day(rep_code: str, on: Annotated[str, typer.Argument(metavar="DATE", help="YYYY-MM-DD")]) -> None:
    """Print a rep's day list from the published plan."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        day_date = _parse_date(on, "date")
        rep = repository.rep_by_code(session, rep_code)
        if rep is None:
            raise NotFound(f"rep {rep_code} does not exist", ("rep",))
        _print_day(day_list_views.rep_day_list(session, stored_id(rep), day_date))


def _parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {text!r}", (name,)) from e


# Below this terminal width the day list puts code, name and address in one column, wrapped, and leaves channel and
# distance out: ten columns on 80 left two characters of a Chinese outlet name.
WIDE_DAY_LIST = 140
DAY_COLUMNS = ("#", "arrive", "leave", "code", "outlet", "channel", "travel", "km", "open", "address")
NARROW_DAY_COLUMNS = ("#", "arrive", "leave", "outlet", "travel", "open")
UNBROKEN = {"#", "arrive", "leave", "code", "travel", "km"}  # short cells that must print whole


def _print_day(listing: DayListPublic) -> None:
    out = console()
    weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[listing.weekday]
    out.print(
        f"{listing.rep_code} {listing.rep_name} - {weekday} {listing.date} "
        f"(plan {listing.plan_id}, week {listing.week + 1} of the cycle)"
    )
    if not listing.visits:
        out.print("no visits" + ("" if listing.working_day else " (not a working day)"))
        return
    columns = DAY_COLUMNS if out.width >= WIDE_DAY_LIST else NARROW_DAY_COLUMNS
    table = Table(*(Column(c, no_wrap=c in UNBROKEN, overflow="fold") for c in columns))

    def row(**cells: str) -> None:
        if "code" not in columns:
            cells["outlet"] = "\n".join(
                t for t in (cells.pop("code", ""), cells["outlet"], cells.pop("address", "")) if t
            )
            cells["open"] = cells.get("open", "").replace(" ", "\n")  # one window a line
        table.add_row(*(cells.get("seq" if c == "#" else c, "") for c in columns))

    lunch = listing.lunch
    if listing.start:
        row(leave=listing.start.departure, outlet=f"leave {listing.start.place}")
    if lunch is not None and lunch.after_seq == 0:
        row(arrive=lunch.start, leave=lunch.end, outlet="lunch")
    for v in listing.visits:
        row(
            seq=str(v.seq),
            arrive=v.arrival,
            leave=v.departure,
            code=v.outlet_code,
            outlet=v.outlet_name,
            channel=v.channel,
            travel=f"{v.travel_s // 60} min",
            km=f"{v.distance_m / 1000:.1f}",
            open=" ".join(v.opening_hours),
            address=v.address,
        )
        if lunch is not None and v.seq == lunch.after_seq:
            row(arrive=lunch.start, leave=lunch.end, outlet="lunch")
    if listing.end:
        row(
            arrive=listing.end.arrival,
            outlet=f"back at {listing.end.place}",
            travel=f"{listing.end.travel_s // 60} min",
            km=f"{listing.end.distance_m / 1000:.1f}",
        )
    out.print(table)
    out.print(
        f"{len(listing.visits)} visits, travel {listing.travel_s // 60} min / "
        f"{listing.distance_m / 1000:.1f} km, service {listing.service_s // 60} min"
    )


def _planned_with(plan: Plan, engine_choice: EngineChoice) -> bool:
    """Whether every rep of the plan was planned on the kind of travel times asked for."""
    if "travel" not in plan.kpis:  # planned before travel engines were recorded: straight line
        return engine_choice != EngineChoice.OSRM
    engines = plan.kpis["travel"]["engines"].values()
    if engine_choice == EngineChoice.OSRM:
        return all(e.startswith("osrm ") for e in engines)
    if engine_choice == EngineChoice.STRAIGHT:
        return all(e.startswith("straight line") for e in engines)
    return True


def prepare_demo(
    engine: Engine, office_folder: Path, time_limit_s: float, engine_choice: EngineChoice = EngineChoice.CONFIGURED
) -> tuple[Plan, Rep | None]:
    """The office of `office_folder` loaded (unless it is already) with a published plan (planned from the
    office's next Monday unless one planned on `engine_choice`'s times is published already), and the rep whose
    day list to show."""
    office_code = json.loads((office_folder / "office.json").read_text(encoding="utf-8-sig"))["office"]["code"]
    with Session(engine) as session:
        office = repository.office_by_code(session, office_code)
        if office is None:
            office = load_bundle(session, office_folder)
            session.commit()
            console().print(f"loaded office {office.code} from {office_folder}")
        published = plan_repository.published_plan(session, stored_id(office))
        reps = sorted(repository.reps(session, office.id, active=True), key=lambda r: r.code)
    if published is None or not _planned_with(published, engine_choice):
        start = next_monday(datetime.now(ZoneInfo(office.timezone)).date())
        console().print(f"planning office {office.code} from {start} (about {time_limit_s:g} s per rep)...")
        published = _plan_and_maybe_publish(
            engine, office, start, 4, time_limit_s, publish=True, engine_choice=engine_choice
        )
    return published, reps[0] if reps else None


DEMO_TOKEN_NAME = "demo {role}"


def demo_tokens(engine: Engine, rep: Rep) -> dict[Role, str]:
    """One token per role on the rep's office: its admin, a coordinator, the rep's supervisor and the rep. Each
    run revokes the tokens an earlier demo made there, so only the printed ones work."""
    with Session(engine) as session:
        names = [DEMO_TOKEN_NAME.format(role=role) for role in Role]
        earlier = session.exec(
            select(ApiToken.id).where(
                ApiToken.office_id == rep.office_id, col(ApiToken.name).in_(names), col(ApiToken.revoked_at).is_(None)
            )
        ).all()
        for token_id in earlier:
            assert token_id is not None  # a primary key
            tokens.revoke_token(session, token_id)
        raw = {}
        for role in Role:
            token, raw[role] = tokens.create_token(
                session,
                role=role,
                name=DEMO_TOKEN_NAME.format(role=role),
                office_id=rep.office_id,
                supervisor_id=rep.supervisor_id if role == Role.SUPERVISOR else None,
                rep_id=rep.id if role == Role.REP else None,
            )
        session.commit()
    return raw


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def local_osrm(office_folder: Path) -> Iterator[str]:
    """An osrm-routed (car profile) on a free 127.0.0.1 port serving the one *.osm.pbf of `office_folder`, its graph
    built into var/osrm/<folder> unless built already from that file; the car mode's engine while it runs.

    Needs OSRM's executables (.venv-osrm, as `make test` installs it, or OSRM_BIN_DIR)."""
    maps = sorted(office_folder.glob("*.osm.pbf"))
    if len(maps) != 1:
        raise InvalidInput(f"{office_folder} must hold exactly one *.osm.pbf road map, found {len(maps)}", ("office",))
    try:
        bin_dir = osrm_local.find_bin_dir()
    except osrm_local.OsrmNotInstalled as exc:
        raise EngineUnavailable(str(exc), ("engine",)) from exc
    workdir = (LOCAL_OSRM_DIR / office_folder.resolve().name).resolve()  # the OSRM tools run inside it
    osrm_path = workdir / (maps[0].name.split(".")[0] + ".osrm")
    graph = osrm_path.with_name(osrm_path.name + ".mldgr")  # written by osrm-customize, the last build step
    try:
        if not graph.is_file() or graph.stat().st_mtime < maps[0].stat().st_mtime:
            console().print(f"building the road graph of {maps[0]} into {workdir} (car profile, MLD)...")
            osrm_path = osrm_local.build_graph(bin_dir, maps[0].resolve(), workdir)
        server = osrm_local.start_routed(bin_dir, osrm_path, maps[0])
    except RuntimeError as exc:  # a failed build step or server start, naming its log
        raise EngineUnavailable(str(exc), ("engine",)) from exc
    console().print(f"osrm-routed (car) serving {osrm_path} at {server.base_url}, pid {server.process.pid}")
    names = {"ROUTEPLAN_OSRM_URL_CAR": server.base_url, "ROUTEPLAN_OSRM_DATA_CAR": str(osrm_path)}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    # uvicorn re-raises a SIGTERM it caught once it has shut down; as SystemExit it runs the clean-up below
    # instead of killing the process and leaving osrm-routed behind.
    previous_sigterm = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield server.base_url
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        osrm_local.stop_routed(server)
        console().print("osrm-routed stopped")


@app.command()
def demo(
    office: Annotated[Path, typer.Option(exists=True, file_okay=False)] = DEFAULT_SAMPLE_OFFICE,
    port: int = 8000,
    time_limit: Annotated[float, typer.Option(help="solver seconds per rep")] = planning.DEFAULT_TIME_LIMIT_S,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            help=ENGINE_HELP + "; osrm starts osrm-routed on the office "
            "folder's *.osm.pbf for the car reps and stops it on exit"
        ),
    ] = EngineChoice.CONFIGURED,
) -> None:
    """Load the sample office (once), plan it from the next Monday and publish, then serve the API."""
    db_engine = _engine()
    with _reported_errors(), local_osrm(office) if engine == EngineChoice.OSRM else nullcontext():
        published, rep = prepare_demo(db_engine, office, time_limit, engine)
        _print_plan(published)
        base = f"http://127.0.0.1:{port}"
        console().print(f"API docs:          {base}/docs (Authorize with a token below)")
        if rep is not None:
            raw = demo_tokens(db_engine, rep)
            console().print("tokens of the office (earlier demo tokens revoked; more: routeplan token --help):")
            for role, token in raw.items():
                console().print(f"  {role:<12} {token}")
            day = f"{base}/reps/{rep.id}/day/{published.start_date}"
            supervisor, coordinator = raw[Role.SUPERVISOR], raw[Role.COORDINATOR]
            console().print(f"plan map:          {base}/plans/{published.id}/map?token={supervisor}")
            ride_along = f"{base}/supervisors/{rep.supervisor_id}/ride-along/page"
            console().print(f"ride-along week:   {ride_along}?token={supervisor}")
            console().print(f"visit KPIs:        {base}/kpis/page?token={supervisor}")
            console().print(f"line cleanup:      {base}/line-cleanup/page?token={coordinator}")
            console().print(f"outlet import:     {base}/outlets/import/page?token={coordinator}")
            console().print(f"{rep.code}'s phone page: {day}/page?token={raw[Role.REP]}")
            console().print(f"  visit card PDF:  {day}/sheet.pdf?token={raw[Role.REP]}")
            console().print(f'  day list (JSON): curl -H "Authorization: Bearer {raw[Role.REP]}" {day}')
        uvicorn.run(create_app(), host="127.0.0.1", port=port)


token_app = typer.Typer(help="API tokens: the first admin token comes from here.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def create_cli_token(
    session: Session,
    role: Role,
    name: str,
    office_code: str | None = None,
    supervisor_code: str | None = None,
    rep_code: str | None = None,
) -> tuple[ApiToken, str]:
    """A token made on the command line (staged; the caller commits), with its audit event. A supervisor or rep
    token's office defaults to the supervisor's or rep's."""
    supervisor = _supervisor_by_code(session, supervisor_code) if supervisor_code else None
    rep = _rep_by_code(session, rep_code) if rep_code else None
    if office_code:
        office_id = _office_by_code(session, office_code).id
    else:
        office_id = supervisor.office_id if supervisor else rep.office_id if rep else None
    token, raw = tokens.create_token(
        session,
        role=role,
        name=name,
        office_id=office_id,
        supervisor_id=supervisor.id if supervisor else None,
        rep_id=rep.id if rep else None,
        loc=(),
    )
    return token, raw


@token_app.command("create")
def token_create(
    role: Annotated[
        Role,
        typer.Option(help="admin (with --office: that office's; else every office's), coordinator, supervisor or rep"),
    ],
    name: Annotated[str, typer.Option(help="who or what holds it")],
    office: Annotated[str | None, typer.Option(help="office code")] = None,
    supervisor: Annotated[str | None, typer.Option(help="a supervisor token's supervisor (code)")] = None,
    rep: Annotated[str | None, typer.Option(help="a rep token's rep (code)")] = None,
) -> None:
    """Create a token and print it: it is shown this once (only its SHA-256 is stored)."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        token, raw = create_cli_token(session, role, name, office, supervisor, rep)
        session.commit()
        console().print(f"token {token.id} ({token.role}, {token.name}): {raw}")
        console().print("shown once: keep it; send it as Authorization: Bearer <token>")


@token_app.command("list")
def token_list(include_revoked: Annotated[bool, typer.Option("--all", help="revoked tokens too")] = False) -> None:
    """Tokens, newest first (their first characters, never the token)."""
    engine = _engine()
    with Session(engine) as session:
        offices = {o.id: o.code for o in repository.offices(session)}
        table = Table("id", "name", "role", "office", "token", "created", "last used", "revoked")
        for t in tokens.tokens(session, include_revoked=include_revoked):
            table.add_row(
                str(t.id),
                t.name,
                str(t.role),
                offices.get(t.office_id, "(every)"),
                t.prefix + "...",
                f"{t.created_at:%Y-%m-%d %H:%M}",
                f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
                f"{t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "",
            )
        console().print(table)


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke a token: refused from then on (a running server may accept it for a few seconds more)."""
    engine = _engine()
    with _reported_errors(), Session(engine) as session:
        token = tokens.revoke_token(session, token_id, loc=("id",))
        session.commit()
        console().print(f"token {token.id} ({token.role}, {token.name}) revoked")
