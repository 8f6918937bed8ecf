"""Alembic environment: the target schema is the SQLModel metadata of service/core/tables.py."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

from service.core import tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from service.core.db import database_url, make_engine

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by service.core.db.migrate
        _configure(connection)
        return
    # the alembic command line: DATABASE_URL or the default SQLite file, as the service would use
    url = config.get_main_option("sqlalchemy.url") or database_url()
    engine = make_engine(url, pooled=False)
    try:
        with engine.begin() as connection:
            _configure(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
