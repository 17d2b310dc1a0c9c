"""An elicited prior reaches the score for a kind of source the training data never shows."""
from __future__ import annotations

from model.policy import load_policy

CLAIM = "Our fighters destroyed three enemy tanks near the border today."


def _assess(scorer, source_type):
    return scorer.assess({"claim": CLAIM, "source": {"type": source_type}, "context": {}})


def test_unseen_types_are_ordered_by_their_priors(scorer, synthetic_sources):
    seen = {kind for _, kind, *_ in synthetic_sources}
    assert {"armed_group", "exiled_politician"}.isdisjoint(seen)
    policy = load_policy()
    assert policy.source_types["armed_group"].mean < policy.source_types["exiled_politician"].mean
    assert _assess(scorer, "armed_group")["score"] < _assess(scorer, "exiled_politician")["score"]


def test_the_kind_of_source_factor_carries_the_prior(scorer):
    factors = {f["label"]: f["weight"] for f in _assess(scorer, "armed_group")["factors"]}
    assert factors["Kind of source: armed group"] < 0
