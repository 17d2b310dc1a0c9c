"""What a webhook subscription costs a verdict: recording verdicts with one subscription
against none, side by side in one run.

    flock /tmp/heavy.lock .venv/bin/python bench/webhooks.py [--rounds 7] [--verdicts 100]
        [--postgres postgresql+psycopg://user@host/db]

Two apps in this process (Flask's test client: no network in the timing), each over a
fresh database (SQLite files, or with --postgres a schema of their own in that
database), both serving the committed model. In one, an active subscription wants
`verdict.recorded` and `source.grade_changed`; the other has none. Each verdict goes to
a fresh assessment of one registered source. Each round times --verdicts verdicts on
each app, one on each in turn (alternating which goes first), and takes the median of
each app's times. The sender threads do not run: this
times recording (the verdict, its track record, the outbox rows in the same
transaction), not sending. Prints the median milliseconds per verdict of each app, their
ratio (target <= 1.10), and every round's figures (median of the rounds' medians).
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from bench.served import postgres_schema  # noqa: E402

TARGET = 1.10
ADMIN, WRITER = "bench-admin", "bench-writer"
CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."


def make_app(url: str, scorer):
    from service import create_app
    from service.db import upgrade

    upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "MODEL_REGISTRY": "/nonexistent",
                      "API_KEYS": WRITER, "ADMIN_API_KEYS": ADMIN, "RATELIMIT_ENABLED": False,
                      "WEBHOOKS_SECRET_KEY": "b" * 40, "WEBHOOKS_ALLOW_HTTP": True,
                      "WEBHOOKS_ALLOW_PRIVATE": True, "WEBHOOKS_DELIVER": False})
    slot = app.extensions["model"]
    slot.scorer, slot.error = scorer, None
    return app


def prepare(app, count: int) -> list[str]:
    """A registered source and `count` assessments of it; their ids."""
    client = app.test_client()
    source = client.post("/v1/sources", headers={"X-API-Key": WRITER},
                         json={"name": "Bench Ministry", "type": "state_agency"}).json
    ids = []
    while len(ids) < count:
        items = [{"claim": f"{CLAIM} ({len(ids) + n})", "source": {"id": source["id"]}}
                 for n in range(min(100, count - len(ids)))]
        answer = client.post("/v1/assessments/batch", json={"items": items, "explain": False})
        ids += [item["assessment"]["id"] for item in answer.json["items"]]
    return ids


LEVELS = ("false", "pants-fire", "half-true", "true")


def time_verdict(client, assessment_id: str, number: int) -> float:
    """Milliseconds to record one verdict."""
    started = time.perf_counter()
    answer = client.post(f"/v1/assessments/{assessment_id}/verdict",
                         headers={"X-API-Key": WRITER},
                         json={"verdict": LEVELS[number % 4], "reviewer": "bench"})
    took = (time.perf_counter() - started) * 1000
    if answer.status_code != 200:
        raise RuntimeError(f"verdict answered {answer.status_code}: {answer.json}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--verdicts", type=int, default=100, help="per app per round")
    parser.add_argument("--postgres", help="a PostgreSQL URL instead of SQLite files")
    args = parser.parse_args()

    from model.scoring import Scorer

    scorer = Scorer.load(str(ROOT / "model" / "registry"))
    with contextlib.ExitStack() as stack:
        if args.postgres:
            urls = [stack.enter_context(postgres_schema(args.postgres, "bench_webhooks_"))
                    for _ in range(2)]
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            urls = [f"sqlite:///{folder / name}.db" for name in ("without", "with")]
        without, subscribed = make_app(urls[0], scorer), make_app(urls[1], scorer)
        for app in (without, subscribed):
            stack.callback(app.extensions["db"]["engine"].dispose)
        made = subscribed.test_client().post(
            "/v1/webhooks", headers={"X-API-Key": ADMIN},
            json={"url": "http://127.0.0.1:9/never-called",
                  "events": ["verdict.recorded", "source.grade_changed"]})
        assert made.status_code == 201, made.json
        total = args.verdicts * (args.rounds + 1)          # one warm-up round
        ids = {"without": prepare(without, total), "with": prepare(subscribed, total)}
        clients = {"without": without.test_client(), "with": subscribed.test_client()}
        rounds = []
        for number in range(args.rounds + 1):
            times = {"without": [], "with": []}
            # Verdict by verdict, alternating which app goes first: the shared machine's
            # load changes by the second, and so hits both alike.
            for step in range(number * args.verdicts, (number + 1) * args.verdicts):
                order = ("without", "with") if step % 2 else ("with", "without")
                for name in order:
                    times[name].append(time_verdict(clients[name], ids[name][step], step))
            if number:                                     # round 0 warms both up
                rounds.append({name: statistics.median(t) for name, t in times.items()})
        with subscribed.app_context():
            from sqlalchemy import func, select

            from service.db import session
            from service.tables import WebhookDelivery
            queued = session().execute(select(func.count()).select_from(WebhookDelivery)
                                       ).scalar()
    base = statistics.median(r["without"] for r in rounds)
    with_ = statistics.median(r["with"] for r in rounds)
    ratio = with_ / base
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"recording a verdict ({database}, {args.rounds} rounds of {args.verdicts} each, "
          f"median ms per verdict)")
    print(f"  without a subscription: {base:.3f} ms")
    print(f"  with a subscription:    {with_:.3f} ms   ({queued} deliveries queued)")
    print(f"  ratio: {ratio:.3f}  (target <= {TARGET:.2f}: "
          f"{'met' if ratio <= TARGET else 'NOT met'})")
    print("  rounds (without, with, ratio): " + "; ".join(
        f"{r['without']:.3f}, {r['with']:.3f}, {r['with'] / r['without']:.3f}" for r in rounds))


if __name__ == "__main__":
    main()
