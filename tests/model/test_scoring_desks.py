"""Scorer.assess with a desk's calibration: one exact factor, every figure from the
calibrated score, and the shared model unchanged for a desk without verdicts."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import synthetic_claims as synthetic

from model.desks import IDENTITY, DeskCalibration
from model.levels import HELD_UP_FROM, LEVELS

S = synthetic.strategies()
HYPOTHESIS = settings(max_examples=80, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])
CALIBRATIONS = st.builds(DeskCalibration, st.floats(-3.0, 3.0), st.floats(0.05, 4.0),
                         st.integers(1, 5000))
REQUEST = {"claim": "The secret report says everyone was banned from the budget vote.",
           "source": {"name": "Helena Fiore", "type": "politician"},
           "context": {"party_to_event": True, "relayed_by": ["TASS"]}}


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@settings(HYPOTHESIS)
@given(req=S["requests"], record=S["records"], calibration=CALIBRATIONS)
def test_the_desk_factor_keeps_the_explanation_exact(scorer, req, record, calibration):
    shared = scorer.assess(req, record)
    desk = scorer.assess(req, record, calibration=calibration, desk="desk-3")
    z = logit(shared["score"])
    assert desk["model_logit"] == pytest.approx(z, abs=1e-9)
    assert desk["score"] == pytest.approx(sigmoid(calibration.apply(desk["model_logit"])),
                                          abs=1e-12)
    weights = [f["weight"] for f in desk["factors"]]
    assert desk["intercept"] + math.fsum(weights) == pytest.approx(logit(desk["score"]),
                                                                   abs=1e-9)
    assert [abs(w) for w in weights] == sorted((abs(w) for w in weights), reverse=True)
    ours = [f for f in desk["factors"] if f["basis"] == "desk"]
    if calibration.change(desk["model_logit"]) != 0.0:
        noun = "verdict" if calibration.verdicts == 1 else "verdicts"
        assert [f["label"] for f in ours] == [
            f"Calibrated to desk-3's {calibration.verdicts:,} {noun}"]
        assert ours[0]["weight"] == pytest.approx(calibration.change(desk["model_logit"]),
                                                  abs=1e-12)
    # The other factors are the shared model's, as they were.
    assert [f for f in desk["factors"] if f["basis"] != "desk"] == shared["factors"]
    # Levels, band, grade and counterfactuals follow the calibrated score.
    levels = desk["distribution"]
    assert math.fsum(levels[lv] for lv in LEVELS[HELD_UP_FROM:]) == pytest.approx(
        desk["score"], abs=1e-12)
    assert math.fsum(levels.values()) == pytest.approx(1.0, abs=1e-12)
    assert desk["band"] == scorer.policy.band(desk["score"])
    for mine, theirs in zip(desk["what_would_change"], shared["what_would_change"]):
        assert mine["change"] == theirs["change"]
        assert mine["score"] == pytest.approx(
            sigmoid(calibration.apply(logit(theirs["score"]))), abs=1e-9)


def test_the_band_and_grade_follow_the_desk(scorer):
    shared = scorer.assess(REQUEST)
    for shift in (-6.0, 6.0):
        desk = scorer.assess(REQUEST, calibration=DeskCalibration(shift, 1.0, 500))
        assert desk["band"] == scorer.policy.band(desk["score"])
        assert (desk["score"] < 0.05) if shift < 0 else (desk["score"] > 0.95)
    low = scorer.assess(REQUEST, calibration=DeskCalibration(-6.0, 1.0, 500))
    high = scorer.assess(REQUEST, calibration=DeskCalibration(6.0, 1.0, 500))
    assert low["band"] != high["band"]
    assert (low["grade"]["information_credibility"]
            >= shared["grade"]["information_credibility"]
            >= high["grade"]["information_credibility"])


def test_a_desk_without_verdicts_gets_the_shared_model_unchanged(scorer):
    shared = scorer.assess(REQUEST)
    for calibration in (IDENTITY, DeskCalibration(0.0, 1.0, 40), DeskCalibration(1.0, 2.0, 0)):
        assert scorer.assess(REQUEST, calibration=calibration, desk="new-desk") == shared
    assert all(f["basis"] != "desk" for f in shared["factors"])


def test_the_factor_names_the_desk_and_its_count(scorer):
    one = scorer.assess(REQUEST, calibration=DeskCalibration(0.5, 1.0, 1), desk="wire")
    many = scorer.assess(REQUEST, calibration=DeskCalibration(-0.5, 1.0, 1240))
    assert {"label": "Calibrated to wire's 1 verdict", "weight": pytest.approx(0.5),
            "basis": "desk"} in one["factors"]
    assert "Calibrated to this desk's 1,240 verdicts" in [f["label"] for f in many["factors"]]


@settings(HYPOTHESIS)
@given(pairs=st.lists(st.tuples(S["requests"], S["records"], CALIBRATIONS), min_size=1,
                      max_size=6))
def test_a_batch_calibrates_each_claim_to_its_own_desk(scorer, pairs):
    requests, records, calibrations = (list(column) for column in zip(*pairs))
    desks = [f"desk-{i}" for i in range(len(pairs))]
    for explained in (False, True):
        batch = scorer.assess_many(requests, records, explain=explained,
                                   calibrations=calibrations, desks=desks)
        for answer, req, record, calibration, desk in zip(batch, requests, records,
                                                          calibrations, desks):
            alone = scorer.assess(req, record, calibration=calibration, desk=desk)
            assert answer["score"] == pytest.approx(alone["score"], abs=1e-12)
            assert answer["model_logit"] == pytest.approx(alone["model_logit"], abs=1e-9)
            for level in LEVELS:
                assert answer["distribution"][level] == pytest.approx(
                    alone["distribution"][level], abs=1e-12)
            assert answer["band"] == alone["band"] and answer["grade"] == alone["grade"]
