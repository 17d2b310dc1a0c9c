"""The claim's n-gram vocabularies are the same on every CPU.

``max_features`` keeps the most frequent n-grams; among n-grams exactly as frequent as the
last one kept, scikit-learn's own choice follows numpy's SIMD sort, so another CPU kept
other n-grams (LIAR's character block differed between numpy's AVX2 and SSE sorts). The
claim blocks keep the alphabetically first of a tie, whatever numpy's sort.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import CountVectorizer

from model.features import build_features

REPO = Path(__file__).resolve().parents[2]
WORDS = [f"w{i:03d}" for i in range(600)]
# Five words in every text; 600 words in two texts each (a tie the cut falls inside).
TEXTS = [f"alpha beta gamma delta omega {WORDS[i]} {WORDS[(i + 1) % 600]}" for i in range(600)]
KEEP = {"words": 305, "chars": 400}

KEPT = """
import json, sys
from model.features import build_features
texts, keep = json.loads(sys.stdin.read())
blocks = {name: t for name, t, _ in build_features({}).transformers}
print(json.dumps({name: sorted(blocks[name].set_params(max_features=k, min_df=1).fit(texts)
                               .vocabulary_) for name, k in keep.items()}))
"""


def most_frequent_first_alphabetically(vectorizer, texts, keep):
    shared = CountVectorizer().get_params().keys()
    counter = CountVectorizer(**{**{key: value for key, value in vectorizer.get_params().items()
                                    if key in shared}, "max_features": None, "dtype": int})
    totals = counter.fit_transform(texts).sum(axis=0).A1
    terms = counter.get_feature_names_out()
    ranked = sorted(zip(-totals, terms))
    assert ranked[keep - 1][0] == ranked[keep][0], "the cut must fall inside a tie"
    return sorted(t for _, t in ranked[:keep])


def kept_with_numpy(disabled: str | None) -> dict:
    """The kept vocabularies, here or in a process whose numpy lacks ``disabled`` SIMD."""
    if disabled is None:
        blocks = {name: t for name, t, _ in build_features({}).transformers}
        return {name: sorted(blocks[name].set_params(max_features=keep, min_df=1)
                             .fit(TEXTS).vocabulary_) for name, keep in KEEP.items()}
    env = {**os.environ, "PYTHONPATH": str(REPO), "NPY_DISABLE_CPU_FEATURES": disabled}
    done = subprocess.run([sys.executable, "-W", "error", "-c", KEPT], cwd=REPO, env=env,
                          input=json.dumps([TEXTS, KEEP]), capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("disabled", [None, "X86_V3 X86_V4", "X86_V4"],
                         ids=["numpy as found", "numpy SSE only", "numpy without AVX-512"])
def test_the_cut_keeps_the_alphabetically_first_of_a_tie(disabled):
    blocks = {name: t for name, t, _ in build_features({}).transformers}
    kept = kept_with_numpy(disabled)
    for name, keep in KEEP.items():
        vectorizer = blocks[name].set_params(min_df=1)
        assert kept[name] == most_frequent_first_alphabetically(vectorizer, TEXTS, keep), name
