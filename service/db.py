"""The engine, a session per request, and the migrations that make the schema."""
from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import click
from flask import current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from .config import ROOT
from .jsonio import dumps

ALEMBIC_INI = ROOT / "alembic.ini"
RETRY_AFTER_SECONDS = 5
MIGRATE = "alembic upgrade head"
# What a driver says when the schema lacks a table or column: SQLite's message, and
# PostgreSQL's SQLSTATE (undefined_table, undefined_column).
_SQLITE_MISSING = ("no such table", "no such column", "has no column named")
_POSTGRES_MISSING = ("42P01", "42703")


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
    app.extensions["db"]["schema_logged"] = set()   # reasons logged by this process
    app.register_error_handler(OperationalError, _unavailable)
    app.register_error_handler(ProgrammingError, _unavailable)
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
    """Unreachable, read-only or full: the transaction rolled back, so a retry is safe.
    Unmigrated: a retry cannot help, so the answer says what can (and logs it once)."""
    from .problems import problem

    reason = _schema_fault(error)
    if reason is not None:
        logged = current_app.extensions["db"]["schema_logged"]
        if reason not in logged:
            logged.add(reason)
            current_app.logger.error("database not migrated: %s", reason)
        return problem(503, reason)
    if isinstance(error, ProgrammingError):
        raise error   # a fault of ours, not the database's: a 500, logged with its trace
    current_app.logger.error("database unavailable: %s", type(error).__name__)
    g.retry_after = RETRY_AFTER_SECONDS  # kept by the limiter's Retry-After filter
    return problem(503, "The database is unavailable; nothing was stored. Try again shortly.",
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _schema_fault(error) -> str | None:
    """What to do, when `error` is a missing table or column; None for any other fault."""
    if not missing_schema(error):
        return None
    try:
        return schema_behind(current_app) or schema_incomplete(head_revision())
    except (OperationalError, ProgrammingError, PoolTimeout):   # gone meanwhile
        return None


def missing_schema(error) -> bool:
    """Whether a database error says a table or column is missing (an unmigrated schema)."""
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) in _POSTGRES_MISSING:
        return True
    return isinstance(error, OperationalError) and str(orig).startswith(_SQLITE_MISSING)


def schema_revisions(connection) -> set[str]:
    """The revisions the database records (Alembic's alembic_version); none when unmigrated.
    One query: a missing table is told by the error, as for any request."""
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}
    except (OperationalError, ProgrammingError) as error:
        if missing_schema(error):
            return set()
        raise


def schema_behind(app) -> str | None:
    """None when the database is at the newest migration, else what to do about it."""
    with app.extensions["db"]["engine"].connect() as connection:
        found = schema_revisions(connection)
    needed = head_revision()
    if found == {needed}:
        return None
    at = ("has no migration applied" if not found
          else f"is at revision {', '.join(sorted(found))}")
    return (f"The database schema {at}; this service needs {needed}. Run `{MIGRATE}` "
            "(README, Operations) and the service is ready without a restart.")


def schema_incomplete(revision: str) -> str:
    return (f"The database records revision {revision} but lacks a table or column of it; "
            f"restore it, or run `{MIGRATE}` on an empty database.")


def readiness(app) -> str | None:
    """None when the database answers and is migrated, else why not (for /readyz)."""
    try:
        return schema_behind(app)
    except Exception as error:  # any driver error means "not ready", reported in a word
        return f"database unreachable: {type(error).__name__}"


@functools.cache
def head_revision() -> str:
    """The newest migration in migrations/; read once per process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def alembic_config(url: str):
    """Alembic's configuration for the database at `url` (migrations/env.py reads it)."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply Alembic's migrations to the database at `url`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@click.command("migrate")
def migrate_command():
    """Bring the database schema up to date (alembic upgrade head)."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest migration")
