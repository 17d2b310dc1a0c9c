"""How long a 5,000-character report takes from POST /v1/articles to its answer.

    flock /tmp/heavy.lock .venv/bin/python bench/articles.py [--chars 5000] [--runs 60]

The report is made of this project's own test reports (tests/fixtures/reports.yaml, no
dataset), cut at a paragraph to about --chars characters. Each run posts it through the
Flask test client to an app over a fresh SQLite database serving the committed default
model: extraction, one batch of scoring with explanations, one INSERT of assessments,
the article and its claims, and the JSON answer. Prints p50 and p90 of the whole, and of
its parts measured alone (extraction; scoring the found claims as one batch).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

import yaml  # noqa: E402

from model.attribution import extract  # noqa: E402
from model.scoring import Scorer  # noqa: E402
from service import create_app  # noqa: E402
from service.config import ROOT  # noqa: E402
from service.db import upgrade  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "reports.yaml"


def report_of(chars: int) -> str:
    paragraphs = []
    for report in yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["reports"]:
        paragraphs.extend(p for p in report["text"].split("\n\n") if p.strip())
    text = ""
    for paragraph in paragraphs:
        if len(text) + len(paragraph) > chars:
            break
        text += paragraph.strip() + "\n\n"
    return text


def percentiles(times: list[float]) -> str:
    ordered = sorted(times)
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, "
            f"p90 {ordered[int(len(ordered) * 0.9)] * 1000:.1f} ms")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args(argv)
    text = report_of(args.chars)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False,
                          "MODEL_POLL_SECONDS": 3600.0})
        client = app.test_client()
        scorer = Scorer.load(app.config["MODEL_REGISTRY"])
        found = extract(text).claims
        for _ in range(5):   # warm-up: caches, first requests
            assert client.post("/v1/articles", json={"text": text}).status_code == 201
        whole, extraction, scoring = [], [], []
        requests = [{"claim": c.claim, "source": c.as_dict()["source"],
                     "context": c.as_dict()["context"]} for c in found if c.checkable]
        for _ in range(args.runs):
            began = time.perf_counter()
            response = client.post("/v1/articles", json={"text": text})
            whole.append(time.perf_counter() - began)
            assert response.status_code == 201
            began = time.perf_counter()
            extract(text)
            extraction.append(time.perf_counter() - began)
            began = time.perf_counter()
            scorer.assess_many(requests, [None] * len(requests))
            scoring.append(time.perf_counter() - began)
        app.extensions["db"]["engine"].dispose()
    print(f"report: {len(text)} characters, {len(found)} claims "
          f"({len(requests)} scored), {args.runs} runs")
    print(f"POST /v1/articles, whole: {percentiles(whole)}")
    print(f"  extraction alone:      {percentiles(extraction)}")
    print(f"  scoring alone (batch): {percentiles(scoring)}")


if __name__ == "__main__":
    main()
