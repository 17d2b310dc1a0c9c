"""The scikit-learn Pipeline that ships: request rows -> features -> ordinal model."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from .features import TRACK_RECORD_BOUNDS, TYPE_PRIOR_BOUNDS, build_features
from .inputs import COLUMNS, to_row
from .ordinal import OrdinalLogit
from .policy import Policy
from .stake import StakeRules


def type_priors(policy: Policy) -> dict[str, tuple[float, float]]:
    return {name: (t.prior_a, t.prior_b) for name, t in policy.source_types.items()}


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))


def request_frame(requests: list[dict], records: list[dict | None],
                  stake: StakeRules | None = None) -> pd.DataFrame:
    """Rows of the requests; ``stake``: the policy's stake forms (the repository's if None)."""
    return frame([to_row(r, (r.get("source") or {}).get("type") or "other", rec, stake)
                  for r, rec in zip(requests, records)])


def constraints(names: np.ndarray, policy: Policy, X) -> tuple[dict, dict, dict, list[str]]:
    """Bounds, fixed weights and prior centres by column, and the policy inputs learned.

    A policy input is learned when the data has it on and off in at least
    ``policy.learn_from_rows`` rows each; otherwise its weight is the policy's.
    """
    bounds, fixed, prior, learned = {}, {}, {}, []
    index = {name: i for i, name in enumerate(names)}
    for feature, bound in TRACK_RECORD_BOUNDS.items():
        bounds[index[f"track_record__{feature}"]] = bound
    for feature, bound in TYPE_PRIOR_BOUNDS.items():
        bounds[index[f"type_prior__{feature}"]] = bound
    for name, modifier in policy.modifiers.items():
        j = index[f"context__{name}"]
        column = np.asarray(X[:, j].todense()).ravel() if hasattr(X, "todense") else X[:, j]
        on = int((column != 0).sum())
        if min(on, len(column) - on) >= policy.learn_from_rows:
            learned.append(name)
            prior[j] = modifier.score_weight
            bounds[j] = (None, 0.0) if modifier.sign == "negative" else (0.0, None)
        else:
            fixed[j] = modifier.score_weight
    return bounds, fixed, prior, learned


def assemble(features, model: OrdinalLogit) -> Pipeline:
    return Pipeline([("features", features), ("model", model)])


def new_features(policy: Policy, params: dict | None = None):
    return build_features(type_priors(policy), params)


def drop_empty_text_blocks(features, data: pd.DataFrame):
    """Drop the text blocks with no term to learn in this data (data without roles or
    topics, such as AVeriTeC's): a vectorizer refuses an empty vocabulary."""
    for name, transformer, column in features.transformers:
        if isinstance(transformer, TfidfVectorizer) and name not in ("words", "chars"):
            try:
                clone(transformer).fit(data[column])
            except ValueError:
                features.set_params(**{name: "drop"})
    return features


def slim(pipeline: Pipeline) -> Pipeline:
    """Drop what serving never reads, so the saved model stays small and loads fast.

    ``stop_words_`` lists every pruned n-gram (sklearn documents it as safe to delete),
    and vocabulary indices become plain ints (skops stores each numpy scalar as a file).
    """
    for _, transformer, _ in pipeline.named_steps["features"].transformers_:
        if hasattr(transformer, "stop_words_"):
            del transformer.stop_words_
        if hasattr(transformer, "vocabulary_"):
            transformer.vocabulary_ = {term: int(j) for term, j in transformer.vocabulary_.items()}
    return pipeline
