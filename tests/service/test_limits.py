"""Rate limits: per key or address, 429 with Retry-After, shared through Redis."""
import uuid

import pytest

from service import create_app


@pytest.fixture
def limited(settings):
    settings.update(RATELIMIT_APPLICATION="3 per minute")
    return settings


def test_the_limit_answers_429_with_retry_after(limited, app, client):
    answers = [client.get("/v1/taxonomy") for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert "Retry-After" not in answers[0].headers
    assert answers[0].headers["X-RateLimit-Remaining"] == "2"
    response = client.get("/v1/taxonomy")
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


def test_one_allowance_covers_every_v1_route(limited, app, client):
    assert [client.get("/v1/taxonomy").status_code for _ in range(2)] == [200, 200]
    assert client.get("/v1/sources").status_code == 200
    assert client.get("/v1/model").status_code == 429


def test_each_key_has_its_own_allowance(limited, app, client, writer_headers, admin_headers):
    for _ in range(3):
        assert client.get("/v1/taxonomy", headers=writer_headers).status_code == 200
    assert client.get("/v1/taxonomy", headers=writer_headers).status_code == 429
    assert client.get("/v1/taxonomy", headers=admin_headers).status_code == 200
    assert client.get("/v1/taxonomy").status_code == 200  # the bare address is apart too


def test_invented_keys_share_the_address_allowance(limited, app, client):
    statuses = [client.get("/v1/taxonomy", headers={"X-API-Key": f"made-up-{n}"}).status_code
                for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_health_and_metrics_are_not_limited(limited, app, client):
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200


def test_two_apps_share_one_allowance_through_redis(limited, redis_url):
    # Two apps stand for two gunicorn workers; a fresh prefix keeps runs apart.
    limited.update(RATELIMIT_STORAGE_URI=redis_url,
                   RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    from service.db import upgrade

    upgrade(limited["DATABASE_URL"])
    apps = [create_app(limited), create_app(limited)]
    try:
        statuses = [apps[n % 2].test_client().get("/v1/taxonomy").status_code
                    for n in range(4)]
    finally:
        for app in apps:
            app.extensions["db"]["engine"].dispose()
    assert statuses == [200, 200, 200, 429]
