"""Factors in a journalist's words, and the counterfactuals an editor can act on.

Contributions are summed per block of features (never shown as raw n-gram ids) and
worded from the request itself; each house-policy input is its own factor. The weights
of all factors plus the intercept equal the score's log-odds exactly.
"""
from __future__ import annotations

import numpy as np

from .cues import cue_phrase
from .levels import held_up
from .policy import Policy

TEXT_BLOCKS = ("words", "chars")


QUOTED = 3   # n-grams quoted in the claim text's factor


def _quote(items, limit=QUOTED) -> str:
    return ", ".join(f"'{item}'" for item in items[:limit])


def _text_label(compiled, features, total: float) -> str:
    """The claim's word n-grams that pushed most in the direction of the text's total."""
    columns, values, blocks = features
    words = compiled.block_names.index("words")
    mask = blocks == words
    ngrams = columns[mask]
    pushes = values[mask] * compiled.weights[ngrams, 0]
    order = np.argsort(-pushes * np.sign(total or 1.0))
    names, telling = [], []
    for i in order[pushes[order] * total > 0].tolist():
        name = compiled.feature_name(int(ngrams[i]))
        names.append(name)
        # Quote what a reader can see in the claim: n-grams made only of stop words say
        # little.
        if not set(name.split()) <= compiled.stop_words:
            telling.append(name)
            if len(telling) == QUOTED:
                break
    return f"Claim text: {_quote(telling or names)}" if names else "Claim text"


def _wording_label(compiled, features) -> str:
    columns, values, blocks = features
    cues = compiled.block_names.index("cues")
    present = [compiled.feature_name(c) for c in columns[blocks == cues]]
    present = [cue_phrase(n) for n in present if n != "length"]
    return f"Wording: {', '.join(present)}" if present else "Wording and length of the claim"


def _record_label(track_record: dict | None, source_type: str) -> str:
    good, total = held_up(track_record or {})
    if total == 0:
        return f"No track record yet (judged as a {source_type.replace('_', ' ')})"
    noun = "claim" if total == 1 else "claims"
    return f"Track record: {good} of {total} earlier {noun} held up"


def stake_forms(row: dict, policy: Policy, direction: str) -> list[str]:
    """The labels of the stake forms the claim takes in one direction, in policy order."""
    found = row.get("stake")
    names = (found.serves if direction == "serves" else found.against) if found else ()
    return [policy.stake.form(name).label for name in names]


def _relay_label(label: str, context: dict) -> str:
    """"Relayed by TASS (state media; outlet rating 0.27 of 1, ...)" when the relays
    resolved to outlets, else the policy's label with the names as given."""
    chain = [str(hop) for hop in context.get("relayed_by") or [] if str(hop).strip()]
    relays = context.get("relays")
    if not chain:
        return label
    if relays is None or len(relays) != len(chain) or not any(relays):
        return f"{label} ({' via '.join(chain)})"
    named = [f"{relay['name']} ({relay['summary']})" if relay else f"{hop} (unknown outlet)"
             for hop, relay in zip(chain, relays)]
    return "Relayed by " + " via ".join(named)


def _context_label(name: str, policy: Policy, request: dict, row: dict) -> str:
    context = request.get("context") or {}
    label = policy.modifiers[name].label
    if name in ("serves_stake", "against_stake"):
        forms = stake_forms(row, policy, "serves" if name == "serves_stake" else "against")
        return f"{label}: {'; '.join(forms)}" if forms else label
    if name == "relay_hops":
        return _relay_label(label, context)
    if name == "outlet_rating":
        outlet = (request.get("source") or {}).get("outlet") or {}
        return f"{label}: {outlet.get('name')} ({outlet.get('summary')})" if outlet else label
    if name == "corroborations":
        count = int(context.get("corroborations") or 0)
        return f"{label} ({count})"
    return label


