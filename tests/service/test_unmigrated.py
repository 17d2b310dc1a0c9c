"""A database whose schema is not at the newest migration: not ready, and every request that
meets a missing table says why and how to fix it (not "try again shortly").

Written for any number of migrations: "one behind" is `alembic downgrade -1` from head.
"""
import logging

import pytest
from alembic import command

from service import create_app
from service.db import alembic_config, head_revision, upgrade

from .test_errors import assert_problem

CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Federal Security Service", "type": "state_agency"}}
FIX = "alembic upgrade head"


@pytest.fixture
def database_url(any_database):
    return any_database


@pytest.fixture
def make_app(settings, scorer):
    """An app serving the default model over the test's database, as it is (not migrated)."""
    made = []

    def make():
        app = create_app(settings)
        slot = app.extensions["model"]
        slot.scorer, slot.error = scorer, None
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["db"]["engine"].dispose()


def previous_revision() -> str | None:
    """The revision one migration before head; None when head is the first one."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return script.get_revision(head_revision()).down_revision


def one_behind(url):
    upgrade(url)
    command.downgrade(alembic_config(url), "-1")


def test_head_is_the_newest_migration_script():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head()
    assert head_revision() is not None


def test_readyz_on_a_fresh_empty_database_names_the_fix(make_app):
    response = make_app().test_client().get("/readyz")
    detail = assert_problem(response, 503)["detail"]
    assert "no migration" in detail
    assert head_revision() in detail and FIX in detail


def test_readyz_one_migration_behind_names_both_revisions(make_app, database_url):
    one_behind(database_url)
    response = make_app().test_client().get("/readyz")
    detail = assert_problem(response, 503)["detail"]
    found = previous_revision()
    assert (found if found else "no migration") in detail
    assert f"needs {head_revision()}" in detail and FIX in detail


def test_readyz_at_head_is_ready(make_app, database_url):
    upgrade(database_url)
    response = make_app().test_client().get("/readyz")
    assert response.status_code == 200 and response.json["status"] == "ready"


@pytest.mark.parametrize("state", ["fresh", "downgraded to base"])
def test_a_request_meeting_a_missing_table_says_why_once(make_app, database_url, state,
                                                         writer_headers, caplog):
    if state != "fresh":
        upgrade(database_url)
        command.downgrade(alembic_config(database_url), "base")
    client = make_app().test_client()
    reason = client.get("/readyz").json["detail"]
    with caplog.at_level(logging.ERROR):
        answers = [client.post("/v1/assessments", json=CLAIM),
                   client.post("/v1/assessments", json=CLAIM),
                   client.post("/v1/sources", json={"name": "TASS"}, headers=writer_headers),
                   client.get("/v1/sources"),
                   client.get("/v1/sources/some-id"),
                   client.post("/v1/sources", json={"name": "TASS"},
                               headers={"X-API-Key": "csk_not_configured"})]
    for response in answers:
        detail = assert_problem(response, 503)["detail"]
        assert detail in reason and FIX in detail, detail
        assert "Try again shortly" not in detail
        assert "Retry-After" not in response.headers
    logged = [record for record in caplog.records if FIX in record.getMessage()]
    assert len(logged) == 1, [record.getMessage() for record in caplog.records]
    assert client.get("/healthz").status_code == 200   # liveness: a restart would not help


def test_migrating_makes_the_same_app_ready(make_app, database_url):
    client = make_app().test_client()
    assert client.post("/v1/assessments", json=CLAIM).status_code == 503
    upgrade(database_url)
    assert client.get("/readyz").status_code == 200
    assert client.post("/v1/assessments", json=CLAIM).status_code == 201
