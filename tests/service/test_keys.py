"""API keys: the CLI prints a key once and stores its hash; admin keys reload the model."""
import hashlib
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from service import db
from service.tables import ApiKey


def test_cli_creates_a_key_that_works_and_stores_only_its_hash(app, client, runner, caplog):
    result = runner.invoke(args=["keys", "create", "desk-3"])
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert key.startswith("csk_") and len(key) > 30
    with app.app_context():
        row = db.session().execute(select(ApiKey)).scalar_one()
    assert row.name == "desk-3" and row.key_sha256 == hashlib.sha256(key.encode()).hexdigest()
    response = client.post("/v1/sources", json={"name": "TASS"}, headers={"X-API-Key": key})
    assert response.status_code == 201
    assert key not in caplog.text


def test_cli_refuses_a_second_key_of_the_same_name(runner):
    assert runner.invoke(args=["keys", "create", "desk-3"]).exit_code == 0
    again = runner.invoke(args=["keys", "create", "desk-3"])
    assert again.exit_code != 0 and "exists already" in again.output


def test_a_revoked_key_stops_working(runner, client):
    key = runner.invoke(args=["keys", "create", "temp"]).output.strip()
    assert runner.invoke(args=["keys", "revoke", "temp"]).exit_code == 0
    response = client.post("/v1/sources", json={"name": "TASS"}, headers={"X-API-Key": key})
    assert response.status_code == 403


def test_model_reload_needs_an_admin_key(runner, client, writer_headers, admin_headers):
    assert client.post("/v1/model/reload").status_code == 401
    assert client.post("/v1/model/reload", headers=writer_headers).status_code == 403
    admin = runner.invoke(args=["keys", "create", "ops", "--admin"]).output.strip()
    # No model in this test's registry: the admin gets past the key check to a refusal.
    assert client.post("/v1/model/reload", headers={"X-API-Key": admin}).status_code == 409
    assert client.post("/v1/model/reload", headers=admin_headers).status_code == 409


def test_scoring_can_be_made_to_need_a_key(settings, writer_headers):
    from service import create_app

    body = {"claim": "c", "source": {"type": "other"}}
    for required, status in ((False, 503), (True, 401)):
        app = create_app({**settings, "SCORING_REQUIRES_KEY": required})
        try:
            client = app.test_client()
            assert client.post("/v1/assessments", json=body).status_code == status
            assert client.post("/v1/assessments/batch",
                               json={"items": [body]}).status_code == status
            # With a key the request reaches the model (none is loaded here: 503).
            assert client.post("/v1/assessments", json=body,
                               headers=writer_headers).status_code == 503
        finally:
            app.extensions["db"]["engine"].dispose()


def test_python_m_service_keys_creates_a_key(database_url, app):
    done = subprocess.run([sys.executable, "-m", "service.keys", "create", "from-shell"],
                          env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin",
                               "MODEL_REGISTRY": "/nonexistent"},
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip().splitlines()[-1]
    with app.app_context():
        row = db.session().get(ApiKey, "from-shell")
    assert row.key_sha256 == hashlib.sha256(key.encode()).hexdigest()


def test_a_key_belongs_to_the_desk_it_was_made_for(app, runner):
    from service.keys import _lookup

    made = runner.invoke(args=["keys", "create", "third", "--desk", "desk-3"])
    assert made.exit_code == 0, made.output
    plain = runner.invoke(args=["keys", "create", "plain"]).output.strip()
    with app.test_request_context():
        assert _lookup(made.output.strip()).desk == "desk-3"
        assert _lookup(plain).desk is None        # DEFAULT_DESK's
    refused = runner.invoke(args=["keys", "create", "bad", "--desk", "Desk 3"])
    assert refused.exit_code != 0 and "desk id" in refused.output


def test_a_configured_key_may_name_its_desk_after_an_at_sign():
    from service.keys import configured_key

    assert configured_key("s3cret@desk-3") == ("s3cret", "desk-3")
    assert configured_key("s3cret") == ("s3cret", None)
    # What follows the last '@' is a desk only when it is a desk id; else all is the key.
    assert configured_key("p@ss@Desk 3") == ("p@ss@Desk 3", None)
    assert configured_key("p@ss@wire") == ("p@ss", "wire")
    assert configured_key("@desk-3") == ("@desk-3", None)
