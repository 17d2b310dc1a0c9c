"""Scoring over HTTP under gunicorn, side by side with a bare Flask echo under the same settings.

    .venv/bin/python bench/http.py [--seconds 8] [--connections 16] [--rounds 3]

Needs wrk (Debian package `wrk`). Starts, on free ports of 127.0.0.1, the project as
`gunicorn -c gunicorn.conf.py` (a fresh SQLite database migrated with `alembic upgrade
head`, the committed model, RATELIMIT_ENABLED=false, MAX_BATCH_ITEMS=1000) and
bench/echo_app.py under the same settings file (workers, threads, worker class, logging),
whose route parses the same JSON body and answers a small one. Each is loaded by wrk at
the same connections for the same time: the echo, `POST /v1/assessments` (one claim, with
explanation, stored; 500 LIAR validation claims in turn) and `POST /v1/assessments/batch`
(1,000 LIAR validation claims a request with "explain": false, as an archive job sends
them, loaded for 20 s; wrk sends the same body each time, so after the first request the
workers' word caches hold every word of it: bench/scoring.py times unseen text). Prints requests/s,
p50 and p99 latency, claims/s, and the ratio of assessments to echo requests/s measured in
this run; the loads alternate --rounds times and the table is the round with the median
assessments / echo ratio, followed by every round's figures. Every server it started is stopped at the end, on an
error and on Ctrl-C.

Every script in bench/ puts the repository, not bench/, first on sys.path, so this file's
name does not hide the standard library's `http`.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the repo, not bench/: bench/http.py must not hide the standard http

from bench.scoring import claims  # noqa: E402
from bench.served import (Gunicorn, as_sent, fresh_database, post_json,  # noqa: E402
                          stop_on_sigterm)

BATCH_ITEMS = 1000
ROTATING_CLAIMS = 500
TARGETS = {"ratio": 0.5, "p99_ms": 25.0, "batch_claims_per_s": 20_000}

LUA = """\
-- POST one of the bodies in turn; print the figures as one line at the end.
local bodies = {%s}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n %% #bodies + 1
  return wrk.format(nil, nil, nil, bodies[n])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "p50_us": %%.0f, '
    .. '"p99_us": %%.0f, "socket_errors": %%d, "bad_status": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def lua_script(bodies: list[bytes], folder: Path, name: str) -> Path:
    texts = [body.decode() for body in bodies]
    level = next(k for k in range(1, 20) if all(f"]{'=' * k}]" not in t for t in texts))
    quoted = ",\n".join(f"[{'=' * level}[{t}]{'=' * level}]" for t in texts)
    path = folder / f"{name}.lua"
    path.write_text(LUA % quoted)
    return path


