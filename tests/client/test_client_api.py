"""CredibilityClient against the real service: typed results, batches, verdicts, problems."""
import logging
import math

import pytest

from client import (Assessment, CredibilityClient, Forbidden, ModelCard, NotFound,
                    SourceRecord, TooLarge, Unauthorized, ValidationFailed)

CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."
FSB = {"name": "Federal Security Service", "type": "state_agency", "affiliation": "Russia",
       "country": "RU"}
CONTEXT = {"party_to_event": True, "relayed_by": ["TASS"], "channel": "statement",
           "topic": "military"}


@pytest.fixture
def key(writer_headers):
    return writer_headers["X-API-Key"]


def speaker(n: int, claim: str = "The minister said 40 schools were rebuilt last year.") -> dict:
    return {"claim": claim, "source": {"name": f"Speaker {n}", "type": "politician"}}


def test_score_returns_a_typed_assessment_that_reads_back(live, scorer):
    service = CredibilityClient(live.url)
    assessment = service.score(CLAIM, FSB, CONTEXT)
    assert isinstance(assessment, Assessment)
    assert 0 < assessment.score < 1 and assessment.band in ("low", "mixed", "high")
    assert assessment.grade.source_reliability in "ABCDEF"
    assert assessment.grade.information_credibility in "123456"
    assert assessment.grade.reliability_meaning and assessment.grade.credibility_meaning
    log_odds = assessment.intercept + sum(factor.weight for factor in assessment.factors)
    assert math.isclose(1 / (1 + math.exp(-log_odds)), assessment.score, abs_tol=1e-6)
    assert {factor.basis for factor in assessment.factors} <= {"learned", "policy"}
    assert any(f.label.startswith("Party to the events") for f in assessment.factors)
    assert all(0 < change.score < 1 for change in assessment.what_would_change)
    assert assessment.source.name == FSB["name"] and assessment.source.type == "state_agency"
    assert assessment.model.version == scorer.version
    assert service.assessment(assessment.id) == assessment


def test_a_bare_string_names_the_source(live):
    assessment = CredibilityClient(live.url).score(CLAIM, "Federal Security Service")
    assert assessment.source.name == "Federal Security Service"


def test_score_many_learns_the_batch_limit_and_keeps_order(live):
    live.app.config["MAX_BATCH_ITEMS"] = 3
    items = [speaker(n) for n in range(8)]
    items[4] = {"claim": "   ", "source": {"name": "Speaker 4", "type": "politician"}}
    service = CredibilityClient(live.url)
    results = service.score_many(items)
    assert [result.index for result in results] == list(range(8))
    assert [r.assessment.source.name for r in results if r.ok] == [
        f"Speaker {n}" for n in range(8) if n != 4]
    assert not results[4].ok and results[4].status == 422
    assert results[4].problem.errors == {"claim": ["The claim is empty."]}
    assert results[4].as_json()["error"]["status"] == 422
    # The first batch of 8 is refused as too long; then 3 + 3 + 2.
    assert live.statuses("POST", "/v1/assessments/batch") == [422, 200, 200, 200]
    assert service.batch_limit == 3
    assert len(service.score_many(items[:4])) == 4  # 3 + 1, no refusal this time
    assert live.statuses("POST", "/v1/assessments/batch")[4:] == [200, 200]


def test_score_many_in_batches_of_the_given_size(live):
    service = CredibilityClient(live.url, batch_size=2)
    results = service.score_many(speaker(n) for n in range(5))
    assert [r.assessment.source.name for r in results] == [f"Speaker {n}" for n in range(5)]
    assert live.statuses("POST", "/v1/assessments/batch") == [200, 200, 200]


def test_score_many_halves_a_batch_the_service_finds_too_large(live):
    live.app.config["MAX_CONTENT_LENGTH"] = 2500
    long_claim = "The ministry reported that " + "many " * 60 + "people were evacuated."
    results = CredibilityClient(live.url).score_many(
        [speaker(n, long_claim) for n in range(6)])
    assert [r.assessment.source.name for r in results] == [f"Speaker {n}" for n in range(6)]
    statuses = live.statuses("POST", "/v1/assessments/batch")
    assert statuses[0] == 413 and statuses[-1] == 200


def test_a_single_item_too_large_is_its_own_error(live):
    live.app.config["MAX_CONTENT_LENGTH"] = 400
    results = CredibilityClient(live.url).score_many(
        [speaker(0, "Short."), speaker(1, "Long " * 200)])
    assert results[0].ok
    assert not results[1].ok and results[1].problem.status == 413
    with pytest.raises(TooLarge):
        CredibilityClient(live.url).score("Long " * 200, {"type": "ngo"})


