"""The six-level fact-check scale and what "held up" means on it."""
from __future__ import annotations

LEVELS = ("pants-fire", "false", "barely-true", "half-true", "mostly-true", "true")
LEVEL_INDEX = {level: i for i, level in enumerate(LEVELS)}
# A claim "held up" when fact-checkers rated it at least half-true; `score` is its probability.
HELD_UP_FROM = LEVEL_INDEX["half-true"]


def held_up(counts: dict[str, int]) -> tuple[int, int]:
    """(claims that held up, all claims) in a six-level counts dict."""
    total = sum(int(counts.get(level, 0)) for level in LEVELS)
    good = sum(int(counts.get(level, 0)) for level in LEVELS[HELD_UP_FROM:])
    return good, total

# A verdict that says only which side of the line a claim fell (AVeriTeC's Supported or
# Refuted): the span of levels it allows, and the level that stands for it where a
# single level is needed (a track record's counts): the middle of its side.
SIDES = {True: (HELD_UP_FROM, len(LEVELS) - 1), False: (0, HELD_UP_FROM - 1)}
SIDE_LEVEL = {True: LEVEL_INDEX["mostly-true"], False: LEVEL_INDEX["false"]}


def spans(levels, exact=None):
    """(lowest, highest) level each verdict allows: an exact level is a span of one; a
    side-only verdict (``exact`` False, its level the middle of its side) its side."""
    import numpy as np
    levels = np.asarray(levels, dtype=np.int64)
    out = np.column_stack([levels, levels])
    if exact is not None:
        side = ~np.asarray(exact, dtype=bool)
        up = levels >= HELD_UP_FROM
        out[side & up] = SIDES[True]
        out[side & ~up] = SIDES[False]
    return out
