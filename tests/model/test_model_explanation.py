"""Exact explanations, the compiled scorer against the Pipeline, and counterfactuals.

Runs on the synthetic model of conftest.py, whose training data never varies the
context modifiers: their weights must be the house policy's, and say so.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import synthetic_claims as synthetic

from model.inputs import relay_cost, relay_hops, to_row
from model.levels import HELD_UP_FROM, LEVELS
from model.pipeline import frame
from model.policy import load_policy

STAKE = load_policy().stake



S = synthetic.strategies()
HYPOTHESIS = settings(max_examples=120, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])

RECORD = {"pants-fire": 1, "false": 4, "barely-true": 2, "half-true": 3, "mostly-true": 1,
          "true": 2}
# (request, track record): every kind of input the explanation words differently.
CASES = [
    ({"claim": "The census report shows jobs rose since March.",
      "source": {"name": "Global Wire", "type": "wire_agency"}}, None),
    ({"claim": "Everyone knows the secret hoax banned millions!",
      "source": {"name": "Viral Page", "type": "social_media_account"},
      "context": {"channel": "tweet", "topic": "health"}}, RECORD),
    ({"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
      "source": {"name": "Federal Security Service", "type": "state_agency",
                 "affiliation": "Russia", "country": "RU"},
      "context": {"party_to_event": True, "relayed_by": ["TASS"], "first_hand": False,
                  "channel": "statement", "corroborations": 0, "evidence": [],
                  "published_at": "2024-03-12", "topic": "military"}}, RECORD),
    ({"claim": "Київ втратив понад 100 чоловік і шість танків.",
      "source": {"name": "Пресс-служба", "type": "armed_group"},
      "context": {"party_to_event": True, "relayed_by": ["TASS", "RIA", "a blog"],
                  "corroborations": 3, "evidence": ["https://example.org/v"]}},
     {"true": 5}),
    ({"claim": "東京の人口は減った", "source": {"type": "anonymous"}, "context": {}}, None),
    ({"claim": "Prices doubled", "source": {"name": "Somebody", "type": "not_a_type",
                                             "role": "Talk show host"},
      "context": {"first_hand": True, "evidence": [{"url": "https://e.org/p",
                                                    "verified": True}]}}, {}),
    ({"claim": "", "source": {"type": "other"}}, None),
    ({"claim": "Budget data: the survey says 40 percent", "source": {"name": "Helena Fiore"},
      "context": {"corroborations": 12, "evidence": [
          "https://e.org/a", {"url": "https://e.org/b", "verified": True}],
          "relayed_by": ["", "  "]}}, {"true": 200, "false": 3}),
    ({"claim": "x" * 3000, "source": {"name": "Ministry of Truth", "type": "state_agency",
                                      "country": "RU"},
      "context": {"party_to_event": False, "first_hand": True, "topic": "military,health",
                  "channel": "press release"}}, {"pants-fire": 40}),
]


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def modifier_of(label: str, policy) -> str | None:
    for name, modifier in policy.modifiers.items():
        if label == modifier.label or label.startswith((modifier.label + " (",
                                                        modifier.label + ": ")):
            return name
        if name == "relay_hops" and label.startswith("Relayed by "):   # outlets resolved
            return name
    return None


def expected_policy_input(name: str, req: dict) -> float:
    """What the request says about one house-policy input, on the model's scale."""
    context = req.get("context") or {}
    evidence = context.get("evidence") or []
    verified = [isinstance(e, dict) and bool(e.get("verified")) for e in evidence]
    party = bool(context.get("party_to_event"))
    found = STAKE.recognise(str(req.get("claim") or "").strip())
    return {
        "serves_stake": float(party and bool(found.serves)),
        "against_stake": float(party and bool(found.against)),
        "party_to_event": float(bool(context.get("party_to_event"))),
        "relay_hops": relay_cost(context),
        "first_hand": float(bool(context.get("first_hand"))),
        "corroborations": math.log1p(max(0, context.get("corroborations") or 0)),
        "evidence_attached": float(any(not v for v in verified)),
        "evidence_verified": float(any(verified)),
        "outlet_rating": float(((req.get("source") or {}).get("outlet") or {})
                               .get("rating_shift") or 0.0),
    }[name]


