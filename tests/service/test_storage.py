"""The schema Alembic makes is the one the code maps, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from service.db import make_engine, upgrade
from service.tables import Base


@pytest.fixture
def database_url(any_database):
    return any_database


def test_migrations_build_exactly_the_mapped_tables(database_url):
    upgrade(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_ids_are_time_ordered_uuid7():
    """New rows land at the end of the primary-key index: an id made later sorts later
    (whenever the clock has moved on by a millisecond), and ids stay unique."""
    import time
    import uuid

    from service.tables import new_id

    first = [new_id() for _ in range(2000)]
    time.sleep(0.002)
    later = new_id()
    assert len(set(first)) == len(first)
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122
               for i in first)
    assert later > max(first)
    stamp = int(uuid.UUID(later).hex[:12], 16)
    assert abs(stamp - time.time() * 1000) < 5_000
