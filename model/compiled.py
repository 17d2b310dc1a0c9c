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

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from .features import ClaimCues, TrackRecordPosterior
from .levels import HELD_UP_FROM
from .inputs import COUNT_COLUMNS


def _tfidf_block(vectorizer: TfidfVectorizer, column: str):
    analyze = vectorizer.build_analyzer()
    vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
    sublinear = vectorizer.sublinear_tf
    if vectorizer.norm != "l2" or vectorizer.binary or not vectorizer.use_idf:
        raise ValueError("compiled pipeline supports l2-normalised tf-idf only")

    def block(row):
        counts: dict[int, int] = {}
        for term in analyze(row[column]):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return [], []
        columns = list(counts)
        values = [((1.0 + math.log(c)) if sublinear else float(c)) * idf[j]
                  for j, c in counts.items()]
        norm = math.sqrt(sum(v * v for v in values))
        return columns, [v / norm for v in values]
    return block


def _onehot_block(encoder: OneHotEncoder, column: str):
    if encoder.drop_idx_ is not None or getattr(encoder, "_infrequent_enabled", False):
        raise ValueError("compiled pipeline supports plain one-hot encoders only")
    index = {str(c): i for i, c in enumerate(encoder.categories_[0])}

    def block(row):
        j = index.get(row[column])
        return ([j], [1.0]) if j is not None else ([], [])
    return block


def _dense_block(values_of):
    def block(row):
        values = values_of(row)
        columns = [j for j, v in enumerate(values) if v != 0.0]
        return columns, [values[j] for j in columns]
    return block


def _block(transformer, columns):
    if isinstance(transformer, TfidfVectorizer):
        return _tfidf_block(transformer, columns)
    if isinstance(transformer, OneHotEncoder):
        return _onehot_block(transformer, columns[0])
    if isinstance(transformer, ClaimCues):
        return _dense_block(lambda row: transformer.transform_one(row[columns]))
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
        self.blocks = []   # (name, function, first column, block weight)
        for name, transformer, columns in features.transformers_:
            if transformer == "drop" or name == "remainder":
                continue
            start = features.output_indices_[name].start
            self.blocks.append((name, _block(transformer, columns), start,
                                float(weights.get(name, 1.0))))
        self.block_names = [name for name, *_ in self.blocks]
        self.feature_names = features.get_feature_names_out()
        score = model.score_model_
        lower, upper = model.sides_
        # Column 0: the score's weights; then each side model's class weights.
        self.weights = np.column_stack([score.coef_, *self._side_weights(lower),
                                        *self._side_weights(upper)])
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
        columns, values, blocks = [], [], []
        for number, (_, block, start, weight) in enumerate(self.blocks):
            cols, vals = block(row)
            columns += [start + c for c in cols]
            values += [v * weight for v in vals]
            blocks += [number] * len(cols)
        return (np.asarray(columns, dtype=np.intp), np.asarray(values),
                np.asarray(blocks, dtype=np.intp))

    def block_values(self, row: dict, name: str):
        number = self.block_names.index(name)
        _, block, start, weight = self.blocks[number]
        cols, vals = block(row)
        return [start + c for c in cols], [v * weight for v in vals]

    def evaluate(self, row: dict):
        """(score log-odds, contribution per block, six level probabilities, features)."""
        columns, values, blocks = self.features(row)
        product = values[:, None] * self.weights[columns]
        contributions = np.bincount(blocks, weights=product[:, 0], minlength=len(self.blocks))
        logit = self.intercept + float(contributions.sum())
        side_logits = product[:, 1:].sum(axis=0)
        return logit, contributions, self.levels(logit, side_logits), (columns, values, blocks)

    def levels(self, logit: float, side_logits) -> np.ndarray:
        score = 1.0 / (1.0 + math.exp(-logit))
        out = np.empty(2 * HELD_UP_FROM)
        for side, (share, intercepts) in enumerate(((1.0 - score, self.side_intercepts[0]),
                                                    (score, self.side_intercepts[1]))):
            z = side_logits[side * HELD_UP_FROM:(side + 1) * HELD_UP_FROM] + intercepts
            z = np.exp(z - z.max())
            out[side * HELD_UP_FROM:(side + 1) * HELD_UP_FROM] = share * z / z.sum()
        return out
