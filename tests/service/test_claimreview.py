"""GET /v1/assessments/{id}/claimreview: schema.org ClaimReview JSON-LD, on SQLite and PostgreSQL."""
import datetime

import pytest

from service.claimreview import claim_review

CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."
FSB = {"name": "Federal Security Service", "type": "state_agency", "affiliation": "Russia"}
CONTEXT = {"party_to_event": True, "relayed_by": ["TASS"], "published_at": "2024-03-12"}
JSON_LD = "application/ld+json"


@pytest.fixture
def database_url(any_database):
    return any_database


def scored(client, source=FSB, context=CONTEXT) -> dict:
    response = client.post("/v1/assessments",
                           json={"claim": CLAIM, "source": source, "context": context})
    assert response.status_code == 201, response.json
    return response.json


def review_of(client, assessment_id) -> dict:
    response = client.get(f"/v1/assessments/{assessment_id}/claimreview")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == JSON_LD
    return response.json


def test_without_a_verdict_the_rating_is_the_models_band_said_to_be_automated(scoring_app,
                                                                              client):
    assessment = scored(client)
    review = review_of(client, assessment["id"])
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM
    assert review["itemReviewed"] == {
        "@type": "Claim", "author": {"@type": "Organization", "name": FSB["name"]},
        "datePublished": "2024-03-12"}
    rating = review["reviewRating"]
    band = assessment["band"]
    assert rating["@type"] == "Rating"
    assert (rating["worstRating"], rating["bestRating"]) == (1, 3)
    assert rating["ratingValue"] == {"low": 1, "mixed": 2, "high": 3}[band]
    assert rating["alternateName"].startswith("Automated assessment")
    assert f"{band} credibility (score {assessment['score']:.2f} of 1)" in rating["alternateName"]
    assert assessment["model"]["version"] in rating["ratingExplanation"]
    assert review["author"] == {"@type": "Organization", "name": "Credibility desk"}
    assert review["datePublished"] == assessment["created_at"][:10]
    assert "url" not in review


def test_with_a_verdict_the_rating_is_the_verdict(scoring_app, client, writer_headers):
    assessment = scored(client)
    response = client.post(f"/v1/assessments/{assessment['id']}/verdict", headers=writer_headers,
                           json={"verdict": "false", "reviewer": "desk-3", "notes": "No losses",
                                 "evidence_url": "https://example.org/checks/fsb-tanks"})
    assert response.status_code == 200, response.json
    review = review_of(client, assessment["id"])
    assert review["reviewRating"] == {
        "@type": "Rating", "ratingValue": 2, "bestRating": 6, "worstRating": 1,
        "alternateName": "False", "ratingExplanation": "No losses"}
    assert review["url"] == "https://example.org/checks/fsb-tanks"
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert review["datePublished"] == today
    assert review["claimReviewed"] == CLAIM

    # A second verdict replaces the first in the review too.
    client.post(f"/v1/assessments/{assessment['id']}/verdict", headers=writer_headers,
                json={"verdict": "mostly-true", "reviewer": "desk-4"})
    review = review_of(client, assessment["id"])
    assert review["reviewRating"]["alternateName"] == "Mostly true"
    assert review["reviewRating"]["ratingValue"] == 5
    assert "url" not in review and "ratingExplanation" not in review["reviewRating"]


def test_the_desk_name_is_a_setting(settings, scoring_app, client):
    scoring_app.config["CLAIMREVIEW_AUTHOR"] = "Kyiv Independent fact-check desk"
    review = review_of(client, scored(client)["id"])
    assert review["author"]["name"] == "Kyiv Independent fact-check desk"


def test_an_unknown_assessment_is_a_404_problem(client):
    response = client.get("/v1/assessments/missing/claimreview")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "No assessment has this id."


def test_the_openapi_document_says_json_ld(client):
    operation = client.get("/openapi.json").json["paths"][
        "/v1/assessments/{assessment_id}/claimreview"]["get"]
    assert list(operation["responses"]["200"]["content"]) == [JSON_LD]
    assert "404" in operation["responses"]


# The JSON-LD itself, without Flask or a database.

ASSESSED = datetime.datetime(2026, 11, 24, 23, 30)  # naive, as SQLite gives it back: UTC
OUTPUT = {"score": 0.2345, "band": "low", "model": {"version": "v1"},
          "source": {"name": "Jane Doe", "type": "politician"}}


def test_people_are_persons_and_unnamed_sources_get_a_name():
    person = claim_review("c", OUTPUT, None, None, ASSESSED, "Desk")
    assert person["itemReviewed"] == {"@type": "Claim",
                                      "author": {"@type": "Person", "name": "Jane Doe"}}
    unnamed = claim_review("c", dict(OUTPUT, source={"name": None, "type": "armed_group"}),
                           {}, None, ASSESSED, "Desk")
    assert unnamed["itemReviewed"]["author"] == {"@type": "Organization",
                                                 "name": "Unnamed armed group"}
    anonymous = claim_review("c", dict(OUTPUT, source={"type": "anonymous"}), {}, None,
                             ASSESSED, "Desk")
    assert anonymous["itemReviewed"]["author"] == {"@type": "Person", "name": "Anonymous source"}


def test_dates_are_utc_days():
    review = claim_review("c", OUTPUT, None, None, ASSESSED, "Desk")
    assert review["datePublished"] == "2026-11-24"
    kyiv = datetime.timezone(datetime.timedelta(hours=2))
    verdict = {"verdict": "pants-fire", "evidence_url": None, "notes": None,
               "decided_at": datetime.datetime(2026, 11, 25, 1, 0, tzinfo=kyiv)}
    review = claim_review("c", OUTPUT, None, verdict, ASSESSED, "Desk")
    assert review["datePublished"] == "2026-11-24"
    assert review["reviewRating"]["ratingValue"] == 1
    assert review["reviewRating"]["alternateName"] == "Pants on fire"
