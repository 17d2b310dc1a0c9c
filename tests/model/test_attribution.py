"""Article extraction: the shapes of attribution it reads, and its figures on the test reports."""
from __future__ import annotations

import pytest

from model.attribution import detect_language, extract
from training.article_report import load_reports, score_report, summary


def claims(text):
    return [claim.as_dict() for claim in extract(text).claims]


def test_a_relay_quoting_two_speakers_is_one_claim_with_both_named():
    [claim] = claims("Tass, quoting the Defence Ministry and the FSB, reported that the "
                     "attackers were forced back across the border with losses.")
    assert claim["source"]["name"] == "Defence Ministry"
    assert claim["speakers"] == ["Defence Ministry", "FSB"]
    assert claim["context"]["relayed_by"] == ["Tass"]
    assert claim["claim"] == "The attackers were forced back across the border with losses."
    assert claim["cue"] == "reported"


def test_an_abbreviation_the_text_defines_resolves_later_mentions():
    text = ("The Siberian Battalion (SB) said on Tuesday that its fighters had crossed the "
            "border. The SB later said none of its fighters had been killed.")
    found = claims(text)
    assert [c["source"]["name"] for c in found] == ["Siberian Battalion"] * 2
    assert found[1]["context"]["party_to_event"] is True   # "its fighters"


def test_pronouns_and_descriptions_resolve_to_the_nearest_speaker_that_fits():
    text = ("The Northern Front said its drones hit a depot. Governor Anna Petrova said the "
            "fire was out. She said two drones were shot down. \"We hit three tanks,\" the "
            "group said.")
    assert [c["source"]["name"] for c in claims(text)] == [
        "Northern Front", "Anna Petrova", "Anna Petrova", "Northern Front"]


def test_spans_are_offsets_of_the_claim_in_the_text():
    text = "Police said they had arrested 41 people.\n\n\"I saw the shells land,\" said Olena Kravets."
    for claim in claims(text):
        piece = text[claim["span"]["start"]:claim["span"]["end"]]
        assert piece[1:].rstrip(".") in claim["claim"]
    assert claims(text)[1]["context"]["first_hand"] is True


def test_denials_keep_the_whole_clause_and_negated_cues_are_no_claims():
    found = claims("Kyiv denied any involvement. Officials did not say how many people had "
                   "been evacuated. Asked about the strike, the spokesman declined to comment.")
    assert [(c["claim"], c["cue"]) for c in found] == [("Kyiv denied any involvement.", "denied")]


def test_hopes_and_slogans_are_not_checkable():
    found = claims("\"We dream of a Russia freed from dictatorship,\" said Pavel Voronin. "
                   "Long live solidarity, the crowd chanted.")
    assert [c["checkable"] for c in found] == [False, False]


def test_a_report_without_attribution_has_no_claims():
    assert claims("Shares rose 4% in morning trading. Heavy rain is expected next week.") == []


@pytest.mark.parametrize("text, language", [
    ("Министерство обороны заявило, что атака отражена.", "ru"),
    ("Повітряні сили повідомили, що збито 41 дрон.", "uk"),
    ("Das Ministerium teilte mit, dass die Angreifer zurückgedrängt worden seien.", "de"),
    ("The ministry said the attack had been repelled.", "en"),
    ("12345 67890", "und"),
])
def test_language(text, language):
    assert detect_language(text) == language
    if language != "en":
        assert extract(text).claims == []


# The targets (claims 0.85 both ways, speakers 0.9, relays 0.9) on the tuning part and on
# all reports; the held-out part's floors sit just under its measured figures (relays: 7
# of 8 there), so that a change that loses ground on unseen reports fails here.
@pytest.mark.parametrize("part, relays", [("tuning", 0.9), ("held_out", 0.85), (None, 0.9)])
def test_figures_on_the_test_reports(part, relays):
    reports = [r for r in load_reports()["reports"] if part in (None, r["part"])]
    t = summary([score_report(r) for r in reports])
    assert t["true_pos"] / t["found"] >= 0.85
    assert t["hit"] / t["expected"] >= 0.85
    assert t["speaker_ok"] / t["true_pos"] >= 0.9
    assert t["relay_ok"] / t["relayed"] >= relays


def test_the_test_reports_are_enough_and_their_keys_are_in_their_text():
    data = load_reports()
    assert len(data["reports"]) >= 20
    assert sum(r["part"] == "held_out" for r in data["reports"]) >= 6
    for report in data["reports"]:
        for claim in report["claims"]:
            assert report["text"].count(claim["key"]) == 1, (report["id"], claim["key"])


def test_abbreviations_do_not_end_sentences():
    from model.attribution.sentences import sentences
    from training.article_report import TWO_SENTENCES

    for paragraph in TWO_SENTENCES:
        found = sentences(paragraph)
        assert len(found) == 2, [s.text for s in found]
        for sentence in found:
            assert paragraph[sentence.start:sentence.start + len(sentence.text)] == sentence.text


def test_texts_without_stops_or_with_endless_cues_stay_cheap():
    import time

    for text in ("the group said " * 3300, "according to " * 3800, "The group said it. " * 2600):
        began = time.perf_counter()
        extract(text[:50_000])
        # Quadratic rules took 40 s on the first two; these take well under a second or two.
        assert time.perf_counter() - began < 15
