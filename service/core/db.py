"""The database: engine, request sessions and schema migrations.

SQLite file `var/routeplan.db` under the current directory unless DATABASE_URL says otherwise
(PostgreSQL: `postgresql+psycopg://user@host:5432/name`). The schema is created by Alembic only.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy import Engine, event, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

DEFAULT_SQLITE_PATH = Path("var") / "routeplan.db"
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else DATABASE_URL, else the default SQLite file."""
    url = url or os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg (v3) is the driver we install; SQLAlchemy would otherwise look for psycopg2
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


SQLITE_BUSY_TIMEOUT_S = 30


def _prepare_sqlite_file(url: str) -> None:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys unless asked, per connection
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (day lists) do not wait for a plan being written
    # WAL's recommended setting: a commit is not synced to disk until the checkpoint, so the write lock is not held
    # through an fsync per visit report (the database stays consistent; a power cut may lose the last commits)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, *, pooled: bool = True) -> Engine:
    """An engine for `url` (resolved by `database_url`); SQLite gets foreign keys and WAL on every connection."""
    url = database_url(url)
    # pooled: enough connections for the request thread pool (40) without reconnecting under load
    kwargs: dict = {"pool_size": 20, "max_overflow": 20} if pooled else {"poolclass": NullPool}
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        # the app serves requests from a thread pool; SQLAlchemy's pool hands one connection to one thread at a time
        # writers queue for SQLite's one write lock: under a burst of visit reports a wait of seconds is an answer,
        # not a "database is locked" error (the driver's default is 5 s)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    config.attributes["configure_logger"] = False  # keep the host application's logging as it is
    return config


def migrate(url: str | None = None) -> None:
    """Bring the database at `url` to the newest schema (`alembic upgrade head`)."""
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the endpoint returns without an error."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session
        session.commit()


# scope="function": commit before the response is sent, so a failing commit becomes an error response
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class CommittingRoute(APIRoute):
    """A route whose (sync) endpoint commits its request session in the thread it ran in. The session's own
    commit runs as another task of the request thread pool; a write holding a lock (a rep's or an office's row,
    SQLite's write lock) would wait for that task, and a burst of requests waiting for the same lock can fill the
    pool first, so the lock is never released. Every router of the service that opens a session uses it."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session):
                value.commit()
        return result

    return run
