"""What the claim's wording and the source's type and record say, as plain numbers.

Shared by the fitted transformers of features.py (training) and the compiled scorer
(serving), which must not need scikit-learn: one definition of each feature.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from itertools import chain

from .levels import HELD_UP_FROM, LEVELS

# Cue words: the wording habits a desk notices. Weights are learned, never assumed.
CUE_WORDS = {
    "hedge": "reportedly allegedly purportedly apparently rumored rumoured possibly perhaps "
             "may might could seem seems appear appears",
    "attribution": "say says said claim claims according report reports source sources told",
    "large_figure": "million millions billion billions trillion trillions thousand thousands "
                    "hundred hundreds",
    "money": "dollar dollars",
    "absolute": "all every never always none nobody everyone entire entirely completely totally",
    "superlative": "most least best worst largest biggest highest lowest first record ever",
    "comparison": "more less fewer than times doubled tripled half",
    "negation": "not no never nor",
}
CUES = ("hedge", "attribution", "figure", "percent", "large_figure", "money", "absolute",
        "superlative", "comparison", "negation", "exclamation", "question")
_WORD_CUES: dict[str, list[int]] = {}
for _name, _words in CUE_WORDS.items():
    for _word in _words.split():
        _WORD_CUES.setdefault(_word, []).append(CUES.index(_name))
_SYMBOL_CUES = {"$": CUES.index("money"), "€": CUES.index("money"), "£": CUES.index("money"),
                "!": CUES.index("exclamation"), "?": CUES.index("question")}
_SYMBOLS = re.compile("[" + re.escape("".join(_SYMBOL_CUES)) + "]")
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
# A figure, not a name: no ordinals ("110th brigade") and no model designations
# ("T-72", "Su-25", "Covid-19"), which are names of things, not statistics.
# (A digit first, so the regex engine skips to digits; what precedes is checked after.)
_FIGURES = re.compile(r"(\d+(?:[.,]\d+)*)(?!\d)(?!(?:st|nd|rd|th)\b)\s*(%|percent\b)?")
# "Over" and "under" compare only before an amount ("over 100 men", "under a million"),
# not before a place ("shot down over Nyala") or a time ("over the weekend").
_AMOUNT_WORDS = ("one two three four five six seven eight nine ten eleven twelve fifteen "
                 "twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds "
                 "thousand thousands million millions billion billions trillion dozen dozens "
                 "half")
_OVER_AMOUNT = re.compile(r"\b(?:over|under)\s+(?:[$€£]\s*)?(?:\d|(?:(?:a|an)\s+)?(?:"
                          + "|".join(_AMOUNT_WORDS.split()) + r"|third|quarter)\b)")
_FIGURE, _PERCENT, _NEGATION = CUES.index("figure"), CUES.index("percent"), CUES.index("negation")
_COMPARISON = CUES.index("comparison")
_PHRASES = {"hedge": "hedged", "attribution": "attributed", "figure": "figures",
            "percent": "percentages", "large_figure": "large figures", "money": "money",
            "absolute": "absolutes", "superlative": "superlatives",
            "comparison": "comparisons", "negation": "negation",
            "exclamation": "exclamation", "question": "question", "length": "length"}


def cue_phrase(name: str) -> str:
    return _PHRASES.get(name, name)



@lru_cache(maxsize=50_000)
def _piece_cues(piece: str) -> tuple[int, ...]:
    """The cue of each cue word and symbol in one whitespace-free piece of a lowered claim.

    Neither can span whitespace, so a claim's counts are its pieces' sums, and pieces
    ("the", "said", "$5") repeat from claim to claim."""
    found = []
    for word in _WORDS.findall(piece):
        found += _WORD_CUES.get(word, ())
        if word.endswith("n't"):
            found.append(_NEGATION)
    found += map(_SYMBOL_CUES.__getitem__, _SYMBOLS.findall(piece))
    return tuple(found)


def _in_a_name(text: str, at: int) -> bool:
    """Digits right after a letter, a digit or "_" ("Su25"), or after a letter and a hyphen
    ("T-72"), are part of a name."""
    before = text[at - 1] if at else " "
    if before.isalnum() or before == "_":
        return True
    return before == "-" and at > 1 and text[at - 2].isalnum() and not text[at - 2].isdecimal()


def claim_cues(text: str) -> list[float]:
    """log(1 + count) of each cue in the claim, and log(1 + its length in words).

    Words and symbols are counted piece by piece (``_piece_cues``); figures, which may
    span a space ("40 percent"), and "over"/"under" an amount over the whole claim.
    """
    lowered = text.lower()
    pieces = lowered.split()
    counts = [0] * len(CUES)
    for cue in chain.from_iterable(map(_piece_cues, pieces)):
        counts[cue] += 1
    figure = _FIGURES.search(lowered)
    while figure:
        if _in_a_name(lowered, figure.start()):   # look again from the next character
            figure = _FIGURES.search(lowered, figure.start() + 1)
            continue
        counts[_FIGURE] += 1
        counts[_PERCENT] += bool(figure.group(2))
        figure = _FIGURES.search(lowered, figure.end())
    if "over" in lowered or "under" in lowered:
        counts[_COMPARISON] += len(_OVER_AMOUNT.findall(lowered))
    return [math.log1p(c) for c in counts] + [math.log1p(len(pieces))]


def prior_log_odds(priors: dict | None, default_prior, source_type: str) -> list[float]:
    """The log-odds of the source type's prior mean."""
    a, b = (priors or {}).get(source_type, default_prior)
    return [math.log(a / b)]


def record_shift(priors: dict | None, default_prior, source_type: str, counts) -> list[float]:
    """The posterior log-odds of "held up" minus the prior's, and the posterior mean level
    (0..5) minus the prior's; both zero without a record."""
    a, b = (priors or {}).get(source_type, default_prior)
    counts = [max(0.0, float(c)) for c in counts]
    total = sum(counts)
    good = sum(counts[HELD_UP_FROM:])
    logit = math.log((a + good) / (b + total - good)) - math.log(a / b)
    prior_level = (len(LEVELS) - 1) * a / (a + b)
    level = (sum(i * c for i, c in enumerate(counts)) + (a + b) * prior_level) / (total + a + b)
    return [logit, level - prior_level]
