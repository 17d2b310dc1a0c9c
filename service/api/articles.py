"""News reports: their attributed claims, each scored and stored as an assessment."""
from __future__ import annotations

from flask import current_app
from flask_smorest import abort

from .. import db, metrics, webhooks
from ..article_schemas import ArticleRequestSchema, ArticleSchema
from ..articles import (article_body, article_event, assess_article, read_article,
                        store_article)
from . import ServiceBlueprint, json_response
from .assessments import _scorer

blp = ServiceBlueprint("articles", __name__, url_prefix="/v1/articles",
                       description="A news report's attributed claims, weighed.")


@blp.route("", methods=["POST"])
@blp.needs_key(unless_setting_off="SCORING_REQUIRES_KEY")
@blp.arguments(ArticleRequestSchema)
@blp.response(201, ArticleSchema)
@blp.problems(413, 415, 429, 503)
def create_article(body):
    """Find a report's attributed claims, score each and store them"""
    intake = assess_article(db.session(), _scorer(), body,
                            current_app.config["MAX_CLAIM_CHARS"])
    with db.transaction() as writer:
        store_article(writer, intake)
        # In this transaction: the article and its event are stored together or not at all.
        announced = webhooks.events.article_assessed(
            writer, article_event(intake), intake.article.get("desk"))
    if announced:
        webhooks.wake()
    for _, result in intake.answered:
        metrics.ASSESSMENTS.labels(result["model"]["version"], result["band"]).inc()
    return json_response(article_body(intake.article, intake.claims), 201)


@blp.route("/<string:article_id>", methods=["GET"])
@blp.response(200, ArticleSchema)
@blp.problems(404, 429, 503)
def get_article(article_id):
    """An article with its claims, their stored assessments and verdicts"""
    found = read_article(db.session(), article_id)
    if found is None:
        abort(404, message="No article has this id.")
    return json_response(found)
