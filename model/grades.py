"""Admiralty grades (NATO AJP-2.1): source reliability A-F and information credibility 1-6.

Source reliability comes from the source's posterior Beta(a, b): its type prior (shifted
when it is a party to the events) updated with its track record. Its mean and 90%
interval decide the letter:

    A  completely reliable   mean >= 0.75 and the interval's low end >= 0.60
    B  usually reliable      mean >= 0.60
    C  fairly reliable       mean >= 0.45
    D  not usually reliable  mean >= 0.30
    E  unreliable            mean <  0.30
    F  cannot be judged      no basis: an unknown or anonymous source with no record

A needs a record: a prior of a handful of virtual verdicts never has a low end of 0.60.

Information credibility comes from the claim's score and its confirmations (independent
corroborations, plus one for verified evidence):

    1  confirmed             two or more confirmations and score >= 0.5
    2  probably true         score >= 0.65
    3  possibly true         score >= 0.5
    4  doubtful              score >= 0.35
    5  improbable            score <  0.35
    6  cannot be judged      nothing to go on: source graded F, no confirmation, no evidence

A claim that serves the side of a source that is a party to the events (policy ``stake``
forms: enemy losses, own success, denial, accusation) drops one step (1 to 2, ..., 4 to
5) unless at least one independent source corroborates it; 5 and 6 stay.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scipy.special import betaincinv

NO_BASIS_TYPES = frozenset({"other", "anonymous"})
RELIABILITY_STEPS = (("B", 0.60), ("C", 0.45), ("D", 0.30))


@dataclass(frozen=True)
class Reliability:
    mean: float
    low: float
    high: float
    grade: str

    def as_dict(self) -> dict:
        return {"mean": self.mean, "low": self.low, "high": self.high, "grade": self.grade}


@lru_cache(maxsize=65_536)   # a batch names the same sources with the same records
def reliability(a: float, b: float, good: int, total: int, source_type: str) -> Reliability:
    """Posterior reliability of a source from its prior (a, b) and its record."""
    post_a, post_b = a + good, b + (total - good)
    mean = post_a / (post_a + post_b)
    low, high = (float(betaincinv(post_a, post_b, q)) for q in (0.05, 0.95))
    if total == 0 and source_type in NO_BASIS_TYPES:
        grade = "F"
    elif mean >= 0.75 and low >= 0.60:
        grade = "A"
    else:
        grade = next((g for g, floor in RELIABILITY_STEPS if mean >= floor), "E")
    return Reliability(mean, low, high, grade)


def information_credibility(score: float, corroborations: int, evidence: bool,
                            verified: bool, source_grade: str,
                            serves_stake: bool = False) -> str:
    confirmations = corroborations + (1 if verified else 0)
    if source_grade == "F" and confirmations == 0 and not evidence:
        return "6"
    if confirmations >= 2 and score >= 0.5:
        grade = 1
    elif score >= 0.65:
        grade = 2
    elif score >= 0.5:
        grade = 3
    else:
        grade = 4 if score >= 0.35 else 5
    # A party's self-serving claim starts from doubt until someone independent confirms it.
    if serves_stake and corroborations < 1:
        grade = min(grade + 1, 5)
    return str(grade)
