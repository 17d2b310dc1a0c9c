"""The contract, fuzzed: schemathesis generates requests from /openapi.json, in-process.

Every operation gets documented-valid (positive) and documented-invalid (negative)
requests, sometimes with a writer or admin key and sometimes naming stored ids; no answer
may be a 5xx and each must match the document (status, content type, body). Then
hypothesis drives hostile text (control characters, lone surrogates, right-to-left marks)
through the names, relays and dates of an assessment.
"""
import collections

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

from model.names import normalise_name

from .test_errors import assert_problem

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Examples per operation and mode; operations without inputs stop after one.
EXAMPLES = {GenerationMode.POSITIVE: 80, GenerationMode.NEGATIVE: 50}
MIN_REQUESTS = 1000
FUZZ = settings(deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture
def database_url(any_database):
    """Both fuzzers run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (NUL bytes)."""
    return any_database


@pytest.fixture(name="settings")
def webhook_settings(settings):   # not named settings here: hypothesis' settings is used below
    """Webhooks on (a signing key) so that their operations are fuzzed past the 503 a
    service without one gives; nothing is sent (no sender thread)."""
    return {**settings, "WEBHOOKS_SECRET_KEY": "fuzz-secret-key-that-is-long-enough-32",
            "WEBHOOKS_DELIVER": False}


@pytest.fixture
def fuzz_app(scoring_app, writer_headers):
    """The scoring app with one stored assessment and one registered source to aim at."""
    client = scoring_app.test_client()
    source = client.post("/v1/sources", json={"name": "Fuzz Agency", "type": "state_agency"},
                         headers=writer_headers)
    assessment = client.post("/v1/assessments", json={
        "claim": "Six tanks were lost.", "source": {"id": source.json["id"]}})
    assert source.status_code == 201 and assessment.status_code == 201
    scoring_app.config["fuzz_ids"] = {"source_id": source.json["id"],
                                      "assessment_id": assessment.json["id"]}
    return scoring_app


def _aim(case, data, known_ids, source_types):
    """Point some cases at stored ids and at known source types, so they reach the scorer."""
    for name, value in known_ids.items():
        if case.path_parameters and name in case.path_parameters and data.draw(st.booleans()):
            case.path_parameters[name] = value
    body = case.body if isinstance(case.body, dict) else None
    if body and case.path == "/v1/assessments" and isinstance(body.get("source"), dict) \
            and data.draw(st.booleans()):
        body["source"].pop("id", None)
        body["source"]["type"] = data.draw(st.sampled_from(source_types))


def test_every_operation_keeps_its_contract(fuzz_app, writer_headers, admin_headers):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_app)
    known_ids = fuzz_app.config["fuzz_ids"]
    source_types = sorted(fuzz_app.extensions["model"].scorer.policy.source_types)
    keys = st.sampled_from([{}, writer_headers, admin_headers, {"X-API-Key": "wrong"}])
    seen = collections.Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            @given(case=operation.as_strategy(generation_mode=mode), headers=keys,
                   data=st.data())
            @settings(FUZZ, max_examples=examples)
            def run(case, headers, data):
                _aim(case, data, known_ids, source_types)
                response = case.call(headers=headers)
                seen[(operation.label, response.status_code)] += 1
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing can be invalid about an operation without inputs (GET /healthz).
                assert mode is GenerationMode.NEGATIVE
    total = sum(seen.values())
    assert total >= MIN_REQUESTS, seen
    statuses = {status for _, status in seen}
    # The fuzzer got past validation and auth, not only bounced off them.
    assert {200, 201, 401, 403, 404, 422} <= statuses, seen
    assert seen[("POST /v1/assessments", 201)] >= 5, seen


# Text a newsroom tool may paste: controls, lone surrogates, bidi marks, combining marks.
HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\x07", "\x1b", "\x7f", "\u0085", "\u200b", "\u200d", "\u200e", "\u200f",
     "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff", "\ud800", "\udfff", "\u0301",
     "\u05d0", "\u0627", "\ufb01", "\u2126", "'", "\u2019", ".", "&", " ", "\n", "\t"])
hostile_text = st.lists(st.one_of(HOSTILE_CHARS, st.characters()), max_size=40).map("".join)


@given(text=hostile_text)
@settings(max_examples=300, deadline=None)
def test_normalise_name_is_total_and_idempotent(text):
    key = normalise_name(text)
    assert normalise_name(key) == key
    assert key == key.strip() and "  " not in key
    assert all(not ("\ud800" <= c <= "\udfff") for c in key)
    key.encode("utf-8")  # storable: no lone surrogate survives


@given(name=hostile_text, relays=st.lists(hostile_text, max_size=6),
       published=st.one_of(st.dates().map(str), hostile_text), topic=hostile_text)
@settings(FUZZ, max_examples=150)
def test_hostile_text_through_the_api_is_never_a_5xx(scoring_app, writer_headers, name,
                                                     relays, published, topic):
    client = scoring_app.test_client()
    body = {"claim": f"Officials said {name} lost six tanks.",
            "source": {"name": name or "x", "role": name or "x"},
            "context": {"relayed_by": relays, "published_at": published, "topic": topic}}
    response = client.post("/v1/assessments", json=body)
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert_problem(response, 422)
        return
    stored = client.get(f"/v1/assessments/{response.json['id']}")
    assert stored.status_code == 200
    verdict = client.post(f"/v1/assessments/{response.json['id']}/verdict",
                          json={"verdict": "false", "reviewer": name or "desk"},
                          headers=writer_headers)
    assert verdict.status_code in (200, 422), verdict.get_data(as_text=True)
    created = client.post("/v1/sources", json={"name": name or "x", "aliases": relays},
                          headers=writer_headers)
    assert created.status_code in (201, 409, 422), created.get_data(as_text=True)
    searchable = name.encode("utf-8", "replace").decode("utf-8")  # what a URL can carry
    listed = client.get("/v1/sources", query_string={"q": searchable[:200]})
    assert listed.status_code in (200, 422), listed.get_data(as_text=True)
