"""POST /v1/assessments/{id}/verdict and the track-record counters, on SQLite and PostgreSQL.

The assessments here are written straight into the audit log (as the scoring endpoint
stores them) so that the counting is tested apart from the model.
"""
import concurrent.futures

import pytest

from model.levels import LEVELS
from model.names import normalise_name
from service import db
from service.tables import Assessment, new_id


@pytest.fixture
def database_url(any_database):
    return any_database


@pytest.fixture
def stored(app):
    def make(source_id=None, name=None, source_type="state_agency", topic=None):
        output_source = {"id": source_id, "name": name, "aliases": [], "type": source_type,
                         "role": None, "affiliation": "Russia", "country": "RU", "notes": None,
                         "track_record": None, "reliability": None}
        with app.app_context(), db.transaction() as writer:
            assessment = Assessment(
                id=new_id(), input={"claim": "c", "source": {"name": name},
                                    **({"context": {"topic": topic}} if topic else {})},
                output={"source": output_source}, model_version="stored-by-test",
                policy_version="p", source_id=source_id,
                source_key=normalise_name(name) if name and not source_id else None)
            writer.add(assessment)
        return assessment.id
    return make


@pytest.fixture
def source_id(client, writer_headers):
    response = client.post("/v1/sources", json={"name": "Federal Security Service",
                                                "aliases": ["FSB"], "type": "state_agency"},
                           headers=writer_headers)
    return response.json["id"]


def verdict(client, headers, assessment_id, level, reviewer="desk-3", **extra):
    return client.post(f"/v1/assessments/{assessment_id}/verdict", headers=headers,
                       json={"verdict": level, "reviewer": reviewer, **extra})


def counts(client, source_id):
    return client.get(f"/v1/sources/{source_id}").json["track_record"]["counts"]


def test_a_verdict_counts_once_on_the_source_and_answers_with_it(client, writer_headers,
                                                                  stored, source_id):
    assessment = stored(source_id)
    response = verdict(client, writer_headers, assessment, "false",
                       evidence_url="https://example.org/check", notes="two sources")
    assert response.status_code == 200
    assert response.json["id"] == source_id
    assert response.json["track_record"]["counts"]["false"] == 1
    assert response.json["track_record"]["total"] == 1


def test_the_record_breaks_down_by_topic(client, writer_headers, stored, source_id):
    given = [("Military", "false"), ("military", "true"), ("energy", "false"),
             (None, "half-true")]
    ids = []
    for topic, level in given:
        ids.append(stored(source_id, topic=topic))
        assert verdict(client, writer_headers, ids[-1], level).status_code == 200
    assert verdict(client, writer_headers, ids[1], "mostly-true").status_code == 200  # replaced
    record = client.get(f"/v1/sources/{source_id}").json["track_record"]
    assert record["total"] == 4
    by_topic = {topic: {k: v for k, v in part["counts"].items() if v}
                for topic, part in record["by_topic"].items()}
    assert by_topic == {"energy": {"false": 1}, "military": {"false": 1, "mostly-true": 1}}
    assert record["by_topic"]["military"]["total"] == 2


def test_a_second_verdict_replaces_the_first_without_double_counting(client, writer_headers,
                                                                      stored, source_id):
    assessment = stored(source_id)
    verdict(client, writer_headers, assessment, "false")
    verdict(client, writer_headers, assessment, "false")
    assert counts(client, source_id)["false"] == 1
    response = verdict(client, writer_headers, assessment, "mostly-true", reviewer="desk-4")
    assert response.json["track_record"]["counts"] == {**{level: 0 for level in LEVELS},
                                                       "mostly-true": 1}
    with client.application.app_context():
        from service.tables import Verdict

        rows = db.session().query(Verdict).filter_by(assessment_id=assessment).all()
        assert [(row.verdict, row.reviewer) for row in rows] == [("mostly-true", "desk-4")]


def test_an_unregistered_name_is_registered_at_its_first_verdict(client, writer_headers,
                                                                   stored):
    first = stored(name="Wagner Group", source_type="armed_group")
    second = stored(name="  wagner group ", source_type="armed_group")
    made = verdict(client, writer_headers, first, "pants-fire").json
    assert made["id"] and made["name"] == "Wagner Group" and made["type"] == "armed_group"
    again = verdict(client, writer_headers, second, "false").json
    assert again["id"] == made["id"]
    assert again["track_record"]["counts"]["pants-fire"] == 1
    assert again["track_record"]["counts"]["false"] == 1
    assert client.get("/v1/sources", query_string={"q": "wagner"}).json["total"] == 1


def test_a_nameless_source_keeps_the_verdict_but_has_no_record(client, writer_headers, stored):
    assessment = stored(source_type="armed_group")
    response = verdict(client, writer_headers, assessment, "false")
    assert response.status_code == 200
    assert response.json["id"] is None and response.json["type"] == "armed_group"
    assert client.get("/v1/sources").json["total"] == 0


def test_verdict_refusals(client, writer_headers, stored, source_id):
    assessment = stored(source_id)
    assert verdict(client, {}, assessment, "false").status_code == 401
    assert verdict(client, {"X-API-Key": "x"}, assessment, "false").status_code == 403
    assert verdict(client, writer_headers, "missing", "false").status_code == 404
    bad = verdict(client, writer_headers, assessment, "maybe", evidence_url="not a url")
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"verdict", "evidence_url"}
    assert sum(counts(client, source_id).values()) == 0


def test_concurrent_verdicts_lose_no_update(app, writer_headers, stored, source_id):
    assessments = [stored(source_id) for _ in range(24)]
    levels = [LEVELS[number % len(LEVELS)] for number in range(len(assessments))]

    def post(pair):
        with app.test_client() as client:
            return verdict(client, writer_headers, pair[0], pair[1]).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(post, zip(assessments, levels))) == {200}
    final = counts(app.test_client(), source_id)
    assert final == {level: levels.count(level) for level in LEVELS}


def test_concurrent_verdicts_on_one_assessment_count_once(app, writer_headers, stored,
                                                          source_id):
    assessment = stored(source_id)

    def post(level):
        with app.test_client() as client:
            return verdict(client, writer_headers, assessment, level).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(post, ["false", "true"] * 8)) == {200}
    assert sum(counts(app.test_client(), source_id).values()) == 1


def test_concurrent_first_verdicts_on_an_unregistered_name_make_one_source(app,
                                                                           writer_headers,
                                                                           stored):
    assessments = [stored(name="Wagner Group" + " " * (n % 3), source_type="armed_group")
                   for n in range(12)]

    def post(assessment_id):
        with app.test_client() as client:
            return verdict(client, writer_headers, assessment_id, "false").json["id"]

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        source_ids = set(pool.map(post, assessments))
    assert len(source_ids) == 1
    assert counts(app.test_client(), source_ids.pop())["false"] == len(assessments)
