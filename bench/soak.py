"""Mixed traffic for a while against gunicorn on PostgreSQL, then a check that the database
holds exactly what was answered.

    .venv/bin/python bench/soak.py [--seconds 60] [--clients 8] [--workers 2]
                                   [--database-url URL]

Starts the project as `gunicorn -c gunicorn.conf.py` (--workers workers, the committed
model, rate limiting off, an API key for verdicts) on a free port of 127.0.0.1, over a
schema of its own in the PostgreSQL database at --database-url (default: TEST_DATABASE_URL,
else postgresql+psycopg://postgres@127.0.0.1:5432/test), made and migrated at start and
dropped at the end. Eight registered sources are made first. Then --clients threads send,
for --seconds, a mix (5:1:2:2) of: single assessments with their explanation (half naming
a registered source by id, half an inline source), batches of 10 (no factors), verdicts
with the API key (each on an assessment of a registered source not judged yet, at a random
level) and reads of a registered source. Claims are LIAR validation statements when
../shared is there, else generated ones (bench/scoring.py). Prints per kind the requests, errors and p50 and
p99 latency, then checks the database: assessment rows = assessments answered (single +
batch items, the same ids), verdict rows = verdicts answered (the same assessments and
levels), and each source's counters moved by exactly its verdict rows; and that no worker
died. Exit 1 on any error or mismatch, 2 when PostgreSQL cannot be used, else 0. The server
is stopped at the end, on an error and on Ctrl-C.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the repo, not bench/: bench/http.py must not hide the standard http

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from bench.scoring import claims  # noqa: E402
from bench.served import (Gunicorn, as_sent, call, postgres_schema, rss_kb,  # noqa: E402
                          stop_on_sigterm)
from model.levels import LEVELS  # noqa: E402
from service.db import upgrade  # noqa: E402
from service.tables import Assessment, Source, Verdict  # noqa: E402

KEY = "soak-writer-key"
SOURCES = 8
BATCH_ITEMS = 10
# How often each kind is chosen, out of 10.
MIX = ["assess"] * 5 + ["batch"] + ["verdict"] * 2 + ["source"] * 2
LABELS = {"assess": "POST /v1/assessments (explained)",
          "batch": f"POST /v1/assessments/batch ({BATCH_ITEMS}, no factors)",
          "verdict": "POST /v1/assessments/{id}/verdict (key)",
          "source": "GET /v1/sources/{id}"}
COUNTS = {level: "n_" + level.replace("-", "_") for level in LEVELS}   # Source's columns


class Tally:
    """What the clients sent and were answered, shared by their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seconds = collections.defaultdict(list)      # kind -> latency of each request
        self.errors = collections.Counter()
        self.samples: list[str] = []                      # the first few errors, to print
        self.assessed: set[str] = set()                   # ids answered, single and batch
        self.unjudged: collections.deque[str] = collections.deque()   # of registered sources
        self.judged: dict[str, str] = {}                  # assessment id -> level answered

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.seconds[kind].append(seconds)
            if error:
                self.errors[kind] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{kind}: {error[:300]}")

    def answered(self, assessments: list[dict], registered: set[str]) -> None:
        with self.lock:
            for assessment in assessments:
                self.assessed.add(assessment["id"])
                if assessment["source"]["id"] in registered:
                    self.unjudged.append(assessment["id"])


