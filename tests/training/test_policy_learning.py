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


SERVING = ("The enemy lost {n} soldiers and {m} tanks near the river.",
           "Our forces captured the village of Ivanivka after {n} days.",
           "The ministry denies any involvement in the explosion at the depot {n}.",
           "The occupiers deliberately shelled a school, killing {m}.")


def _with_stake(requests, levels, seed, effect):
    """Claims from parties to the events, a third of them serving the party's side,
    whose verdicts move by ``effect`` levels."""
    rng = np.random.default_rng(seed)
    out_requests, out_levels = [], []
    for request, level in zip(requests, levels):
        serving = bool(rng.random() < 1 / 3)
        claim = (SERVING[int(rng.integers(len(SERVING)))].format(
            n=int(rng.integers(2, 400)), m=int(rng.integers(2, 40)))
            if serving else request["claim"])
        context = {**(request.get("context") or {}), "party_to_event": True}
        out_requests.append({**request, "claim": claim, "context": context})
        out_levels.append(int(np.clip(level + (effect if serving else 0), 0, 5)))
    return out_requests, out_levels


def _weight(fitted, name):
    model = fitted.pipeline.named_steps["model"].score_model_
    names = list(fitted.pipeline.named_steps["features"].get_feature_names_out())
    return model.coef_[names.index(f"context__{name}")]


def test_verdicts_on_self_serving_claims_make_the_stake_learned(make_claims, policy,
                                                                small_params):
    requests, levels = _with_stake(*make_claims(600, seed=10), seed=11, effect=-2)
    fitted = fit(requests, levels, policy, small_params)
    assert "serves_stake" in fitted.learned_modifiers
    assert _weight(fitted, "serves_stake") < 0
    # Every claim here is a party's: that input never varies, so it keeps the policy's.
    assert "party_to_event" not in fitted.learned_modifiers
    assert _weight(fitted, "party_to_event") == policy.modifiers["party_to_event"].score_weight


def test_the_stake_weight_never_crosses_its_sign(make_claims, policy, small_params):
    requests, levels = _with_stake(*make_claims(600, seed=12), seed=13, effect=+2)
    fitted = fit(requests, levels, policy, small_params)
    assert "serves_stake" in fitted.learned_modifiers
    assert _weight(fitted, "serves_stake") == pytest.approx(0.0, abs=1e-9)
    # No claim here admits its own losses: the weight of that input is the policy's.
    assert _weight(fitted, "against_stake") == policy.modifiers["against_stake"].score_weight
