"""Claims that serve the speaker's stake (issue 14): the policy's forms, how they weigh,
how they are explained and graded, and how well they are recognised."""
from __future__ import annotations

import copy
import math
import re

import pytest
import yaml

from model.grades import information_credibility
from model.policy import DEFAULT_POLICY, PolicyError, load_policy, parse_policy
from model.stake import word_heads
from training.stake_report import CLAIMS, HALVES, read_claims, scores

RULES = load_policy().stake
FORMS = ("enemy_losses", "own_success", "denial", "accusation", "own_losses")
FSB = {"name": "Federal Security Service", "type": "state_agency", "affiliation": "Russia",
       "country": "RU"}
PARTY = {"party_to_event": True, "relayed_by": ["TASS"], "channel": "statement",
         "topic": "military"}
# The policy's examples: the FSB's loss count relayed by TASS, a ministry's "forced out
# with losses", a government's denial of involvement.
EXAMPLES = [
    ("Since March 10 Kyiv has lost over 100 men and six tanks.", FSB, "claims enemy losses"),
    ("Ukrainian units were forced out of Krynky with losses.",
     {"name": "Ministry of Defence", "type": "state_agency", "affiliation": "Russia"},
     "claims enemy losses; claims its own success"),
    ("The government categorically denies any involvement in the explosion at the dam.",
     {"name": "Government of Russia", "type": "state_agency"},
     "denies involvement, responsibility or losses"),
]


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def request(claim, source, party=True, **context):
    return {"claim": claim, "source": source,
            "context": {**PARTY, "party_to_event": party, **context}}


# -- the rules --------------------------------------------------------------------------

def test_the_policy_lists_the_forms_of_the_issue():
    assert tuple(f.name for f in RULES.forms) == FORMS
    directions = {f.name: f.direction for f in RULES.forms}
    assert directions == {**{f: "serves" for f in FORMS[:4]}, "own_losses": "against"}
    assert all(f.label and f.description for f in RULES.forms)


def test_every_pattern_is_found_by_its_words():
    """Each pattern names words a claim must hold, so most claims cost a set look-up."""
    assert RULES.unanchored == ()


def test_the_word_index_never_hides_a_match():
    """recognise (patterns tried only for claims with their words) equals trying every
    pattern on every claim."""
    terms = dict(RULES.terms)
    from model.stake import _compile
    for labelled in read_claims():
        text = labelled.claim
        brute = []
        for form in RULES.forms:
            hit = any(_compile(p, terms, "").search(text) for p in form.patterns)
            if hit and not any(_compile(u, terms, "").search(text) for u in form.unless):
                brute.append(form.name)
        assert RULES.recognise(text).forms == tuple(brute), text


def test_word_heads_of_a_pattern():
    heads = word_heads(r"\b(?:the enemy|hostile forces)\s+(?:has )?lost\b \d+ (?:men|tanks?)\b")
    assert frozenset({"lost"}) in heads and frozenset({"enemy", "hosti"}) in heads
    assert word_heads(r"\d+ [a-z]+") == []


def test_spans_point_at_the_words_that_made_the_form():
    claim = "Since March 10 Kyiv has lost over 100 men and six tanks."
    found = RULES.recognise(claim)
    assert found.forms == found.serves == ("enemy_losses",) and found.against == ()
    assert [claim[s.start:s.end] for s in found.spans] == ["Kyiv has lost over 100 men"]
    claim = "Two of our soldiers were wounded in the shelling."
    admitted = RULES.recognise(claim)
    assert admitted.against == ("own_losses",) and admitted.serves == ()
    # Two patterns found overlapping words: one span for the form.
    assert [claim[s.start:s.end] for s in admitted.spans] == ["Two of our soldiers were wounded"]


@pytest.mark.parametrize("claim", [
    "A drone was shot down over Nyala.", "The 110th brigade held its positions.",
    "The team lost 3-1 to Real Madrid on Saturday.", "Real Madrid's victory over Barcelona.",
    "Both sides have suffered heavy losses in the battle for Bakhmut.", ""])