def check_explanation(scorer, req, record):
    answer = scorer.assess(req, record)
    weights = [f["weight"] for f in answer["factors"]]
    assert answer["intercept"] + math.fsum(weights) == pytest.approx(
        logit(answer["score"]), abs=1e-6)
    assert [abs(w) for w in weights] == sorted((abs(w) for w in weights), reverse=True)
    seen_modifiers = set()
    for factor in answer["factors"]:
        label = factor["label"]
        assert isinstance(label, str) and label.strip()
        assert "__" not in label, label
        assert not any(raw in label for raw in ("words_", "chars_", "cues_", "context_",
                                                "track_record_", "source_type_")), label
        assert factor["weight"] != 0.0
        name = modifier_of(label, scorer.policy)
        if name is None:
            assert factor["basis"] == "learned", factor
            continue
        # The synthetic data never varies a modifier: its weight is the policy's, as is.
        assert factor["basis"] == "policy", factor
        seen_modifiers.add(name)
        expected = scorer.policy.modifiers[name].score_weight * expected_policy_input(name, req)
        assert factor["weight"] == pytest.approx(expected, abs=1e-12), factor
    for name in scorer.policy.modifiers:
        if name not in seen_modifiers:
            assert (scorer.policy.modifiers[name].score_weight == 0
                    or expected_policy_input(name, req) == 0), f"no factor for {name}"
    return answer


def test_the_synthetic_model_learned_no_modifier(scorer, fitted):
    assert fitted.learned_modifiers == []
    assert scorer.learned == set()


@pytest.mark.parametrize("req, record", CASES)
def test_explanation_exact(scorer, req, record):
    check_explanation(scorer, req, record)


@settings(HYPOTHESIS)
@given(req=S["requests"], record=S["records"])
def test_explanation_exact_for_any_request(scorer, req, record):
    check_explanation(scorer, req, record)


def test_explanation_names_the_words_of_the_claim(scorer):
    """A claim full of words the data punishes is explained by quoting them."""
    answer = scorer.assess({"claim": "The secret hoax banned everyone",
                            "source": {"name": "Tina Brooks", "type": "commentator"}})
    text = [f for f in answer["factors"] if f["label"].startswith("Claim text")]
    assert len(text) == 1 and text[0]["weight"] < 0
    assert "'hoax'" in text[0]["label"] or "'secret'" in text[0]["label"]


def test_track_record_factor_says_what_the_record_is(scorer):
    answer = scorer.assess(*CASES[1])
    labels = [f["label"] for f in answer["factors"]]
    assert "Track record: 6 of 13 earlier claims held up" in labels


# -- the compiled scorer is the Pipeline -----------------------------------------------

def check_compiled(scorer, pipeline, req, record):
    """The served compiled form (scorer.json and scorer.npz, loaded without scikit-learn)
    answers what the saved Pipeline answers."""
    answer = scorer.assess(req, record)
    row = to_row(req, answer["source_type"], record)
    expected = pipeline.predict_proba(frame([row]))[0]
    got = np.array([answer["distribution"][level] for level in LEVELS])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert list(answer["distribution"]) == list(LEVELS)
    assert got.sum() == pytest.approx(1.0, abs=1e-9)
    assert (got >= 0).all()
    assert got[HELD_UP_FROM:].sum() == pytest.approx(answer["score"], abs=1e-9)
    assert answer["band"] == scorer.policy.band(answer["score"])


@pytest.mark.parametrize("req, record", CASES)
def test_compiled_matches_pipeline(scorer, saved_pipeline, req, record):
    check_compiled(scorer, saved_pipeline, req, record)


@settings(HYPOTHESIS)
@given(req=S["requests"], record=S["records"])
def test_compiled_matches_pipeline_for_any_request(scorer, saved_pipeline, req, record):
    check_compiled(scorer, saved_pipeline, req, record)


@settings(HYPOTHESIS)
@given(batch=st.lists(st.tuples(S["requests"], S["records"]), min_size=1, max_size=6))
def test_compiled_batches_match_pipeline_for_any_requests(scorer, saved_pipeline, batch):
    """Batches share word tables across their claims (empty ones, repeated words, any
    whitespace); each claim still gets exactly its own Pipeline answer."""
    requests, records = [list(part) for part in zip(*batch)]
    answers = scorer.assess_many(requests, records, explain=False)
    rows = [to_row(r, a["source_type"], t) for r, a, t in zip(requests, answers, records)]
    expected = saved_pipeline.predict_proba(frame(rows))
    got = np.array([[a["distribution"][level] for level in LEVELS] for a in answers])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_compiled_matches_pipeline_on_the_training_claims(scorer, saved_pipeline,
                                                          synthetic_claims):
    requests = synthetic_claims[0][:150]
    answers = scorer.assess_many(requests, [None] * len(requests), explain=False)
    rows = [to_row(r, a["source_type"], None) for r, a in zip(requests, answers)]
    expected = saved_pipeline.predict_proba(frame(rows))
    got = np.array([[a["distribution"][level] for level in LEVELS] for a in answers])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


