"""The database tables. Alembic's migrations create them; tests check the two agree."""
from __future__ import annotations

import datetime
import secrets
import time
import uuid

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from model.desks import DEFAULT_DESK
from model.levels import LEVELS

# One counter column per level of the scale: "barely-true" -> "n_barely_true".
COUNT_COLUMNS = {level: "n_" + level.replace("-", "_") for level in LEVELS}


def new_id() -> str:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits.

    Ids made later sort later, so new rows land at the end of the primary-key index
    instead of at random pages of it (bench/http.py gave a few percent more requests/s
    and a lower p99 than with uuid4); the time they carry is the row's created_at,
    which is public anyway.
    """
    milliseconds = time.time_ns() // 1_000_000
    value = ((milliseconds & (1 << 48) - 1) << 80 | 0x7 << 76 | secrets.randbits(12) << 64
             | 0b10 << 62 | secrets.randbits(62))
    return str(uuid.UUID(int=value))


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


class Base(DeclarativeBase):
    pass


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    type: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(200))
    affiliation: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    n_pants_fire: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_false: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_barely_true: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_half_true: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_mostly_true: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    n_true: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def counts(self) -> dict[str, int]:
        return {level: int(getattr(self, column) or 0) for level, column in COUNT_COLUMNS.items()}


class SourceName(Base):
    """The normalised name and each alias of a source; unique, so one name means one source."""
    __tablename__ = "source_names"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    is_alias: Mapped[bool] = mapped_column(Boolean, default=False)


class Assessment(Base):
    """The audit log: what was asked, what was answered, by which model."""
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    input: Mapped[dict] = mapped_column(JSON)
    output: Mapped[dict] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(128), index=True)
    policy_version: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"), index=True)
    source_key: Mapped[str | None] = mapped_column(String(200))
    # The desk it was scored for (rows older than desks: DEFAULT_DESK's), the
    # shared model's log-odds before the desk's calibration, and the score as answered.
    # (The service always names the desk; a row made without one is the built-in default's.)
    desk: Mapped[str] = mapped_column(String(64), index=True, default=DEFAULT_DESK)
    model_logit: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)


class Verdict(Base):
    __tablename__ = "verdicts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"), unique=True)
    verdict: Mapped[str] = mapped_column(String(16))
    reviewer: Mapped[str] = mapped_column(String(200))
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Article(Base):
    """A news report as sent, with the language it was found to be in."""
    __tablename__ = "articles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[str | None] = mapped_column(String(10))
    desk: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))


class ArticleClaim(Base):
    """One attributed claim of an article, in the article's order, and its assessment
    (none for an opinion, which is not scored)."""
    __tablename__ = "article_claims"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim: Mapped[dict] = mapped_column(JSON)
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"), index=True)


class ApiKey(Base):
    """A named key made by `python -m service.keys create`; only its sha256 is kept."""
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    desk: Mapped[str | None] = mapped_column(String(64))   # NULL: DEFAULT_DESK's
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Desk(Base):
    """A desk's calibration, refitted from all its verdicts whenever one is recorded."""
    __tablename__ = "desks"

    desk: Mapped[str] = mapped_column(String(64), primary_key=True)
    verdicts: Mapped[int] = mapped_column(Integer, default=0)
    shift: Mapped[float] = mapped_column(Float, default=0.0)
    slope: Mapped[float] = mapped_column(Float, default=1.0)
    # ECE of the scores the desk was given before each verdict was known (None: none yet).
    ece: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
class Webhook(Base):
    """A subscription: where to POST which events, for which desk. Its signing secret is
    derived from WEBHOOKS_SECRET_KEY and `secret_salt` (service/webhooks/signing.py), so the
    table alone cannot sign."""
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON)
    desk: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_salt: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookEvent(Base):
    """The outbox: an event, written in the transaction of the change it reports."""
    __tablename__ = "webhook_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    type: Mapped[str] = mapped_column(String(40))
    desk: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSON)
    # Set for events that happen once however many processes see them (model.promoted).
    once_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One event to one subscription. `due_at` is the next attempt's time, or while an
    attempt runs the end of its lease: a sender that dies leaves it due again then."""
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"),
                                            index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"),
                                          index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    lease: Mapped[str | None] = mapped_column(String(32))
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    # Retried until then; unset: WEBHOOKS_GIVE_UP_SECONDS after created_at.
    give_up_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookAttempt(Base):
    """One POST of a delivery: when, the receiver's answer code or why there was none."""
    __tablename__ = "webhook_attempts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(Integer)
