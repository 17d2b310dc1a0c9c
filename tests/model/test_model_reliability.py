"""A source's reliability is its own; the party-to-the-events shift is for the claim's grade."""
from __future__ import annotations

from model.levels import LEVELS


def _request(party: bool) -> dict:
    return {"claim": "The ministry says 40 tanks were destroyed near the river.",
            "source": {"name": "Ministry of Truth", "type": "state_agency"},
            "context": {"party_to_event": party}}


def test_the_record_reliability_ignores_the_claims_context(scorer):
    record = dict.fromkeys(LEVELS, 0) | {"false": 2, "mostly-true": 1}
    as_party = scorer.assess(_request(True), record)
    not_party = scorer.assess(_request(False), record)
    own = scorer.source_reliability("state_agency", record)
    assert as_party["reliability"] == own == not_party["reliability"]


def test_a_false_verdict_never_raises_the_source_reliability(scorer):
    before = dict.fromkeys(LEVELS, 0) | {"true": 1}
    after = before | {"false": 1}
    for party in (False, True):
        assert (scorer.assess(_request(party), after)["reliability"]["mean"]
                < scorer.assess(_request(party), before)["reliability"]["mean"])


def test_being_a_party_never_raises_the_grade(scorer):
    order = "ABCDEF"
    for record in (None, dict.fromkeys(LEVELS, 0) | {"true": 30}):
        party = scorer.assess(_request(True), record)["grade"]["source_reliability"]
        free = scorer.assess(_request(False), record)["grade"]["source_reliability"]
        assert order.index(party) >= order.index(free)
