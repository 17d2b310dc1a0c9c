"""The database tables. Alembic's migrations create them; tests check the two agree."""
from __future__ import annotations

import datetime
import secrets
import time
import uuid

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
