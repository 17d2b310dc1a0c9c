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


def test_assessments_made_before_desks_become_the_default_desks(database_url, monkeypatch):
    """Migration 0002_desks: older rows get DEFAULT_DESK (as set when it runs), their score
    as answered, and the log-odds of that score as the model's (no desk calibrated it)."""
    import datetime
    import math

    from sqlalchemy import text

    upgrade(database_url, "0001")
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            for number, score in enumerate((0.2, 0.75)):
                connection.execute(text(
                    "INSERT INTO assessments (id, created_at, input, output, model_version, "
                    "policy_version) VALUES (:id, :at, '{}', :output, 'm', 'p')"),
                    {"id": f"old-{number}", "at": datetime.datetime(2026, 1, 1),
                     "output": f'{{"score": {score}}}'})
        monkeypatch.setenv("DEFAULT_DESK", "house")
        upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT desk, score, model_logit FROM assessments "
                                           "ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [row.desk for row in rows] == ["house", "house"]
    assert [row.score for row in rows] == [0.2, 0.75]
    assert [row.model_logit for row in rows] == pytest.approx([math.log(0.2 / 0.8),
                                                               math.log(3.0)])
