"""Honest track records: no row ever sees its own label, nor its own fold's."""
from __future__ import annotations

import numpy as np
import pytest

from model.levels import LEVELS
from training.history import (count_by_source, fold_ids, lookup, out_of_fold, row_deleaked,
                              source_key)


def req(name):
    return {"claim": "c", "source": {"name": name} if name is not None else {}}


def brute_force(requests, levels, folds):
    out = []
    for i, r in enumerate(requests):
        counts = dict.fromkeys(LEVELS, 0)
        for j, other in enumerate(requests):
            if folds[j] != folds[i] and source_key(other) and source_key(other) == source_key(r):
                counts[LEVELS[levels[j]]] += 1
        out.append(counts)
    return out


def test_fold_ids_are_balanced_and_deterministic():
    folds = fold_ids(103, 5, seed=7)
    assert np.array_equal(folds, fold_ids(103, 5, seed=7))
    assert not np.array_equal(folds, fold_ids(103, 5, seed=8))
    assert sorted(np.bincount(folds)) == [20, 20, 21, 21, 21]


def test_a_source_seen_only_in_its_own_fold_has_no_record():
    # Every row of "lonely" is in fold 0: out of fold, nothing is known about it.
    requests = [req("Lonely"), req("Lonely"), req("Busy"), req("Busy"), req("Busy")]
    levels = [5, 0, 1, 4, 2]
    folds = np.array([0, 0, 0, 1, 2])
    records = out_of_fold(requests, levels, folds)
    assert records[0] == records[1] == dict.fromkeys(LEVELS, 0)
    assert records[2] == {**dict.fromkeys(LEVELS, 0), "mostly-true": 1, "barely-true": 1}
    assert records[3] == {**dict.fromkeys(LEVELS, 0), "false": 1, "barely-true": 1}
    assert records[4] == {**dict.fromkeys(LEVELS, 0), "false": 1, "mostly-true": 1}


def test_a_row_never_counts_its_own_label():
    # One source, each row with a label no other row has: a leak would show at once.
    requests = [req("The F.S.B.") for _ in range(6)]
    levels = list(range(6))
    records = out_of_fold(requests, levels, np.arange(6))
    for level, record in zip(levels, records):
        assert record[LEVELS[level]] == 0
        assert sum(record.values()) == 5


@pytest.mark.parametrize("seed", range(5))
def test_out_of_fold_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    names = ["Alice", "alice ", "Bob", "The Ministry", "ministry", "", None, "Карл"]
    requests = [req(names[k]) for k in rng.integers(len(names), size=120)]
    levels = rng.integers(0, 6, size=120)
    folds = fold_ids(120, int(rng.integers(2, 6)), seed)
    assert out_of_fold(requests, levels, folds) == brute_force(requests, levels, folds)


def test_rows_without_a_source_name_have_no_record():
    records = out_of_fold([req(""), req(None), req("A"), req("A")], [0, 1, 2, 3],
                          np.array([0, 1, 0, 1]))
    assert records[0] == records[1] == dict.fromkeys(LEVELS, 0)


def test_lookup_uses_the_training_counts():
    train = [req("Alice"), req("alice"), req("Bob"), req("")]
    counts = count_by_source(train, [0, 5, 3, 2])
    assert counts == {"alice": {**dict.fromkeys(LEVELS, 0), "pants-fire": 1, "true": 1},
                      "bob": {**dict.fromkeys(LEVELS, 0), "half-true": 1}}
    found = lookup([req("ALICE"), req("Carol"), req(""), req("Bob")], counts)
    assert found == [counts["alice"], None, None, counts["bob"]]


def test_row_deleaked_subtracts_the_rows_own_label_except_true():
    history = [{"false": 3, "true": 0}, {"pants-fire": 0}, {"half-true": 2}, {"true": 4},
               {}]
    levels = [1, 0, 3, 5, 5]
    out = row_deleaked(history, levels)
    zero = dict.fromkeys(LEVELS, 0)
    assert out == [{**zero, "false": 2}, zero, {**zero, "half-true": 1}, {**zero, "true": 4},
                   zero]
    assert history[0] == {"false": 3, "true": 0}, "the input is left alone"
