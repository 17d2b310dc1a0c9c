"""Character n-grams of many new words at once (numpy) are scikit-learn's char_wb n-grams."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from model.compiled import CharNgramColumns

TEXTS = ["Officials said 40 percent of the $3 million aid can't arrive!",
         "The Ministry of Defence (MoD) reports 1,250 drones; naïve claims déjà vu.",
         "Kyiv's mayor: 'no power' in 3 districts -- 日本語 too?", "a ab abc x"]


def fitted(ngram_range):
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range).fit(TEXTS)
    return vectorizer.vocabulary_, vectorizer.build_analyzer()


def expected(vocabulary, analyzer, word):
    return [vocabulary[g] for g in analyzer(word) if g in vocabulary]


WORDS = ["said", "a", "ab", "percent", "can't", "$3", "(mod)", "naïve", "déjà", "日本語",
         "x\x00y", "ÿ", "z" * 70, "'no", "1,250", "unknownword", "defence", "kyiv's"]


def test_new_words_looked_up_together_are_scikit_learns_ngrams():
    for ngram_range in ((2, 5), (1, 3), (3, 3)):
        vocabulary, analyzer = fitted(ngram_range)
        columns = CharNgramColumns(vocabulary, *ngram_range)
        assert columns.vectorised
        got = columns.many(WORDS)          # more than 8 new words: numpy
        assert [sorted(c) for c in got] == [sorted(expected(vocabulary, analyzer, w))
                                            for w in WORDS]
        # In the Python path's order too, so either path gives the same sums.
        assert got == [CharNgramColumns(vocabulary, *ngram_range)(w) for w in WORDS]
        assert columns.many(WORDS) == got  # now remembered


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.text(st.characters(blacklist_categories=("Zs", "Cc", "Zl", "Zp")),
                              min_size=1, max_size=12), min_size=9, max_size=30, unique=True))
def test_any_words(words):
    """Words as the scorer passes them: lowered (as the vectorizer does), no whitespace."""
    words = list(dict.fromkeys(w.lower() for w in words))
    vocabulary, analyzer = fitted((2, 5))
    columns = CharNgramColumns(vocabulary, 2, 5)
    assert [sorted(c) for c in columns.many(words)] == [
        sorted(expected(vocabulary, analyzer, w)) for w in words]


def test_remembered_words_are_packed(model_registry_dir):
    """Up to WORD_CACHE words stay in every worker: a few hundred bytes each, not the
    kilobyte a tuple of fresh Python ints would take."""
    import tracemalloc

    from model.scoring import Scorer

    spec = next(b for b in Scorer.load(model_registry_dir).compiled.spec["blocks"]
                if b["analyzer"] == "char_wb")
    columns = CharNgramColumns({t: j for j, t in enumerate(spec["vocabulary"])},
                               *spec["ngram_range"])
    words = [f"w{n:05d}ord{'s' * (n % 7)}" for n in range(10_000)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for start in range(0, len(words), 1000):
        columns.many(words[start:start + 1000])
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(columns.known) == len(words)
    assert sum(map(len, columns.known.values())) > 10 * len(words)   # real n-grams found
    assert held / len(words) < 400, f"{held / len(words):.0f} bytes a word"
