"""Retries against a scripted stub server: 429 and 503 with Retry-After, backoff, giving up."""
import email.utils
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from client import (CredibilityClient, ProblemError, RateLimited, RetryPolicy,
                    ServiceUnavailable, ServiceUnreachable, ValidationFailed)
from client.transport import retry_after_seconds

CARD = {"version": "stub-1", "policy_version": "2026.11.1", "metrics": {}}
KEY = "stub-key-s3cr3t"


def problem(status, title, detail, retry_after=None):
    headers = {"Content-Type": "application/problem+json"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return status, headers, json.dumps(body).encode()


OK = (200, {"Content-Type": "application/json"}, json.dumps(CARD).encode())
BUSY = problem(429, "Too Many Requests", "3 per 1 minute", retry_after=1)
DOWN = problem(503, "Service Unavailable", "No model is loaded (none promoted).")


@pytest.fixture
def stub():
    """A server that answers each request with the next scripted answer (the last repeats)."""
    script, seen = [], []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            seen.append((self.command, self.path, self.headers, self.rfile.read(length)))
            status, headers, body = script.pop(0) if len(script) > 1 else script[0]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", script, seen
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def sleeps():
    return []


def client_of(url, sleeps, **options):
    return CredibilityClient(url, sleep=sleeps.append, **options)


def test_a_429_waits_as_long_as_retry_after_says(stub, sleeps):
    url, script, seen = stub
    script[:] = [BUSY, OK]
    assert client_of(url, sleeps).model().version == "stub-1"
    assert len(seen) == 2 and sleeps == [1.0]


def test_a_503_backs_off_exponentially(stub, sleeps):
    url, script, seen = stub
    script[:] = [DOWN, DOWN, OK]
    assert client_of(url, sleeps, retry=RetryPolicy(backoff=0.25)).model().version == "stub-1"
    assert len(seen) == 3 and sleeps == [0.25, 0.5]


def test_gives_up_after_the_bounded_tries_with_the_problem(stub, sleeps):
    url, script, seen = stub
    script[:] = [DOWN]
    with pytest.raises(ServiceUnavailable) as down:
        client_of(url, sleeps, retry=RetryPolicy(tries=3)).score("x", {"type": "ngo"})
    assert len(seen) == 3 and sleeps == [0.5, 1.0]
    assert down.value.attempts == 3 and down.value.status == 503
    assert down.value.detail == "No model is loaded (none promoted)."
    assert all(method == "POST" and body for method, _, _, body in seen)  # the body each time


def test_backoff_is_capped(stub, sleeps):
    url, script, _ = stub
    script[:] = [DOWN]
    with pytest.raises(ServiceUnavailable):
        client_of(url, sleeps, retry=RetryPolicy(tries=5, backoff=1, max_backoff=3)).model()
    assert sleeps == [1, 2, 3, 3]


def test_a_retry_after_beyond_max_wait_is_raised_at_once(stub, sleeps):
    url, script, seen = stub
    script[:] = [problem(429, "Too Many Requests", "300 per 1 hour", retry_after=3600)]
    with pytest.raises(RateLimited) as limited:
        client_of(url, sleeps).model()
    assert len(seen) == 1 and sleeps == [] and limited.value.retry_after == 3600


def test_other_problems_are_not_retried(stub, sleeps):
    url, script, seen = stub
    script[:] = [problem(422, "Unprocessable Entity", "see errors")]
    with pytest.raises(ValidationFailed):
        client_of(url, sleeps).model()
    assert len(seen) == 1 and sleeps == []


def test_an_answer_without_a_problem_document_still_raises_a_problem(stub, sleeps):
    url, script, _ = stub
    script[:] = [(502, {"Content-Type": "text/html"}, b"<h1>Bad gateway</h1>")]
    with pytest.raises(ProblemError) as failed:
        client_of(url, sleeps).model()
    assert failed.value.status == 502 and failed.value.title == "Bad Gateway"
    assert "Bad gateway" in failed.value.detail


def test_a_refused_connection_is_retried_then_reported(sleeps):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ServiceUnreachable) as unreachable:
        client_of(f"http://127.0.0.1:{port}", sleeps).model()
    assert unreachable.value.attempts == 4 and sleeps == [0.5, 1.0, 2.0]


def test_retry_after_as_an_http_date():
    now = 1_800_000_000.0
    assert retry_after_seconds(email.utils.formatdate(now + 7, usegmt=True), now=now) == 7
    assert retry_after_seconds(email.utils.formatdate(now - 7, usegmt=True), now=now) == 0
    assert retry_after_seconds("12") == 12 and retry_after_seconds("soon") is None


def test_the_key_goes_in_its_header_and_never_in_the_logs(stub, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    url, script, seen = stub
    script[:] = [BUSY, OK]
    service = client_of(url, sleeps, api_key=KEY)
    service.model()
    assert [headers.get("X-API-Key") for _, _, headers, _ in seen] == [KEY, KEY]
    assert "429" in caplog.text  # the retry is logged ...
    assert KEY not in caplog.text and KEY not in repr(service)  # ... without the key