def test_neutral_wording_takes_no_form(claim):
    assert RULES.recognise(claim).forms == ()


@pytest.mark.parametrize("change, message", [
    ({"patterns": ["{nowhere} lost"]}, "unknown term list"),
    ({"patterns": ["(unclosed"]}, "stake form enemy_losses"),
    ({"direction": "sideways"}, "direction"),
    ({"patterns": []}, "patterns"),
    ({"label": " "}, "label"),
])
def test_a_broken_stake_form_is_refused(change, message):
    raw = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["stake"]["forms"]["enemy_losses"].update(change)
    with pytest.raises(PolicyError, match=message):
        parse_policy(raw)


# -- precision and recall on the hand-written claims ------------------------------------

def test_the_fixture_has_sixty_claims_of_each_form_and_as_many_neutral_ones():
    claims = read_claims()
    for form in FORMS:
        assert sum(form in c.forms for c in claims) >= 60, form
    assert sum(not c.forms for c in claims) >= 60 * len(FORMS)
    assert len({c.claim for c in claims}) == len(claims), "a claim is in the file twice"
    assert {c.half for c in claims} == set(HALVES)


@pytest.mark.parametrize("half", HALVES)
def test_precision_and_recall_meet_the_issues_targets(half):
    claims = [c for c in read_claims(CLAIMS) if c.half == half]
    found = [frozenset(RULES.recognise(c.claim).forms) for c in claims]
    for form, result in scores(claims, found, FORMS).items():
        assert result["precision"] >= 0.9, (form, result)
        assert result["recall"] >= 0.8, (form, result)


# -- weighing, explaining, grading -------------------------------------------------------

def factor(answer, prefix):
    found = [f for f in answer["factors"] if f["label"].startswith(prefix)]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.mark.parametrize("claim, source, forms", EXAMPLES)
