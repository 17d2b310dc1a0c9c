"""The engine, a session per request, and the migrations that make the schema."""
from __future__ import annotations

import contextlib
from pathlib import Path

import click
from flask import current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from .config import ROOT
from .jsonio import dumps

ALEMBIC_INI = ROOT / "alembic.ini"
RETRY_AFTER_SECONDS = 5


SYNCHRONOUS = ("NORMAL", "FULL")


def make_engine(url: str, synchronous: str = "NORMAL"):
    """An engine for `url`; SQLite gets WAL, a busy timeout and writers that lock up front.

    ``synchronous`` is SQLite's: under WAL, NORMAL makes a commit durable against a crash
    of the service (the transaction is in the WAL file before COMMIT returns) but not
    against a power cut or a crash of the operating system before the next checkpoint;
    FULL also waits for the disk at every commit (about half of a request's time).
    """
    if synchronous not in SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SYNCHRONOUS)}, "
                         f"not {synchronous!r}")
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, future=True, json_serializer=dumps)
    # A "file:...?uri=true" name is an SQLite URI (e.g. mode=ro), not a path to make.
    if parsed.database and parsed.database != ":memory:" and "uri" not in parsed.query:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, json_serializer=dumps)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A writer that reads first and writes later would fail with SQLITE_BUSY under WAL
        # instead of waiting; BEGIN IMMEDIATE takes the write lock first and waits for it.
        immediate = connection.get_execution_options().get("sqlite_immediate")
        # Straight to the driver: SQLAlchemy's statement machinery cost more than BEGIN.
        connection.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def init_app(app) -> None:
    engine = make_engine(app.config["DATABASE_URL"], app.config["SQLITE_SYNCHRONOUS"].upper())
    app.extensions["db"] = {
        "engine": engine,
        "read": sessionmaker(engine, expire_on_commit=False),
        "write": sessionmaker(engine.execution_options(sqlite_immediate=True),
                              expire_on_commit=False),
    }
    app.teardown_appcontext(_close_sessions)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(PoolTimeout, _unavailable)
    app.cli.add_command(migrate_command)


def session() -> Session:
    """This request's session for reading."""
    if "db_read" not in g:
        g.db_read = current_app.extensions["db"]["read"]()
    return g.db_read


@contextlib.contextmanager
def transaction():
    """A session in a write transaction: committed at the end, rolled back on error.

    The request's read transaction ends first (nothing was written in it, and objects
    read stay loaded): an SQLite reader left open across a write pins the WAL, so no
    checkpoint can finish and every later commit pays for a failed one.
    """
    reader = g.get("db_read")
    if reader is not None and reader.in_transaction():
        reader.commit()
    with current_app.extensions["db"]["write"]() as writer, writer.begin():
        yield writer


def _close_sessions(_exc=None):
    reader = g.pop("db_read", None)
    if reader is not None:
        reader.close()


def _unavailable(error):
    """Unreachable, read-only or full: the transaction rolled back, so a retry is safe."""
    from .problems import problem

    current_app.logger.error("database unavailable: %s", type(error).__name__)
    g.retry_after = RETRY_AFTER_SECONDS  # kept by the limiter's Retry-After filter
    return problem(503, "The database is unavailable; nothing was stored. Try again shortly.",
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def reachable(app) -> str | None:
    """None when the database answers, else why not (for /readyz)."""
    try:
        with app.extensions["db"]["engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any driver error means "not ready", reported in a word
        return f"database unreachable: {type(error).__name__}"
    return None


def upgrade(url: str, revision: str = "head") -> None:
    """Apply Alembic's migrations to the database at `url`."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


@click.command("migrate")
def migrate_command():
    """Bring the database schema up to date (alembic upgrade head)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest migration")
