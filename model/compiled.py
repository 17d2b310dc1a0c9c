"""The fitted pipeline compiled to a direct sparse dot product, for one claim at a time.

``Pipeline.predict_proba`` on a one-row DataFrame spends most of its time in pandas and
validation. Here each block of the ColumnTransformer becomes a small function that
yields (column, value) pairs from a flat row, using the fitted vocabularies, idf and
categories; the score's weights and both side models' weights sit in one dense matrix,
so one indexed product gives the score's contributions and the six levels.
A test checks that the values equal ``ColumnTransformer.transform`` to 1e-9.
"""
from __future__ import annotations

import math
from collections import Counter
from itertools import chain
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from .features import ClaimCues, TrackRecordPosterior, TypePrior
from .levels import HELD_UP_FROM
from .inputs import COUNT_COLUMNS

WORD_CACHE = 50_000   # distinct words whose character n-grams are remembered
EMPTY = (np.empty(0, dtype=np.intp), np.empty(0))


def _tfidf_block(vectorizer: TfidfVectorizer, column: str):
    if vectorizer.norm != "l2" or vectorizer.binary or not vectorizer.use_idf:
        raise ValueError("compiled pipeline supports l2-normalised tf-idf only")
    analyze = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    sublinear = vectorizer.sublinear_tf

    if vectorizer.analyzer == "char_wb":
        # char_wb n-grams never cross a word boundary, so each word's columns are cached.
        preprocess = vectorizer.build_preprocessor()

        @lru_cache(maxsize=WORD_CACHE)
        def word_columns(word):
            return tuple(j for j in map(vocabulary.get, analyze(word)) if j is not None)

        def counted(text):
            counts = Counter()
            for word in preprocess(text).split():
                counts.update(word_columns(word))
            return counts
    else:
        def counted(text):
            return Counter(j for j in map(vocabulary.get, analyze(text)) if j is not None)

    idf_array = np.asarray(vectorizer.idf_, dtype=np.float64)

    def block(row):
        counts = counted(row[column])
        if not counts:
            return EMPTY
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        if sublinear:
            tf = np.log(tf, out=tf) + 1.0
        values = tf * idf_array[columns]
        return columns, values / math.sqrt(values @ values)

    def many(rows):
        counts = [counted(row[column]) for row in rows]
        lengths = np.fromiter(map(len, counts), dtype=np.intp, count=len(counts))
        total = int(lengths.sum())
        columns = np.fromiter(chain.from_iterable(counts), dtype=np.intp, count=total)
        tf = np.fromiter(chain.from_iterable(c.values() for c in counts), dtype=np.float64,
                         count=total)
        if sublinear:
            tf = np.log(tf, out=tf) + 1.0
        values = tf * idf_array[columns]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        squares = np.concatenate([[0.0], np.cumsum(values * values)])
        norms = np.sqrt(squares[indptr[1:]] - squares[indptr[:-1]])
        values /= np.repeat(np.where(norms > 0, norms, 1.0), lengths)
        return sparse.csr_matrix((values, columns, indptr),
                                 shape=(len(rows), len(idf_array)))
    return block, many


def _onehot_block(encoder: OneHotEncoder, column: str):
    if encoder.drop_idx_ is not None or getattr(encoder, "_infrequent_enabled", False):
        raise ValueError("compiled pipeline supports plain one-hot encoders only")
    index = {str(c): i for i, c in enumerate(encoder.categories_[0])}

    def block(row):
        j = index.get(row[column])
        return ([j], [1.0]) if j is not None else ([], [])

    def many(rows):
        found = np.fromiter((index.get(row[column], -1) for row in rows), dtype=np.intp,
                            count=len(rows))
        hit = np.flatnonzero(found >= 0)
        return sparse.csr_matrix((np.ones(len(hit)), (hit, found[hit])),
                                 shape=(len(rows), len(index)))
    return block, many


def _dense_block(values_of):
    def block(row):
        values = values_of(row)
        columns = [j for j, v in enumerate(values) if v != 0.0]
        return columns, [values[j] for j in columns]

    def many(rows):
        return np.array([values_of(row) for row in rows], dtype=np.float64)
    return block, many


def _block(transformer, columns):
    if isinstance(transformer, TfidfVectorizer):
        return _tfidf_block(transformer, columns)
    if isinstance(transformer, OneHotEncoder):
        return _onehot_block(transformer, columns[0])
    if isinstance(transformer, ClaimCues):
        return _dense_block(lambda row: transformer.transform_one(row[columns]))
    if isinstance(transformer, TypePrior):
        return _dense_block(lambda row: transformer.transform_one(row["source_type"]))
    if isinstance(transformer, TrackRecordPosterior):
        return _dense_block(lambda row: transformer.transform_one(
            row["source_type"], [row[c] for c in COUNT_COLUMNS]))
    if transformer == "passthrough" or (isinstance(transformer, FunctionTransformer)
                                        and transformer.func is None):
        return _dense_block(lambda row: [float(row[c]) for c in columns])
    raise ValueError(f"compiled pipeline cannot run {type(transformer).__name__}")


