"""Feature transformers, and the ColumnTransformer that turns request rows into numbers.

Every block of features is named after what a journalist would call it; the explanation
groups contributions by these names (see ``FACTOR_GROUPS`` in explain.py).
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder

from scipy import sparse

from .cues import CUES, claim_cues, prior_log_odds, record_shift
from .habits import habit_names, habit_values
from .inputs import CONTEXT_COLUMNS, COUNT_COLUMNS
from .levels import LEVELS

class ClaimNgrams(TfidfVectorizer):
    """tf-idf over the claim whose ``max_features`` keeps the same n-grams on every CPU.

    scikit-learn keeps the ``max_features`` most frequent n-grams through numpy's default
    argsort, which is not stable: among n-grams as frequent as the last one kept, which
    ones stay depends on the CPU's SIMD sort (AVX-512, AVX2 or SSE), so the same data gave
    another character vocabulary, and another model, on another CPU. Here that tie goes to
    the alphabetically first n-grams.
    """

    def _limit_features(self, X, vocabulary, high=None, low=None, limit=None):
        if high is not None or low is not None:
            X = super()._limit_features(X, vocabulary, high, low, None)
        if limit is None or X.shape[1] <= limit:
            return X
        # Columns are in alphabetical order here (scikit-learn sorts them first).
        counts = np.asarray(X.sum(axis=0)).ravel()
        kept = np.sort(np.argsort(-counts, kind="stable")[:limit])
        new_index = np.full(X.shape[1], -1)
        new_index[kept] = np.arange(limit)
        for term, old in list(vocabulary.items()):
            if new_index[old] < 0:
                del vocabulary[term]
            else:
                vocabulary[term] = new_index[old]
        return X[:, kept]


class ClaimCues(TransformerMixin, BaseEstimator):
    """log(1 + count) of each cue in the claim, and log(1 + its length in words)."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform_one(self, text: str) -> list[float]:
        return claim_cues(text)

    def transform(self, X):
        texts = np.asarray(X, dtype=object).ravel()
        return np.array([self.transform_one(str(t)) for t in texts], dtype=np.float64)

    def get_feature_names_out(self, input_features=None):
        return np.array([*CUES, "length"], dtype=object)


class TypePrior(TransformerMixin, BaseEstimator):
    """The log-odds of the source type's prior mean, from the policy.

    This is how an elicited prior reaches the score for a type that training data never
    shows (armed groups, exiled politicians): its weight is learned on the types the
    data has, bounded to be non-negative, and applies to every type alike.
    """

    def __init__(self, priors=None, default_prior=(1.5, 1.5)):
        self.priors = priors
        self.default_prior = default_prior

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform_one(self, source_type: str) -> list[float]:
        return prior_log_odds(self.priors, self.default_prior, source_type)

    def transform(self, X):
        rows = np.asarray(X, dtype=object).reshape(len(X), -1)
        return np.array([self.transform_one(str(r[0])) for r in rows], dtype=np.float64)

    def get_feature_names_out(self, input_features=None):
        return np.array(["prior_log_odds"], dtype=object)


class TrackRecordPosterior(TransformerMixin, BaseEstimator):
    """What a source's verdict counts say beyond its type prior (Beta-binomial shrinkage).

    Input columns: ``source_type`` then the six counts. Outputs, both zero without a
    record: the posterior log-odds of "held up" minus the prior's, and the posterior
    mean level (0..5) minus the prior's. Both rise whenever a verdict moves up the
    scale or a held-up verdict is added, so their non-negative weights make a better
    record never lower the score.
    """

    def __init__(self, priors=None, default_prior=(1.5, 1.5)):
        self.priors = priors
        self.default_prior = default_prior

    def fit(self, X, y=None):
        self.n_features_in_ = 1 + len(LEVELS)
        return self

    def transform_one(self, source_type: str, counts) -> list[float]:
        return record_shift(self.priors, self.default_prior, source_type, counts)

    def transform(self, X):
        rows = np.asarray(X, dtype=object)
        return np.array([self.transform_one(str(r[0]), r[1:]) for r in rows], dtype=np.float64)

    def get_feature_names_out(self, input_features=None):
        return np.array(["held_up_log_odds", "mean_level"], dtype=object)


NO_DESK = "no desk"


