"""Answers and audit-log columns are encoded by orjson (service/jsonio.py): the same JSON
values as the standard library's, and whatever orjson declines still encodes."""
from __future__ import annotations

import dataclasses
import datetime
import json
import uuid

import pytest
from sqlalchemy import text

from service.jsonio import dumps

CLAIM = {"claim": "Минобороны: за сутки уничтожены 6 танков и 20 бронемашин.",
         "source": {"name": "Министерство обороны", "type": "state_agency", "country": "RU"},
         "context": {"party_to_event": True, "relayed_by": ["ТАСС"], "corroborations": 0}}


@pytest.fixture
def database_url(any_database):
    """Every test here on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
    return any_database


def test_an_answer_is_utf8_json_in_the_contract_order(scoring_app):
    response = scoring_app.test_client().post("/v1/assessments", json=CLAIM)
    assert response.status_code == 201
    raw = response.get_data()
    assert "Министерство".encode() in raw and b"\\u" not in raw
    answer = json.loads(raw)
    assert answer["source"]["name"] == "Министерство обороны"
    assert list(answer)[:4] == ["id", "created_at", "score", "band"]   # not sorted
    assert json.loads(scoring_app.json.dumps(answer)) == answer


def test_the_audit_log_holds_request_and_answer_as_compact_json(scoring_app):
    answer = scoring_app.test_client().post("/v1/assessments", json=CLAIM).get_json()
    engine = scoring_app.extensions["db"]["engine"]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT input, output FROM assessments WHERE id = :id"),
                                    {"id": answer["id"]}).one()
    # PostgreSQL's json type keeps the text as written; SQLite stores it as text.
    raw_input, raw_output = (value if isinstance(value, str) else json.dumps(value)
                             for value in stored)
    assert json.loads(raw_output) == answer
    assert json.loads(raw_input)["claim"] == CLAIM["claim"]


def test_what_orjson_declines_goes_to_the_standard_library():
    assert dumps({"n": 2 ** 70}) == '{"n":1180591620717411303424}'
    assert json.loads(dumps({"text": "a\ud800b"})) == {"text": "a\ud800b"}
    assert dumps({1: "x"}) == '{"1":"x"}'


def test_flask_types_keep_flasks_spelling(scoring_app):
    @dataclasses.dataclass
    class Point:
        x: int

    at = datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.timezone.utc)
    ident = uuid.UUID("01a21013-6fea-7a34-83d2-56c685fb8acb")
    body = {"at": at, "day": at.date(), "id": ident, "point": Point(3)}
    assert json.loads(scoring_app.json.dumps(body)) == {
        "at": "Tue, 24 Nov 2026 23:30:00 GMT", "day": "Tue, 24 Nov 2026 00:00:00 GMT",
        "id": str(ident), "point": {"x": 3}}


def test_a_lone_surrogate_in_a_key_is_a_problem_not_a_crash(scoring_app):
    data = json.dumps(dict(CLAIM, **{"\ud800": 1}))
    response = scoring_app.test_client().post("/v1/assessments", data=data,
                                              content_type="application/json")
    assert response.status_code == 422
    problem = json.loads(response.get_data())       # escaped by the standard library
    assert problem["status"] == 422 and "\ud800" in problem["errors"]
