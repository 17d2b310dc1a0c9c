"""Verdicts that name only a side: interval-censored levels in the ordinal model."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, sparse
from sklearn.linear_model import LogisticRegression

from model.credibility import CredibilityModel
from model.levels import SIDES, spans
from model.ordinal import OrdinalLogit, spans_of


def data(n=1500, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    latent = X @ np.array([1.5, -1.0, 0.0]) + rng.logistic(size=n)
    return X, np.searchsorted([-2.0, -1.0, 0.0, 1.0, 2.0], latent)


def test_the_gradient_of_a_mix_of_levels_and_spans_is_exact():
    X, y = data(200)
    y = spans_of(y)
    y[::3] = SIDES[True]
    y[1::3] = [0, 5]                  # a span of every level says nothing
    y[2::7] = SIDES[False]
    model = OrdinalLogit(alpha=1.0)
    free = np.ones(3, dtype=bool)
    args = (sparse.csr_matrix(X), y, np.ones(len(y)), np.zeros(3), free)
    x0 = np.array([0.3, -0.2, 0.1, -1.0, 0.0, -0.5, 0.2, 0.1])
    error = optimize.check_grad(lambda p: model._objective(p, *args)[0],
                                lambda p: model._objective(p, *args)[1], x0)
    assert error < 1e-5


def test_side_only_verdicts_recover_the_weights_of_exact_ones():
    X, y = data()
    exact = OrdinalLogit(alpha=1.0).fit(X, y)
    held_up = y >= 3
    side_only = np.arange(len(y)) % 2 == 0          # half the verdicts name a side only
    mixed = OrdinalLogit(alpha=1.0).fit(X, spans(np.where(held_up, 4, 1) * side_only
                                                 + y * ~side_only, ~side_only))
    np.testing.assert_allclose(mixed.coef_, exact.coef_, atol=0.15)
    assert abs(mixed.cutpoints_[2] - exact.cutpoints_[2]) < 0.15


def test_a_span_of_every_level_changes_nothing():
    X, y = data(300)
    plain = OrdinalLogit(alpha=1.0).fit(X, y)
    padded = OrdinalLogit(alpha=1.0).fit(np.vstack([X, X[:50]]),
                                         np.vstack([spans_of(y), np.tile([0, 5], (50, 1))]))
    np.testing.assert_allclose(padded.coef_, plain.coef_, atol=1e-5)


def test_the_within_side_models_learn_from_exact_levels_only():
    X, y = data(600)
    y_spans = spans_of(y)
    y_spans[:300] = [SIDES[bool(level >= 3)] for level in y[:300]]
    model = CredibilityModel(OrdinalLogit(alpha=1.0), LogisticRegression(max_iter=2000))
    model.fit(X, y_spans)
    lower = LogisticRegression(max_iter=2000).fit(X[300:][y[300:] < 3], y[300:][y[300:] < 3])
    np.testing.assert_allclose(model.sides_[0].coef_, lower.coef_)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("bad", [[[3, 2]], [[0, 6]], [[-1, 2]]])
def test_a_span_must_lie_on_the_scale_lowest_first(bad):
    with pytest.raises(ValueError, match="levels must lie"):
        OrdinalLogit().fit(np.ones((1, 1)), np.array(bad))


def test_without_exact_levels_each_side_splits_evenly():
    X, y = data(400)
    model = CredibilityModel(OrdinalLogit(alpha=1.0), LogisticRegression(max_iter=2000))
    model.fit(X, [SIDES[bool(level >= 3)] for level in y])
    proba = model.predict_proba(X)
    score = proba[:, 3:].sum(axis=1)
    np.testing.assert_allclose(proba[:, :3], np.repeat((1 - score)[:, None] / 3, 3, axis=1))
    np.testing.assert_allclose(proba[:, 3:], np.repeat(score[:, None] / 3, 3, axis=1))
