"""Rep day lists kept in memory as ready JSON (and gzip) bytes, checked against the database on every read.

A day list is read far more often than anything it shows changes, and a published plan's routes never change.
What can change is which plan is published and the master data the list shows (the rep, the office, the
outlets' names, addresses and hours). So every kept list remembers a version of those, read by one indexed
query: the rep's and office's rows, the id of the office's published plan, and the latest `updated_at` of the
day's outlets (every outlet write sets it). A read whose version differs rebuilds the list. The version is read
before the list is built, so a change that lands in between makes the next read rebuild, never serve it stale.
Each API process (uvicorn worker) holds its own cache; the check against the database keeps them all current.

The check runs on every request, so it avoids the thread pool: SQLite is read on the event loop's own
connection (a local file: microseconds), PostgreSQL through an asynchronous psycopg connection.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import TypeAdapter
from sqlalchemy import Connection, Dialect, Engine, bindparam, func
from sqlmodel import Session, col, select

from service.core.calendar import cycle_day
from service.core.tables import Office, Outlet, Plan, PlanStatus, PlanVisit, Rep, table_of
from service.day_list import card_font
from service.day_list import views as day_list_views
from service.day_list.schemas import DayListPublic

MAX_ENTRIES = 5_000  # per process: a rep and a date each, about 13 kB (JSON and gzip), so at most ~65 MB
GZIP_MIN_BYTES = 2048  # as the app's GZipMiddleware: smaller bodies go out as they are
GZIP_LEVEL = 9  # as the app's GZipMiddleware; paid once per list, not per request

_DAY_LIST_JSON = TypeAdapter(DayListPublic)  # the serializer FastAPI uses for the endpoint's response model

_DAY_OUTLETS_UPDATED = (
    select(func.max(Outlet.updated_at))
    .select_from(PlanVisit)
    .join(Outlet, col(Outlet.id) == PlanVisit.outlet_id)
    .where(PlanVisit.plan_id == bindparam("plan_id"), PlanVisit.rep_id == Rep.id, PlanVisit.day == bindparam("day"))
    .scalar_subquery()
)
_STATUS_TYPE = table_of(Plan).c.status.type
# Whole rep and office rows: a column the day list starts to show later is covered without touching this query.
_VERSION = (
    select(  # type: ignore[call-overload]  # sqlmodel's select() is typed for models and columns, not tables
        table_of(Rep), table_of(Office), col(Plan.id).label("published_plan_id"), _DAY_OUTLETS_UPDATED
    )
    .join(Office, col(Office.id) == Rep.office_id)
    .outerjoin(
        Plan, (col(Plan.office_id) == Rep.office_id) & (col(Plan.status) == bindparam("published", type_=_STATUS_TYPE))
    )
    .where(Rep.id == bindparam("rep_id"))
)
_PUBLISHED_PLAN_ID = len(_VERSION.selected_columns) - 2  # position in a version row
_REP_OFFICE_ID = list(table_of(Rep).columns.keys()).index("office_id")  # the rep's row comes first
_REP_SUPERVISOR_ID = list(table_of(Rep).columns.keys()).index("supervisor_id")
_NO_VERSION = ()  # a version that matches no kept list: the list is built again


class _VersionQuery:
    """`_VERSION` compiled once for a dialect, run on the driver's own connections: SQLAlchemy's statement and
    row handling would cost several times the query itself (raw values tell versions apart just as well)."""

    def __init__(self, dialect: Dialect) -> None:
        compiled = _VERSION.compile(dialect=dialect)
        self.sql = str(compiled)
        self._positions = compiled.positiontup  # None for named parameter styles (psycopg)
        process = _STATUS_TYPE.bind_processor(dialect)
        self._published = process(PlanStatus.PUBLISHED) if process else PlanStatus.PUBLISHED

    def params(self, rep_id: int, plan_id: int, day: int) -> Any:
        values = {"rep_id": rep_id, "plan_id": plan_id, "day": day, "published": self._published}
        return values if self._positions is None else tuple(values[name] for name in self._positions)

    def run(self, dbapi_connection: Any, rep_id: int, plan_id: int, day: int) -> tuple | None:
        """The rep's and office's rows, the office's published plan id (None when there is none) and the latest
        change to the outlets of the rep's `day` in plan `plan_id`; None when the rep does not exist."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, self.params(rep_id, plan_id, day))
            rows = cursor.fetchall()  # to the end: SQLite keeps a read snapshot while a statement is unfinished
        finally:
            cursor.close()
        return tuple(rows[0]) if rows else None