class CompiledPipeline:
    """Feature values, score contributions and level probabilities of one flat row."""

    def __init__(self, pipeline):
        features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
        weights = features.transformer_weights or {}
        self.blocks = []   # (name, function of one row, first column, block weight)
        self.batch_blocks = []   # (function of many rows, column slice, block weight)
        for name, transformer, columns in features.transformers_:
            if transformer == "drop" or name == "remainder":
                continue
            where = features.output_indices_[name]
            one, many = _block(transformer, columns)
            weight = float(weights.get(name, 1.0))
            self.blocks.append((name, one, where.start, weight))
            self.batch_blocks.append((many, where, weight))
        self.block_names = [name for name, *_ in self.blocks]
        self._block_numbers = np.arange(len(self.blocks))
        self.feature_names = features.get_feature_names_out()
        score = model.score_model_
        lower, upper = model.sides_
        # Column 0: the score's weights; then each side model's class weights.
        self.weights = np.column_stack([score.coef_, *self._side_weights(lower),
                                        *self._side_weights(upper)])
        self.score_weights = self.weights[:, 0].tolist()
        self.side_intercepts = (self._side_intercepts(lower), self._side_intercepts(upper))
        self.intercept = -float(score.cutpoints_[HELD_UP_FROM - 1])

    @staticmethod
    def _side_weights(model):
        coef = np.zeros((HELD_UP_FROM, model.coef_.shape[1]))
        coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else np.vstack(
            [-model.coef_[0] / 2, model.coef_[0] / 2])
        return list(coef)

    @staticmethod
    def _side_intercepts(model):
        # Absent classes get -inf so that they take no probability, as in predict_proba.
        out = np.full(HELD_UP_FROM, -np.inf)
        out[model.classes_] = model.intercept_ if len(model.classes_) > 2 else [
            -model.intercept_[0] / 2, model.intercept_[0] / 2]
        return out

    def features(self, row: dict):
        """(columns, values, block number of each) of the row's non-zero features."""
        columns, values, sizes = [], [], []
        for _, block, start, weight in self.blocks:
            cols, vals = block(row)
            columns.append(np.asarray(cols, dtype=np.intp) + start)
            values.append(np.multiply(vals, weight, dtype=np.float64))
            sizes.append(len(cols))
        return (np.concatenate(columns), np.concatenate(values),
                np.repeat(self._block_numbers, sizes))

    def partial_logit(self, row: dict, names) -> float:
        """The score contributions of the named blocks only (for re-scoring edits)."""
        total = 0.0
        for name, block, start, weight in self.blocks:
            if name in names:
                cols, vals = block(row)
                total += weight * sum(v * self.score_weights[start + int(c)]
                                      for c, v in zip(cols, vals))
        return total

    def evaluate(self, row: dict):
        """(score log-odds, contribution per block, six level probabilities, features)."""
        columns, values, blocks = self.features(row)
        product = values[:, None] * self.weights[columns]
        contributions = np.bincount(blocks, weights=product[:, 0], minlength=len(self.blocks))
        logit = self.intercept + float(contributions.sum())
        side_logits = product[:, 1:].sum(axis=0)
        return logit, contributions, self.levels(logit, side_logits), (columns, values, blocks)

    def evaluate_many(self, rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
        """(score log-odds, six level probabilities) of many rows, without explanations."""
        product = np.zeros((len(rows), self.weights.shape[1]))
        for many, where, weight in self.batch_blocks:
            product += weight * (many(rows) @ self.weights[where])
        logits = self.intercept + product[:, 0]
        score = expit(logits)[:, None]
        sides = []
        for side, share in ((0, 1.0 - score), (1, score)):
            z = product[:, 1 + side * HELD_UP_FROM:1 + (side + 1) * HELD_UP_FROM]
            z = z + self.side_intercepts[side]
            z = np.exp(z - z.max(axis=1, keepdims=True))
            sides.append(share * z / z.sum(axis=1, keepdims=True))
        return logits, np.hstack(sides)

    def levels(self, logit: float, side_logits) -> np.ndarray:
        score = 1.0 / (1.0 + math.exp(-logit))
        out = np.empty(2 * HELD_UP_FROM)
        for side, (share, intercepts) in enumerate(((1.0 - score, self.side_intercepts[0]),
                                                    (score, self.side_intercepts[1]))):
            z = side_logits[side * HELD_UP_FROM:(side + 1) * HELD_UP_FROM] + intercepts
            z = np.exp(z - z.max())
            out[side * HELD_UP_FROM:(side + 1) * HELD_UP_FROM] = share * z / z.sum()
        return out
