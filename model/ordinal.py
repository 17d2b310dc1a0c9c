"""Ordinal logistic regression (proportional odds) with per-feature bounds and priors.

One latent score ``eta = X @ coef_`` and increasing cut points ``cutpoints_``:
``P(level <= k | x) = sigmoid(cutpoints_[k] - eta)``. A weight moves the latent score
and all the level probabilities follow, which is what keeps an explanation exact.

A verdict may name a span of levels rather than one (a checker that says only "held
up" or "did not"): ``fit`` takes ``y`` as levels, or as ``(lowest, highest)`` pairs, and
such a row's likelihood is ``P(lowest <= level <= highest)``
``= F(cut[highest] - eta) - F(cut[lowest - 1] - eta)`` (interval censoring).

Bounds give the monotone guarantees (a feature that may only lower credibility gets
``(None, 0)``); ``fixed`` pins a weight to a house-policy value; ``prior`` centres a
feature's L2 penalty on a policy value instead of zero.
"""
from __future__ import annotations

import numpy as np
from scipy import optimize, sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def spans_of(y) -> np.ndarray:
    """``(lowest, highest)`` level of each row: levels become spans of one level."""
    y = np.asarray(y, dtype=np.int64)
    if y.ndim == 1:
        return np.column_stack([y, y])
    if y.ndim != 2 or y.shape[1] != 2:
        raise ValueError("y must be levels or (lowest, highest) pairs")
    return y