def factors(compiled, row: dict, request: dict, contributions, features, policy: Policy,
            learned: set, track_record: dict | None) -> list[dict]:
    out = []
    index = {name: i for i, name in enumerate(compiled.block_names)}
    text = sum(float(contributions[index[b]]) for b in TEXT_BLOCKS)
    out.append((_text_label(compiled, features, text), text, "learned"))
    out.append((_wording_label(compiled, features), float(contributions[index["cues"]]), "learned"))
    def given(field: str, quote: bool = False) -> str:
        value = row[field]
        if not value:
            return "none given"
        return f"'{value}'" if quote else value

    described = {
        "source_type": f"Kind of source: {row['source_type'].replace('_', ' ')}",
        "role": f"Role: {given('role', quote=True)}",
        "affiliation": f"Affiliation: {given('affiliation')}",
        "region": f"Where: {given('region')}",
        "channel": f"Venue: {given('channel')}",
        "topic": f"Topic: {given('topic')}",
        "track_record": _record_label(track_record, row["source_type"]),
    }
    # The type's one-hot weight and its prior's share are one thing to a reader: its kind.
    kind = sum(float(contributions[index[b]]) for b in ("source_type", "type_prior"))
    out.append((described.pop("source_type"), kind, "learned"))
    for block, label in described.items():
        if block in index:   # a text block the training data had no terms for is dropped
            out.append((label, float(contributions[index[block]]), "learned"))
    if "desk" in index:   # zero, and so not shown, for a desk training never saw
        out.append((f"{row['desk']}'s own habits (its base rate, and the wordings and kinds "
                    "of source it checks)", float(contributions[index["desk"]]), "learned"))
    columns, values, blocks = features
    inputs = blocks == index["context"]
    for column, value in zip(columns[inputs], values[inputs]):
        name = compiled.feature_name(column)
        basis = "learned" if name in learned else "policy"
        out.append((_context_label(name, policy, request, row),
                    float(value * compiled.weights[column, 0]), basis))
    ranked = sorted((f for f in out if f[1] != 0.0), key=lambda f: -abs(f[1]))
    return [{"label": label, "weight": weight, "basis": basis} for label, weight, basis in ranked]


def with_desk_factor(ranked: list[dict], desk: str | None, calibration,
                     weight: float) -> list[dict]:
    """The factors with the desk's calibration among them (its share of the log-odds),
    ranked by size as the others are; none for a desk whose verdicts changed nothing."""
    if weight == 0.0:
        return ranked
    whose = f"{desk}'s" if desk else "this desk's"
    noun = "verdict" if calibration.verdicts == 1 else "verdicts"
    factor = {"label": f"Calibrated to {whose} {calibration.verdicts:,} {noun}",
              "weight": weight, "basis": "desk"}
    at = next((i for i, f in enumerate(ranked) if abs(f["weight"]) < abs(weight)), len(ranked))
    return ranked[:at] + [factor] + ranked[at:]


def counterfactual_rows(row: dict, request: dict) -> list[tuple[str, dict]]:
    """Edited copies of the row, each with the change an editor could make or check."""
    context = request.get("context") or {}
    corroborations = max(0, int(context.get("corroborations") or 0))
    edits = [
        ("one more independent source corroborates it",
         {"corroborations": float(np.log1p(corroborations + 1))}),
        ("three more independent sources corroborate it",
         {"corroborations": float(np.log1p(corroborations + 3))}),
    ]
    if row["party_to_event"]:
        # Stake forms weigh only for a party: not a party, they weigh nothing either.
        edits.append(("the source is not a party to the events",
                      {"party_to_event": 0.0, "serves_stake": 0.0, "against_stake": 0.0}))
    if row["serves_stake"]:
        edits.append(("it did not serve the source's side", {"serves_stake": 0.0}))
    if row["against_stake"]:
        edits.append(("it did not run against the source's side", {"against_stake": 0.0}))
    if row["relay_hops"]:
        edits.append(("it comes straight from the source, with no relay", {"relay_hops": 0.0}))
    if not row["first_hand"]:
        edits.append(("the source saw it first-hand", {"first_hand": 1.0}))
    if not row["evidence_verified"]:
        edits.append(("verified evidence (geolocated, dated) is attached",
                      {"evidence_verified": 1.0, "evidence_attached": 0.0}))
    if any(row[c] for c in row if c.startswith("record_")):
        edits.append(("the source is judged by its type's prior alone, without its record",
                      {c: 0.0 for c in row if c.startswith("record_")}))
    return [(change, {**row, **edit}) for change, edit in edits]
