"""An assessment as schema.org ClaimReview JSON-LD, the format fact-check tools exchange."""
from __future__ import annotations

import datetime

from model.levels import LEVEL_INDEX, LEVELS

# The desk's six levels as published words; ratingValue counts up from pants-fire = 1.
VERDICT_NAMES = {"pants-fire": "Pants on fire", "false": "False", "barely-true": "Barely true",
                 "half-true": "Half true", "mostly-true": "Mostly true", "true": "True"}
BANDS = ("low", "mixed", "high")
# Source types that name one person; every other type is published as an Organization.
PERSON_TYPES = frozenset({"government_official", "politician", "opposition_politician",
                          "exiled_politician", "commentator", "academic", "eyewitness",
                          "social_media_account", "anonymous"})


def claim_review(claim: str, output: dict, context: dict | None, verdict: dict | None,
                 assessed_at: datetime.datetime, desk: str) -> dict:
    """The ClaimReview of one stored assessment.

    `output` is the assessment as answered, `context` the request's context, `verdict`
    the desk's verdict (`verdict`, `evidence_url`, `notes`, `decided_at`) or None: then
    the rating is the model's band, said to be an automated assessment.
    """
    item = {"@type": "Claim", "author": _claimant(output.get("source") or {})}
    if context and context.get("published_at"):
        item["datePublished"] = str(context["published_at"])
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim,
        "itemReviewed": item,
        "reviewRating": _verdict_rating(verdict) if verdict else _model_rating(output),
        "author": {"@type": "Organization", "name": desk},
        "datePublished": _day(verdict["decided_at"] if verdict else assessed_at),
    }
    if verdict and verdict.get("evidence_url"):
        review["url"] = verdict["evidence_url"]
    return review


def _claimant(source: dict) -> dict:
    kind = source.get("type") or "other"
    name = source.get("name")
    if not name:
        name = "Anonymous source" if kind == "anonymous" else f"Unnamed {kind.replace('_', ' ')}"
    return {"@type": "Person" if kind in PERSON_TYPES else "Organization", "name": name}


def _verdict_rating(verdict: dict) -> dict:
    rating = {"@type": "Rating", "ratingValue": LEVEL_INDEX[verdict["verdict"]] + 1,
              "bestRating": len(LEVELS), "worstRating": 1,
              "alternateName": VERDICT_NAMES[verdict["verdict"]]}
    if verdict.get("notes"):
        rating["ratingExplanation"] = verdict["notes"]
    return rating


def _model_rating(output: dict) -> dict:
    band = output["band"]
    return {"@type": "Rating", "ratingValue": BANDS.index(band) + 1,
            "bestRating": len(BANDS), "worstRating": 1,
            "alternateName": (f"Automated assessment, not reviewed by a fact-checker: "
                              f"{band} credibility (score {output['score']:.2f} of 1)"),
            "ratingExplanation": f"Scored by model {output['model']['version']}."}


def _day(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:  # SQLite gives back naive times; they were written in UTC
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).date().isoformat()
