"""A fitted pipeline written down as plain data: what the compiled scorer serves from.

``compile_pipeline`` reads the fitted ColumnTransformer and CredibilityModel and returns
``(spec, arrays)``: a JSON-able description of every feature block (vocabularies in
column order, analyzer settings, categories, priors) and numpy arrays (the weights of
the score and of both side models, the side intercepts, each block's idf). The registry
saves them beside the skops pipeline as ``scorer.json`` and ``scorer.npz``; serving
loads those with ``json`` and ``numpy.load(allow_pickle=False)`` and never imports
scikit-learn. Anything the compiled scorer could not reproduce exactly is refused here,
at save time. A test checks that the compiled scorer equals ``predict_proba`` to 1e-9.
"""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

from .cues import CUES
from .compiled import SPEC_FORMAT
from .features import ClaimCues, DeskHabits, TrackRecordPosterior, TypePrior
from .levels import HELD_UP_FROM


def _tfidf(vectorizer: TfidfVectorizer, column: str, name: str, arrays: dict) -> dict:
    plain = (vectorizer.norm == "l2" and not vectorizer.binary and vectorizer.use_idf
             and vectorizer.analyzer in ("word", "char_wb") and vectorizer.input == "content"
             and vectorizer.preprocessor is None and vectorizer.tokenizer is None
             and vectorizer.strip_accents is None and vectorizer.stop_words is None)
    if not plain:
        raise ValueError(f"block {name}: the compiled scorer supports plain l2-normalised "
                         "tf-idf over words or char_wb n-grams only")
    terms = [""] * len(vectorizer.vocabulary_)
    for term, j in vectorizer.vocabulary_.items():
        terms[j] = term
    arrays[f"idf.{name}"] = np.asarray(vectorizer.idf_, dtype=np.float64)
    return {"kind": "tfidf", "column": column, "analyzer": vectorizer.analyzer,
            "token_pattern": vectorizer.token_pattern, "lowercase": bool(vectorizer.lowercase),
            "ngram_range": list(vectorizer.ngram_range),
            "sublinear_tf": bool(vectorizer.sublinear_tf), "vocabulary": terms}


def _block(name: str, transformer, columns, arrays: dict) -> dict:
    if isinstance(transformer, TfidfVectorizer):
        return _tfidf(transformer, columns, name, arrays)
    if isinstance(transformer, OneHotEncoder):
        if transformer.drop_idx_ is not None or getattr(transformer, "_infrequent_enabled",
                                                        False):
            raise ValueError(f"block {name}: plain one-hot encoders only")
        return {"kind": "onehot", "column": columns[0],
                "categories": [str(c) for c in transformer.categories_[0]]}
    if isinstance(transformer, ClaimCues):
        return {"kind": "cues", "column": columns}
    if isinstance(transformer, DeskHabits):
        return {"kind": "desk", "columns": list(columns), "desks": list(transformer.desks_),
                "types": list(transformer.types_), "scales": list(transformer.scales)}
    if isinstance(transformer, (TypePrior, TrackRecordPosterior)):
        return {"kind": "type_prior" if isinstance(transformer, TypePrior) else "track_record",
                "priors": {k: [float(a), float(b)] for k, (a, b) in
                           (transformer.priors or {}).items()},
                "default_prior": [float(x) for x in transformer.default_prior]}
    if transformer == "passthrough" or (isinstance(transformer, FunctionTransformer)
                                        and transformer.func is None):
        return {"kind": "passthrough", "columns": list(columns)}
    raise ValueError(f"block {name}: the compiled scorer cannot run "
                     f"{type(transformer).__name__}")


def _side_weights(model) -> list:
    coef = np.zeros((HELD_UP_FROM, model.coef_.shape[1]))
    coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else np.vstack(
        [-model.coef_[0] / 2, model.coef_[0] / 2])
    return list(coef)


def _side_intercepts(model) -> np.ndarray:
    # Absent classes get -inf so that they take no probability, as in predict_proba.
    out = np.full(HELD_UP_FROM, -np.inf)
    out[model.classes_] = model.intercept_ if len(model.classes_) > 2 else [
        -model.intercept_[0] / 2, model.intercept_[0] / 2]
    return out


def compile_pipeline(pipeline) -> tuple[dict, dict[str, np.ndarray]]:
    """(spec, arrays) of a fitted pipeline of ``pipeline.assemble``."""
    features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
    weights = features.transformer_weights or {}
    arrays: dict[str, np.ndarray] = {}
    blocks = []
    for name, transformer, columns in features.transformers_:
        if transformer == "drop" or name == "remainder":
            continue
        where = features.output_indices_[name]
        block = _block(name, transformer, columns, arrays)
        block.update(name=name, start=where.start, width=where.stop - where.start,
                     weight=float(weights.get(name, 1.0)))
        blocks.append(block)
    names = [str(n) for n in features.get_feature_names_out()]
    for block in blocks:   # what a journalist reads: cue and context names from the fit
        if block["kind"] in ("cues", "passthrough", "type_prior", "track_record", "desk"):
            block["names"] = [n.split("__", 1)[1] for n in
                              names[block["start"]:block["start"] + block["width"]]]
    if [b["names"] for b in blocks if b["kind"] == "cues"] not in ([], [[*CUES, "length"]]):
        raise ValueError("the fitted cue block does not name this code's cues")
    lower, upper = model.sides_
    score = model.score_model_
    # Column 0: the score's weights; then each side model's class weights.
    arrays["weights"] = np.column_stack([score.coef_, *_side_weights(lower),
                                         *_side_weights(upper)]).astype(np.float64)
    arrays["side_intercepts"] = np.vstack([_side_intercepts(lower), _side_intercepts(upper)])
    spec = {"format": SPEC_FORMAT, "blocks": blocks,
            "intercept": -float(score.cutpoints_[HELD_UP_FROM - 1]),
            "n_features": len(names), "stop_words": sorted(ENGLISH_STOP_WORDS)}
    return spec, arrays
