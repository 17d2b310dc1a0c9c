"""Fitting: deterministic, calibrated out of fold, house-policy weights kept as they are."""
from __future__ import annotations

import numpy as np
import pytest

from model.levels import HELD_UP_FROM
from model.pipeline import request_frame
from model.policy import load_policy
from training.fitting import fit, score_of
from training.history import lookup
from training.metrics import expected_calibration_error, quality

POLICY = load_policy()


@pytest.fixture(scope="module")
def data(make_claims):
    requests, levels = make_claims(500, seed=3)
    return requests, np.asarray(levels)


@pytest.fixture(scope="module")
def twice(data, small_params):
    return [fit(*data, POLICY, small_params) for _ in range(2)]


def coefficients(fitted):
    return fitted.pipeline.named_steps["model"].score_model_.coef_


def test_fitting_twice_gives_identical_models(twice, data):
    first, second = twice
    assert np.array_equal(coefficients(first), coefficients(second))
    model_1, model_2 = (f.pipeline.named_steps["model"] for f in twice)
    assert np.array_equal(model_1.score_model_.cutpoints_, model_2.score_model_.cutpoints_)
    for side_1, side_2 in zip(model_1.sides_, model_2.sides_):
        assert np.array_equal(side_1.coef_, side_2.coef_)
    assert first.calibration == second.calibration
    assert first.track_records == second.track_records
    frame = request_frame(data[0][:50], [None] * 50)
    assert np.array_equal(first.pipeline.predict_proba(frame),
                          second.pipeline.predict_proba(frame))


def test_another_seed_gives_another_model(data, small_params, twice):
    other = fit(*data, POLICY, {**small_params, "seed": 1})
    assert not np.array_equal(coefficients(other), coefficients(twice[0]))


def test_unvaried_modifiers_keep_the_policy_weights(twice):
    fitted = twice[0]
    assert fitted.learned_modifiers == []
    names = list(fitted.pipeline.named_steps["features"].get_feature_names_out())
    coef = coefficients(fitted)
    for name, modifier in POLICY.modifiers.items():
        assert coef[names.index(f"context__{name}")] == modifier.score_weight


def test_track_record_weights_are_never_negative(twice):
    names = list(twice[0].pipeline.named_steps["features"].get_feature_names_out())
    coef = coefficients(twice[0])
    for feature in ("held_up_log_odds", "mean_level"):
        assert coef[names.index(f"track_record__{feature}")] >= 0


def test_the_model_learns_the_signal_and_is_calibrated(twice, make_claims):
    """On fresh claims from the same process: better than chance, honest probabilities."""
    fitted = twice[0]
    requests, levels = make_claims(1500, seed=11)
    levels = np.asarray(levels)
    frame = request_frame(requests, lookup(requests, fitted.track_records))
    proba = fitted.pipeline.predict_proba(frame)
    figures = quality(levels, proba)
    assert figures["roc_auc_2"] > 0.75
    assert figures["accuracy_6"] > 0.3
    assert figures["ece_2"] < 0.06
    assert np.allclose(proba[:, HELD_UP_FROM:].sum(axis=1), score_of(fitted.pipeline, frame))
    assert expected_calibration_error(score_of(fitted.pipeline, frame),
                                      levels >= HELD_UP_FROM) == pytest.approx(figures["ece_2"],
                                                                                abs=1e-12)


def test_a_varied_modifier_is_learned_with_its_sign(data, small_params):
    """With verdict data that varies party_to_event, its weight is learned and stays <= 0."""
    requests, levels = data
    rng = np.random.default_rng(0)
    varied = []
    for request, level in zip(requests, levels):
        # parties to the events are, in this data, exactly as credible as anyone
        party = bool(rng.random() < 0.5)
        varied.append({**request, "context": {**request["context"], "party_to_event": party}})
    fitted = fit(varied, levels, POLICY, small_params)
    assert fitted.learned_modifiers == ["party_to_event"]
    names = list(fitted.pipeline.named_steps["features"].get_feature_names_out())
    weight = coefficients(fitted)[names.index("context__party_to_event")]
    assert POLICY.modifiers["party_to_event"].score_weight < weight <= 0
