"""Where a request's time goes: cProfile over the service's own request path, in-process.

    .venv/bin/python bench/request_profile.py [--requests 2000] [--batch] [--top 30]

Builds the app on a fresh SQLite database (migrated with `alembic upgrade head`) and the
committed model, with rate limiting off, warms it up, and sends --requests `POST
/v1/assessments` (one LIAR validation claim each, with explanation, stored) through
Flask's test client under cProfile (the garbage collector frozen after the warm-up, as
in a served worker); --batch sends batches of 1,000 claims with
"explain": false instead. Prints the milliseconds per request without and with the
profiler, then the functions with the most time of their own and the most time
including callees. The test client stands in for gunicorn's HTTP parsing, so this shows
the application's share; bench/http.py measures the whole.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the repo, not bench/: bench/http.py must not hide the standard http

from bench.scoring import claims  # noqa: E402
from bench.served import as_sent, fresh_database  # noqa: E402
from service import create_app  # noqa: E402

BATCH_ITEMS = 1000


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--batch", action="store_true", help="batches of 1,000, no factors")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="credibility-profile-") as folder:
        app = create_app({"DATABASE_URL": fresh_database(Path(folder)),
                          "RATELIMIT_ENABLED": False, "MAX_BATCH_ITEMS": BATCH_ITEMS})
        client = app.test_client()
        requests = [as_sent(r) for r in claims(BATCH_ITEMS if args.batch else 500)]
        if args.batch:
            path, count = "/v1/assessments/batch", max(1, args.requests // 200)
            bodies = [json.dumps({"items": requests, "explain": False})]
        else:
            path, count = "/v1/assessments", args.requests
            bodies = [json.dumps(request) for request in requests]

        def send(n: int) -> None:
            for i in range(n):
                answer = client.post(path, data=bodies[i % len(bodies)],
                                     content_type="application/json")
                if answer.status_code not in (200, 201):
                    raise RuntimeError(f"{path} answered {answer.status_code}: "
                                       f"{answer.get_data(as_text=True)[:500]}")

        send(min(count, 100))                                       # warm caches
        gc.freeze()           # as a served worker does once its app is loaded (gunicorn.conf.py)
        started = time.perf_counter()
        send(count)
        plain = (time.perf_counter() - started) / count
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(send, count)
        profiled = (time.perf_counter() - started) / count
    what = f"batches of {BATCH_ITEMS:,}, no factors" if args.batch else "single, explained"
    print(f"POST {path} ({what}), {count} requests on SQLite: "
          f"{plain * 1000:.3f} ms each, {profiled * 1000:.3f} ms under the profiler\n")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