class OrdinalLogit(ClassifierMixin, BaseEstimator):
    """Cumulative-logit classifier over integer levels ``0 .. n_levels - 1``.

    Parameters
    ----------
    alpha : float
        L2 penalty strength on the weights (not on the cut points).
    n_levels : int
        Number of ordered levels.
    bounds : dict[int, tuple] or None
        Column index -> (low, high) bounds on that weight; None means unbounded.
    fixed : dict[int, float] or None
        Column index -> weight held at this value during the fit.
    prior : dict[int, float] or None
        Column index -> centre of that weight's L2 penalty.
    max_iter : int
        L-BFGS-B iterations.
    """

    def __init__(self, alpha=1.0, n_levels=6, bounds=None, fixed=None, prior=None,
                 max_iter=500):
        self.alpha = alpha
        self.n_levels = n_levels
        self.bounds = bounds
        self.fixed = fixed
        self.prior = prior
        self.max_iter = max_iter

    # -- fitting -----------------------------------------------------------------
    def _cuts(self, raw):
        return np.concatenate([[raw[0]], raw[0] + np.cumsum(np.exp(raw[1:]))])

    def _objective(self, params, X, y, weights, centre, free):
        n_features = X.shape[1]
        coef = centre.copy()
        coef[free] = params[: free.sum()]
        raw = params[free.sum():]
        cuts = self._cuts(raw)
        eta = X @ coef
        k = self.n_levels
        lo, hi = y[:, 0], y[:, 1]
        has_up, has_lo = hi < k - 1, lo > 0
        upper = np.where(has_up, cuts[np.minimum(hi, k - 2)], np.inf) - eta
        lower = np.where(has_lo, cuts[np.maximum(lo - 1, 0)], -np.inf) - eta

        # log p = log(F(upper) - F(lower)), and its derivatives w.r.t. upper/lower. A row
        # whose span is every level says nothing (log p = 0).
        bottom, top = has_up & ~has_lo, has_lo & ~has_up
        mid = has_up & has_lo
        logp = np.zeros_like(eta)
        d_up = np.zeros_like(eta)
        d_lo = np.zeros_like(eta)
        logp[bottom] = _log_sigmoid(upper[bottom])
        d_up[bottom] = expit(-upper[bottom])
        logp[top] = _log_sigmoid(-lower[top])
        d_lo[top] = -expit(lower[top])
        a, b = upper[mid], lower[mid]
        gap = -np.expm1(b - a)
        logp[mid] = _log_sigmoid(a) + _log_sigmoid(-b) + np.log(gap)
        d_up[mid] = expit(-a) / (expit(-b) * gap)
        d_lo[mid] = -expit(b) / (expit(a) * gap)

        w = weights
        total = w.sum()
        loss = -(w * logp).sum() / total
        d_eta = (w * (d_up + d_lo)) / total  # d(loss)/d(eta) = -(-(d_up + d_lo))
        grad_coef = X.T @ d_eta
        d_cut = np.zeros(k - 1)
        np.add.at(d_cut, hi[has_up], -(w * d_up)[has_up] / total)
        np.add.at(d_cut, (lo - 1)[has_lo], -(w * d_lo)[has_lo] / total)
        # chain rule through cuts = raw0 + cumsum(exp(raw[1:]))
        grad_raw = np.empty(k - 1)
        tail = np.cumsum(d_cut[::-1])[::-1]
        grad_raw[0] = tail[0]
        grad_raw[1:] = tail[1:] * np.exp(raw[1:])

        penalty_centre = self._penalty_centre(n_features)
        diff = coef - penalty_centre
        loss += 0.5 * self.alpha * (diff[free] ** 2).sum() / total * 1.0
        grad_coef = np.asarray(grad_coef).ravel() + self.alpha * diff / total
        return loss, np.concatenate([grad_coef[free], grad_raw])

    def _penalty_centre(self, n_features):
        centre = np.zeros(n_features)
        for j, value in (self.prior or {}).items():
            centre[int(j)] = value
        return centre

    def fit(self, X, y, sample_weight=None):
        X = sparse.csr_matrix(X, dtype=np.float64)
        y = spans_of(y)
        if y.min() < 0 or y.max() >= self.n_levels or (y[:, 0] > y[:, 1]).any():
            raise ValueError(f"levels must lie in 0..{self.n_levels - 1}, lowest first")
        n_features = X.shape[1]
        weights = (np.ones(len(y)) if sample_weight is None
                   else np.asarray(sample_weight, dtype=np.float64))
        fixed = {int(j): float(v) for j, v in (self.fixed or {}).items()}
        centre = np.zeros(n_features)
        free = np.ones(n_features, dtype=bool)
        for j, value in fixed.items():
            centre[j] = value
            free[j] = False
        bounds_of = {int(j): b for j, b in (self.bounds or {}).items()}
        coef_bounds = [bounds_of.get(j, (None, None)) for j in np.flatnonzero(free)]
        start_coef = np.clip(self._penalty_centre(n_features)[free],
                             [lo if lo is not None else -np.inf for lo, _ in coef_bounds],
                             [hi if hi is not None else np.inf for _, hi in coef_bounds])
        # Start the cut points at the empirical cumulative log-odds.
        # Rows with a span count at its lowest level, for this starting point only.
        cum = np.cumsum(np.bincount(y[:, 0], weights=weights, minlength=self.n_levels))[:-1]
        cum = np.clip(cum / weights.sum(), 1e-3, 1 - 1e-3)
        start_cuts = np.log(cum / (1 - cum))
        start_cuts = np.maximum.accumulate(start_cuts + np.arange(self.n_levels - 1) * 1e-3)
        raw0 = np.concatenate([[start_cuts[0]], np.log(np.maximum(np.diff(start_cuts), 1e-3))])
        x0 = np.concatenate([start_coef, raw0])
        result = optimize.minimize(
            self._objective, x0, args=(X, y, weights, centre, free), jac=True,
            method="L-BFGS-B", bounds=coef_bounds + [(None, None)] * (self.n_levels - 1),
            # Run to the optimum, not to where the optimizer's own default would stop (a
            # gradient still near 1e-5): that stop depends on the floating point of the
            # objective's sums, so another CPU's kernels gave weights 1e-3 apart and moved
            # claims across 0.5. Here two CPUs' weights agree to about 1e-6.
            options={"maxiter": self.max_iter, "gtol": 1e-10, "ftol": 1e-15},
        )
        coef = centre.copy()
        coef[free] = result.x[: free.sum()]
        self.coef_ = coef
        self.cutpoints_ = self._cuts(result.x[free.sum():])
        self.classes_ = np.arange(self.n_levels)
        self.n_features_in_ = n_features
        self.n_iter_ = int(result.nit)
        return self

    # -- prediction --------------------------------------------------------------
    def decision_function(self, X):
        """The latent score ``eta`` of each row."""
        check_is_fitted(self, "coef_")
        return np.asarray(X @ self.coef_).ravel()

    def proba_from_latent(self, eta):
        cum = expit(self.cutpoints_[None, :] - np.asarray(eta)[:, None])
        cum = np.hstack([np.zeros((len(cum), 1)), cum, np.ones((len(cum), 1))])
        return np.diff(cum, axis=1)

    def predict_proba(self, X):
        return self.proba_from_latent(self.decision_function(X))

    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)