def test_the_policys_examples_get_the_factor_from_a_party_only(scorer, claim, source, forms):
    policy = scorer.policy
    answer = scorer.assess(request(claim, source))
    serves = factor(answer, "Serves its side")
    assert serves == {"label": f"Serves its side: {forms}",
                      "weight": policy.modifiers["serves_stake"].score_weight,
                      "basis": "policy"}
    assert answer["intercept"] + math.fsum(f["weight"] for f in answer["factors"]) == \
        pytest.approx(logit(answer["score"]), abs=1e-9)
    assert answer["stake"]["weighed"] is True
    assert [f["label"] for f in answer["stake"]["forms"]] == forms.split("; ")
    for span in answer["stake"]["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(claim)
    # The same words from a source that is not a party weigh nothing (and are not read).
    neutral = scorer.assess(request(claim, {"name": "Global Wire", "type": "wire_agency"},
                                    party=False))
    assert factor(neutral, "Serves its side") is None
    assert neutral["stake"] == {"forms": [], "spans": [], "weighed": False}
    assert not any("serve the source" in c["change"] for c in neutral["what_would_change"])


def test_the_factor_lowers_the_score_by_the_policys_weight(scorer):
    claim, source, _ = EXAMPLES[0]
    answer = scorer.assess(request(claim, source))
    plain = scorer.assess(request("Since March 10 the weather in Kyiv has been mild.", source))
    assert factor(plain, "Serves its side") is None and plain["stake"]["forms"] == []
    changes = {c["change"]: c["score"] for c in answer["what_would_change"]}
    unserved = changes["it did not serve the source's side"]
    weight = scorer.policy.modifiers["serves_stake"].score_weight
    assert logit(unserved) == pytest.approx(logit(answer["score"]) - weight, abs=1e-9)
    assert unserved > answer["score"]
    # Not a party: neither the party's nor the stake's weight applies.
    not_party = changes["the source is not a party to the events"]
    direct = scorer.assess(request(claim, source, party=False))["score"]
    assert not_party == pytest.approx(direct, abs=1e-9)


def test_an_admission_against_interest_counts_in_its_favour(scorer):
    source = {"name": "Ministry of Defence of Ukraine", "type": "state_agency"}
    claim = "Two of our soldiers were wounded and we lost a tank near Robotyne."
    answer = scorer.assess(request(claim, source))
    against = factor(answer, "Runs against its side")
    assert against == {"label": "Runs against its side: admits its own losses or setbacks",
                       "weight": scorer.policy.modifiers["against_stake"].score_weight,
                       "basis": "policy"}
    assert against["weight"] > 0 and factor(answer, "Serves its side") is None
    assert answer["stake"]["forms"] == [{"name": "own_losses",
                                         "label": "admits its own losses or setbacks",
                                         "direction": "against"}]
    changes = [c["change"] for c in answer["what_would_change"]]
    assert "it did not run against the source's side" in changes
    # Being a party still never raises a score, even with an admission.
    alone = scorer.assess(request(claim, source, party=False))
    assert alone["score"] > answer["score"]


def test_spans_count_from_the_claim_as_sent(scorer):
    claim = "  Kyiv has lost over 100 men."
    answer = scorer.assess(request(claim, FSB))
    (span,) = answer["stake"]["spans"]
    assert claim[span["start"]:span["end"]] == "Kyiv has lost over 100 men"
    assert span["form"] == "enemy_losses"


@pytest.mark.parametrize("score, plain, stepped", [
    (0.9, "2", "3"), (0.55, "3", "4"), (0.4, "4", "5"), (0.1, "5", "5")])
def test_a_self_serving_claim_drops_a_credibility_step(score, plain, stepped):
    assert information_credibility(score, 0, False, False, "D") == plain
    assert information_credibility(score, 0, False, False, "D", serves_stake=True) == stepped
    # Independently corroborated: no step down.
    corroborated = information_credibility(score, 1, False, False, "D")
    assert information_credibility(score, 1, False, False, "D", serves_stake=True) == corroborated
    # Verified evidence alone is no independent corroboration.
    assert information_credibility(score, 0, True, True, "D", serves_stake=True) == \
        str(min(int(information_credibility(score, 0, True, True, "D")) + 1, 5))


def test_grade_of_a_party_claim_follows_the_stake(scorer):
    claim, source, _ = EXAMPLES[0]
    answer = scorer.assess(request(claim, source))
    expected = information_credibility(answer["score"], 0, False, False,
                                       answer["grade"]["source_reliability"], serves_stake=True)
    assert answer["grade"]["information_credibility"] == expected
    corroborated = scorer.assess(request(claim, source, corroborations=1))
    assert corroborated["grade"]["information_credibility"] == information_credibility(
        corroborated["score"], 1, False, False, corroborated["grade"]["source_reliability"])


def test_the_grades_docstring_documents_the_step():
    from model import grades
    assert re.search(r"serves the side.*drops one step", grades.__doc__, re.S)


def test_a_policy_from_before_the_stake_forms_still_reads():
    """An older model version's policy.json has neither the forms nor their modifiers."""
    raw = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    del raw["stake"]
    for name in ("serves_stake", "against_stake"):
        del raw["modifiers"][name]
    older = parse_policy(raw)
    assert "serves_stake" not in older.modifiers and older.stake.forms == ()
    assert older.stake.recognise("Kyiv has lost over 100 men.").forms == ()
    # With the forms, their modifiers are required.
    raw["stake"] = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))["stake"]
    with pytest.raises(PolicyError, match="serves_stake"):
        parse_policy(raw)


def test_spans_hold_when_lowering_changes_the_texts_length():
    claim = "İİ: Kyiv has lost over 100 men."    # "İ".lower() is two characters
    assert len(claim.lower()) != len(claim)
    found = RULES.recognise(claim)
    assert [claim[s.start:s.end] for s in found.spans] == ["Kyiv has lost over 100 men"]
