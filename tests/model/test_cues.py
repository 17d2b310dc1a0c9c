"""Wording cues: counted piece by piece for speed, they are the claim's own counts."""
from __future__ import annotations

import math
import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from model.cues import CUE_WORDS, CUES, claim_cues


# A figure that is no ordinal and no designation ("110th", "T-72"); "over"/"under" an amount.
FIGURE = (r"(?<![^\W_])(?<![^\W\d_]-)(\d+(?:[.,]\d+)*)(?!\d)(?!(?:st|nd|rd|th)\b)"
          r"\s*(%|percent\b)?")
OVER_AN_AMOUNT = (r"\b(?:over|under)\s+(?:[$€£]\s*)?(?:\d|(?:(?:a|an)\s+)?(?:one|two|three|four|"
                  r"five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
                  r"fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|"
                  r"million|millions|billion|billions|trillion|dozen|dozens|half|third|"
                  r"quarter)\b)")


def whole_claim_counts(text: str) -> dict[str, int]:
    """The definition, read off the whole claim at once: cue words (and "n't" words as
    negation), figures, figures with a percent, symbols, and words."""
    lowered = text.lower()
    counts = Counter()
    for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", lowered):
        for cue, words in CUE_WORDS.items():
            counts[cue] += word in words.split()
        counts["negation"] += word.endswith("n't")
    for _, percent in re.findall(FIGURE, lowered):
        counts["figure"] += 1
        counts["percent"] += bool(percent)
    counts["comparison"] += len(re.findall(OVER_AN_AMOUNT, lowered))
    counts["money"] += sum(lowered.count(s) for s in "$€£")
    counts["exclamation"] += lowered.count("!")
    counts["question"] += lowered.count("?")
    counts["length"] = len(text.split())
    return counts


def named(text: str) -> dict[str, float]:
    return dict(zip([*CUES, "length"], claim_cues(text)))


def test_cues_of_a_claim():
    cues = named("Officials said 40 percent of the $3 million aid can't arrive! Really?")
    assert cues["attribution"] == math.log1p(1)           # said
    assert cues["figure"] == math.log1p(2)                # 40, 3
    assert cues["percent"] == math.log1p(1)               # "40 percent" spans a space
    assert cues["money"] == math.log1p(1)                 # $
    assert cues["large_figure"] == math.log1p(1)          # million
    assert cues["negation"] == math.log1p(1)              # can't
    assert cues["exclamation"] == cues["question"] == math.log1p(1)
    assert cues["hedge"] == cues["superlative"] == 0.0
    assert cues["length"] == math.log1p(12)


def test_over_a_place_or_a_time_is_no_comparison():
    assert named("A drone was shot down over Nyala.")["comparison"] == 0.0
    assert named("Fighting went on over the weekend under heavy rain.")["comparison"] == 0.0
    assert named("Kyiv has lost over 100 men.")["comparison"] == math.log1p(1)
    assert named("It costs under a million dollars, over half of it aid.")["comparison"] == \
        math.log1p(3)   # under a million, over half, half


def test_a_units_name_is_no_figure():
    assert named("The 110th brigade and the 3rd Assault Brigade held.")["figure"] == 0.0
    assert named("T-72 tanks, Su-25 jets and F-16s; Covid-19.")["figure"] == 0.0
    cues = named("The 47th lost 12 tanks, 3.5% of 1,000 in 2023.")
    assert cues["figure"] == math.log1p(4) and cues["percent"] == math.log1p(1)


def test_repeated_words_count_each_time():
    cues = named("never, never never! reportedly reportedly")
    assert cues["negation"] == cues["absolute"] == math.log1p(3)
    assert cues["hedge"] == math.log1p(2)


def test_empty_and_blank_claims_have_no_cues():
    assert claim_cues("") == claim_cues(" \t\n ") == [0.0] * (len(CUES) + 1)


claims = st.lists(st.one_of(
    st.sampled_from([w for words in CUE_WORDS.values() for w in words.split()]),
    st.sampled_from(["40", "3.5", "1,000", "110th", "3rd", "T-72", "Su-25", "over", "under",
                     "a", "million", "half", "%", "percent", "percentage", "$", "€", "£",
                     "!", "?", "can't", "won't", "n't", "Rock'n'roll", "ΟΔΟΣ", "İ"]),
    st.text(max_size=8)), max_size=20).flatmap(
    lambda parts: st.lists(st.sampled_from([" ", "  ", "\t", "\n", "", "\u00a0", "\u2003"]),
                           min_size=len(parts), max_size=len(parts)).map(
        lambda gaps: "".join(p + g for p, g in zip(parts, gaps))))


@settings(max_examples=300, deadline=None)
@given(text=claims)
def test_piecewise_counts_are_the_whole_claims_counts(text):
    expected = whole_claim_counts(text)
    assert named(text) == {name: math.log1p(expected[name]) for name in [*CUES, "length"]}
