"""Database faults: unreachable, vanished, read-only, full. A clear 503, nothing half-written,
and back to work without a restart when the database returns."""
import shutil
import sqlite3
import uuid

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from service import create_app
from service.db import upgrade
from service.tables import Assessment, Source, Verdict

from .test_errors import assert_problem

CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Federal Security Service", "type": "state_agency"}}
CLOSED_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:1/none"


@pytest.fixture
def make_app(settings, scorer):
    """Apps over a given database URL, serving the default model; disposed afterwards."""
    made = []

    def make(url, **overrides):
        app = create_app({**settings, "DATABASE_URL": url, **overrides})
        slot = app.extensions["model"]
        slot.scorer, slot.error = scorer, None
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["db"]["engine"].dispose()


def assert_unavailable(response):
    body = assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert "Traceback" not in body["detail"] and "password" not in body["detail"]


def assert_every_call_is_503(client, writer_headers, assessment_id="nope", source_id="nope"):
    """Readiness, scoring, every write and every read that needs the database."""
    assert_problem(client.get("/readyz"), 503)
    assert client.get("/healthz").status_code == 200  # liveness: do not restart for this
    writes = [
        client.post("/v1/assessments", json=CLAIM),
        client.post("/v1/assessments/batch", json={"items": [CLAIM, CLAIM]}),
        client.post("/v1/sources", json={"name": "TASS"}, headers=writer_headers),
        client.patch(f"/v1/sources/{source_id}", json={"notes": "n"}, headers=writer_headers),
        client.post(f"/v1/assessments/{assessment_id}/verdict",
                    json={"verdict": "false", "reviewer": "desk-3"}, headers=writer_headers),
        # A key not in the configuration is looked up in the database: 503, not 403 or 500.
        client.post("/v1/sources", json={"name": "TASS"}, headers={"X-API-Key": "csk_x"}),
    ]
    reads = [client.get("/v1/sources"), client.get(f"/v1/sources/{source_id}"),
             client.get(f"/v1/assessments/{assessment_id}")]
    for response in writes + reads:
        assert_unavailable(response)
    # What needs no database still answers.
    assert client.get("/v1/taxonomy").status_code == 200
    assert client.get("/v1/model").status_code == 200


def counts(url):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {table.__name__: connection.execute(
                select(func.count()).select_from(table)).scalar()
                for table in (Assessment, Source, Verdict)}
    finally:
        engine.dispose()


def test_postgresql_unreachable_is_503_everywhere(make_app, writer_headers):
    assert_every_call_is_503(make_app(CLOSED_POSTGRES).test_client(), writer_headers)


def test_every_operation_that_needs_the_database_documents_its_503(make_app):
    spec = make_app(CLOSED_POSTGRES).test_client().get("/openapi.json").json
    for path, methods in spec["paths"].items():
        if path.startswith(("/v1/sources", "/v1/assessments")):
            for method, operation in methods.items():
                if method == "parameters":
                    continue
                assert "503" in operation["responses"], (method, path)


def test_a_vanished_sqlite_folder_is_503_then_works_once_it_is_back(make_app, tmp_path,
                                                                   writer_headers):
    folder = tmp_path / "db"
    url = f"sqlite:///{folder / 'service.db'}"
    app = make_app(url)  # makes the folder, as at start
    client = app.test_client()
    shutil.rmtree(folder)
    assert_every_call_is_503(client, writer_headers)
    folder.mkdir()
    upgrade(url)
    # The same app, not restarted.
    assert client.get("/readyz").status_code == 200
    scored = client.post("/v1/assessments", json=CLAIM)
    assert scored.status_code == 201
    verdict = client.post(f"/v1/assessments/{scored.json['id']}/verdict",
                          json={"verdict": "false", "reviewer": "desk-3"}, headers=writer_headers)
    assert verdict.status_code == 200 and verdict.json["track_record"]["counts"]["false"] >= 1
    assert counts(url) == {"Assessment": 1, "Source": 1, "Verdict": 1}


