"""Liveness, readiness and Prometheus metrics, for orchestrators and monitoring."""
from __future__ import annotations

from flask import current_app
from flask_smorest import abort
from marshmallow import Schema, fields

from .. import db, metrics, serving
from ..schemas import HealthSchema
from . import ServiceBlueprint


class RefusalSchema(Schema):
    version = fields.String(allow_none=True, metadata={
        "description": "The version CURRENT names (null when CURRENT cannot be read)"})
    error = fields.String(metadata={"description": "Why it was refused"})
    at = fields.String(metadata={"description": "When, UTC (ISO 8601)"})


class ReadinessSchema(HealthSchema):
    refused = fields.Nested(RefusalSchema, metadata={
        "description": "Present while the promoted version was refused and the one named by "
                       "model_version still serves"})


blp = ServiceBlueprint("health", __name__, description="Liveness, readiness, metrics.")


@blp.route("/healthz", methods=["GET"])
@blp.response(200, HealthSchema)
def healthz():
    """The process answers"""
    return {"status": "ok", "model_version": getattr(serving.slot().scorer, "version", None)}


@blp.route("/readyz", methods=["GET"])
@blp.response(200, ReadinessSchema)
@blp.problems(503)
def readyz():
    """Ready to score: a model is loaded, the database answers and is fully migrated"""
    slot = serving.slot()
    scorer, refused = slot.scorer, slot.refused
    problems = [reason for reason in (
        None if scorer is not None else f"no model loaded: {slot.error}",
        db.readiness(current_app)) if reason]
    if problems:
        abort(503, message="; ".join(problems))
    answer = {"status": "ready", "model_version": scorer.version}
    # A refused promotion does not make the process unready: the held model still serves.
    if refused is not None:
        answer["refused"] = refused
    return answer


@blp.route("/metrics", methods=["GET"])
@blp.response(200, content_type="text/plain; version=0.0.4",
              description="Prometheus text exposition")
def prometheus_metrics():
    """Prometheus metrics, summed over all workers"""
    return metrics.exposition()
