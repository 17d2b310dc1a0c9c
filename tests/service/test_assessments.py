"""POST /v1/assessments, the batch, and reading stored assessments; SQLite and PostgreSQL."""
import math

import pytest

from model.levels import LEVELS
from model.roles import classify_source
from service import db
from service.tables import Assessment

CLAIM = "Since March 10 Kyiv has lost over 100 men and six tanks."
FSB = {"name": "Federal Security Service", "type": "state_agency", "affiliation": "Russia",
       "country": "RU"}
CONTEXT = {"party_to_event": True, "relayed_by": ["TASS"], "first_hand": False,
           "channel": "statement", "corroborations": 0, "evidence": [],
           "published_at": "2024-03-12", "topic": "military"}


@pytest.fixture
def database_url(any_database):
    return any_database


def assess(client, **body):
    return client.post("/v1/assessments", json={"claim": CLAIM, "source": FSB, **body})


# Validation comes before scoring: these hold with or without a model.

def test_a_claim_over_max_claim_chars_is_422(settings, client):
    response = client.post("/v1/assessments", json={
        "claim": "x" * (settings.get("MAX_CLAIM_CHARS") or 2000) + "x", "source": FSB})
    assert response.status_code == 422 and "claim" in response.json["errors"]


@pytest.mark.parametrize("body, field", [
    ({"claim": "   ", "source": FSB}, "claim"),
    ({"claim": CLAIM}, "source"),
    ({"claim": CLAIM, "source": {"affiliation": "Russia"}}, "source"),
    ({"claim": CLAIM, "source": {"type": "unicorn"}}, "source.type"),
    ({"claim": CLAIM, "source": FSB, "context": {"evidence": [{"link": "x"}]}},
     "context.evidence.0"),
    ({"claim": CLAIM, "source": FSB, "context": {"published_at": "yesterday"}},
     "context.published_at"),
])
def test_invalid_requests_name_the_field(client, body, field):
    response = client.post("/v1/assessments", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json


def test_a_batch_over_max_batch_items_is_422(settings, app, client):
    app.config["MAX_BATCH_ITEMS"] = 2
    items = [{"claim": CLAIM, "source": FSB}] * 3
    response = client.post("/v1/assessments/batch", json={"items": items})
    assert response.status_code == 422 and "items" in response.json["errors"]


# With the committed default model.

def test_score_a_claim_and_read_it_back(scoring_app, client, scorer):
    response = assess(client, context=CONTEXT)
    assert response.status_code == 201, response.json
    body = response.json
    assert 0.0 < body["score"] < 1.0
    assert body["band"] == scoring_app.extensions["policy"].band(body["score"])
    assert list(body["distribution"]) == list(LEVELS)
    assert math.isclose(sum(body["distribution"].values()), 1.0, abs_tol=1e-6)
    assert body["grade"]["source_reliability"] in "ABCDEF"
    assert body["grade"]["information_credibility"] in "123456"
    log_odds = body["intercept"] + sum(factor["weight"] for factor in body["factors"])
    assert math.isclose(1 / (1 + math.exp(-log_odds)), body["score"], abs_tol=1e-6)
    assert body["model"] == {"version": scorer.version, "policy_version": scorer.policy_version}
    assert body["source"]["id"] is None and body["source"]["name"] == FSB["name"]
    read = client.get(f"/v1/assessments/{body['id']}")
    assert read.status_code == 200 and read.json == body


def test_the_audit_log_keeps_input_output_and_model(scoring_app, client, scorer):
    body = assess(client, context=CONTEXT).json
    with scoring_app.app_context():
        row = db.session().get(Assessment, body["id"])
    assert row.input["claim"] == CLAIM and row.input["context"]["relayed_by"] == ["TASS"]
    assert row.output == body and row.model_version == scorer.version


def test_a_registered_source_by_id_or_alias_brings_its_track_record(scoring_app, client,
                                                                    writer_headers):
    made = client.post("/v1/sources", headers=writer_headers,
                       json={**FSB, "aliases": ["FSB"]}).json
    by_id = client.post("/v1/assessments", json={"claim": CLAIM, "source": {"id": made["id"]}})
    assert by_id.status_code == 201
    assert by_id.json["source"]["id"] == made["id"]
    by_alias = client.post("/v1/assessments", json={"claim": CLAIM,
                                                    "source": {"name": "the F.S.B."}})
    assert by_alias.json["source"]["id"] == made["id"]
    assert by_alias.json["source"]["type"] == "state_agency"
    # A verdict moves the record that the next assessment of this source carries.
    client.post(f"/v1/assessments/{by_id.json['id']}/verdict", headers=writer_headers,
                json={"verdict": "pants-fire", "reviewer": "desk-3"})
    after = client.post("/v1/assessments", json={"claim": CLAIM, "source": {"id": made["id"]}})
    record = after.json["source"]["track_record"]
    assert record["counts"]["pants-fire"] == made["track_record"]["counts"]["pants-fire"] + 1


def test_an_unknown_source_id_is_422_on_that_field(scoring_app, client):
    response = client.post("/v1/assessments", json={"claim": CLAIM, "source": {"id": "nope"}})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["source.id"]


def test_an_inline_source_without_type_gets_the_guessed_type(scoring_app, client):
    name = "Ministry of Defence of Ruritania"
    response = client.post("/v1/assessments", json={"claim": CLAIM, "source": {"name": name}})
    assert response.status_code == 201
    assert response.json["source"]["type"] == classify_source(name=name)


def test_a_batch_answers_each_item_in_order(scoring_app, client):
    items = [{"claim": CLAIM, "source": FSB},
             {"claim": "", "source": FSB},
             {"claim": CLAIM, "source": {"id": "missing"}},
             {"claim": "Our fighters destroyed three tanks.", "source": {"type": "armed_group"},
              "context": {"party_to_event": True}},
             "not an object"]
    response = client.post("/v1/assessments/batch", json={"items": items})
    assert response.status_code == 200
    answers = response.json["items"]
    assert [answer["index"] for answer in answers] == [0, 1, 2, 3, 4]
    assert [answer["status"] for answer in answers] == [201, 422, 422, 201, 422]
    assert "claim" in answers[1]["error"]["errors"]
    assert "source.id" in answers[2]["error"]["errors"]
    for answer in (answers[0], answers[3]):
        stored = client.get(f"/v1/assessments/{answer['assessment']['id']}")
        assert stored.status_code == 200 and stored.json == answer["assessment"]
    single = client.post("/v1/assessments", json=items[3]).json
    assert math.isclose(single["score"], answers[3]["assessment"]["score"], abs_tol=1e-9)


def test_a_batch_without_explanations_scores_stores_and_resolves_the_same(
        scoring_app, writer_headers, client):
    """"explain": false leaves out factors and counterfactuals, nothing else: the score,
    levels, grades and source record equal the explained answer's, and it is stored."""
    made = client.post("/v1/sources", headers=writer_headers, json={
        "name": "Ministry of Defence of Ruritania", "type": "state_agency"}).json
    items = [{"claim": CLAIM, "source": FSB},
             {"claim": "Our fighters destroyed three tanks.",
              "source": {"name": "ministry of defence of ruritania"},
              "context": {"party_to_event": True, "corroborations": 2}},
             {"claim": "", "source": FSB}]
    plain = client.post("/v1/assessments/batch", json={"items": items, "explain": False})
    full = client.post("/v1/assessments/batch", json={"items": items})
    assert plain.status_code == full.status_code == 200
    assert [a["status"] for a in plain.json["items"]] == [201, 201, 422]
    for bare, explained in zip(plain.json["items"][:2], full.json["items"][:2]):
        bare, explained = bare["assessment"], explained["assessment"]
        assert not {"intercept", "factors", "what_would_change"} & set(bare)
        assert explained["factors"] and explained["what_would_change"]
        assert math.isclose(bare["score"], explained["score"], abs_tol=1e-12)
        for key in ("band", "grade", "source", "model"):
            assert bare[key] == explained[key], key
        assert all(math.isclose(bare["distribution"][level], p, abs_tol=1e-12)
                   for level, p in explained["distribution"].items())
        stored = client.get(f"/v1/assessments/{bare['id']}")
        assert stored.status_code == 200 and stored.json == bare
    assert plain.json["items"][1]["assessment"]["source"]["id"] == made["id"]
