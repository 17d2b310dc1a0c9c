"""/healthz, /readyz and /metrics."""
from sqlalchemy import create_engine

from service.db import upgrade


def test_healthz_answers_without_a_model(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "model_version": None}


def test_readyz_is_503_with_the_reason_when_no_model_is_loaded(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "no model loaded" in response.json["detail"]


def test_readyz_names_an_unreachable_database(settings):
    from service import create_app

    # Nothing listens on port 1: the connection is refused at once.
    app = create_app({**settings, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    try:
        response = app.test_client().get("/readyz")
    finally:
        app.extensions["db"]["engine"].dispose()
    assert response.status_code == 503
    assert "database unreachable" in response.json["detail"]


def test_metrics_counts_requests_by_route_and_status(client):
    def count():
        text = client.get("/metrics").get_data(as_text=True)
        for line in text.splitlines():
            if (line.startswith("credibility_http_requests_total{")
                    and 'endpoint="/v1/taxonomy"' in line and 'status="200"' in line):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = count()
    for _ in range(3):
        assert client.get("/v1/taxonomy").status_code == 200
    assert count() == before + 3
    assert client.get("/metrics").mimetype == "text/plain"


def test_metrics_content_type_names_one_charset(client):
    content_type = client.get("/metrics").headers["Content-Type"]
    assert content_type.lower().count("charset") == 1, content_type
    assert content_type.startswith("text/plain; version=") and "charset=utf-8" in content_type


def test_migrations_upgrade_twice_without_harm(database_url):
    upgrade(database_url)
    upgrade(database_url)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()


def test_readyz_is_200_with_a_model_and_a_database(scoring_app, client, scorer):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "model_version": scorer.version}
