"""The learning loop end to end, through real gunicorn with two workers.

Verdicts posted through the API move the sources' counts exactly; training.retrain
trains a candidate on them (a small synthetic base, not LIAR) into a copy of the served
registry; training.promote forces it in; within 10 seconds every worker serves it while a
client scoring without pause gets no failure; a tampered version written into CURRENT
is refused and the promoted one keeps serving. On SQLite, and on PostgreSQL when
TEST_DATABASE_URL names one.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from model.levels import LEVELS
from service.db import upgrade

ROOT = Path(__file__).resolve().parents[2]
WRITER = "verdict-loop-writer-key"
ADMIN = "verdict-loop-admin-key"
# Four of the synthetic generator's sources, registered before anything is scored.
REGISTERED = ("Alice Harmon", "Dmitri Orlov", "Global Wire", "Viral Page")


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_here = Path(__file__).resolve().parent
_gunicorn = _load("_verdict_loop_gunicorn", _here / "test_gunicorn.py")
_hot_reload = _load("_verdict_loop_hot_reload", _here / "test_hot_reload.py")
synthetic = _load("_verdict_loop_synthetic", _here.parent / "model" / "synthetic_claims.py")
free_port, call = _gunicorn.free_port, _gunicorn.call
copy_registry, add_version = _hot_reload.copy_registry, _hot_reload.add_version
write_current, wait_for = _hot_reload.write_current, _hot_reload.wait_for

Server = collections.namedtuple("Server", "base log")


@contextlib.contextmanager
def gunicorn_server(tmp_path: Path, database: str, registry: Path):
    """gunicorn with two workers on a free port over `database`, serving `registry`, with
    the default MODEL_POLL_SECONDS; both workers booted and ready when it yields."""
    upgrade(database)
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir(exist_ok=True)
    environment = {key: value for key, value in os.environ.items()
                   if key != "MODEL_POLL_SECONDS"}
    environment.update({
        "DATABASE_URL": database, "PORT": str(port), "HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "2", "API_KEYS": WRITER, "ADMIN_API_KEYS": ADMIN,
        "MODEL_REGISTRY": str(registry), "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_ENABLED": "false",
        "LOG_LEVEL": "info"})   # the workers log their swaps at info
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w+", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                                   cwd=ROOT, env=environment, stdout=log,
                                   stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while len(worker_pids(log_path)) < 2 or not all(
                    status == 200 for status, _ in readiness(base, 8)):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn never became ready"
                time.sleep(0.3)
            yield Server(base, log_path)
        finally:
            process.terminate()
            process.wait(timeout=60)


def log_lines(log_path: Path) -> list[dict]:
    return [json.loads(line) for line in log_path.read_text().splitlines()
            if line.startswith("{")]


def worker_pids(log_path: Path) -> set[int]:
    prefix = "Booting worker with pid: "
    return {int(line["message"][len(prefix):]) for line in log_lines(log_path)
            if line.get("message", "").startswith(prefix)}


def workers_that_logged(log_path: Path, words: str) -> set[int]:
    """Pids of the processes that logged "process <pid> <words>"."""
    found = set()
    for line in log_lines(log_path):
        head, _, rest = line.get("message", "").partition(" ")
        pid, _, text = rest.partition(" ")
        if head == "process" and pid.isdigit() and text.startswith(words):
            found.add(int(pid))
    return found


def readiness(base: str, n: int = 40) -> list[tuple[int, dict]]:
    """n answers of /readyz, four at a time, so that both workers answer some."""
    def ask(_):
        try:
            status, _, text = call(base, "GET", "/readyz")
        except OSError:
            return 0, {}
        return status, json.loads(text) if text.startswith("{") else {}

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(ask, range(n)))


def every_worker_serves(server: Server, version: str, since: float,
                        seconds: float = 10.0) -> float:
    """Seconds from `since` (time.monotonic()) until every worker logged its swap to
    `version` and 40 answers of /readyz in a row name it; fails after `seconds`."""
    pids = worker_pids(server.log)
    while True:
        if workers_that_logged(server.log, f"serves model {version}") >= pids and all(
                answer.get("model_version") == version for _, answer in readiness(server.base)):
            return time.monotonic() - since
        assert time.monotonic() - since < seconds, (
            f"not every worker serves {version} after {seconds} s: "
            f"{[a.get('model_version') for _, a in readiness(server.base)]}")
        time.sleep(0.1)


class ScoringClient(threading.Thread):
    """Scores claims without pause until stopped; keeps (status, header, body version)."""

    def __init__(self, base: str, claims: list[dict]):
        super().__init__(daemon=True)
        self.base, self.claims = base, claims
        self.answers: list[tuple[int, str | None, str | None]] = []
        self.slowest = 0.0
        self._stop_asked = threading.Event()

    def run(self):
        n = 0
        while not self._stop_asked.is_set():
            started = time.perf_counter()
            try:
                status, headers, text = call(self.base, "POST", "/v1/assessments",
                                             self.claims[n % len(self.claims)])
            except OSError as error:        # a refused or dropped connection is a failure too
                status, headers, text = 0, {}, str(error)
            self.slowest = max(self.slowest, time.perf_counter() - started)
            body = json.loads(text) if status == 201 else {}
            self.answers.append((status, headers.get("X-Model-Version"),
                                 body.get("model", {}).get("version")))
            n += 1

    def stop(self) -> list[tuple[int, str | None, str | None]]:
        self._stop_asked.set()
        self.join(timeout=60)
        return self.answers


def register_sources(base: str) -> dict[str, dict]:
    """name -> the registered record, for the REGISTERED names of the synthetic sources."""
    records = {}
    for name, kind, role, affiliation, country, _ in synthetic.SOURCES:
        if name in REGISTERED:
            status, _, text = call(base, "POST", "/v1/sources",
                                   {"name": name, "type": kind, "role": role,
                                    "affiliation": affiliation or None,
                                    "country": country or None}, key=WRITER)
            assert status == 201, text
            records[name] = json.loads(text)
    return records


def claims_of_registered(records: dict[str, dict], n: int) -> tuple[list[dict], list[int]]:
    """n synthetic claims by the registered sources, naming them by id, and their levels."""
    requests, levels = synthetic.make_claims(8 * n, seed=7)
    chosen = [(dict(request, source={"id": records[request["source"]["name"]]["id"]}), level)
              for request, level in zip(requests, levels)
              if request["source"]["name"] in records][:n]
    assert len(chosen) == n
    return [request for request, _ in chosen], [level for _, level in chosen]


def in_parallel(function, items) -> list:
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(function, items))


def start_module(tmp_path: Path, module: str, *args: str) -> subprocess.Popen:
    """`python -m module args`, git kept out (training records its revision as unknown)."""
    env = {**os.environ, "GIT_DIR": str(tmp_path / "no-git"), "GIT_OPTIONAL_LOCKS": "0"}
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def force_promotion(tmp_path: Path, registry: Path, version: str):
    """Run training.promote; (when CURRENT switched, or None if it named `version`
    already; exit code; stdout; stderr)."""
    def current() -> str:
        return (registry / "CURRENT").read_text().strip()

    already, switched = current() == version, None
    process = start_module(tmp_path, "training.promote", "--registry", str(registry),
                           "--version", version)
    looked = time.monotonic()
    while not already and switched is None and process.poll() is None:
        if current() == version:
            switched = looked     # between this look and the one before: take the earlier
        else:
            looked = time.monotonic()
        time.sleep(0.01)
    stdout, stderr = process.communicate(timeout=120)
    if not already and switched is None:
        switched = looked
    return switched, process.returncode, stdout, stderr


def test_verdicts_retrain_and_a_forced_promotion_reach_every_worker(
        any_database, tmp_path, model_registry_dir):
    registry = copy_registry(model_registry_dir, tmp_path / "registry")
    base = tmp_path / "base.jsonl"
    synthetic.write_jsonl(base, *synthetic.make_claims(300, seed=1))
    old = (registry / "CURRENT").read_text().strip()

    with gunicorn_server(tmp_path, any_database, registry) as server:
        records = register_sources(server.base)
        requests, levels = claims_of_registered(records, 200)

        def assess(request):
            status, headers, text = call(server.base, "POST", "/v1/assessments", request)
            assert status == 201, text
            assert headers["X-Model-Version"] == json.loads(text)["model"]["version"] == old
            return json.loads(text)["id"]

        ids = in_parallel(assess, requests)

        def rule(pair):
            assessment_id, level = pair
            status, _, text = call(server.base, "POST",
                                   f"/v1/assessments/{assessment_id}/verdict",
                                   {"verdict": LEVELS[level], "reviewer": "desk-1"}, key=WRITER)
            assert status == 200, text

        in_parallel(rule, zip(ids, levels))
        # A second verdict on 20 of them replaces the first: counted once, at its new level.
        final = list(levels)
        for i in range(20):
            final[i] = (levels[i] + 3) % len(LEVELS)
        in_parallel(rule, zip(ids[:20], final[:20]))

        for name, record in records.items():
            expected = collections.Counter(record["track_record"]["counts"]
                                           if record["track_record"] else {})
            expected.update(LEVELS[level] for request, level in zip(requests, final)
                            if request["source"]["id"] == record["id"])
            status, _, text = call(server.base, "GET", f"/v1/sources/{record['id']}")
            counts = json.loads(text)["track_record"]
            assert status == 200 and counts["counts"] == {level: expected[level]
                                                          for level in LEVELS}, name
            assert counts["total"] == sum(expected.values())

        client = ScoringClient(server.base, requests[:20])     # from here to the end
        client.start()
        wait_for(lambda: client.answers)
        retraining = start_module(tmp_path, "training.retrain", "--database-url", any_database,
                                  "--registry", str(registry), "--base", f"jsonl:{base}",
                                  "--json")
        stdout, stderr = retraining.communicate(timeout=300)
        assert retraining.returncode == 0, stderr
        result = json.loads(stdout.strip().splitlines()[-1])
        version = result["version"]
        assert {"version", "promoted", "reasons", "metrics"} <= set(result)
        decision = json.loads((registry / version / "decision.json").read_text())
        assert decision["verdicts"]["exported"] == 200 and decision["version"] == version

        retrained_at = time.monotonic()
        since, code, stdout, stderr = force_promotion(tmp_path, registry, version)
        assert code == 0 and stdout.splitlines()[-1] == f"new CURRENT: {version}", stderr
        since = retrained_at if since is None else since     # the gate had promoted it
        took = every_worker_serves(server, version, since)

        tampered = "tampered-2"
        add_version(registry, version, tampered, tamper=True)
        write_current(registry, tampered)
        wait_for(lambda: workers_that_logged(server.log, f"refused model {tampered}")
                 >= worker_pids(server.log))
        time.sleep(0.3)
        answers = client.stop()
        for status, ready in readiness(server.base):
            assert status == 200 and ready["model_version"] == version
            assert ready["refused"]["version"] == tampered
            assert "pipeline.skops does not match its sha256" in ready["refused"]["error"]
        status, _, text = call(server.base, "POST", "/v1/model/reload", key=ADMIN)
        assert status == 409 and f"still serving {version}" in json.loads(text)["detail"]

    assert {status for status, _, _ in answers} == {201}, collections.Counter(answers)
    assert all(header == body for _, header, body in answers)
    served = [body for _, _, body in answers]
    assert served[0] == old and served[-1] == version and tampered not in served
    print(f"promoted {version} ({'by the gate' if result['promoted'] else 'by hand'}); "
          f"every worker served it {took:.1f} s after CURRENT switched; "
          f"{len(answers)} claims scored meanwhile, the slowest in {client.slowest:.2f} s")
