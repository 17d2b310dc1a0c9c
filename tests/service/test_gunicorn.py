"""Real gunicorn, two workers, on a free port: score, count verdicts and metrics through it."""
import concurrent.futures
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.served import call, free_port
from service.db import upgrade

ROOT = Path(__file__).resolve().parents[2]
KEY = "gunicorn-test-key"
CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Federal Security Service", "type": "state_agency"},
         "context": {"party_to_event": True, "relayed_by": ["TASS"]}}


@pytest.fixture
def server(scorer, model_registry_dir, tmp_path):
    database = f"sqlite:///{tmp_path / 'service.db'}"
    upgrade(database)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database, "PORT": str(port), "HOST": "127.0.0.1",
           "GUNICORN_WORKERS": "2", "API_KEYS": KEY,
           "MODEL_REGISTRY": str(model_registry_dir),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "RATELIMIT_STORAGE_URI": os.environ.get("TEST_REDIS_URL", "memory://"),
           # Other runs on this machine may share the Redis counts: this test is not about limits.
           "RATELIMIT_APPLICATION": "100000 per minute"}
    (tmp_path / "metrics").mkdir()
    with gunicorn(env, tmp_path / "gunicorn.log") as base:
        yield base, tmp_path / "gunicorn.log"


@contextlib.contextmanager
def gunicorn(env: dict, log_path):
    """`gunicorn -c gunicorn.conf.py` under `env`, once /readyz answers 200; stopped after."""
    log = open(log_path, "w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{env['HOST']}:{env['PORT']}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if call(base, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "gunicorn never became ready"
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def test_scoring_verdicts_and_metrics_through_two_workers(server):
    base, log_path = server
    status, headers, text = call(base, "POST", "/v1/assessments", CLAIM)
    assert status == 201, text
    assert headers["X-Request-ID"]
    first = json.loads(text)
    assert 0 < first["score"] < 1

    def score(_):
        return call(base, "POST", "/v1/assessments", CLAIM)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(score, range(11)))
    assert {answer[0] for answer in answers} == {201}
    ids = [first["id"]] + [json.loads(answer[2])["id"] for answer in answers]

    def verdict(assessment_id):
        return call(base, "POST", f"/v1/assessments/{assessment_id}/verdict",
                    {"verdict": "false", "reviewer": "desk-3"}, key=KEY)[0]

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert set(pool.map(verdict, ids)) == {200}
    source = json.loads(call(base, "GET", "/v1/sources?q=federal")[2])["items"][0]
    trained = first["source"]["track_record"]["counts"]["false"] if first["source"][
        "track_record"] else 0
    assert source["track_record"]["counts"]["false"] == trained + len(ids)

    # Whichever worker answers /metrics, it reports both workers' requests.
    for _ in range(4):
        text = call(base, "GET", "/metrics")[2]
        counted = sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                      if line.startswith("credibility_http_requests_total{")
                      and 'endpoint="/v1/assessments"' in line and 'status="201"' in line)
        assert counted == len(ids)

    access = [json.loads(line) for line in log_path.read_text().splitlines()
              if line.startswith("{") and '"gunicorn.access"' in line]
    assert any(line["path"] == "/v1/assessments" and line["status"] == 201
               and line["request_id"] for line in access)
    assert KEY not in log_path.read_text()


def test_gunicorns_own_refusals_are_problems_too(server):
    """A request line over gunicorn's limit (414), one it cannot parse (400) or headers over
    its limit (431) never reach the app; they are application/problem+json all the same."""
    import socket
    from urllib.parse import urlsplit

    base, _ = server
    status, headers, text = call(base, "GET", "/v1/sources?q=" + "a" * 5000)
    assert status == 414, text
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    body = json.loads(text)
    assert body["status"] == 414 and body["title"] == "Request-URI Too Long" and body["detail"]
    assert "<html" not in text
    address = urlsplit(base)
    for raw, expected in ((b"NONSENSE\r\n\r\n", 400),
                          (b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                           + b"".join(b"X-H%d: v\r\n" % n for n in range(200)) + b"\r\n", 431)):
        with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
            sock.sendall(raw)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert head.split(b" ", 2)[1] == str(expected).encode(), head
        assert b"Content-Type: application/problem+json" in head, head
        problem = json.loads(payload)
        assert problem["status"] == expected and problem["type"] == "about:blank", problem