# -- counterfactuals -------------------------------------------------------------------

def edited_requests(req: dict, record):
    """(pattern of the change, edited request, edited record) an editor could act on."""
    context = dict(req.get("context") or {})
    corroborations = context.get("corroborations") or 0

    def edit(**changes):
        out = copy.deepcopy(req)
        out["context"] = {**context, **changes}
        return out

    evidence = context.get("evidence") or []
    verified = [{"url": e["url"] if isinstance(e, dict) else e, "verified": True}
                for e in evidence] or [{"url": "https://example.org/geo", "verified": True}]
    edits = [("one more", edit(corroborations=corroborations + 1), record, True),
             ("three more", edit(corroborations=corroborations + 3), record, True),
             ("not a party", edit(party_to_event=False), record,
              bool(context.get("party_to_event"))),
             ("no relay", edit(relayed_by=[]), record, relay_hops(context) > 0),
             ("first-hand", edit(first_hand=True), record, not context.get("first_hand")),
             ("verified evidence", edit(evidence=verified), record,
              not any(isinstance(e, dict) and e.get("verified") for e in evidence)),
             ("prior alone", req, None, any((record or {}).values()))]
    return edits


def check_counterfactuals(scorer, req, record):
    answer = scorer.assess(req, record)
    changes = {c["change"]: c["score"] for c in answer["what_would_change"]}
    assert len(changes) == len(answer["what_would_change"]), "duplicate changes"
    for pattern, edited, edited_record, expected in edited_requests(req, record):
        found = [change for change in changes if pattern in change]
        assert len(found) == int(expected), (pattern, list(changes))
        if found:
            direct = scorer.assess(edited, edited_record)["score"]
            assert changes[found[0]] == pytest.approx(direct, abs=1e-9), found[0]
    return changes


@pytest.mark.parametrize("req, record", CASES)
def test_counterfactuals_equal_assessing_the_edit(scorer, req, record):
    check_counterfactuals(scorer, req, record)


@settings(HYPOTHESIS)
@given(req=S["requests"], record=S["records"])
def test_counterfactuals_equal_assessing_the_edit_for_any_request(scorer, req, record):
    check_counterfactuals(scorer, req, record)


def test_counterfactuals_of_the_design_example(scorer):
    changes = check_counterfactuals(scorer, *CASES[2])
    score = scorer.assess(*CASES[2])["score"]
    more = [s for c, s in changes.items() if "corroborat" in c]
    assert len(more) == 2 and all(s > score for s in more)
    assert [s for c, s in changes.items() if "not a party" in c][0] > score


# -- batches score as single claims do ---------------------------------------------------

def assert_same_answer(batch: dict, single: dict):
    assert batch["score"] == pytest.approx(single["score"], abs=1e-12)
    for level in LEVELS:
        assert batch["distribution"][level] == pytest.approx(single["distribution"][level],
                                                             abs=1e-12)
    for key in ("band", "grade", "source_type", "model"):
        assert batch[key] == single[key], key
    assert batch["reliability"] == pytest.approx(single["reliability"])


@settings(HYPOTHESIS)
@given(pairs=st.lists(st.tuples(S["requests"], S["records"]), min_size=1, max_size=8))
def test_a_batch_scores_each_claim_as_alone(scorer, pairs):
    requests, records = [p[0] for p in pairs], [p[1] for p in pairs]
    for explained in (False, True):
        batch = scorer.assess_many(requests, records, explain=explained)
        assert len(batch) == len(pairs)
        for answer, req, record in zip(batch, requests, records):
            assert_same_answer(answer, scorer.assess(req, record))
            assert ("factors" in answer) == explained


def test_an_empty_batch_is_empty(scorer):
    assert scorer.assess_many([], [], explain=False) == []
    assert scorer.assess_many([], [], explain=True) == []
