"""A news report in, its attributed claims out, each scored as POST /v1/assessments
scores a claim: one extraction, one batch through the scorer, one INSERT of assessments.

``model.attribution`` finds the claims; each checkable one becomes an assessment request
(validated by the assessments' own schema), goes through ``assessing.prepare`` /
``Scorer.assess_many`` / ``assessing.answer`` and is stored by ``assessing.store``.
Opinions, hopes and slogans are listed with ``checkable: false`` and no assessment.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import insert, select

from model.attribution import extract

from . import records
from .assessing import Prepared, answer, prepare, score, store
from .schemas import AssessmentRequestSchema
from .tables import Article, ArticleClaim, Assessment, Verdict, new_id, utcnow

_REQUEST = AssessmentRequestSchema()   # loading keeps no state: one instance for all
_TEXT_LIMIT = 200                      # the assessments' limit on a name or a role
ARTICLE_FIELDS = ("title", "url", "published_at", "desk")


@dataclass
class Intake:
    article: dict                         # the articles row
    claims: list[dict]                    # the article's claims, each with its assessment
    answered: list[tuple[Prepared, dict]]


def claim_request(found: dict, article: dict, max_claim_chars: int) -> dict | None:
    """The assessment request of one found claim, as POST /v1/assessments would take it."""
    source = {key: value[:_TEXT_LIMIT] for key, value in found["source"].items() if value}
    context = dict(found["context"],
                   relayed_by=[name[:_TEXT_LIMIT] for name in found["context"]["relayed_by"]])
    if article.get("published_at"):
        context["published_at"] = article["published_at"]
    try:
        request = _REQUEST.load({"claim": found["claim"][:max_claim_chars], "source": source,
                                 "context": context})
    except ValidationError:
        return None   # nothing the text can give fails; but an unscored row beats a 500
    if article.get("desk"):
        request["desk"] = article["desk"]
    return request


def assess_article(session, scorer, body: dict, max_claim_chars: int) -> Intake:
    """Extract, prepare and score an article's claims (nothing is written yet)."""
    extraction = extract(body["text"])
    article = {key: body.get(key) for key in ARTICLE_FIELDS}
    article.update(id=new_id(), created_at=utcnow(), text=body["text"],
                   language=extraction.language)
    found = [claim.as_dict() for claim in extraction.claims]
    requests = [claim_request(claim, article, max_claim_chars) if claim["checkable"] else None
                for claim in found]
    named = records.find_by_names(session, [r["source"].get("name") for r in requests if r])
    prepared = [prepare(session, scorer, r, named) if r else None for r in requests]
    ready = [p for p in prepared if p is not None]
    outputs = score(session, scorer, ready) if ready else []   # each calibrated to its desk
    answers = iter(answer(p, output) for p, output in zip(ready, outputs))
    answered, claims = [], []
    for claim, request, one in zip(found, requests, prepared):
        if one is None:
            context = dict(claim["context"])
            if article.get("published_at"):
                context["published_at"] = article["published_at"]
            claims.append(dict(claim, context=context, assessment=None, verdict=None))
            continue
        result = next(answers)
        answered.append((one, result))
        claims.append(dict(claim, context=request["context"], assessment=result, verdict=None))
    return Intake(article, claims, answered)


def article_event(intake: Intake) -> dict:
    """What article.assessed carries: the article and each claim's speaker and assessment."""
    article = intake.article
    return {"id": article["id"], "language": article["language"],
            **{key: article[key] for key in ARTICLE_FIELDS if article.get(key) is not None},
            "claims": [{"claim": claim["claim"], "speaker": (claim.get("source") or {}).get("name"),
                        "checkable": claim["checkable"],
                        "assessment_id": claim["assessment"]["id"] if claim["assessment"] else None,
                        "score": claim["assessment"]["score"] if claim["assessment"] else None,
                        "grade": claim["assessment"]["grade"] if claim["assessment"] else None}
                       for claim in intake.claims]}


def store_article(writer, intake: Intake) -> None:
    """The article, its claims' assessments (one INSERT) and its claims, in one transaction."""
    writer.connection().execute(insert(Article.__table__), [intake.article])
    store(writer, intake.answered)
    rows = [{"article_id": intake.article["id"], "position": position,
             "claim": {key: value for key, value in claim.items()
                       if key not in ("assessment", "verdict")},
             "assessment_id": claim["assessment"]["id"] if claim["assessment"] else None}
            for position, claim in enumerate(intake.claims)]
    if rows:
        writer.connection().execute(insert(ArticleClaim.__table__), rows)


def _created(value) -> str:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:   # SQLite hands back naive UTC
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat(
            timespec="seconds").replace("+00:00", "Z")
    return value


def article_body(article: dict, claims: list[dict]) -> dict:
    body = {"id": article["id"], "created_at": _created(article["created_at"]),
            "language": article["language"]}
    body.update({key: article[key] for key in ARTICLE_FIELDS if article.get(key) is not None})
    body["text"] = article["text"]
    body["claims"] = claims
    return body


def read_article(session, article_id: str) -> dict | None:
    """An article with its claims, each with its stored assessment and its verdict if any."""
    article = session.get(Article, article_id)
    if article is None:
        return None
    rows = session.execute(select(ArticleClaim).where(ArticleClaim.article_id == article_id)
                           .order_by(ArticleClaim.position)).scalars().all()
    ids = [row.assessment_id for row in rows if row.assessment_id]
    outputs, verdicts = {}, {}
    if ids:
        outputs = dict(session.execute(select(Assessment.id, Assessment.output)
                                       .where(Assessment.id.in_(ids))).all())
        for verdict in session.execute(select(Verdict).where(Verdict.assessment_id.in_(ids))
                                       ).scalars():
            verdicts[verdict.assessment_id] = {
                "verdict": verdict.verdict, "reviewer": verdict.reviewer,
                "evidence_url": verdict.evidence_url, "notes": verdict.notes,
                "decided_at": _created(verdict.updated_at)}
    claims = [dict(row.claim, assessment=outputs.get(row.assessment_id),
                   verdict=verdicts.get(row.assessment_id)) for row in rows]
    values = {column: getattr(article, column) for column in
              ("id", "created_at", "text", "language") + ARTICLE_FIELDS}
    return article_body(values, claims)