class _SqliteCheck:
    """Versions read on the event loop's thread through a connection of its own (never waiting for the pool)."""

    def __init__(self, engine: Engine, query: _VersionQuery) -> None:
        self._engine = engine
        self._query = query
        self._connection: Connection | None = None

    async def version(self, rep_id: int, plan_id: int, day: int) -> tuple | None:
        if self._connection is None:
            self._connection = self._engine.connect()
        raw = self._connection.connection.driver_connection
        assert raw is not None  # the connection is open
        try:
            return self._query.run(raw, rep_id, plan_id, day)
        finally:
            if raw.in_transaction:  # a snapshot left open would hide what is committed next
                raw.rollback()

    async def aclose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _PostgresCheck:
    """Versions read through a few asynchronous psycopg connections in autocommit (each read sees every
    commit), taken in turn: a connection runs one query at a time, so one alone would queue every request of
    the worker behind a round trip to the server. psycopg prepares the statement after a few runs. A failed
    read (server restarted, connection dropped) counts as an outdated version: the list is then built through
    the app's engine, which reconnects or answers as the API does when the database is down, and the next
    check on that connection opens a new one."""

    APPLICATION_NAME = "routeplan-day-list-check"  # how the connections show in pg_stat_activity
    CONNECTIONS = 4  # per API process

    def __init__(self, engine: Engine, query: _VersionQuery) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._query = query
        self._connections: list[psycopg.AsyncConnection | None] = [None] * self.CONNECTIONS
        self._turn = 0

    async def version(self, rep_id: int, plan_id: int, day: int) -> tuple | None:
        slot = self._turn
        self._turn = (slot + 1) % self.CONNECTIONS
        try:
            connection = self._connections[slot]
            if connection is None or connection.closed:
                connection = self._connections[slot] = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, application_name=self.APPLICATION_NAME
                )
            async with connection.cursor() as cursor:
                await cursor.execute(self._query.sql, self._query.params(rep_id, plan_id, day))
                rows = await cursor.fetchall()
        except psycopg.Error:
            await self._close(slot)
            return _NO_VERSION
        return tuple(rows[0]) if rows else None

    async def _close(self, slot: int) -> None:
        connection, self._connections[slot] = self._connections[slot], None
        if connection is not None:
            await connection.close()

    async def aclose(self) -> None:
        for slot in range(self.CONNECTIONS):
            await self._close(slot)


@dataclass(frozen=True)
class DayListBody:
    """One day list as sent: the JSON bytes and, when it is worth compressing, their gzip."""

    json: bytes
    gzipped: bytes | None

    @classmethod
    def of(cls, listing: DayListPublic) -> DayListBody:
        body = _DAY_LIST_JSON.dump_json(listing)
        return cls(body, gzip.compress(body, GZIP_LEVEL, mtime=0) if len(body) >= GZIP_MIN_BYTES else None)

    def response(self, accept_encoding: str) -> Response:
        # the app's GZipMiddleware passes a response that already has a Content-Encoding through untouched
        if self.gzipped is not None and "gzip" in accept_encoding:
            return Response(
                self.gzipped,
                media_type="application/json",
                headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
            )
        return Response(self.json, media_type="application/json", headers={"Vary": "Accept-Encoding"})


@dataclass(frozen=True)
class KeptList:
    """A kept list still current, and the rep's office and supervisor as just read with its version: what the
    access policy needs to answer it (service/day_list/fast_path.py)."""

    body: DayListBody
    office_id: int
    supervisor_id: int | None


@dataclass
class _Cycle:
    """The published plan's cycle, read without the rest of its row."""

    start_date: date
    weeks: int


@dataclass(frozen=True)
class _Entry:
    plan_id: int
    day: int
    version: tuple
    body: DayListBody


class DayListCache:
    """Day lists of one database, for one API process."""

    def __init__(self, engine: Engine, max_entries: int = MAX_ENTRIES) -> None:
        self._engine = engine
        self._max_entries = max_entries
        self._entries: dict[tuple[int, date], _Entry] = {}
        self._lock = threading.Lock()  # lists are built and stored in the thread pool
        self._query = _VersionQuery(engine.dialect)
        check = _SqliteCheck if engine.dialect.name == "sqlite" else _PostgresCheck
        self._check = check(engine, self._query)
        self.builds = 0  # lists built from the database (a read answered from memory builds none)

    async def kept(self, rep_id: int, on: date) -> KeptList | None:
        """The rep's kept list for `on` when its version is still current, else None (never built here)."""
        entry = self._entries.get((rep_id, on))
        if entry is None:
            return None
        version = await self._check.version(rep_id, entry.plan_id, entry.day)
        if version != entry.version:
            return None
        return KeptList(entry.body, version[_REP_OFFICE_ID], version[_REP_SUPERVISOR_ID])

    async def day_list(self, rep_id: int, on: date) -> DayListBody:
        """The rep's list for `on`: the kept one when it is still current, else built in the thread pool.
        Raises what `day_list_views.rep_day_list` raises (unknown rep, no published plan, date before it)."""
        kept = await self.kept(rep_id, on)
        return kept.body if kept is not None else await run_in_threadpool(self._build, rep_id, on)

    def _build(self, rep_id: int, on: date) -> DayListBody:
        with self._lock:
            self.builds += 1
        with Session(self._engine) as session:
            published = session.exec(
                select(col(Plan.id), col(Plan.start_date), col(Plan.weeks))
                .join(Rep, col(Rep.office_id) == Plan.office_id)
                .where(Rep.id == rep_id, Plan.status == PlanStatus.PUBLISHED)
            ).first()
            plan_id, version = None, None
            if published is not None:
                plan_id, start_date, weeks = published
                day = cycle_day(_Cycle(start_date, weeks), on)
                if plan_id is not None and day is not None:
                    raw = session.connection().connection.driver_connection
                    version = self._query.run(raw, rep_id, plan_id, day)
            listing = day_list_views.rep_day_list(session, rep_id, on)  # after the version: see the module's notes
        body = DayListBody.of(listing)
        # keep the list only when the version describes the plan the list was built from
        if version is not None and version[_PUBLISHED_PLAN_ID] == plan_id == listing.plan_id:
            self._store((rep_id, on), _Entry(listing.plan_id, listing.day, version, body))
        return body

    def _store(self, key: tuple[int, date], entry: _Entry) -> None:
        with self._lock:
            self._entries.pop(key, None)
            if len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]  # the oldest stored
            self._entries[key] = entry

    async def aclose(self) -> None:
        await self._check.aclose()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's cache (`app.state.day_list_cache`) for as long as it serves; one per API process. Also starts
    making the visit card's font, so that the first card does not wait for it."""
    cache = app.state.day_list_cache = DayListCache(app.state.engine)
    card_font.warm_in_background()
    try:
        yield
    finally:
        await cache.aclose()
