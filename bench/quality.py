"""Quality side by side on LIAR validation, in one run, all with honest track records.

    .venv/bin/python bench/quality.py [--liar ../shared/datasets/liar] [--registry model/registry]

Rows: the majority class; a text-only logistic regression (word and character tf-idf);
a metadata-only logistic regression without track record (type, role, party, state,
venue, subjects); and the promoted model. The baselines are fitted on LIAR train only.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import optimize
from scipy.special import expit, logit
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (bench/http.py)

from model.pipeline import request_frame  # noqa: E402
from model.registry import load_version  # noqa: E402
from training import config, datasets  # noqa: E402
from training.evaluate import predict, track_records  # noqa: E402
from model.levels import HELD_UP_FROM  # noqa: E402
from training.metrics import expected_calibration_error, quality  # noqa: E402

COLUMNS = ("accuracy_6", "accuracy_2", "macro_f1_6", "roc_auc_2", "brier_2", "ece_2")


def baselines(train: datasets.Claims, valid: datasets.Claims) -> dict[str, np.ndarray]:
    y = np.asarray(train.levels)
    empty = [None] * len(train)
    X_train, X_valid = request_frame(train.requests, empty), request_frame(valid.requests,
                                                                           [None] * len(valid))
    # The majority "model" scores every claim with the training base rate of held-up.
    majority = np.tile(np.bincount(y, minlength=6) / len(y), (len(valid), 1))
    text = make_pipeline(ColumnTransformer([
        ("words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), "claim"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3,
                                  sublinear_tf=True, max_features=30000), "claim")]),
        LogisticRegression(C=0.3, max_iter=3000))
    metadata = make_pipeline(ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="ignore"),
         ["source_type", "affiliation", "region"]),
        ("role", TfidfVectorizer(min_df=2), "role"),
        ("channel", TfidfVectorizer(min_df=3), "channel"),
        ("topic", TfidfVectorizer(token_pattern=r"[^,]+", min_df=3), "topic")]),
        LogisticRegression(C=0.3, max_iter=3000))
    return {
        "majority class (train base rates)": majority,
        "text only: logistic regression": text.fit(X_train, y).predict_proba(X_valid),
        "metadata, no track record: LR": metadata.fit(X_train, y).predict_proba(X_valid),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--liar", type=Path, default=config.LIAR)
    parser.add_argument("--registry", type=Path, default=config.REGISTRY)
    args = parser.parse_args(argv)
    train = datasets.load(f"liar:{args.liar}", "train")
    valid = datasets.load(f"liar:{args.liar}", "valid")
    rows = baselines(train, valid)
    loaded = load_version(args.registry)
    rows[f"full model {loaded.version}"] = predict(
        loaded.pipeline, valid, track_records(valid, loaded.files["track_records.json"], "honest"))
    print(f"LIAR validation, n = {len(valid)}; track records from training labels only\n")
    print(f"{'model':44}" + "".join(f"{c:>12}" for c in COLUMNS))
    for name, proba in rows.items():
        figures = quality(valid.levels, proba)
        print(f"{name:44}" + "".join(f"{figures[c]:12.4f}" for c in COLUMNS))
    score = proba[:, HELD_UP_FROM:].sum(axis=1)
    held = np.asarray(valid.levels) >= HELD_UP_FROM
    # Diagnostic only (it reads the validation labels): how much of the full model's ECE
    # is the gap between train's and validation's base rates.
    shift = optimize.brentq(lambda d: expit(logit(score) + d).mean() - held.mean(), -3, 3)
    print(f"\nbase rate of held-up claims: train {np.mean(np.asarray(train.levels) >= HELD_UP_FROM):.3f}, "
          f"validation {held.mean():.3f}; mean score on validation {score.mean():.3f}")
    print(f"diagnostic: the full model's ECE with that mean shift removed "
          f"({shift:+.3f} log-odds, fitted on validation labels): "
          f"{expected_calibration_error(expit(logit(score) + shift), held):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