def run_wrk(url: str, script: Path, args, seconds: float) -> dict:
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{seconds:g}s",
               "--timeout", "30s", "-s", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(line[len("BENCH "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_answers(echo: Gunicorn, project: Gunicorn, single: bytes, batch: bytes) -> None:
    """One request of each kind answers as it should before anything is timed."""
    for url, body, expected in ((echo.base + "/echo", single, 201),
                                (project.base + "/v1/assessments", single, 201),
                                (project.base + "/v1/assessments/batch", batch, 200)):
        status, answer = post_json(url, body)
        if status != expected:
            raise RuntimeError(f"{url} answered {status}, not {expected}: {answer[:500]!r}")
    items = json.loads(answer)["items"]
    statuses = {item["status"] for item in items}
    if len(items) != BATCH_ITEMS or statuses != {201}:
        raise RuntimeError(f"the batch did not score every item: statuses {statuses}")


def stored_assessments(database_url: str) -> int:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT count(*) FROM assessments").fetchone()[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="each echo and assessments load")
    parser.add_argument("--batch-seconds", type=float, default=20.0, help="the batch load")
    parser.add_argument("--warmup", type=float, default=2.0,
                        help="an untimed load of each kind first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="GUNICORN_WORKERS of both servers")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting of the project's server only (repeatable), e.g. "
                             "SQLITE_SYNCHRONOUS=FULL")
    args = parser.parse_args(argv)
    settings = dict(item.split("=", 1) for item in args.env if "=" in item)
    if len(settings) != len(args.env):
        parser.error("--env takes NAME=VALUE")
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk (Debian package wrk), "
              "or build it from https://github.com/wg/wrk", file=sys.stderr)
        return 2
    stop_on_sigterm()

    singles = [json.dumps(as_sent(request)).encode() for request in claims(ROTATING_CLAIMS)]
    # An archive job's batch: scores, grades and source records, no factors (explain false).
    batch = json.dumps({"items": [as_sent(request) for request in claims(BATCH_ITEMS)],
                        "explain": False}).encode()
    env = {"GUNICORN_WORKERS": str(args.workers)}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as name:
        folder = Path(name)
        database_url = fresh_database(folder)
        echo = Gunicorn("echo", folder, env, app="bench.echo_app:app")
        project = Gunicorn("project", folder, {**env, "DATABASE_URL": database_url,
                                               "RATELIMIT_ENABLED": "false",
                                               "MAX_BATCH_ITEMS": str(BATCH_ITEMS),
                                               **settings})
        try:
            echo.start()
            project.start()
            echo.wait_ready("/echo")
            project.wait_ready("/readyz")
            check_answers(echo, project, singles[0], batch)
            loads = {  # name: (server, url, Lua script)
                "echo": (echo, echo.base + "/echo", lua_script(singles, folder, "single")),
                "assessments": (project, project.base + "/v1/assessments", folder / "single.lua"),
                "batch": (project, project.base + "/v1/assessments/batch",
                          lua_script([batch], folder, "batch")),
            }
            for server, url, script in loads.values():
                server.wait_idle()
                run_wrk(url, script, args, args.warmup)
            runs = {name: [] for name in loads}
            for _ in range(args.rounds):
                for name, (server, url, script) in loads.items():
                    server.wait_idle()
                    seconds = args.batch_seconds if name == "batch" else args.seconds
                    runs[name].append(run_wrk(url, script, args, seconds))
            project.wait_idle()
            stored = stored_assessments(database_url)
        finally:
            echo.stop()
            project.stop()

    # Paired by round: each round's loads ran back to back on the same machine; the table
    # shows the round whose assessments / echo ratio is the median, all its rows together.
    ratios = [a["rps"] / e["rps"] for a, e in zip(runs["assessments"], runs["echo"])]
    median_round = sorted(range(args.rounds), key=ratios.__getitem__)[args.rounds // 2]
    rows = {name: results[median_round] for name, results in runs.items()}
    answered = sum(r["requests"] - r["bad_status"] for r in runs["assessments"]) + sum(
        (r["requests"] - r["bad_status"]) * BATCH_ITEMS for r in runs["batch"])
    labels = {"echo": "bare Flask echo (same JSON body)",
              "assessments": "POST /v1/assessments, explained, stored",
              "batch": f"POST /v1/assessments/batch, {BATCH_ITEMS:,} items, no factors"}
    print(f"gunicorn: {args.workers} workers, same gunicorn.conf.py; wrk: {args.connections} "
          f"connections, {args.seconds:g} s a load ({args.batch_seconds:g} s the batch), "
          f"{args.rounds} round(s); round {median_round + 1}, the median ratio, shown"
          + "".join(f"; {name}={value}" for name, value in settings.items()) + "\n")
    print(f"{'load':42}{'requests/s':>12}{'claims/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, r in rows.items():
        per_request = BATCH_ITEMS if name == "batch" else (1 if name == "assessments" else 0)
        claims_per_s = f"{r['rps'] * per_request:,.0f}" if per_request else "-"
        print(f"{labels[name]:42}{r['rps']:12,.0f}{claims_per_s:>10}{r['p50_us'] / 1000:9.1f}"
              f"{r['p99_us'] / 1000:9.1f}{r['socket_errors'] + r['bad_status']:8d}")
    ratio = ratios[median_round]
    p99 = rows["assessments"]["p99_us"] / 1000
    batch_rate = rows["batch"]["rps"] * BATCH_ITEMS

    def verdict(met):
        return "met" if met else "NOT met"

    print(f"\n{'round':8}{'echo req/s':>12}{'assessments req/s':>19}{'ratio':>7}"
          f"{'batch claims/s':>16}")
    for number, (e, a, b) in enumerate(zip(runs["echo"], runs["assessments"], runs["batch"])):
        print(f"{number + 1:<8}{e['rps']:12,.0f}{a['rps']:19,.0f}{ratios[number]:7.2f}"
              f"{b['rps'] * BATCH_ITEMS:16,.0f}")
    print(f"\nratio, requests/s (assessments / echo): {ratio:.2f}   target >= {TARGETS['ratio']}: "
          f"{verdict(ratio >= TARGETS['ratio'])}")
    print(f"assessments p99: {p99:.1f} ms   target <= {TARGETS['p99_ms']:g} ms: "
          f"{verdict(p99 <= TARGETS['p99_ms'])}")
    print(f"batch: {batch_rate:,.0f} claims/s   target >= {TARGETS['batch_claims_per_s']:,}: "
          f"{verdict(batch_rate >= TARGETS['batch_claims_per_s'])}")
    print(f"stored assessments: {stored:,}; answered to the timed loads: {answered:,} "
          f"({'all stored' if stored >= answered else 'SOME NOT STORED'}; the rest are warm-up, "
          f"checks and requests in flight when a load stopped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