def body(request: dict, number: int, sources: list[str]) -> dict:
    """The request as sent; every second one names a registered source by id."""
    sent = as_sent(request)
    if number % 2 == 0:
        sent["source"] = {"id": sources[number // 2 % len(sources)]}
    return sent


def client(number: int, base: str, requests: list[dict], sources: list[str], until: float,
           tally: Tally) -> None:
    chance = random.Random(number)
    registered = set(sources)
    sent = number * 7919   # each client walks the claims from its own place
    while time.monotonic() < until:
        kind = chance.choice(MIX)
        judged = None
        if kind == "verdict":
            with tally.lock:
                judged = tally.unjudged.popleft() if tally.unjudged else None
            kind = "verdict" if judged else "assess"
        if kind == "assess":
            method, path = "POST", "/v1/assessments"
            payload, key = body(requests[sent % len(requests)], sent, sources), None
            sent += 1
        elif kind == "batch":
            method, path, key = "POST", "/v1/assessments/batch", None
            payload = {"explain": False, "items": [
                body(requests[(sent + n) % len(requests)], sent + n, sources)
                for n in range(BATCH_ITEMS)]}
            sent += BATCH_ITEMS
        elif kind == "verdict":
            level = chance.choice(LEVELS)
            method, path, key = "POST", f"/v1/assessments/{judged}/verdict", KEY
            payload = {"verdict": level, "reviewer": f"soak-{number}"}
        else:
            method, path, key = "GET", f"/v1/sources/{chance.choice(sources)}", None
            payload = None
        started = time.perf_counter()
        try:
            status, _, text = call(base, method, path, payload, key=key)
        except OSError as error:   # refused, reset or timed out: an error like any other
            status, text = 0, f"{type(error).__name__}: {error}"
        took = time.perf_counter() - started
        error = answer_error(kind, status, text, tally, registered)
        if kind == "verdict" and error is None:
            with tally.lock:
                tally.judged[judged] = level
        tally.record(kind, took, error)


def answer_error(kind: str, status: int, text: str, tally: Tally,
                 registered: set[str]) -> str | None:
    """None if the answer is what `kind` should get (and its assessments are noted), else why."""
    expected = {"assess": 201, "batch": 200, "verdict": 200, "source": 200}[kind]
    if status != expected:
        return f"{status}: {text}"
    try:
        answer = json.loads(text)
        if kind == "assess":
            tally.answered([answer], registered)
        elif kind == "batch":
            statuses = [item["status"] for item in answer["items"]]
            if statuses != [201] * BATCH_ITEMS:
                return f"batch item statuses {statuses}: {text}"
            tally.answered([item["assessment"] for item in answer["items"]], registered)
    except (ValueError, KeyError, TypeError) as error:   # not the documented answer
        return f"{type(error).__name__} {error}: {text}"
    return None


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def register_sources(base: str) -> list[str]:
    kinds = ("state_agency", "politician", "independent_media", "armed_group")
    ids = []
    for n in range(SOURCES):
        status, _, text = call(base, "POST", "/v1/sources",
                               {"name": f"Soak Source {n + 1}", "type": kinds[n % len(kinds)]},
                               key=KEY)
        if status != 201:
            raise RuntimeError(f"registering a source answered {status}: {text[:500]}")
        ids.append(json.loads(text)["id"])
    return ids


def source_counts(url: str) -> dict[str, dict[str, int]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Source)).all()
    finally:
        engine.dispose()
    return {row.id: {level: getattr(row, column) for level, column in COUNTS.items()}
            for row in rows}


def check_database(url: str, tally: Tally, before: dict[str, dict[str, int]]) -> list[str]:
    """One line per check; a line starting with "MISMATCH" is a failure."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(select(Assessment.id)).scalars())
            verdicts = dict(connection.execute(
                select(Verdict.assessment_id, Verdict.verdict)).all())
            per_source = collections.defaultdict(collections.Counter)
            for source_id, level, n in connection.execute(
                    select(Assessment.source_id, Verdict.verdict, func.count())
                    .join(Assessment, Assessment.id == Verdict.assessment_id)
                    .group_by(Assessment.source_id, Verdict.verdict)):
                per_source[source_id][level] = n
    finally:
        engine.dispose()
    after = source_counts(url)
    singles = len(tally.seconds["assess"]) - tally.errors["assess"]
    batched = (len(tally.seconds["batch"]) - tally.errors["batch"]) * BATCH_ITEMS

    def line(ok: bool, text: str) -> str:
        return ("ok        " if ok else "MISMATCH  ") + text

    moved = {source: {level: after[source][level] - before.get(source, {}).get(level, 0)
                      for level in LEVELS} for source in after}
    wrong = [source for source in after
             if moved[source] != {level: per_source[source][level] for level in LEVELS}]
    return [
        line(stored == tally.assessed and len(tally.assessed) == singles + batched,
             f"assessment rows {len(stored):,} = answered {len(tally.assessed):,} "
             f"(single {singles:,} + batch items {batched:,}), the same ids"),
        line(verdicts == tally.judged,
             f"verdict rows {len(verdicts):,} = verdicts answered {len(tally.judged):,}, "
             f"the same assessments and levels"),
        line(not wrong and set(after) == set(before),
             f"source counters: {len(after)} sources, each moved by exactly its verdict rows"
             + (f"; not: {', '.join(wrong)}" if wrong else "")),
    ]


def soak(args, url: str, requests: list[dict]) -> tuple[Tally, list[str], dict]:
    """Serve the schema at `url`, run the clients, check the database; (tally, check lines,
    each worker's resident kB at the start and the end)."""
    upgrade(url)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as name:
        server = Gunicorn("soak", Path(name), {
            "DATABASE_URL": url, "GUNICORN_WORKERS": str(args.workers), "API_KEYS": KEY,
            "RATELIMIT_ENABLED": "false", "MODEL_REGISTRY": str(ROOT / "model" / "registry")})
        with server:
            server.wait_ready("/readyz")
            sources = register_sources(server.base)
            before = source_counts(url)
            workers = server.worker_pids()
            memory = {pid: (rss_kb(pid)["VmRSS"], None) for pid in workers}
            tally = Tally()
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, daemon=True, args=(
                n, server.base, requests, sources, until, tally)) for n in range(args.clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.seconds + 120)   # each request times out in 60 s
            if any(thread.is_alive() for thread in threads):
                raise RuntimeError("a client thread did not finish")
            lines = check_database(url, tally, before)
            now = server.worker_pids()
            memory = {pid: (start, rss_kb(pid)["VmRSS"]) for pid, (start, _) in memory.items()
                      if pid in now}
            restarted = server.log_tail(10**9).count("Booting worker with pid") - len(workers)
    lines.append(("ok        " if restarted == 0 and now == workers else "MISMATCH  ")
                 + f"workers: {len(workers)} at start, {len(memory)} of them at the end, "
                 f"{restarted} started since")
    return tally, lines, memory


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the traffic runs")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="GUNICORN_WORKERS")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL database; the soak works in a schema of its own")
    args = parser.parse_args(argv)
    stop_on_sigterm()
    # A traffic mix for the service's default desk: the keys here are that desk's.
    requests = [{key: value for key, value in request.items() if key != "desk"}
                for request in claims(2000)]
    try:
        with postgres_schema(args.database_url, prefix="soak_") as url:
            tally, lines, memory = soak(args, url, requests)
    except OperationalError as error:
        print(f"PostgreSQL at {args.database_url} cannot be used: {error}", file=sys.stderr)
        return 2

    print(f"soak: {args.seconds:g} s, {args.clients} client threads, gunicorn with "
          f"{args.workers} workers on PostgreSQL, {SOURCES} registered sources\n")
    print(f"{'kind':46}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, label in LABELS.items():
        seconds = tally.seconds[kind]
        p50, p99 = ((percentile(seconds, .5) * 1000, percentile(seconds, .99) * 1000)
                    if seconds else (0.0, 0.0))
        print(f"{label:46}{len(seconds):10,}{tally.errors[kind]:8}{p50:9.1f}{p99:9.1f}")
    total = sum(len(seconds) for seconds in tally.seconds.values())
    errors = sum(tally.errors.values())
    print(f"{'all':46}{total:10,}{errors:8}   ({total / args.seconds:,.0f} requests/s)")
    for sample in tally.samples:
        print(f"  error {sample}")
    print("\n" + "\n".join(lines))
    print("resident MB per worker, start -> end: " + ", ".join(
        f"{start / 1024:.0f} -> {end / 1024:.0f}" for start, end in memory.values()))
    failed = errors or any(line.startswith("MISMATCH") for line in lines)
    print("\nFAILED" if failed else "\npassed: no error, and the database holds what was answered")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
