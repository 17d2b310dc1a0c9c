"""Quality figures of six-level probabilities against verdict levels."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, brier_score_loss, f1_score, roc_auc_score

from model.desks import expected_calibration_error  # noqa: F401  (one ECE for all)
from model.levels import HELD_UP_FROM


def reliability_table(score, held, bins: int = 10) -> list[dict]:
    score, held = np.asarray(score, dtype=float), np.asarray(held, dtype=float)
    which = np.minimum((score * bins).astype(int), bins - 1)
    return [{"bin": (b / bins, (b + 1) / bins), "n": int((which == b).sum()),
             "mean_score": float(score[which == b].mean()),
             "held_up": float(held[which == b].mean())}
            for b in range(bins) if (which == b).any()]


BINARY = ("accuracy_2", "roc_auc_2", "brier_2", "ece_2", "n")


def binary_quality(held, score) -> dict:
    """The figures of P(held up) against whether each claim held up."""
    held, score = np.asarray(held, dtype=bool), np.asarray(score, dtype=float)
    return {
        "accuracy_2": float(accuracy_score(held, score >= 0.5)),
        "roc_auc_2": float(roc_auc_score(held, score)) if 0 < held.sum() < len(held) else None,
        "brier_2": float(brier_score_loss(held, score)) if len(held) else None,
        "ece_2": expected_calibration_error(score, held),
        "n": int(len(held)),
    }


def quality_of(levels, proba, six_levels: bool = True) -> dict:
    """``quality`` where every verdict names a level, else the binary figures only."""
    if six_levels:
        return quality(levels, proba)
    return binary_quality(np.asarray(levels) >= HELD_UP_FROM,
                          np.asarray(proba)[:, HELD_UP_FROM:].sum(axis=1))


def quality(levels, proba) -> dict:
    levels, proba = np.asarray(levels), np.asarray(proba)
    score = proba[:, HELD_UP_FROM:].sum(axis=1)
    held = levels >= HELD_UP_FROM
    predicted = proba.argmax(axis=1)
    return {
        "accuracy_6": float(accuracy_score(levels, predicted)),
        "accuracy_2": float(accuracy_score(held, score >= 0.5)),
        "macro_f1_6": float(f1_score(levels, predicted, average="macro",
                                     labels=range(proba.shape[1]), zero_division=0)),
        "roc_auc_2": float(roc_auc_score(held, score)) if 0 < held.sum() < len(held) else None,
        "brier_2": float(brier_score_loss(held, score)),
        "ece_2": expected_calibration_error(score, held),
        "n": int(len(levels)),
    }
