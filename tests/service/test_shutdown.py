"""SIGTERM under load: gunicorn (two workers) stops while eight clients post assessments.

Every request sent before the signal gets a whole 201 (service/draining.py answers those
still waiting in the listen queue, which gunicorn's own worker would reset); none is cut
mid-answer; the master exits 0 within gunicorn.conf.py's graceful_timeout; and every
assessment a client saw answered is in the database. Connections made after the signal
may be refused: they are counted apart.
"""
from __future__ import annotations

import ast
import collections
import contextlib
import http.client
import json
import signal
import socket
import sqlite3
import threading
import time
from bench.served import Gunicorn
from service.db import upgrade
from service.draining import waiting_connections

from .test_gunicorn import CLAIM, ROOT

CLIENTS = 8
BODY = json.dumps(CLAIM).encode()


def graceful_timeout() -> float:
    """graceful_timeout as gunicorn.conf.py sets it (read, not run: running it has effects)."""
    tree = ast.parse((ROOT / "gunicorn.conf.py").read_text())
    return next(float(ast.literal_eval(node.value)) for node in tree.body
                if isinstance(node, ast.Assign)
                and [target.id for target in node.targets] == ["graceful_timeout"])


class Client(threading.Thread):
    """Posts assessments one connection at a time until told to stop, or until a request
    fails after `signalled` is set; keeps (sent at, outcome, assessment id) of each."""

    def __init__(self, port: int, signalled: threading.Event, stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.signalled, self.stop = port, signalled, stop
        self.requests: list[dict] = []

    def run(self):
        while not self.stop.is_set():
            record = self.post()
            self.requests.append(record)
            if record["outcome"] != "answered" and self.signalled.is_set():
                return

    def post(self) -> dict:
        record = {"sent": None, "answered": None, "id": None}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("POST", "/v1/assessments", body=BODY,
                               headers={"Content-Type": "application/json"})
            record["sent"] = time.monotonic()
            response = connection.getresponse()
        except ConnectionRefusedError:
            record["outcome"] = "refused"
            return record
        except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
            record["outcome"] = "dropped before any answer"
            return record
        try:
            body = response.read()
            record["answered"] = time.monotonic()
            assessment = json.loads(body)
            record["id"] = assessment["id"]
            record["outcome"] = "answered" if response.status == 201 else f"{response.status}"
        except (OSError, http.client.HTTPException, ValueError, KeyError) as error:
            record["outcome"] = f"cut mid-answer ({type(error).__name__})"
        finally:
            connection.close()
        return record


def test_sigterm_under_load_answers_every_request_sent_before_it(model_registry_dir,
                                                                    tmp_path):
    database = tmp_path / "service.db"
    upgrade(f"sqlite:///{database}")
    server = Gunicorn("shutdown", tmp_path, {
        "DATABASE_URL": f"sqlite:///{database}", "MODEL_REGISTRY": str(model_registry_dir),
        "GUNICORN_WORKERS": "2", "RATELIMIT_ENABLED": "false"})
    signalled, stop = threading.Event(), threading.Event()
    clients = [Client(server.port, signalled, stop) for _ in range(CLIENTS)]
    with server:
        server.wait_ready("/readyz")
        for client in clients:
            client.start()
        deadline = time.monotonic() + 60
        while sum(len(client.requests) for client in clients) < 200:   # load is on
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.01)
        at = time.monotonic()
        signalled.set()
        server.process.send_signal(signal.SIGTERM)
        try:
            code = server.process.wait(timeout=graceful_timeout() + 10)
        finally:
            took = time.monotonic() - at
            stop.set()
            for client in clients:
                client.join(timeout=60)
    requests = [record for client in clients for record in client.requests]

    before, after = [], []
    for record in requests:
        (before if record["sent"] is not None and record["sent"] < at else after).append(record)
    assert collections.Counter(r["outcome"] for r in before) == {"answered": len(before)}, (
        collections.Counter(r["outcome"] for r in before))
    # The test stopped the server under load: some requests were in flight at the signal.
    assert any(r["answered"] > at for r in before)
    assert not [r for r in after if r["outcome"].startswith("cut")]
    assert code == 0, server.log_tail()
    assert took < graceful_timeout(), f"the master took {took:.1f} s to exit"

    answered = {r["id"] for r in requests if r["outcome"] == "answered"}
    with contextlib.closing(sqlite3.connect(database)) as connection:
        stored = {row[0] for row in connection.execute("SELECT id FROM assessments")}
    assert stored == answered
    print(f"SIGTERM after {len(before)} requests sent: all answered; after it "
          f"{dict(collections.Counter(r['outcome'] for r in after))}; "
          f"master exited 0 in {took:.2f} s")


def test_the_worker_reads_how_many_connections_wait():
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        assert waiting_connections(listener) == 0
        clients = [socket.create_connection(listener.getsockname()) for _ in range(3)]
        try:
            assert waiting_connections(listener) == 3
            listener.accept()[0].close()
            assert waiting_connections(listener) == 2
        finally:
            for client in clients:
                client.close()
    with socket.socket(socket.AF_UNIX) as other:      # not TCP: the kernel does not say
        assert waiting_connections(other) == 0
