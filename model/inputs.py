"""One assessment request, flattened into the columns the pipeline reads.

The request is the body of ``POST /v1/assessments`` (DESIGN.md) after validation;
anything missing takes the stated default here, so the library and the service agree.
"""
from __future__ import annotations

import math
from functools import lru_cache

from .levels import LEVELS
from .stake import NOTHING, StakeRules

TEXT_COLUMNS = ("claim", "source_type", "role", "affiliation", "region", "channel", "topic",
                "desk")
CONTEXT_COLUMNS = ("party_to_event", "relay_hops", "first_hand", "corroborations",
                   "evidence_attached", "evidence_verified", "serves_stake", "against_stake",
                   "outlet_rating")
COUNT_COLUMNS = tuple(f"record_{level}" for level in LEVELS)
COLUMNS = TEXT_COLUMNS + CONTEXT_COLUMNS + COUNT_COLUMNS


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value).strip()


def _evidence_flags(evidence) -> tuple[float, float]:
    """(attached but unverified, verified): an item is a URL string or {"url", "verified"}."""
    items = list(evidence or [])
    verified = any(isinstance(item, dict) and item.get("verified") for item in items)
    attached = any(not (isinstance(item, dict) and item.get("verified")) for item in items)
    return float(attached), float(verified)


def relay_hops(context: dict) -> int:
    return len([hop for hop in (context.get("relayed_by") or []) if _text(hop)])


def relay_cost(context: dict) -> float:
    """The relays in relays of an unrated outlet: each resolved relay (``context.relays``,
    from ``model.outlets.resolve``) weighs its cost, an unknown one 1."""
    relays = context.get("relays")
    if relays is None:
        return float(relay_hops(context))
    return float(sum(1.0 if relay is None else relay["cost"] for relay in relays))


@lru_cache(maxsize=1)
def default_stake() -> StakeRules:
    """The stake forms of the policy file in the repository."""
    from .policy import load_policy   # policy.py reads the forms with stake.py, not inputs
    return load_policy().stake


def to_row(request: dict, source_type: str, track_record: dict | None = None,
           stake: StakeRules | None = None) -> dict:
    """Flat feature columns of one request; ``source_type`` is the resolved type.

    ``stake`` holds the policy's forms of a claim that serves (or runs against) the
    source's side (the repository's policy when None); a party's claim is read for them
    and the forms found are kept in ``row["stake"]`` (not a column)."""
    source = request.get("source") or {}
    context = request.get("context") or {}
    attached, verified = _evidence_flags(context.get("evidence"))
    corroborations = max(0.0, float(context.get("corroborations") or 0))
    region = " ".join(p for p in (_text(source.get("country")), _text(source.get("region"))) if p)
    claim = _text(request.get("claim"))
    party = bool(context.get("party_to_event"))
    # Only a party's claim is read for the forms: they weigh nothing for anyone else, and
    # most claims (every public dataset's) come from no party and cost nothing here.
    found = (stake or default_stake()).recognise(claim) if party else NOTHING
    row = {
        "claim": claim,
        "source_type": source_type,
        "role": _text(source.get("role")),
        "affiliation": _text(source.get("affiliation")).lower(),
        "region": region,
        "channel": _text(context.get("channel")),
        "topic": _text(context.get("topic")).lower(),
        # The desk the claim is scored for: its own habits (model/habits.py), none if absent.
        "desk": _text(request.get("desk")),
        "party_to_event": float(party),
        "relay_hops": relay_cost(context),
        "first_hand": float(bool(context.get("first_hand"))),
        "corroborations": math.log1p(corroborations),
        "evidence_attached": attached,
        "evidence_verified": verified,
        "serves_stake": float(party and bool(found.serves)),
        "against_stake": float(party and bool(found.against)),
        "outlet_rating": float((source.get("outlet") or {}).get("rating_shift") or 0.0),
        "stake": found,
    }
    record = track_record or {}
    for level, column in zip(LEVELS, COUNT_COLUMNS):
        row[column] = float(record.get(level, 0) or 0)
    return row
