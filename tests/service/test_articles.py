"""POST and GET /v1/articles: a report's attributed claims, scored and stored; SQLite and
PostgreSQL."""
from __future__ import annotations

import math

import pytest
from sqlalchemy import func, select

from service import db
from service.tables import Article, ArticleClaim, Assessment

REPORT = (
    "Tass, quoting the Defence Ministry and the FSB, reported that the attackers were forced "
    "back across the border with losses of more than 70 men.\n\n"
    "The Siberian Battalion (SB) said on Telegram that its fighters had taken the village of "
    "Kozinka. \"We dream of a Russia freed from dictatorship,\" said Pavel Voronin, an exiled "
    "opposition politician.\n\n"
    "The SB later said none of its fighters had been killed. Kyiv denied any involvement.")


@pytest.fixture
def database_url(any_database):
    return any_database


def post(client, **body):
    return client.post("/v1/articles", json={"text": REPORT, **body})


def test_a_report_gives_its_claims_each_assessed_as_an_assessment_is(scoring_app, client):
    response = post(client, title="Border raid", published_at="2026-05-23", desk="desk-3",
                    url="https://example.org/raid")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["language"] == "en" and body["title"] == "Border raid"
    claims = body["claims"]
    assert [c["source"]["name"] for c in claims] == [
        "Defence Ministry", "Siberian Battalion", "Pavel Voronin", "Siberian Battalion", "Kyiv"]
    relayed = claims[0]
    assert relayed["speakers"] == ["Defence Ministry", "FSB"]
    assert relayed["context"]["relayed_by"] == ["Tass"]
    assert relayed["context"]["published_at"] == "2026-05-23"
    assert relayed["cue"] == "reported"
    assert REPORT[relayed["span"]["start"]:relayed["span"]["end"]].startswith("the attackers")
    opinion = claims[2]
    assert opinion["checkable"] is False and opinion["assessment"] is None
    assert opinion["context"]["published_at"] == "2026-05-23"
    for claim in claims[:2] + claims[3:]:
        stored = client.get(f"/v1/assessments/{claim['assessment']['id']}")
        assert stored.status_code == 200 and stored.json == claim["assessment"]
    # The same claim sent to POST /v1/assessments scores the same: one scoring path.
    single = client.post("/v1/assessments", json={
        "claim": relayed["claim"], "source": relayed["source"], "context": relayed["context"]})
    assert math.isclose(single.json["score"], relayed["assessment"]["score"], abs_tol=1e-9)
    read = client.get(f"/v1/articles/{body['id']}")
    assert read.status_code == 200 and read.json == body


def test_the_desk_goes_to_each_claims_request(scoring_app, client):
    body = post(client, desk="desk-3").json
    with scoring_app.app_context():
        inputs = [db.session().get(Assessment, c["assessment"]["id"]).input
                  for c in body["claims"] if c["assessment"]]
    assert inputs and all(i["desk"] == "desk-3" for i in inputs)


def test_a_read_article_carries_the_verdicts_since_recorded(scoring_app, client,
                                                            writer_headers):
    body = post(client).json
    first = body["claims"][0]["assessment"]["id"]
    client.post(f"/v1/assessments/{first}/verdict", headers=writer_headers,
                json={"verdict": "false", "reviewer": "desk-3"})
    claims = client.get(f"/v1/articles/{body['id']}").json["claims"]
    assert claims[0]["verdict"]["verdict"] == "false"
    assert claims[1]["verdict"] is None


def test_claims_are_stored_with_one_insert_of_assessments(scoring_app, client):
    body = post(client).json
    with scoring_app.app_context():
        session = db.session()
        assert session.get(Article, body["id"]).language == "en"
        assert session.scalar(select(func.count()).select_from(ArticleClaim)) == 5
        assert session.scalar(select(func.count()).select_from(Assessment)) == 4


@pytest.mark.parametrize("body, field", [
    ({"text": "   "}, "text"),
    ({}, "text"),
    ({"text": REPORT, "desk": "Desk 3!"}, "desk"),
    ({"text": REPORT, "published_at": "yesterday"}, "published_at"),
    ({"text": REPORT, "url": "javascript:alert(1)"}, "url"),
])
def test_bad_requests_are_422_naming_the_field(client, body, field):
    response = client.post("/v1/articles", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json


def test_a_text_over_max_article_chars_is_422(app, client):
    app.config["MAX_ARTICLE_CHARS"] = 100
    response = client.post("/v1/articles", json={"text": "x" * 101})
    assert response.status_code == 422 and "text" in response.json["errors"]


def test_a_text_without_attributed_claims_is_201_with_none(scoring_app, client):
    response = client.post("/v1/articles", json={
        "text": "Shares rose 4% in morning trading. Heavy rain is expected next week."})
    assert response.status_code == 201
    assert response.json["language"] == "en" and response.json["claims"] == []


def test_a_text_in_another_language_says_so_and_gives_no_claims(scoring_app, client):
    response = client.post("/v1/articles", json={
        "text": "Министерство обороны России заявило во вторник, что силы противника были "
                "вытеснены с территории с потерями."})
    assert response.status_code == 201
    assert response.json["language"] == "ru" and response.json["claims"] == []


def test_scoring_needs_a_key_only_when_the_setting_says_so(scoring_app, client,
                                                           writer_headers):
    scoring_app.config["SCORING_REQUIRES_KEY"] = True
    assert post(client).status_code == 401
    assert post(client, desk="desk-3").status_code == 401
    assert client.post("/v1/articles", json={"text": REPORT},
                       headers=writer_headers).status_code == 201


def test_an_unknown_article_is_404(client):
    assert client.get("/v1/articles/nope").status_code == 404


def test_without_a_model_it_is_503(client):
    assert post(client).status_code == 503
