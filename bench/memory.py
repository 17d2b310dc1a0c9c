"""Start-up time and resident memory of the project under gunicorn, in this one run.

    .venv/bin/python bench/memory.py [--workers 2] [--starts 3] [--assessments 300] [--batches 5]

Starts `gunicorn -c gunicorn.conf.py` on a free port of 127.0.0.1 over a fresh SQLite
database (migrated with `alembic upgrade head`) and the committed model, with rate
limiting off, --starts times, and reports the seconds from start to the first `/readyz`
200 and until every worker has logged the model it serves. The last start is then warmed
up with assessments (one claim each, from 4 client threads, so both workers answer some)
and batches of 100, and VmRSS, VmHWM (peak), RssAnon and RssFile of the master and each
worker are read from /proc/<pid>/status. Targets: <= 200 MB resident per worker, ready
<= 3 s. Every server is stopped at the end, on an error and on Ctrl-C.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the repo, not bench/: bench/http.py must not hide the standard http

from bench.scoring import claims  # noqa: E402
from bench.served import (Gunicorn, as_sent, fresh_database, post_json, rss_kb,  # noqa: E402
                          stop_on_sigterm)

TARGET_WORKER_MB = 200
TARGET_READY_S = 3.0
BATCH_ITEMS = 100  # the default MAX_BATCH_ITEMS


def wait_workers_loaded(server: Gunicorn, workers: int, timeout: float = 30) -> float | None:
    """Seconds from start until every worker has logged its loaded model (a `service.serving`
    line carrying `model_version`); None if the log never says so."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        loaded = 0
        for line in server.log_tail(10**8).splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            loaded += record.get("logger") == "service.serving" and "model_version" in record
        if loaded >= workers:
            return time.perf_counter() - server.started
        time.sleep(0.05)
    return None


def warm_up(server: Gunicorn, requests: list[dict], batches: int) -> int:
    url = server.base + "/v1/assessments"
    bodies = [json.dumps(as_sent(request)).encode() for request in requests]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda body: post_json(url, body)[0], bodies))
    for start in range(batches):
        items = [as_sent(r) for r in requests[start * BATCH_ITEMS % len(requests):][:BATCH_ITEMS]]
        status, _ = post_json(url + "/batch", json.dumps({"items": items}).encode())
        statuses.append(status)
    bad = [status for status in statuses if status not in (200, 201)]
    if bad:
        raise RuntimeError(f"warm-up requests failed: {bad[:10]}")
    return len(bodies) + batches * BATCH_ITEMS


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assessments", type=int, default=300, help="one-claim warm-up requests")
    parser.add_argument("--batches", type=int, default=5, help=f"warm-up batches of {BATCH_ITEMS}")
    parser.add_argument("--starts", type=int, default=3,
                        help="times the server is started; the median start time is reported")
    args = parser.parse_args(argv)
    stop_on_sigterm()
    requests = claims(max(args.assessments, BATCH_ITEMS))

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as name:
        folder = Path(name)
        env = {"GUNICORN_WORKERS": str(args.workers), "DATABASE_URL": fresh_database(folder),
               "RATELIMIT_ENABLED": "false"}
        starts = []  # (first /readyz 200, every worker loaded) per start
        for number in range(args.starts):
            with Gunicorn(f"project-{number + 1}", folder, env) as server:
                starts.append((server.wait_ready("/readyz"),
                               wait_workers_loaded(server, args.workers)))
                if number < args.starts - 1:
                    continue
                # The last start is warmed up and measured.
                scored = warm_up(server, requests[:args.assessments], args.batches)
                time.sleep(0.5)
                master = server.process.pid
                workers = server.worker_pids()
                memory = {pid: rss_kb(pid) for pid in [master] + workers}

    mb = 1 / 1024
    print(f"gunicorn: {args.workers} workers; warm-up: {scored:,} assessments "
          f"({args.assessments} one-claim requests, {args.batches} batches of {BATCH_ITEMS})\n")
    ready = statistics.median(first for first, _ in starts)
    every = [loaded for _, loaded in starts if loaded is not None]
    print(f"{'start, seconds':36}{'median':>9}{'each start':>{8 * len(starts) + 4}}{'target':>9}")
    print(f"{'first /readyz 200':36}{ready:9.2f}    "
          f"{''.join(f'{first:8.2f}' for first, _ in starts)}{TARGET_READY_S:9.1f}")
    print(f"{'every worker has loaded its model':36}"
          f"{statistics.median(every) if every else float('nan'):9.2f}    "
          f"{''.join('     n/a' if t is None else f'{t:8.2f}' for _, t in starts)}")
    print(f"\n{'process':14}{'pid':>8}{'VmRSS MB':>10}{'peak MB':>9}{'anon MB':>9}{'file MB':>9}"
          f"{'x master':>10}{'target MB':>11}")
    for pid, values in memory.items():
        role = "master" if pid == master else f"worker {workers.index(pid) + 1}"
        print(f"{role:14}{pid:8d}{values['VmRSS'] * mb:10.0f}{values['VmHWM'] * mb:9.0f}"
              f"{values['RssAnon'] * mb:9.0f}{values['RssFile'] * mb:9.0f}"
              f"{values['VmRSS'] / memory[master]['VmRSS']:10.1f}"
              f"{'' if pid == master else TARGET_WORKER_MB:>11}")
    largest = max(memory[pid]["VmRSS"] for pid in workers) * mb
    total = sum(values["VmRSS"] for values in memory.values()) * mb
    print(f"\nlargest worker: {largest:.0f} MB, target <= {TARGET_WORKER_MB}: "
          f"{'met' if largest <= TARGET_WORKER_MB else 'NOT met'}; ready in {ready:.2f} s, "
          f"target <= {TARGET_READY_S:g}: {'met' if ready <= TARGET_READY_S else 'NOT met'}; "
          f"all processes: {total:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
