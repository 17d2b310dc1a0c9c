"""Honest track records: verdict counts built only from labels the model trained on.

LIAR's own credit-history columns count the row's label; subtracting it still names the
label (the decremented column), so they are never features. A training row's record is
counted out of fold (its own fold's rows excluded); an evaluated row's record is the
source's counts in the training data.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from model.levels import LEVELS
from model.names import normalise_name


def source_key(request: dict) -> str:
    return normalise_name((request.get("source") or {}).get("name") or "")


def count_by_source(requests: list[dict], levels) -> dict[str, dict[str, int]]:
    """Verdict counts per source (normalised name) over the given rows."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    for request, level in zip(requests, levels):
        key = source_key(request)
        if key:
            counts[key][LEVELS[level]] += 1
    return dict(counts)


def fold_ids(n_rows: int, n_folds: int, seed: int) -> np.ndarray:
    """Fold of each row: a fixed shuffle by seed, so training is deterministic."""
    order = np.random.default_rng(seed).permutation(n_rows)
    folds = np.empty(n_rows, dtype=np.int64)
    folds[order] = np.arange(n_rows) % n_folds
    return folds


def out_of_fold(requests: list[dict], levels, folds: np.ndarray) -> list[dict[str, int]]:
    """Each row's source counts from the other folds only."""
    levels = np.asarray(levels)
    per_fold = [count_by_source([requests[i] for i in np.flatnonzero(folds == f)],
                                levels[folds == f]) for f in range(int(folds.max()) + 1)]
    total = count_by_source(requests, levels)
    records = []
    for request, fold in zip(requests, folds):
        key = source_key(request)
        if not key:
            records.append(dict.fromkeys(LEVELS, 0))
            continue
        own = per_fold[fold].get(key, {})
        records.append({lv: total[key][lv] - own.get(lv, 0) for lv in LEVELS})
    return records


def lookup(requests: list[dict], counts: dict[str, dict[str, int]]) -> list[dict[str, int] | None]:
    return [counts.get(source_key(r)) for r in requests]


def row_deleaked(history: list[dict], levels) -> list[dict[str, int]]:
    """LIAR's credit history minus the row's own label: LEAKY, for literature comparison only."""
    records = []
    for counts, level in zip(history, levels):
        counts = {lv: int(counts.get(lv, 0)) for lv in LEVELS}
        if LEVELS[level] != "true":
            counts[LEVELS[level]] = max(0, counts[LEVELS[level]] - 1)
        records.append(counts)
    return records
