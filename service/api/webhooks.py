"""Webhook subscriptions, their deliveries, and retrying one (admin key)."""
from __future__ import annotations

from flask import current_app
from flask_smorest import abort
from sqlalchemy import select

from .. import db
from ..tables import Webhook
from ..webhooks import subscriptions
from ..webhooks.addresses import Refused
from ..webhooks.schemas import (DeliveryListSchema, DeliveryQuerySchema, DeliverySchema,
                                WebhookCreatedSchema, WebhookCreateSchema, WebhookListSchema,
                                WebhookPatchSchema, WebhookSchema)
from . import ServiceBlueprint

blp = ServiceBlueprint("webhooks", __name__, url_prefix="/v1/webhooks",
                       description="Signed webhooks: who hears of verdicts, grade changes, "
                                   "model promotions and assessed articles.")


def _refused_url(refused: Refused):
    abort(422, message="The webhook URL is refused; see errors.", errors={"url": [str(refused)]})


def _found(session, webhook_id: str) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        abort(404, message="No webhook has this id.")
    return webhook


@blp.route("", methods=["POST"])
@blp.needs_key(admin=True)
@blp.arguments(WebhookCreateSchema)
@blp.response(201, WebhookCreatedSchema)
@blp.problems(413, 415, 429, 503)
def create_webhook(fields):
    """Subscribe a URL to events; the answer carries the signing secret, this once"""
    try:
        with db.transaction() as writer:
            webhook, secret = subscriptions.subscribe(writer, current_app.config, fields)
    except subscriptions.Unavailable as off:
        abort(503, message=str(off))
    except Refused as refused:
        _refused_url(refused)
    return {**subscriptions.described(webhook), "secret": secret}


@blp.route("", methods=["GET"])
@blp.needs_key(admin=True)
@blp.response(200, WebhookListSchema)
@blp.problems(429, 503)
def list_webhooks():
    """Every subscription (without secrets)"""
    items = db.session().execute(select(Webhook).order_by(Webhook.created_at, Webhook.id))
    return {"items": [subscriptions.described(webhook) for webhook in items.scalars()]}


@blp.route("/<string:webhook_id>", methods=["GET"])
@blp.needs_key(admin=True)
@blp.response(200, WebhookSchema)
@blp.problems(404, 429, 503)
def get_webhook(webhook_id):
    """One subscription (without its secret)"""
    return subscriptions.described(_found(db.session(), webhook_id))


@blp.route("/<string:webhook_id>", methods=["PATCH"])
@blp.needs_key(admin=True)
@blp.arguments(WebhookPatchSchema)
@blp.response(200, WebhookSchema)
@blp.problems(404, 413, 415, 429, 503)
def patch_webhook(fields, webhook_id):
    """Pause or resume a subscription, or change its URL, events or desk"""
    try:
        with db.transaction() as writer:
            webhook = subscriptions.change(writer, current_app.config,
                                           _found(writer, webhook_id), fields)
    except Refused as refused:
        _refused_url(refused)
    return subscriptions.described(webhook)


@blp.route("/<string:webhook_id>", methods=["DELETE"])
@blp.needs_key(admin=True)
@blp.response(204)
@blp.problems(404, 429, 503)
def delete_webhook(webhook_id):
    """Unsubscribe; the subscription's deliveries go with it"""
    with db.transaction() as writer:
        if not subscriptions.remove(writer, webhook_id):
            abort(404, message="No webhook has this id.")


@blp.route("/<string:webhook_id>/deliveries", methods=["GET"])
@blp.needs_key(admin=True)
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliveryListSchema)
@blp.problems(404, 429, 503)
def list_deliveries(query, webhook_id):
    """The subscription's deliveries, newest first, each with its attempts"""
    session = db.session()
    _found(session, webhook_id)
    items, total = subscriptions.deliveries(session, webhook_id, query.get("status"),
                                            query["limit"], query["offset"])
    return {"items": items, "total": total}


@blp.route("/<string:webhook_id>/deliveries/<string:delivery_id>/retry", methods=["POST"])
@blp.needs_key(admin=True)
@blp.response(202, DeliverySchema)
@blp.problems(404, 429, 503)
def retry_delivery(webhook_id, delivery_id):
    """Send a delivery again now (a failed one gets another WEBHOOKS_GIVE_UP_SECONDS)"""
    with db.transaction() as writer:
        shown = subscriptions.retry(writer, current_app.config, webhook_id, delivery_id)
    if shown is None:
        abort(404, message="This webhook has no delivery with this id.")
    current_app.extensions["webhooks"].wake()
    return shown
