"""AVeriTeC's real-world claims, each with the checker that rated it as its desk.

``train.json`` is training data; ``dev.json`` is where the model is measured (refused for
training by ``training.datasets.load``). Per claim: the speaker is the source's name
(its type from ``model.roles``), the reporting source (where the claim first appeared,
"Facebook", "CNN", "a rally") is the channel, ``location_ISO_code`` the country and
``claim_date`` the publication date. The desk is the checker's site, read from
``fact_checking_article`` (an archive.org address wrapping the checker's own).

Verdicts: Supported held up, Refuted did not; both say only the side, not a level.
"Not Enough Evidence" and "Conflicting Evidence/Cherrypicking" are left out: neither says
whether the claim held up (the first that the checkers could not tell, the second that
it is true in part and misleads in part, which the six-level scale would put anywhere
from barely-true to half-true), so counting them on either side would teach the model a
line the checkers did not draw. The justification and the questions (the checkers' own
findings) are never read.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

from model.roles import classify_source

from .datasets import Claims, DataError, sha256_of, site_desk

HELD_UP = {"Supported": True, "Refuted": False}
LEFT_OUT = ("Not Enough Evidence", "Conflicting Evidence/Cherrypicking")


def _clean(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _date(text: str) -> str:
    """dd-mm-yyyy as an ISO date; "" when it is not a date."""
    try:
        day, month, year = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day).isoformat()
    except (ValueError, TypeError):
        return ""


def source_type(speaker: str, reporting_source: str) -> str:
    """The speaker's type; a speaker known only as the poster of a social media post is a
    social media account; a claim that names no speaker and no known outlet is
    anonymous, and one that names only a platform comes from a social media account."""
    kind = classify_source(name=speaker) if speaker else "other"
    if kind != "other":
        return kind
    where = classify_source(name=reporting_source) if reporting_source else "other"
    if where == "social_media_account":
        return where
    if not speaker:
        return where if where != "other" else "anonymous"
    return kind


def request_of(record: dict) -> dict:
    speaker, reporting = _clean(record.get("speaker")), _clean(record.get("reporting_source"))
    source = {"name": speaker, "country": _clean(record.get("location_ISO_code")).upper(),
              "type": source_type(speaker, reporting)}
    context = {"channel": reporting}
    published = _date(_clean(record.get("claim_date")))
    if published:
        context["published_at"] = published
    request = {"claim": _clean(record.get("claim")), "source": source, "context": context}
    desk = site_desk(record.get("fact_checking_article"))
    if desk:
        request["desk"] = desk
    return request


def load_file(path: Path) -> Claims:
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not an AVeriTeC JSON file ({error})") from None
    if not isinstance(records, list):
        raise DataError(f"{path}: not an AVeriTeC JSON file (expected a list of claims)")
    claims, left_out = Claims(), 0
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(f"{path}: claim {number} is not a JSON object")
        label = record.get("label")
        if label in LEFT_OUT or not _clean(record.get("claim")):   # one train claim is empty
            left_out += 1
            continue
        if label not in HELD_UP:
            raise DataError(f"{path}: claim {number}: unknown label {label!r}")
        claims.add(request_of(record), held_up=HELD_UP[label])
    claims.sources.append({"spec": f"averitec:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims), "left_out": left_out})
    return claims
