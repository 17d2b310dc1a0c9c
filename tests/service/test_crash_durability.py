"""A crash loses no assessment that a client saw answered.

gunicorn (2 workers, SQLite in WAL mode with the default SQLITE_SYNCHRONOUS=NORMAL) is
killed with SIGKILL, master and workers at once, in the middle of a load of single
assessments and batches. Every id a client received with a 201 (or inside a batch's 200)
must be in the database afterwards, and the database must pass SQLite's integrity check.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import threading
import time

from bench.served import Gunicorn, call
from service.db import upgrade

from .test_gunicorn import CLAIM

THREADS = 4
LOAD_SECONDS = 3.0


def _load(base, answered: list, stop: threading.Event, lock: threading.Lock) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        try:
            if number % 5:
                status, _, text = call(base, "POST", "/v1/assessments",
                                       dict(CLAIM, claim=f"{CLAIM['claim']} ({number})"))
                ids = [json.loads(text)["id"]] if status == 201 else []
            else:
                status, _, text = call(base, "POST", "/v1/assessments/batch",
                                       {"items": [CLAIM] * 20, "explain": False})
                ids = ([item["assessment"]["id"] for item in json.loads(text)["items"]]
                       if status == 200 else [])
        except (OSError, ValueError, http.client.HTTPException):   # died mid-answer: not answered
            continue
        with lock:
            answered.extend(ids)


def test_sigkill_under_load_loses_no_answered_assessment(model_registry_dir, tmp_path):
    path = tmp_path / "service.db"
    upgrade(f"sqlite:///{path}")
    env = {"DATABASE_URL": f"sqlite:///{path}", "GUNICORN_WORKERS": "2",
           "RATELIMIT_ENABLED": "false", "MODEL_REGISTRY": str(model_registry_dir)}
    with Gunicorn("crash", tmp_path, env) as server:
        server.wait_ready("/readyz", timeout=120)
        answered, stop, lock = [], threading.Event(), threading.Lock()
        clients = [threading.Thread(target=_load, args=(server.base, answered, stop, lock))
                   for _ in range(THREADS)]
        for client in clients:
            client.start()
        time.sleep(LOAD_SECONDS)
        os.killpg(server.process.pid, signal.SIGKILL)   # master and workers, mid-request
        server.process.wait(timeout=30)
        stop.set()
        for client in clients:
            client.join(timeout=120)

    assert len(answered) > 100, "the load never got going"
    with sqlite3.connect(path) as database:   # recovers the WAL like the next start would
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in database.execute("SELECT id FROM assessments")}
    lost = set(answered) - stored
    assert not lost, f"{len(lost)} of {len(answered)} answered assessments were lost"
