"""Liveness, readiness and Prometheus metrics, for orchestrators and monitoring."""
from __future__ import annotations

from flask import current_app
from flask_smorest import abort

from .. import db, metrics, serving
from ..schemas import HealthSchema
from . import ServiceBlueprint

blp = ServiceBlueprint("health", __name__, description="Liveness, readiness, metrics.")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz():
    """The process answers"""
    return {"status": "ok", "model_version": getattr(serving.slot().scorer, "version", None)}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.problems(503)
def readyz():
    """Ready to score: a model is loaded and the database answers"""
    slot = serving.slot()
    problems = [reason for reason in (
        None if slot.scorer is not None else f"no model loaded: {slot.error}",
        db.reachable(current_app)) if reason]
    if problems:
        abort(503, message="; ".join(problems))
    return {"status": "ready", "model_version": slot.scorer.version}


@blp.route("/metrics", methods=["GET"])
@blp.response(200, content_type="text/plain; version=0.0.4",
              description="Prometheus text exposition")
def prometheus_metrics():
    """Prometheus metrics, summed over all workers"""
    return metrics.exposition()
