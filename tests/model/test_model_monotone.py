"""Monotone where it must be: property tests over random claims, sources and contexts."""
from __future__ import annotations

import copy

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
import synthetic_claims as synthetic

from model.levels import LEVELS



S = synthetic.strategies()
PROPERTY = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-12


def with_context(req: dict, **changes) -> dict:
    out = copy.deepcopy(req)
    out["context"] = {**(out.get("context") or {}), **changes}
    return out


def score(scorer, req, record=None) -> float:
    return scorer.assess(req, record, explain=False)["score"]


@PROPERTY
@given(req=S["requests"], record=S["records"], more=st.integers(1, 20))
def test_more_corroborations_never_lower_the_score(scorer, req, record, more):
    before = (req.get("context") or {}).get("corroborations") or 0
    after = with_context(req, corroborations=before + more)
    assert score(scorer, after, record) > score(scorer, req, record) - TOLERANCE


@PROPERTY
@given(req=S["requests"], record=S["records"])
def test_being_a_party_to_the_events_never_raises_the_score(scorer, req, record):
    party = score(scorer, with_context(req, party_to_event=True), record)
    assert party <= score(scorer, with_context(req, party_to_event=False), record) + TOLERANCE


@PROPERTY
@given(req=S["requests"], record=S["records"],
       hop=st.sampled_from(["TASS", "RIA Novosti", "a Telegram channel", "Reuters"]))
def test_an_extra_relay_hop_never_raises_the_score(scorer, req, record, hop):
    chain = list((req.get("context") or {}).get("relayed_by") or [])
    longer = with_context(req, relayed_by=chain + [hop])
    assert score(scorer, longer, record) <= score(scorer, req, record) + TOLERANCE


counts = st.lists(st.integers(0, 60), min_size=6, max_size=6)


@PROPERTY
@given(req=S["requests"], values=counts, data=st.data())
def test_moving_a_verdict_up_the_scale_never_lowers_the_score(scorer, req, values, data):
    assume(sum(values[:-1]) > 0)
    low = data.draw(st.sampled_from([i for i in range(5) if values[i] > 0]), label="from")
    high = data.draw(st.integers(low + 1, 5), label="to")
    better = list(values)
    better[low] -= 1
    better[high] += 1
    record, improved = dict(zip(LEVELS, values)), dict(zip(LEVELS, better))
    assert score(scorer, req, improved) >= score(scorer, req, record) - TOLERANCE


@PROPERTY
@given(req=S["requests"], record=S["records"])
def test_one_more_true_verdict_never_lowers_the_score(scorer, req, record):
    improved = dict(record or dict.fromkeys(LEVELS, 0))
    improved["true"] = improved.get("true", 0) + 1
    assert score(scorer, req, improved) >= score(scorer, req, record) - TOLERANCE


def test_a_big_all_true_record_stays_monotone(scorer):
    """Where the count of verdicts could outweigh the share that held up."""
    req = {"claim": "The report says taxes rose", "source": {"name": "Global Wire",
                                                              "type": "wire_agency"}}
    scores = [score(scorer, req, {"true": n}) for n in (0, 1, 2, 5, 20, 100, 1000, 10000)]
    assert scores == sorted(scores)


@PROPERTY
@given(req=S["requests"], record=S["records"],
       item=st.one_of(st.just("https://example.org/clip"),
                      st.fixed_dictionaries({"url": st.just("https://example.org/geo"),
                                             "verified": st.booleans()})))
def test_attached_evidence_never_lowers_the_score(scorer, req, record, item):
    evidence = list((req.get("context") or {}).get("evidence") or [])
    more = with_context(req, evidence=evidence + [item])
    assert score(scorer, more, record) >= score(scorer, req, record) - TOLERANCE


@PROPERTY
@given(req=S["requests"], record=S["records"])
def test_verifying_the_evidence_never_lowers_the_score(scorer, req, record):
    unverified = with_context(req, evidence=["https://example.org/clip"])
    verified = with_context(req, evidence=[{"url": "https://example.org/clip",
                                            "verified": True}])
    assert score(scorer, verified, record) >= score(scorer, unverified, record) - TOLERANCE
