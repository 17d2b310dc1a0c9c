"""Shared fixtures: an app over a fresh, migrated database per test (flaskr's pattern).

Storage tests use `any_database` to run on SQLite and, when TEST_DATABASE_URL names
one, on PostgreSQL too (in a schema of their own, dropped afterwards).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.served import postgres_schema
from service import create_app
from service.db import upgrade

ROOT = Path(__file__).resolve().parent.parent
WRITER_KEY = "test-writer-key"
ADMIN_KEY = "test-admin-key"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
# The committed default model unless TEST_MODEL_REGISTRY names another registry.
MODEL_REGISTRY = Path(os.environ.get("TEST_MODEL_REGISTRY") or ROOT / "model" / "registry")
needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL, reason="set TEST_DATABASE_URL to a PostgreSQL database (.ci/run does)")


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def postgres_url():
    """A PostgreSQL schema of this test's own (empty: the test migrates it), dropped after."""
    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database (.ci/run does)")
    with postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        pytest.skip("set TEST_REDIS_URL to a Redis server (.ci/run does)")
    return REDIS_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=needs_postgres)])
def any_database(request, tmp_path):
    """A database URL: SQLite, then PostgreSQL; the same test runs on each."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def database_url(tmp_path):
    return sqlite_url(tmp_path)


@pytest.fixture
def settings(database_url, tmp_path):
    """The test overrides of create_app's config; a test may change them before `app`."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "MODEL_REGISTRY": str(tmp_path / "no-registry"),
        "MODEL_POLL_SECONDS": 3600.0,
        "API_KEYS": WRITER_KEY,
        "ADMIN_API_KEYS": ADMIN_KEY,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_APPLICATION": "10000 per minute",
    }


@pytest.fixture
def app(settings):
    upgrade(settings["DATABASE_URL"])
    app = create_app(settings)
    yield app
    app.extensions["db"]["engine"].dispose()


@pytest.fixture(scope="session")
def scorer():
    """The committed default model, loaded once for the whole run."""
    if not (MODEL_REGISTRY / "CURRENT").exists():
        # The default model is committed: its absence is a broken tree, not a reason to skip.
        pytest.fail(f"no model registry with a CURRENT version at {MODEL_REGISTRY}")
    from model.scoring import Scorer

    return Scorer.load(str(MODEL_REGISTRY))


@pytest.fixture
def model_registry_dir():
    return MODEL_REGISTRY


@pytest.fixture
def scoring_app(app, scorer):
    """`app` serving the default model (loaded once per run, not once per test)."""
    slot = app.extensions["model"]
    slot.scorer, slot.error = scorer, None
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def writer_headers():
    return {"X-API-Key": WRITER_KEY}


@pytest.fixture
def admin_headers():
    return {"X-API-Key": ADMIN_KEY}
