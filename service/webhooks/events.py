"""The outbox: events written in the transaction of the change they report, one delivery
row per (event, subscription that wants it)."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from model.desks import DEFAULT_DESK

from ..tables import Webhook, WebhookDelivery, WebhookEvent, new_id, utcnow

VERDICT_RECORDED = "verdict.recorded"
GRADE_CHANGED = "source.grade_changed"
MODEL_PROMOTED = "model.promoted"
ARTICLE_ASSESSED = "article.assessed"
EVENT_TYPES = (VERDICT_RECORDED, GRADE_CHANGED, MODEL_PROMOTED, ARTICLE_ASSESSED)


def desk_of(assessment) -> str:
    """The desk an assessment was scored for (its stored desk, DEFAULT_DESK before desks)."""
    return assessment.desk or DEFAULT_DESK


@dataclasses.dataclass(frozen=True)
class Listener:
    webhook_id: str
    events: frozenset
    desk: str | None

    def wants(self, event_type: str, desk: str | None) -> bool:
        # Events of no desk (a model promotion) reach every desk's subscriptions.
        return event_type in self.events and (self.desk is None or desk is None
                                              or self.desk == desk)


# Core statements built once, run on the session's connection: every verdict runs them.
_ACTIVE = select(Webhook.id, Webhook.events, Webhook.desk).where(Webhook.active.is_(True))
_NEW_EVENT = WebhookEvent.__table__.insert()
_NEW_DELIVERIES = WebhookDelivery.__table__.insert()


def listeners(writer) -> list[Listener]:
    """The active subscriptions (one small query; read in the writer's transaction)."""
    return [Listener(webhook_id, frozenset(events or ()), desk)
            for webhook_id, events, desk in writer.connection().execute(_ACTIVE)]


def emit(writer, event_type: str, data: dict, desk: str | None = None,
         listening: list[Listener] | None = None, once_key: str | None = None) -> str | None:
    """Write the event and its deliveries in `writer`'s transaction; its id, or None when
    no subscription wants it (nothing is written then, unless `once_key` is given: that
    event is recorded so that it happens once). A second event of one `once_key` raises
    IntegrityError."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    listening = listeners(writer) if listening is None else listening
    targets = [listener.webhook_id for listener in listening
               if listener.wants(event_type, desk)]
    if not targets and once_key is None:
        return None
    now = utcnow()
    event_id = new_id()
    connection = writer.connection()
    connection.execute(_NEW_EVENT, {"id": event_id, "type": event_type, "desk": desk,
                                    "data": data, "once_key": once_key, "created_at": now})
    if targets:
        connection.execute(_NEW_DELIVERIES, [
            {"id": new_id(), "webhook_id": webhook_id, "event_id": event_id,
             "status": "pending", "due_at": now, "tries": 0, "created_at": now}
            for webhook_id in targets])
    return event_id


def verdict_recorded(writer, assessment, fields: dict, record: dict, earlier: str | None,
                     reliability_of=None) -> bool:
    """verdict.recorded, and source.grade_changed when the verdict moved the source's
    Admiralty grade. `record` is the source's updated record, `earlier` the verdict this
    one replaced, `reliability_of(type, counts)` the served model's. True if any was
    written (the view then wakes this process's sender)."""
    listening = listeners(writer)
    if not listening:
        return False
    desk = desk_of(assessment)
    verdict = {"assessment_id": assessment.id, "verdict": fields["verdict"],
               "reviewer": fields["reviewer"], "evidence_url": fields.get("evidence_url"),
               "notes": fields.get("notes"), "replaced": earlier}
    wrote = emit(writer, VERDICT_RECORDED, {"verdict": verdict, "desk": desk,
                                            "source": record}, desk, listening) is not None
    moved = _grade_move(record, fields["verdict"], earlier, reliability_of)
    if moved and any(listener.wants(GRADE_CHANGED, desk) for listener in listening):
        emit(writer, GRADE_CHANGED, {"source_id": record["id"], "old_grade": moved[0],
                                     "new_grade": moved[1], "assessment_id": assessment.id,
                                     "desk": desk}, desk, listening)
        wrote = True
    return wrote


def _grade_move(record: dict, level: str, earlier: str | None, reliability_of):
    """(old, new) reliability grades when this verdict changed the grade, else None."""
    if (record.get("id") is None or not record.get("reliability") or reliability_of is None
            or not record.get("track_record") or earlier == level):
        return None
    counts = dict(record["track_record"]["counts"])   # after: undo this verdict's move
    counts[level] -= 1
    if earlier is not None:
        counts[earlier] += 1
    old = reliability_of(record["type"], counts)["grade"]
    new = record["reliability"]["grade"]
    return (old, new) if old != new else None


def model_promoted(writer, scorer) -> str | None:
    """model.promoted for the version `scorer` serves, once per version across every
    process (IntegrityError when another has written it)."""
    card = scorer.card or {}
    return emit(writer, MODEL_PROMOTED,
                {"version": scorer.version, "policy_version": scorer.policy_version,
                 "trained_at": card.get("created_at"), "metrics": card.get("metrics")},
                once_key=f"{MODEL_PROMOTED}:{scorer.version}")


def article_assessed(writer, article: dict, desk: str | None = None) -> str | None:
    """article.assessed: a news report's claims assessed (`article`: service.articles'
    article_event, the article and each claim's speaker, assessment id, score and grade)."""
    return emit(writer, ARTICLE_ASSESSED, {"article": article, "desk": desk or DEFAULT_DESK},
                desk or DEFAULT_DESK)