class DeskHabits(TransformerMixin, BaseEstimator):
    """Each desk's own copy of the intercept, the wording cues and the source type
    (model/habits.py). Input columns: ``desk``, ``claim``, ``source_type``.

    Desks with at least ``min_rows`` training rows get columns (in name order); the
    source types are those of the training rows. The scales set how freely each part
    may move for one desk (a smaller scale is a stronger pull toward the shared weight).
    """

    def __init__(self, min_rows=50, intercept_scale=1.0, cue_scale=0.5, type_scale=0.5):
        self.min_rows = min_rows
        self.intercept_scale = intercept_scale
        self.cue_scale = cue_scale
        self.type_scale = type_scale

    def fit(self, X, y=None):
        rows = np.asarray(X, dtype=object).reshape(len(X), -1)
        desks, counts = np.unique(rows[:, 0].astype(str), return_counts=True)
        self.desks_ = [str(d) for d, n in zip(desks, counts) if d and n >= self.min_rows]
        self.types_ = sorted({str(t) for t in rows[:, 2]})
        self.n_features_in_ = 3
        return self

    @property
    def scales(self) -> tuple[float, float, float]:
        return (float(self.intercept_scale), float(self.cue_scale), float(self.type_scale))

    def transform(self, X):
        rows = np.asarray(X, dtype=object).reshape(len(X), -1)
        desk_index = {d: i for i, d in enumerate(self.desks_)}
        type_index = {t: i for i, t in enumerate(self.types_)}
        width = len(habit_names(self.desks_[:1], self.types_))
        data, indices, indptr = [], [], [0]
        for desk, claim, kind in rows:
            columns, values = habit_values(desk_index, type_index, self.scales, str(desk),
                                           str(claim), str(kind))
            indices += columns
            data += values
            indptr.append(len(indices))
        # Without a desk to learn, one column of zeros (scikit-learn wants a column).
        return sparse.csr_matrix((np.asarray(data, dtype=np.float64),
                                  np.asarray(indices, dtype=np.int64), indptr),
                                 shape=(len(rows), max(1, width * len(self.desks_))))

    def get_feature_names_out(self, input_features=None):
        return np.array(habit_names(self.desks_, self.types_) or [NO_DESK], dtype=object)


# How much each block may say, relative to its L2 penalty (a weight of w divides that
# block's penalty by w squared); chosen by cross-validation on LIAR train.
BLOCK_WEIGHTS = {"words": 1.0, "chars": 1.0, "cues": 0.25, "source_type": 0.5, "type_prior": 1.0, "role": 0.25,
                 "affiliation": 0.25, "region": 0.25, "channel": 0.5, "topic": 0.25,
                 "track_record": 1.0, "context": 1.0, "desk": 1.0}

# Which desks get their own habits, and how freely each part moves (model/habits.py):
# a copy of a cue or of a source type is held harder toward zero than the shared weight
# (scale 0.2 against the cue block's 0.25, 0.4 against the source type's 0.5), so a
# habit two desks share costs less in the shared weight; a desk's intercept (its base
# rate) moves freely. Compared by 5-fold cross-validation on the training data (never
# on the measured sets): freer or stricter copies were within noise of these.
DESK_HABITS = {"min_rows": 30, "intercept_scale": 2.0, "cue_scale": 0.2, "type_scale": 0.4}

TRACK_RECORD_BOUNDS = {"held_up_log_odds": (0.0, None), "mean_level": (0.0, None)}
# A kind of source with a better prior never scores lower for it.
TYPE_PRIOR_BOUNDS = {"prior_log_odds": (0.0, None)}


def build_features(priors: dict, params: dict | None = None) -> ColumnTransformer:
    """The ColumnTransformer over the columns of ``inputs.to_row``."""
    p = {"word_max_features": 40000, "char_max_features": 30000, "word_min_df": 2,
         "char_min_df": 3, "weights": BLOCK_WEIGHTS, "desk": DESK_HABITS,
         **(params or {})}
    tags = r"(?u)[^,]+"
    return ColumnTransformer(
        [
            ("words", ClaimNgrams(ngram_range=(1, 2), min_df=p["word_min_df"],
                                      sublinear_tf=True, max_features=p["word_max_features"],
                                      dtype=np.float64), "claim"),
            ("chars", ClaimNgrams(analyzer="char_wb", ngram_range=(2, 5),
                                      min_df=p["char_min_df"], sublinear_tf=True,
                                      max_features=p["char_max_features"],
                                      dtype=np.float64), "claim"),
            ("cues", ClaimCues(), "claim"),
            ("source_type", OneHotEncoder(handle_unknown="ignore"), ["source_type"]),
            ("type_prior", TypePrior(priors=priors), ["source_type"]),
            ("role", TfidfVectorizer(min_df=2, sublinear_tf=True, dtype=np.float64), "role"),
            ("affiliation", OneHotEncoder(handle_unknown="ignore"),
             ["affiliation"]),
            ("region", OneHotEncoder(handle_unknown="ignore"), ["region"]),
            ("channel", TfidfVectorizer(min_df=3, sublinear_tf=True, dtype=np.float64),
             "channel"),
            ("topic", TfidfVectorizer(token_pattern=tags, min_df=3, dtype=np.float64), "topic"),
            ("track_record", TrackRecordPosterior(priors=priors),
             ["source_type", *COUNT_COLUMNS]),
            ("context", "passthrough", list(CONTEXT_COLUMNS)),
            ("desk", DeskHabits(**p["desk"]), ["desk", "claim", "source_type"]),
        ],
        sparse_threshold=1.0,
        transformer_weights=dict(p["weights"]),
    )