def test_postgresql_that_comes_back_needs_no_restart(make_app, writer_headers):
    from tests.conftest import POSTGRES_URL

    if not POSTGRES_URL:
        pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database (.ci/run does)")
    name = "svc_fault_" + uuid.uuid4().hex[:10]
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    client = make_app(url).test_client()
    assert_every_call_is_503(client, writer_headers)  # the database does not exist yet
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        upgrade(url)
        assert client.get("/readyz").status_code == 200
        scored = client.post("/v1/assessments", json=CLAIM)
        assert scored.status_code == 201
        assert client.get(f"/v1/assessments/{scored.json['id']}").status_code == 200
        assert counts(url)["Assessment"] == 1
    finally:
        client.application.extensions["db"]["engine"].dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def stored(app, scorer, tmp_path, writer_headers):
    """A migrated SQLite database holding one source, one assessment and one verdict."""
    slot = app.extensions["model"]
    slot.scorer, slot.error = scorer, None
    client = app.test_client()
    scored = client.post("/v1/assessments", json=CLAIM).json
    record = client.post(f"/v1/assessments/{scored['id']}/verdict",
                         json={"verdict": "false", "reviewer": "desk-3"},
                         headers=writer_headers).json
    app.extensions["db"]["engine"].dispose()
    return {"url": app.config["DATABASE_URL"], "assessment_id": scored["id"],
            "source_id": record["id"], "record": record}


def _writes_refused(client, stored, writer_headers):
    writes = [
        client.post("/v1/assessments", json=CLAIM),
        client.post("/v1/assessments/batch", json={"items": [CLAIM, CLAIM]}),
        client.post("/v1/sources", json={"name": "TASS"}, headers=writer_headers),
        client.patch(f"/v1/sources/{stored['source_id']}", json={"notes": "n"},
                     headers=writer_headers),
        client.post(f"/v1/assessments/{stored['assessment_id']}/verdict",
                    json={"verdict": "true", "reviewer": "desk-4"}, headers=writer_headers),
    ]
    for response in writes:
        assert_unavailable(response)


def test_a_read_only_sqlite_file_refuses_writes_and_still_reads(make_app, stored,
                                                               writer_headers):
    before = counts(stored["url"])
    path = make_url(stored["url"]).database
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    client = make_app(read_only).test_client()
    _writes_refused(client, stored, writer_headers)
    # Reads still work, and the record is exactly what it was: nothing half-written.
    source = client.get(f"/v1/sources/{stored['source_id']}")
    assert source.status_code == 200
    assert source.json["track_record"] == stored["record"]["track_record"] | {"by_topic": {}}
    assert client.get(f"/v1/assessments/{stored['assessment_id']}").status_code == 200
    assert counts(stored["url"]) == before
    engine = create_engine(stored["url"])
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()


def test_a_full_disk_is_503_and_leaves_the_database_whole(make_app, stored, writer_headers):
    with sqlite3.connect(make_url(stored["url"]).database) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0] + 2
    app = make_app(stored["url"])

    @event.listens_for(app.extensions["db"]["engine"], "connect")
    def _no_room(dbapi_connection, _record):
        # SQLite's own "database or disk is full": the file may not grow past `pages`.
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    client = app.test_client()
    # Fill the room left in pages in use; a write that still fits is stored whole.
    for claim in (dict(CLAIM, claim="x " * 990), CLAIM):
        refusals = 0
        for _ in range(300):
            response = client.post("/v1/assessments", json=claim)
            if response.status_code == 503:
                assert_unavailable(response)
                refusals += 1
                if refusals == 3:
                    break
            else:
                assert response.status_code == 201
                refusals = 0
        else:
            pytest.fail("the database never filled up")
    response = client.post(f"/v1/assessments/{stored['assessment_id']}/verdict",
                           json={"verdict": "true", "reviewer": "desk-4"},
                           headers=writer_headers)
    before = counts(stored["url"])
    record = client.get(f"/v1/sources/{stored['source_id']}").json["track_record"]
    counted = stored["record"]["track_record"]["counts"]
    if response.status_code == 503:  # the verdict and its count: both or neither
        assert_unavailable(response)
        assert record == stored["record"]["track_record"] | {"by_topic": {}}
    else:
        assert response.status_code == 200
        assert record["counts"]["true"] == counted["true"] + 1
        assert record["counts"]["false"] == counted["false"] - 1
    # Whatever still fits is stored whole; what does not is refused whole.
    expected = dict(before, Verdict=before["Verdict"])
    batch = client.post("/v1/assessments/batch", json={"items": [CLAIM] * 5})
    if batch.status_code == 503:
        assert_unavailable(batch)
    else:
        assert [item["status"] for item in batch.json["items"]] == [201] * 5
        expected["Assessment"] += 5
    source = client.post("/v1/sources", json={"name": "TASS " + "x" * 190},
                         headers=writer_headers)
    if source.status_code == 503:
        assert_unavailable(source)
    else:
        assert source.status_code == 201
        expected["Source"] += 1
    assert counts(stored["url"]) == expected
    engine = create_engine(stored["url"])
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()
