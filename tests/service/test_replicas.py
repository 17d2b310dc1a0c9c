"""Two service instances as replicas behind a load balancer: two gunicorn servers (two
workers each, on their own ports) over one PostgreSQL and one Redis. Verdicts posted to
both at once all count, one rate-limit allowance covers both, and a promotion reaches both.

Needs TEST_DATABASE_URL and TEST_REDIS_URL (.ci/run sets them); skipped without.
"""
from __future__ import annotations

import contextlib
import json
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select

from bench.served import Gunicorn
from model.registry import promote
from service import create_app
from service.db import upgrade
from service.keys import create_key
from service.tables import Verdict

from .test_concurrency import (KEY, PROCESSES, VERDICTS_EACH, assess_in_batches,
                               database_counts, post_verdicts_at_once)
from .test_gunicorn import CLAIM, call
from .test_hot_reload import add_version, copy_registry
from .test_verdict_loop import workers_that_logged

TOTAL = PROCESSES * VERDICTS_EACH   # verdicts, as many as test_concurrency.py posts
NO_LIMIT = "1000000 per minute"


@contextlib.contextmanager
def replicas(tmp_path: Path, database: str, redis: str, registry: Path, ready: str,
             **settings: str):
    """Two gunicorn servers over `database` and `redis`, both answering 200 on `ready`."""
    env = {"DATABASE_URL": database, "RATELIMIT_STORAGE_URI": redis, "GUNICORN_WORKERS": "2",
           "API_KEYS": KEY, "MODEL_REGISTRY": str(registry), "LOG_LEVEL": "info", **settings}
    servers = [Gunicorn(f"replica-{n}", tmp_path, env) for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(ready, timeout=120)
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_verdicts_posted_to_both_replicas_at_once_all_count(postgres_url, redis_url,
                                                              model_registry_dir, tmp_path):
    upgrade(postgres_url)
    with replicas(tmp_path, postgres_url, redis_url, model_registry_dir, "/readyz",
                  RATELIMIT_APPLICATION=NO_LIMIT) as servers:
        bases = [server.base for server in servers]
        status, _, text = call(bases[0], "POST", "/v1/sources",
                               {"name": "Replica Test Agency", "type": "state_agency"}, key=KEY)
        assert status == 201, text
        source = json.loads(text)
        before = source["track_record"]["counts"]["false"] if source["track_record"] else 0
        ids = assess_in_batches(bases, source["id"])          # half on each replica
        # Half the writer processes post to one replica, half to the other, all at once.
        assert post_verdicts_at_once(bases, ids) == {"200": TOTAL}

        row, verdicts, _ = database_counts(postgres_url, source["id"])
        assert verdicts == TOTAL
        assert row.n_false == before + TOTAL
        engine = create_engine(postgres_url)
        try:
            with engine.connect() as connection:
                judged = set(connection.execute(select(Verdict.assessment_id)).scalars())
        finally:
            engine.dispose()
        assert judged == set(ids)                  # every verdict's row, on its assessment
        for base in bases:                         # and both replicas read the same count
            read = json.loads(call(base, "GET", f"/v1/sources/{source['id']}")[2])
            assert read["track_record"]["counts"]["false"] == before + TOTAL


def test_one_rate_limit_allowance_covers_both_replicas(postgres_url, redis_url, tmp_path):
    upgrade(postgres_url)
    limit, over = 10, 4
    # A key of this run's own: the limit counts per key, and other runs may share this Redis.
    setup = create_app({"TESTING": True, "DATABASE_URL": postgres_url,
                        "MODEL_REGISTRY": str(tmp_path / "no-registry")})
    with setup.app_context():
        key = create_key(f"replica-limit-{uuid.uuid4().hex[:12]}")
    setup.extensions["db"]["engine"].dispose()
    # No model: these servers start at once, and the limit does not depend on one.
    with replicas(tmp_path, postgres_url, redis_url, tmp_path / "no-registry", "/healthz",
                  RATELIMIT_APPLICATION=f"{limit} per minute") as servers:
        answers = [call(servers[n % 2].base, "GET", "/v1/taxonomy", key=key)
                   for n in range(limit + over)]
    assert [status for status, _, _ in answers] == [200] * limit + [429] * over
    # Each answer counts down the one allowance, whichever replica gave it.
    assert [int(headers["X-RateLimit-Remaining"]) for _, headers, _ in answers[:limit]] == \
        list(range(limit - 1, -1, -1))
    assert all(int(headers["Retry-After"]) > 0 for _, headers, _ in answers[limit:])


def test_a_promotion_reaches_both_replicas(postgres_url, redis_url, model_registry_dir,
                                           tmp_path):
    upgrade(postgres_url)
    registry = copy_registry(model_registry_dir, tmp_path / "registry")
    old, new = (registry / "CURRENT").read_text().strip(), "replica-promoted-2"
    add_version(registry, old, new)
    with replicas(tmp_path, postgres_url, redis_url, registry, "/readyz",
                  RATELIMIT_APPLICATION=NO_LIMIT, MODEL_POLL_SECONDS="0.5") as servers:
        for server in servers:
            assert call(server.base, "POST", "/v1/assessments", CLAIM)[1][
                "X-Model-Version"] == old
        promote(registry, new)   # verifies the version, then switches CURRENT
        promoted = time.monotonic()
        while not all(set(server.worker_pids()) <= workers_that_logged(
                server.log_path, f"serves model {new}") for server in servers):
            assert time.monotonic() - promoted < 20, (
                f"not every worker of both replicas serves {new} 20 s after the promotion:\n"
                + "\n".join(server.log_tail() for server in servers))
            time.sleep(0.1)
        for server in servers:
            for _ in range(6):
                status, headers, text = call(server.base, "POST", "/v1/assessments", CLAIM)
                assert status == 201, text
                assert headers["X-Model-Version"] == json.loads(text)["model"]["version"] == new
