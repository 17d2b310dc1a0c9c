"""A crash loses no assessment that a client saw answered.

gunicorn (2 workers, SQLite in WAL mode with the default SQLITE_SYNCHRONOUS=NORMAL) is
killed with SIGKILL, master and workers at once, in the middle of a load of single
assessments and batches. Every id a client received with a 201 (or inside a batch's 200)
must be in the database afterwards, and the database must pass SQLite's integrity check.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from service.db import upgrade

from .test_gunicorn import CLAIM, ROOT, call, free_port

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
        except (OSError, ValueError):   # the server died under this request: not answered
            continue
        with lock:
            answered.extend(ids)


def test_sigkill_under_load_loses_no_answered_assessment(model_registry_dir, tmp_path):
    path = tmp_path / "service.db"
    upgrade(f"sqlite:///{path}")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PORT": str(port),
           "HOST": "127.0.0.1", "GUNICORN_WORKERS": "2", "RATELIMIT_ENABLED": "false",
           "MODEL_REGISTRY": str(model_registry_dir),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    (tmp_path / "metrics").mkdir()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "gunicorn.log", "w+", encoding="utf-8") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if call(base, "GET", "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn never became ready"
                time.sleep(0.2)
            answered, stop, lock = [], threading.Event(), threading.Lock()
            clients = [threading.Thread(target=_load, args=(base, answered, stop, lock))
                       for _ in range(THREADS)]
            for client in clients:
                client.start()
            time.sleep(LOAD_SECONDS)
            os.killpg(server.pid, signal.SIGKILL)   # master and workers, mid-request
            server.wait(timeout=30)
            stop.set()
            for client in clients:
                client.join(timeout=120)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=30)

    assert len(answered) > 100, "the load never got going"
    with sqlite3.connect(path) as database:   # recovers the WAL like the next start would
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in database.execute("SELECT id FROM assessments")}
    lost = set(answered) - stored
    assert not lost, f"{len(lost)} of {len(answered)} answered assessments were lost"
