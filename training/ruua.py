"""The Russia-Ukraine fact-checked claims (Google Fact Check Tools), desk = publisher site.

Reads ``claims_union_dedup_flat.csv``: the claim text, its claimant (the source's name,
typed by ``model.roles``), the claim date, and the first review's publisher site (the
desk) and textual rating. Each publisher writes its own rating, so the map is to a side
only, never a level:

- held up: "True", "Mostly true", "Correct", "Correct attribution", "Accurate", and the
  Washington Post's one Pinocchio ("some shading of the facts");
- left out: "Unsubstantiated", "Unproven", "Unverified", "Unclear", "No evidence" (the
  checker could not tell);
- did not hold up: everything else ("False", "Fake", "Misleading", "Missing context",
  "Altered", "AI-generated", "Mostly false", "Pants on Fire!", two or more Pinocchios,
  and the one-sentence debunkings some publishers put in the rating).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from model.roles import classify_source

from .datasets import Claims, DataError, sha256_of, site_desk

FILE = "claims_union_dedup_flat.csv"
COLUMNS = ("text", "claimant", "claimDate", "publisher_site", "review_url", "textualRating")
HELD_UP = re.compile(r"^(?:true|mostly true|correct(?: attribution)?|accurate|1)\b")
LEFT_OUT = re.compile(r"^(?:unsubstantiated|unproven|unverified|unclear|no evidence)\b")


def held_up(rating: str) -> bool | None:
    """True, False, or None (left out) for a publisher's textual rating."""
    text = " ".join(str(rating).lower().replace("-", " ").split()).strip(" .!\"'")
    if HELD_UP.match(text):
        return True
    if LEFT_OUT.match(text):
        return None
    return False


def load_file(path: Path) -> Claims:
    claims, left_out = Claims(), 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DataError(f"{path}: not the Russia-Ukraine claims file (no column "
                            f"{', '.join(sorted(missing))})")
        for number, row in enumerate(reader, start=2):
            side = held_up(row["textualRating"])
            if side is None or not row["text"].strip():
                left_out += 1
                continue
            name = " ".join(row["claimant"].split())
            source = {"name": name, "type": classify_source(name=name) if name else "anonymous"}
            context = {"published_at": row["claimDate"][:10]} if row["claimDate"] else {}
            request = {"claim": row["text"].strip(), "source": source, "context": context}
            desk = site_desk(row["publisher_site"] or row["review_url"])
            if desk:
                request["desk"] = desk
            claims.add(request, held_up=side)
    claims.sources.append({"spec": f"ruua:{path.name}", "sha256": sha256_of(path),
                           "rows": len(claims), "left_out": left_out})
    return claims
