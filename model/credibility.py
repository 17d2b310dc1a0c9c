"""The estimator that ships: one latent credibility score, and the six levels around it.

The score -- P(rated at least half-true) -- comes from an ordinal logistic model's one
latent score and its middle cut point, so it is linear in the features and every factor
of its explanation is exact. How the probability splits *within* "held up" and "did not
hold up" comes from two multinomial models fitted on each side; they shape the
distribution but never change the score: the top three levels always add up to it.
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from .levels import HELD_UP_FROM, LEVELS
from .ordinal import OrdinalLogit, spans_of


def _even_split(model: LogisticRegression, n_features: int) -> LogisticRegression:
    """A side model for a side whose exact verdicts name fewer than two of its levels
    (data whose checkers say only "held up" or not): its three levels share it evenly."""
    model.classes_ = np.arange(HELD_UP_FROM)
    model.coef_ = np.zeros((HELD_UP_FROM, n_features))
    model.intercept_ = np.zeros(HELD_UP_FROM)
    model.n_features_in_ = n_features
    return model


class CredibilityModel(ClassifierMixin, BaseEstimator):
    """Score from ``score_model`` (an OrdinalLogit); levels within each side from ``side_model``."""

    def __init__(self, score_model=None, side_model=None):
        self.score_model = score_model
        self.side_model = side_model

    def fit(self, X, y, sample_weight=None):
        """``y``: levels, or ``(lowest, highest)`` spans (``ordinal.spans_of``); the
        within-side models learn only from rows whose verdict names one level."""
        spans = spans_of(y)
        self.score_model_ = clone(self.score_model or OrdinalLogit()).fit(X, spans,
                                                                          sample_weight)
        side = self.side_model or LogisticRegression(C=0.1, max_iter=3000)
        self.sides_ = []
        exact = spans[:, 0] == spans[:, 1]
        y = spans[:, 0]
        for mask, offset in ((exact & (y < HELD_UP_FROM), 0),
                             (exact & (y >= HELD_UP_FROM), HELD_UP_FROM)):
            if len(np.unique(y[mask])) < 2:
                self.sides_.append(_even_split(clone(side), X.shape[1]))
                continue
            weights = None if sample_weight is None else np.asarray(sample_weight)[mask]
            self.sides_.append(clone(side).fit(X[mask], y[mask] - offset, sample_weight=weights))
        self.classes_ = np.arange(len(LEVELS))
        self.n_features_in_ = X.shape[1]
        return self

    def score_logit(self, X) -> np.ndarray:
        """Log-odds of the score: the latent score minus the held-up cut point."""
        model = self.score_model_
        return model.decision_function(X) - model.cutpoints_[HELD_UP_FROM - 1]

    def proba_from_score(self, score, X) -> np.ndarray:
        score = np.asarray(score)[:, None]
        lower, upper = (self._side_proba(m, X) for m in self.sides_)
        return np.hstack([(1 - score) * lower, score * upper])

    @staticmethod
    def _side_proba(model, X) -> np.ndarray:
        # A side model that never saw one of its three levels still answers all three.
        proba = np.zeros((X.shape[0], HELD_UP_FROM))
        proba[:, model.classes_] = model.predict_proba(X)
        return proba

    def predict_proba(self, X):
        return self.proba_from_score(expit(self.score_logit(X)), X)

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)
