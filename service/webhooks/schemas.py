"""marshmallow schemas of the webhook resources (they validate and write the OpenAPI)."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from .events import EVENT_TYPES

_DESK = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
DESK_PATTERN = {"pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"}   # the document's ECMA form


def valid_desk(value: str) -> None:
    if not _DESK.fullmatch(value):
        raise ValidationError("A desk id is 1-64 of a-z, 0-9, '.', '_', '-', starting with a "
                              "letter or digit.")

EVENTS = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)),
                     validate=validate.Length(min=1, max=len(EVENT_TYPES)),
                     metadata={"description": "Event types: " + ", ".join(EVENT_TYPES)})
URL = fields.String(validate=validate.Length(min=1, max=2000), metadata={
    "description": "https URL of a public host (http and private addresses only where the "
                   "service allows them)", "example": "https://cms.example.org/hooks/credibility"})


class WebhookCreateSchema(Schema):
    url = fields.String(required=True, validate=URL.validate, metadata=URL.metadata)
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True,
                         validate=EVENTS.validate, metadata=EVENTS.metadata)
    desk = fields.String(validate=valid_desk, allow_none=True, metadata={
        **DESK_PATTERN,
        "description": "Only this desk's events (events of no desk, such as model.promoted, "
                       "reach every subscription); absent or null: every desk's"})
    active = fields.Boolean(load_default=True, metadata={"description": "false: paused"})


class WebhookPatchSchema(Schema):
    url = fields.String(validate=URL.validate, metadata=URL.metadata)
    events = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)),
                         validate=EVENTS.validate, metadata=EVENTS.metadata)
    desk = fields.String(validate=valid_desk, allow_none=True, metadata=DESK_PATTERN)
    active = fields.Boolean(metadata={"description": "false pauses deliveries of new events"})


class WebhookSchema(Schema):
    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    desk = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = fields.String(metadata={
        "description": "The signing secret, shown this once: verify X-Credibility-Signature "
                       "with it"})


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))


class AttemptSchema(Schema):
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True, metadata={
        "description": "The receiver's answer code; null when it gave none"})
    error = fields.String(allow_none=True, metadata={"description": "Why it did not count"})
    duration_ms = fields.Integer()


class DeliverySchema(Schema):
    id = fields.String(metadata={"description": "Sent as X-Credibility-Delivery"})
    event_id = fields.String(metadata={"description": "The body's `id`: receivers drop repeats "
                                                      "by it"})
    event_type = fields.String()
    status = fields.String(metadata={"description": "pending, delivered or failed"})
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    attempts = fields.List(fields.Nested(AttemptSchema))


class DeliveryQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(("pending", "delivered", "failed")))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    total = fields.Integer()