def test_a_batch_refused_as_a_whole_is_raised(live, key):
    live.app.config["SCORING_REQUIRES_KEY"] = True
    with pytest.raises(Unauthorized) as refused:
        CredibilityClient(live.url).score_many([speaker(0)])
    assert refused.value.completed == []
    assert CredibilityClient(live.url, api_key=key).score_many([speaker(0)])[0].ok


def test_a_verdict_with_a_key_updates_the_source(live, key):
    assessment = CredibilityClient(live.url).score(CLAIM, FSB, CONTEXT)
    writer = CredibilityClient(live.url, api_key=key)
    record = writer.verdict(assessment.id, "false", "desk-3",
                            evidence_url="https://example.org/check/123", notes="checked")
    assert isinstance(record, SourceRecord) and record.name == FSB["name"]
    before = assessment.source.track_record
    assert record.track_record.total == (before.total if before else 0) + 1
    assert record.track_record.counts["false"] == (before.counts["false"] if before else 0) + 1
    assert record.reliability.grade in "ABCDEF"
    assert writer.source(record.id) == record
    page = writer.sources(q="federal security")
    assert page.total == 1 and page.items == [record]
    assert CredibilityClient(live.url).sources(q="nobody of that name").items == []


def test_a_verdict_without_a_key_is_401_and_with_a_wrong_one_403(live, caplog):
    caplog.set_level(logging.DEBUG)
    assessment = CredibilityClient(live.url).score(CLAIM, FSB)
    with pytest.raises(Unauthorized) as missing:
        CredibilityClient(live.url).verdict(assessment.id, "false", "desk-3")
    assert missing.value.status == 401 and missing.value.title == "Unauthorized"
    assert "X-API-Key" in missing.value.detail
    wrong = CredibilityClient(live.url, api_key="not-the-key-s3cr3t")
    with pytest.raises(Forbidden) as refused:
        wrong.verdict(assessment.id, "false", "desk-3")
    assert refused.value.status == 403 and refused.value.detail == "The API key is not valid."
    assert refused.value.request_id  # the service's X-Request-ID, for its logs
    for text in (caplog.text, repr(wrong), str(refused.value)):
        assert "not-the-key-s3cr3t" not in text


def test_validation_problems_name_the_fields(live, key):
    service = CredibilityClient(live.url)
    with pytest.raises(ValidationFailed) as invalid:
        service.score("", {"type": "warlord"})
    assert invalid.value.status == 422
    assert set(invalid.value.errors) == {"claim", "source.type"}
    assert "claim: The claim is empty." in str(invalid.value)
    with pytest.raises(ValidationFailed) as level:
        CredibilityClient(live.url, api_key=key).verdict(
            service.score(CLAIM, FSB).id, "meh", "desk-3")
    assert "verdict" in level.value.errors


def test_unknown_ids_are_not_found(live, key):
    service = CredibilityClient(live.url, api_key=key)
    for call in (lambda: service.source("no-such-source"),
                 lambda: service.assessment("no/such assessment"),
                 lambda: service.verdict("no-such-assessment", "true", "desk-3")):
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.status == 404


def test_model_card(live, scorer):
    card = CredibilityClient(live.url).model()
    assert isinstance(card, ModelCard)
    assert (card.version, card.policy_version) == (scorer.version, scorer.policy_version)
    assert card.raw["version"] == scorer.version


def test_a_claim_in_another_script_round_trips(live):
    claim = "С 10 марта Киев потерял более 100 человек и шесть танков."
    assessment = CredibilityClient(live.url).score(claim, {"name": "ФСБ", "type": "state_agency"})
    assert assessment.source.name == "ФСБ" and 0 < assessment.score < 1


def test_an_assessment_scored_without_explanation_reads_back(live):
    """A batch with "explain": false stores assessments without factors; the client reads
    them as assessments with no factors, not as an error."""
    import json
    import urllib.request

    base = live.url
    body = json.dumps({"items": [{"claim": "Prices doubled.", "source": {"type": "politician"}}],
                       "explain": False}).encode()
    request = urllib.request.Request(base + "/v1/assessments/batch", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        stored = json.loads(answer.read())["items"][0]["assessment"]
    got = CredibilityClient(live.url).assessment(stored["id"])
    assert got.intercept is None and got.factors == [] and got.what_would_change == []
    assert got.score == stored["score"] and got.grade.source_reliability


def test_score_for_a_desk(live):
    service = CredibilityClient(live.url)
    assert service.score(CLAIM, FSB, CONTEXT).desk == "default"
    mine = service.score(CLAIM, FSB, CONTEXT, desk="desk-3")
    assert mine.desk == "desk-3" and service.assessment(mine.id).desk == "desk-3"
