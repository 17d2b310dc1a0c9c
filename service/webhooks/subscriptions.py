"""Subscriptions: made with a secret shown once, changed, listed with their deliveries."""
from __future__ import annotations

import datetime

from sqlalchemy import delete, func, select, update

from ..tables import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent, utcnow
from . import addresses, signing
from .delivery import aware


class Unavailable(Exception):
    """Webhooks cannot be made here: no WEBHOOKS_SECRET_KEY."""


def check_url(config, url: str) -> None:
    """Refused (a ValueError) when the URL may not be called from here."""
    addresses.check(url, config["WEBHOOKS_ALLOW_HTTP"], config["WEBHOOKS_ALLOW_PRIVATE"])


def subscribe(writer, config, fields: dict) -> tuple[Webhook, str]:
    """A new subscription and its signing secret (which is not stored)."""
    key = config["WEBHOOKS_SECRET_KEY"]
    if not key:
        raise Unavailable("Webhooks are off here: the service has no WEBHOOKS_SECRET_KEY to "
                          "make signing secrets with.")
    check_url(config, fields["url"])
    webhook = Webhook(url=fields["url"], events=sorted(set(fields["events"])),
                      desk=fields.get("desk"), active=fields.get("active", True),
                      secret_salt=signing.new_salt(), key_id=signing.key_id(key))
    writer.add(webhook)
    writer.flush()
    return webhook, signing.secret(key, webhook.id, webhook.secret_salt)


def described(webhook: Webhook) -> dict:
    """The subscription as the API shows it: never its secret."""
    shown = {name: getattr(webhook, name) for name in ("id", "url", "events", "desk", "active")}
    return {**shown, "created_at": aware(webhook.created_at),
            "updated_at": aware(webhook.updated_at)}


def change(writer, config, webhook: Webhook, fields: dict) -> Webhook:
    if "url" in fields:
        check_url(config, fields["url"])
    if "events" in fields:
        fields = dict(fields, events=sorted(set(fields["events"])))
    for name, value in fields.items():
        setattr(webhook, name, value)
    webhook.updated_at = utcnow()
    writer.flush()
    return webhook


def remove(writer, webhook_id: str) -> bool:
    """Delete the subscription; its deliveries and their attempts go with it."""
    return writer.execute(delete(Webhook).where(Webhook.id == webhook_id)).rowcount > 0


def deliveries(session, webhook_id: str, status: str | None, limit: int, offset: int):
    """A page of the subscription's deliveries, newest first, each with its attempts."""
    chosen = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status:
        chosen = chosen.where(WebhookDelivery.status == status)
    total = session.execute(select(func.count()).select_from(chosen.subquery())).scalar()
    rows = session.execute(
        chosen.add_columns(WebhookEvent.type)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit).offset(offset)).all()
    attempts: dict[str, list] = {}
    for attempt in session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([row[0].id for row in rows]))
            .order_by(WebhookAttempt.at)).scalars():
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [shown(delivery, event_type, attempts.get(delivery.id, []))
            for delivery, event_type in rows], total


def shown(delivery: WebhookDelivery, event_type: str, attempts) -> dict:
    return {"id": delivery.id, "event_id": delivery.event_id, "event_type": event_type,
            "status": delivery.status,
            "next_attempt_at": aware(delivery.due_at) if delivery.status == "pending" else None,
            "last_status_code": delivery.last_status_code,
            "delivered_at": delivery.delivered_at and aware(delivery.delivered_at),
            "created_at": aware(delivery.created_at),
            "attempts": [{"at": aware(a.at), "status_code": a.status_code, "error": a.error,
                          "duration_ms": a.duration_ms} for a in attempts]}


def retry(writer, config, webhook_id: str, delivery_id: str):
    """Due now again, with a fresh WEBHOOKS_GIVE_UP_SECONDS; None if there is no such
    delivery. A delivered one is sent again (the receiver drops it by event id if it has it)."""
    now = utcnow()
    moved = writer.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.webhook_id == webhook_id)
        .values(status="pending", due_at=now, lease=None, give_up_at=now + datetime.timedelta(
            seconds=float(config["WEBHOOKS_GIVE_UP_SECONDS"])))
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        return None
    delivery, event_type = writer.execute(
        select(WebhookDelivery, WebhookEvent.type)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id)
        .execution_options(populate_existing=True)).one()
    attempts = writer.execute(select(WebhookAttempt)
                              .where(WebhookAttempt.delivery_id == delivery_id)
                              .order_by(WebhookAttempt.at)).scalars().all()
    return shown(delivery, event_type, attempts)
