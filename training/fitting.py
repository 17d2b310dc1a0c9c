"""Fit the ordinal model with honest track records and calibrate it out of fold.

Calibration is Platt scaling of the score's log-odds, fitted on out-of-fold predictions
over the training data (nested track records inside each fold), then folded into the
weights and cut points, so the shipped model is still one plain linear ordinal model
and its explanation stays exact. Validation data is never fitted on.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from model.levels import HELD_UP_FROM, spans
from model.credibility import CredibilityModel
from model.ordinal import OrdinalLogit
from model.pipeline import (assemble, constraints, drop_empty_text_blocks, new_features,
                            request_frame, slim)
from model.policy import Policy

from .history import count_by_source, fold_ids, lookup, out_of_fold

log = logging.getLogger(__name__)


@dataclass
class Fitted:
    pipeline: object
    track_records: dict          # per-source counts over all training rows
    learned_modifiers: list
    calibration: dict            # {"scale": a, "shift": c}


def _fit_once(requests, levels, records, policy: Policy, params: dict, weights=None,
              exact=None):
    # One BLAS thread: sums in a fixed order, so the weights do not depend on the machine's
    # core count or on which process runs the fit.
    with threadpool_limits(1):
        return _fit_single_threaded(requests, levels, records, policy, params, weights, exact)


def _fit_single_threaded(requests, levels, records, policy, params, weights, exact):
    data = request_frame(requests, records, policy.stake)
    features = drop_empty_text_blocks(new_features(policy, params.get("features")), data)
    X = features.fit_transform(data)
    names = features.get_feature_names_out()
    bounds, fixed, prior, learned = constraints(names, policy, X)
    model = CredibilityModel(
        OrdinalLogit(alpha=params.get("alpha", 6.0), bounds=bounds, fixed=fixed, prior=prior,
                     max_iter=params.get("max_iter", 500)),
        LogisticRegression(C=params.get("side_C", 0.1), max_iter=3000))
    model.fit(X, spans(levels, exact), sample_weight=weights)
    return assemble(features, model), learned


def _score_logit(pipeline, frame) -> np.ndarray:
    return pipeline.named_steps["model"].score_logit(
        pipeline.named_steps["features"].transform(frame))


def _held_out_logits(requests, levels, folds, f, policy, params, weights, exact):
    """Score log-odds of fold ``f`` from a model fitted on the other folds."""
    train, held = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
    sub = [requests[i] for i in train]
    inner = fold_ids(len(train), int(folds.max()) + 1, params.get("seed", 0) + 1 + f)
    pipeline, _ = _fit_once(sub, levels[train], out_of_fold(sub, levels[train], inner),
                            policy, params, None if weights is None else weights[train],
                            None if exact is None else exact[train])
    held_requests = [requests[i] for i in held]
    known = count_by_source(sub, levels[train])
    return held, _score_logit(pipeline, request_frame(held_requests,
                                                      lookup(held_requests, known),
                                                      policy.stake))


def _fit_all(requests, levels, folds, policy, params, weights, exact):
    """The shipped fit: every training row, its track record counted out of fold."""
    return _fit_once(requests, levels, out_of_fold(requests, levels, folds), policy, params,
                     weights, exact)


def fit(requests: list[dict], levels, policy: Policy, params: dict, weights=None,
        progress=None, exact=None) -> Fitted:
    """``exact`` (default: all True) marks the verdicts that name a level; the others
    name only a side, and ``levels`` holds the middle level of that side."""
    levels = np.asarray(levels)
    exact = None if exact is None else np.asarray(exact, dtype=bool)
    n_folds, seed = params.get("folds", 5), params.get("seed", 0)
    folds = fold_ids(len(requests), n_folds, seed)
    oof = np.zeros(len(requests))
    # The calibration folds and the final fit are independent: run them on every core.
    # Results are placed by fold, so the outcome does not depend on which finishes first.
    tasks = [delayed(_held_out_logits)(requests, levels, folds, f, policy, params, weights,
                                       exact) for f in range(n_folds)]
    tasks.append(delayed(_fit_all)(requests, levels, folds, policy, params, weights, exact))
    pipeline = learned = None
    jobs = Parallel(n_jobs=params.get("n_jobs", 2), return_as="generator")(tasks)
    for done, result in enumerate(jobs, start=1):
        if done <= n_folds:
            held, logits = result
            oof[held] = logits
        else:
            pipeline, learned = result
        if progress:
            progress(done, n_folds + 1)
        log.info("fit %d/%d done", done, n_folds + 1)
    # Fitted to the optimum (tol), so the scale does not depend on the CPU's floating point.
    platt = LogisticRegression(C=1e6, tol=1e-10).fit(oof[:, None], levels >= HELD_UP_FROM,
                                          sample_weight=weights)
    scale, shift = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    model = pipeline.named_steps["model"].score_model_
    fixed = dict(model.fixed or {})
    coef = model.coef_ * scale
    for j, value in fixed.items():   # house-policy weights are already on the score's scale
        coef[j] = value
    model.coef_ = coef
    model.cutpoints_ = model.cutpoints_ * scale - shift
    log.info("calibrated: scale %.3f, shift %.3f", scale, shift)
    return Fitted(slim(pipeline), count_by_source(requests, levels), learned,
                  {"scale": scale, "shift": shift})


def score_of(pipeline, frame) -> np.ndarray:
    return expit(_score_logit(pipeline, frame))
