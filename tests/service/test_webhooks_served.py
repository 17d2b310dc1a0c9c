"""Webhooks from real gunicorn workers to a real receiver on loopback: each event once in
normal running, one promotion announced once by all workers, a sender killed mid-send
(SIGKILL) delivering after the restart, and 1,000 concurrent verdicts on PostgreSQL
giving 1,000 events with none lost."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

from sqlalchemy import create_engine, func, select

from bench.served import Gunicorn, call
from model.registry import promote
from service.db import upgrade
from service.tables import WebhookDelivery

from .receivers import receiving
from .test_concurrency import KEY, post_verdicts_at_once
from .test_gunicorn import CLAIM
from .test_hot_reload import copy_registry
from .test_model_card import add_version

ADMIN = "served-admin-key"
SECRET_KEY = "s" * 40


def environment(database: str, registry, **settings) -> dict:
    return {"DATABASE_URL": database, "GUNICORN_WORKERS": "2", "API_KEYS": KEY,
            "ADMIN_API_KEYS": ADMIN, "MODEL_REGISTRY": str(registry),
            "RATELIMIT_ENABLED": "false", "WEBHOOKS_SECRET_KEY": SECRET_KEY,
            "WEBHOOKS_ALLOW_HTTP": "true", "WEBHOOKS_ALLOW_PRIVATE": "true",
            "WEBHOOKS_POLL_SECONDS": "0.2", "WEBHOOKS_RETRY_BASE_SECONDS": "0.2", **settings}


def subscribe(base: str, receiver, events) -> str:
    status, _, text = call(base, "POST", "/v1/webhooks",
                           {"url": receiver.url, "events": events}, key=ADMIN)
    assert status == 201, text
    receiver.secret = json.loads(text)["secret"]
    return json.loads(text)["id"]


def assess(base: str, count: int) -> list[str]:
    ids = []
    while len(ids) < count:
        items = [dict(CLAIM, claim=f"{CLAIM['claim']} ({len(ids) + n})")
                 for n in range(min(100, count - len(ids)))]
        status, _, text = call(base, "POST", "/v1/assessments/batch",
                               {"items": items, "explain": False})
        assert status == 200, text
        ids += [item["assessment"]["id"] for item in json.loads(text)["items"]]
    return ids


def delivered(database: str) -> dict[str, int]:
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            return dict(connection.execute(select(WebhookDelivery.status, func.count())
                                           .group_by(WebhookDelivery.status)).all())
    finally:
        engine.dispose()


def test_each_event_once_and_one_promotion_announced_once_by_two_workers(
        model_registry_dir, tmp_path):
    database = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(database)
    registry = copy_registry(model_registry_dir, tmp_path / "registry")
    old, new = (registry / "CURRENT").read_text().strip(), "webhook-promoted-2"
    add_version(registry, old, new)
    env = environment(database, registry, MODEL_POLL_SECONDS="0.3")
    with receiving() as receiver, Gunicorn("webhooks", tmp_path, env) as server:
        server.wait_ready("/readyz", timeout=120)
        subscribe(server.base, receiver, ["verdict.recorded", "model.promoted"])
        ids = assess(server.base, 30)
        for assessment_id in ids:
            status, _, text = call(server.base, "POST", f"/v1/assessments/{assessment_id}/verdict",
                                   {"verdict": "false", "reviewer": "desk-1"}, key=KEY)
            assert status == 200, text
        promote(registry, new)     # both workers load it; one model.promoted between them
        assert receiver.wait_for(lambda r: len(r.events) == 31, timeout=60), (
            len(receiver.events), server.log_tail())
        time.sleep(1.5)            # several polls of both senders: a repeat would come now
        log = server.log_tail(20000)
    assert len(receiver.received) == 31 and receiver.duplicates == 0, log
    assert all(got["valid"] and got["status"] == 200 for got in receiver.received)
    verdicts = receiver.of_type("verdict.recorded")
    assert sorted(e["data"]["verdict"]["assessment_id"] for e in verdicts) == sorted(ids)
    [promoted] = receiver.of_type("model.promoted")
    assert promoted["data"]["version"] == new and promoted["data"]["metrics"]
    assert delivered(database) == {"delivered": 31}


def test_a_sender_killed_mid_send_delivers_after_the_restart(model_registry_dir, tmp_path):
    database = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(database)
    env = environment(database, model_registry_dir, WEBHOOKS_LEASE_SECONDS="3",
                      WEBHOOKS_TIMEOUT_SECONDS="1")
    hold = threading.Event()
    with receiving(hold=hold) as receiver:
        with Gunicorn("killed", tmp_path, env) as server:
            server.wait_ready("/readyz", timeout=120)
            subscribe(server.base, receiver, ["verdict.recorded"])
            [assessment_id] = assess(server.base, 1)
            status, _, text = call(server.base, "POST",
                                   f"/v1/assessments/{assessment_id}/verdict",
                                   {"verdict": "true", "reviewer": "desk-1"}, key=KEY)
            assert status == 200, text
            assert receiver.wait_for(lambda r: len(r.received) == 1, timeout=30)
            # The receiver holds the first POST unanswered: kill master and workers now.
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=30)
        assert delivered(database) == {"pending": 1}
        hold.set()
        with Gunicorn("restarted", tmp_path, env) as server:
            server.wait_ready("/readyz", timeout=120)
            assert receiver.wait_for(lambda r: len(r.received) == 2, timeout=30), \
                server.log_tail()
            deadline = time.monotonic() + 10
            while delivered(database) != {"delivered": 1} and time.monotonic() < deadline:
                time.sleep(0.1)
    first, again = receiver.received
    assert first["event"] == again["event"] and again["valid"] and again["status"] == 200
    assert first["headers"]["X-Credibility-Delivery"] == again["headers"][
        "X-Credibility-Delivery"]
    assert again["event"]["data"]["verdict"]["assessment_id"] == assessment_id
    assert receiver.duplicates == 1 and len(receiver.events) == 1   # dropped by its id
    assert delivered(database) == {"delivered": 1}


def test_1000_concurrent_verdicts_on_postgresql_give_1000_events(
        postgres_url, model_registry_dir, tmp_path):
    upgrade(postgres_url)
    env = environment(postgres_url, model_registry_dir, WEBHOOKS_POLL_SECONDS="0.5")
    with receiving() as receiver, Gunicorn("pg-webhooks", tmp_path, env) as server:
        server.wait_ready("/readyz", timeout=120)
        subscribe(server.base, receiver, ["verdict.recorded"])
        ids = assess(server.base, 1000)
        started = time.monotonic()
        assert post_verdicts_at_once([server.base], ids) == {"200": 1000}
        posted = time.monotonic() - started
        assert receiver.wait_for(lambda r: len(r.events) == 1000, timeout=90), (
            len(receiver.events), server.log_tail())
        took = time.monotonic() - started
    assert all(got["valid"] for got in receiver.received)
    events = receiver.of_type("verdict.recorded")
    assert sorted(e["data"]["verdict"]["assessment_id"] for e in events) == sorted(ids)
    assert len(receiver.received) == 1000 + receiver.duplicates
    assert delivered(postgres_url) == {"delivered": 1000}
    print(f"1,000 verdicts posted in {posted:.1f} s and their events received in {took:.1f} s, "
          f"{receiver.duplicates} repeats dropped")
