"""Prometheus metrics, summed over gunicorn's workers when PROMETHEUS_MULTIPROC_DIR is set."""
from __future__ import annotations

import os
import time

from flask import Response, g, request
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter,
                               Histogram, generate_latest, multiprocess)

REQUESTS = Counter("credibility_http_requests_total", "HTTP requests answered",
                   ["method", "endpoint", "status"])
LATENCY = Histogram("credibility_http_request_seconds", "Time to answer a request",
                    ["endpoint"])
ASSESSMENTS = Counter("credibility_assessments_total", "Claims scored",
                      ["model_version", "band"])
VERDICTS = Counter("credibility_verdicts_total", "Verdicts recorded", ["verdict"])


def init_app(app) -> None:
    @app.before_request
    def _start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        if "started" in g:
            LATENCY.labels(endpoint).observe(time.perf_counter() - g.started)
        return response


def exposition() -> Response:
    """The text exposition: this process's metrics, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
