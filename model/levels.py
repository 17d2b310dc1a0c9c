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
