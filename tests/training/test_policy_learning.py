"""House-policy inputs are learned once verdict data varies them, with the policy's sign.

Public benchmarks never vary the party-to-the-events flag, so its weight is the
policy's; newsroom verdicts do, and retraining then learns it, bounded to the sign
the policy gives and with the policy's value as the centre of its penalty.
"""
from __future__ import annotations

import numpy as np
import pytest

from model.pipeline import constraints
from model.policy import load_policy
from training.fitting import fit


def _with_party(requests, levels, seed, effect):
    """Mark half the claims as made by a party to the events, moving their verdict by
    ``effect`` levels (clipped to the scale)."""
    rng = np.random.default_rng(seed)
    out_requests, out_levels = [], []
    for request, level in zip(requests, levels):
        party = bool(rng.random() < 0.5)
        context = {**(request.get("context") or {}), "party_to_event": party}
        out_requests.append({**request, "context": context})
        out_levels.append(int(np.clip(level + (effect if party else 0), 0, 5)))
    return out_requests, out_levels


@pytest.fixture(scope="module")
def policy():
    return load_policy()


def _party_weight(fitted):
    model = fitted.pipeline.named_steps["model"].score_model_
    names = list(fitted.pipeline.named_steps["features"].get_feature_names_out())
    return model.coef_[names.index("context__party_to_event")]


def test_an_input_the_data_never_varies_keeps_the_policy_weight(make_claims, policy,
                                                                 small_params):
    requests, levels = make_claims(400, seed=5)
    fitted = fit(requests, levels, policy, small_params)
    assert "party_to_event" not in fitted.learned_modifiers
    assert _party_weight(fitted) == policy.modifiers["party_to_event"].score_weight


def test_verdict_data_that_varies_an_input_makes_it_learned(make_claims, policy, small_params):
    requests, levels = _with_party(*make_claims(600, seed=6), seed=7, effect=-2)
    fitted = fit(requests, levels, policy, small_params)
    assert "party_to_event" in fitted.learned_modifiers
    weight = _party_weight(fitted)
    assert weight < 0
    # The data said more than the policy: a two-level drop outweighs the prior of -0.8.
    assert weight < policy.modifiers["party_to_event"].score_weight


def test_learning_never_crosses_the_policy_sign(make_claims, policy, small_params):
    # Data where being a party *raises* verdicts: the weight may only shrink to zero.
    requests, levels = _with_party(*make_claims(600, seed=8), seed=9, effect=+2)
    fitted = fit(requests, levels, policy, small_params)
    assert "party_to_event" in fitted.learned_modifiers
    assert _party_weight(fitted) == pytest.approx(0.0, abs=1e-9)


def test_too_few_rows_either_way_keeps_the_policy(policy):
    from scipy import sparse
    names = np.array(["track_record__held_up_log_odds", "track_record__mean_level",
                      "type_prior__prior_log_odds",
                      *(f"context__{m}" for m in policy.modifiers)])
    X = np.zeros((100, len(names)))
    X[: policy.learn_from_rows - 1, names.tolist().index("context__party_to_event")] = 1.0
    bounds, fixed, prior, learned = constraints(names, policy, sparse.csr_matrix(X))
    assert learned == []
    assert fixed[names.tolist().index("context__party_to_event")] == \
        policy.modifiers["party_to_event"].score_weight
