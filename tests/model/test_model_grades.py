"""Admiralty grades: the documented mapping, and what it does at its thresholds."""
from __future__ import annotations

import re

import numpy as np
import pytest

from model import grades
from model.grades import information_credibility, reliability
from model.levels import LEVELS
from model.policy import load_policy

POLICY = load_policy()
UNKNOWN = ("other", "anonymous")
MOSTLY_TRUE = {"pants-fire": 4, "false": 8, "barely-true": 8, "half-true": 40,
               "mostly-true": 60, "true": 80}          # 200 verdicts, 180 held up
MOSTLY_FALSE = {"pants-fire": 60, "false": 90, "barely-true": 30, "half-true": 10,
                "mostly-true": 6, "true": 4}            # 200 verdicts, 20 held up


def posterior(kind: str, counts: dict | None, party=False):
    counts = counts or {}
    total = sum(counts.values())
    good = sum(counts.get(level, 0) for level in LEVELS[3:])
    return reliability(*POLICY.prior(kind, party), good, total, kind)


@pytest.mark.parametrize("kind", UNKNOWN)
@pytest.mark.parametrize("party", [False, True])
def test_unknown_source_without_a_record_cannot_be_judged(kind, party):
    assert posterior(kind, None, party).grade == "F"


@pytest.mark.parametrize("kind", UNKNOWN)
@pytest.mark.parametrize("counts", [{"true": 1}, {"false": 1}, {"half-true": 3, "false": 2}])
def test_unknown_source_with_a_record_is_judged(kind, counts):
    assert posterior(kind, counts).grade in "ABCDE"


@pytest.mark.parametrize("kind", sorted(POLICY.source_types))
@pytest.mark.parametrize("party", [False, True])
def test_a_needs_a_record(kind, party):
    assert posterior(kind, None, party).grade != "A"
    assert posterior(kind, {}, party).grade != "A"


@pytest.mark.parametrize("kind", sorted(POLICY.source_types))
def test_two_hundred_verdicts_decide_the_grade(kind):
    assert posterior(kind, MOSTLY_TRUE).grade in ("A", "B")
    assert posterior(kind, MOSTLY_FALSE).grade == "E"
    assert posterior(kind, MOSTLY_FALSE, party=True).grade == "E"


def test_known_types_without_a_record_are_graded_from_their_prior():
    for kind in set(POLICY.source_types) - set(UNKNOWN):
        assert posterior(kind, None).grade in "BCDE", kind


def test_reliability_interval_brackets_the_mean_and_narrows_with_data():
    few, many = posterior("politician", {"true": 2}), posterior(
        "politician", {level: 100 if level == "true" else 0 for level in LEVELS})
    for r in (few, many):
        assert 0 <= r.low <= r.mean <= r.high <= 1
    assert many.high - many.low < few.high - few.low
    assert set(few.as_dict()) == {"mean", "low", "high", "grade"}


# -- the docstring's table against the behaviour -------------------------------------

def documented(pattern: str):
    rows = re.findall(pattern, grades.__doc__, flags=re.MULTILINE)
    assert rows, "the mapping is documented in model/grades.py's docstring"
    return rows


def test_reliability_thresholds_are_the_documented_ones():
    rows = documented(r"^\s+([A-E])\s+[a-z ]+?\s+mean\s*(>=|<)\s*([0-9.]+)")
    assert [r[0] for r in rows] == list("ABCDE")
    floors = {letter: float(value) for letter, op, value in rows if op == ">="}
    assert floors["A"] >= floors["B"] > floors["C"] > floors["D"]
    assert rows[-1][1:] == ("<", rows[-2][2])
    low_end = float(re.search(r"low end >= ([0-9.]+)", grades.__doc__)[1])
    order = "ABCDE"
    for letter in "BCD":
        m = floors[letter]
        # a mean exactly at the floor reaches the letter (or, with data, better)...
        at = reliability(m * 10, (1 - m) * 10, 0, 0, "politician")
        assert at.mean == pytest.approx(m, abs=1e-15)
        assert at.grade == letter
        # ...and just below it does not
        below = reliability(m * 10 - 1e-9, (1 - m) * 10 + 1e-9, 0, 0, "politician")
        assert order.index(below.grade) == order.index(letter) + 1
    # A: both the mean and the low end of the 90% interval
    assert reliability(750, 250, 0, 0, "academic").grade == "A"
    wide = reliability(7.5, 2.5, 0, 0, "academic")
    assert wide.mean >= floors["A"] and wide.low < low_end and wide.grade == "B"
    narrow_below = reliability(749.9, 250.1, 0, 0, "academic")
    assert narrow_below.low >= low_end and narrow_below.grade == "B"


def test_credibility_thresholds_are_the_documented_ones():
    rows = documented(r"^\s+([1-5])\s+[a-z ]+?\s+.*?score\s*(>=|<)\s*([0-9.]+)\s*$")
    assert [r[0] for r in rows] == list("12345")
    floors = {grade: float(value) for grade, op, value in rows if op == ">="}
    for grade in "234":
        at = floors[grade]
        assert information_credibility(at, 0, False, False, "C") == grade
        below = np.nextafter(at, 0)
        assert information_credibility(below, 0, False, False, "C") == str(int(grade) + 1)
    assert information_credibility(0.0, 0, False, False, "C") == "5"
    assert information_credibility(1.0, 0, False, False, "C") == "2"
    # 1: two confirmations (corroborations, plus one for verified evidence) and score >= 0.5
    assert "two or more confirmations and score >= 0.5" in grades.__doc__
    assert information_credibility(0.5, 2, False, False, "C") == "1"
    assert information_credibility(0.5, 1, True, True, "C") == "1"
    assert information_credibility(0.5, 1, True, False, "C") == "3"
    assert information_credibility(np.nextafter(0.5, 0), 5, False, False, "C") == "4"
    assert information_credibility(0.99, 1, False, False, "A") == "2"


@pytest.mark.parametrize("score", [0.01, 0.4, 0.6, 0.99])
def test_credibility_six_only_when_there_is_nothing_to_go_on(score):
    assert information_credibility(score, 0, False, False, "F") == "6"
    assert information_credibility(score, 1, False, False, "F") != "6"
    assert information_credibility(score, 0, True, False, "F") != "6"
    assert information_credibility(score, 0, True, True, "F") != "6"
    assert information_credibility(score, 0, False, False, "E") != "6"


# -- through the scorer ---------------------------------------------------------------

@pytest.mark.parametrize("kind", UNKNOWN)
def test_scorer_grades_an_unknown_source(scorer, kind):
    req = {"claim": "Prices rose under the plan", "source": {"type": kind}}
    answer = scorer.assess(req)
    assert answer["grade"] == {"source_reliability": "F", "information_credibility": "6"}
    assert answer["reliability"]["grade"] == "F"
    assert scorer.assess(req, {"true": 1})["grade"]["source_reliability"] != "F"
    # corroboration is something to go on even when the source is not
    corroborated = scorer.assess({**req, "context": {"corroborations": 2}})
    assert corroborated["grade"]["source_reliability"] == "F"
    assert corroborated["grade"]["information_credibility"] != "6"


def test_scorer_gives_one_to_a_corroborated_credible_claim(scorer):
    req = {"claim": "The census report data shows jobs rose",
           "source": {"name": "Global Wire", "type": "wire_agency"},
           "context": {"corroborations": 2}}
    answer = scorer.assess(req, {"true": 30, "mostly-true": 10})
    assert answer["score"] >= 0.5
    assert answer["grade"]["information_credibility"] == "1"
    assert answer["grade"]["source_reliability"] == "A"
