"""Bad input of every kind gets a 4xx problem naming the field, and the service stays up."""
import datetime
import json

import pytest

from .test_errors import assert_problem

CLAIM = {"claim": "Since March 10 Kyiv has lost over 100 men and six tanks.",
         "source": {"name": "Federal Security Service", "type": "state_agency"},
         "context": {"party_to_event": True, "relayed_by": ["TASS"],
                     "published_at": "2024-03-12", "corroborations": 0}}
HUGE = "x" * 20_000
SQLISH = "1; DROP TABLE sources;--"
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()
DAY_AFTER_TOMORROW = (TODAY + datetime.timedelta(days=2)).isoformat()


def with_(path: str, value):
    """CLAIM with the dotted `path` set to `value`."""
    body = json.loads(json.dumps(CLAIM))
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value
    return body


def assert_healthy(client):
    assert client.get("/healthz").status_code == 200
    response = client.post("/v1/assessments", json=CLAIM)
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.fixture
def client(scoring_app):
    return scoring_app.test_client()


@pytest.mark.parametrize("body", [[CLAIM], "a claim", 42, 4.5, True, None, []],
                         ids=repr)
def test_a_body_of_the_wrong_json_type_is_422(client, body):
    response = client.post("/v1/assessments", data=json.dumps(body),
                           content_type="application/json")
    problem = assert_problem(response, 422)
    assert "body" in problem["errors"]
    assert_healthy(client)


@pytest.mark.parametrize("data", ["", "{", "{'claim': 1}", "claim=x", "[1,]", "\ufeff{}",
                                  "NaN", '{"claim": "x",}'])
def test_text_that_is_not_json_is_400_or_422_naming_the_body(client, data):
    response = client.post("/v1/assessments", data=data, content_type="application/json")
    problem = assert_problem(response, response.status_code)
    assert response.status_code in (400, 422) and "body" in problem["errors"]


def test_bytes_that_are_not_utf8_are_400(client):
    response = client.post("/v1/assessments", data=b"\xff\xfe{\x00", content_type="application/json")
    assert "body" in assert_problem(response, 400)["errors"]


FIELD_CASES = [
    # field path, bad value
    *[(field, wrong) for field in ("claim", "source", "context") for wrong in
      ([], 3, True, None, {"a": 1} if field == "claim" else "text")],
    ("claim", ""), ("claim", "   \n\t "), ("claim", HUGE),
    *[(f"source.{field}", wrong) for field in ("id", "name", "type", "role", "affiliation",
                                               "country") for wrong in (3, [], {"x": 1}, HUGE)],
    ("source.name", ""), ("source.id", ""), ("source.type", "spaceship"), ("source.type", "STATE_AGENCY"),
    ("source.id", "../../etc/passwd"), ("source.id", SQLISH), ("source.id", "no-such-id"),
    *[(f"context.{field}", wrong) for field in ("party_to_event", "first_hand") for wrong in
      ("yes please", 2, [], {}, "yes", "true", "True", "on", 1, 0, "false", None)],
    *[("context.corroborations", wrong) for wrong in
      (-1, -10**12, 1001, 10**30, 1e308, 2.5, "three", [], None)],
    *[("context.published_at", wrong) for wrong in
      ("2024-13-45", "yesterday", "2024-02-30", "", 20240312, "12/03/2024", HUGE,
       "2099-01-01", "9999-12-31", DAY_AFTER_TOMORROW)],
    *[("context.relayed_by", wrong) for wrong in ("TASS", [3], [""], [HUGE], [["TASS"]])],
    *[("context.evidence", wrong) for wrong in
      ("http://x", [3], [""], [{"url": 3}], [{"url": "u", "verified": "yes"}],
       [{"url": "u", "extra": 1}], ["javascript:alert(1)"],
      [{"url": "javascript:alert(1)", "verified": True}], [{"url": "JavaScript:alert(1)"}],
      ["data:text/html,<script>alert(1)</script>"], ["file:///etc/passwd"], ["ftp://x.org/a"],
      ["not a url"], [{"url": ""}], [{"url": "https://" + HUGE}], ["http://"],
      ["https://example.org/a b"], [{"url": "//example.org/a"}])],
    *[(f"context.{field}", wrong) for field in ("channel", "topic") for wrong in
      (3, [], "", HUGE)],
]


@pytest.mark.parametrize("path, value", FIELD_CASES,
                         ids=[f"{p}={str(v)[:20]!r}" for p, v in FIELD_CASES])
def test_each_bad_field_is_a_422_naming_it(client, path, value):
    response = client.post("/v1/assessments", json=with_(path, value))
    problem = assert_problem(response, 422)
    assert any(key == path or key.startswith(path + ".") for key in problem["errors"]), problem


@pytest.mark.parametrize("path, value", [
    ("context.evidence", ["https://example.org/report", "HTTP://EXAMPLE.ORG/A?b=c#d",
                          {"url": "http://example.org/geolocated", "verified": True},
                          {"url": "https://example.org/photo"}]),
    ("context.published_at", TOMORROW), ("context.published_at", TODAY.isoformat()),
    ("context.published_at", "1900-01-01"),
    ("context.party_to_event", False), ("context.first_hand", True)])
def test_the_good_values_beside_the_bad_are_accepted(client, path, value):
    response = client.post("/v1/assessments", json=with_(path, value))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_a_boolean_must_be_a_json_boolean_and_the_422_says_so(client):
    for path, value in (("context.party_to_event", "yes"), ("context.first_hand", 1)):
        messages = assert_problem(client.post("/v1/assessments", json=with_(path, value)),
                                  422)["errors"][path]
        assert "true or false" in " ".join(messages), messages
    batch = client.post("/v1/assessments/batch", json={"items": [CLAIM], "explain": "false"})
    assert "true or false" in " ".join(assert_problem(batch, 422)["errors"]["explain"])


def test_evidence_with_a_script_url_does_not_count_as_verified_evidence(client):
    """Refused whole, in a batch item as in a single request: no +0.6 for a javascript: URL."""
    evil = with_("context.evidence", [{"url": "javascript:alert(1)", "verified": True}])
    batch = client.post("/v1/assessments/batch", json={"items": [evil, CLAIM]})
    assert batch.status_code == 200
    first, second = batch.json["items"]
    assert first["status"] == 422 and "context.evidence.0" in first["error"]["errors"]
    assert second["status"] == 201


def test_a_date_after_tomorrow_is_a_422_that_says_so(client):
    response = client.post("/v1/assessments", json=with_("context.published_at", "2099-01-01"))
    messages = assert_problem(response, 422)["errors"]["context.published_at"]
    assert "tomorrow" in " ".join(messages), messages


@pytest.mark.parametrize("missing", ["claim", "source"])
def test_a_missing_required_field_is_named(client, missing):
    body = {key: value for key, value in CLAIM.items() if key != missing}
    assert missing in assert_problem(client.post("/v1/assessments", json=body), 422)["errors"]


def test_a_source_naming_nobody_is_named(client):
    body = with_("source", {"role": "spokesperson"})
    assert "source" in assert_problem(client.post("/v1/assessments", json=body), 422)["errors"]


@pytest.mark.parametrize("path, body", [
    ("/v1/sources", {"name": 3}), ("/v1/sources", {"name": ""}),
    ("/v1/sources", {"name": HUGE}), ("/v1/sources", {"name": "x", "aliases": "FSB"}),
    ("/v1/sources", {"name": "x", "aliases": [HUGE]}),
    ("/v1/sources", {"name": "x", "notes": "n" * 5001}),
    ("/v1/sources", {"name": "x", "country": HUGE}),
    ("/v1/sources", {"name": "x", "type": "spaceship"}),
    ("/v1/sources", {"name": "x", "unknown_field": 1}),
])
def test_bad_source_registrations_name_the_field(client, writer_headers, path, body):
    response = client.post(path, json=body, headers=writer_headers)
    problem = assert_problem(response, 422)
    named = {key.split(".")[0] for key in problem["errors"]}
    assert named & (set(body) | {"name"}), problem


@pytest.mark.parametrize("body, field", [
    ({"verdict": "mostly-false", "reviewer": "d"}, "verdict"),
    ({"verdict": "FALSE", "reviewer": "d"}, "verdict"),
    ({"verdict": 3, "reviewer": "d"}, "verdict"),
    ({"reviewer": "d"}, "verdict"),
    ({"verdict": "false"}, "reviewer"),
    ({"verdict": "false", "reviewer": HUGE}, "reviewer"),
    ({"verdict": "false", "reviewer": "d", "evidence_url": "javascript:alert(1)"},
     "evidence_url"),
    ({"verdict": "false", "reviewer": "d", "evidence_url": "file:///etc/passwd"},
     "evidence_url"),
    ({"verdict": "false", "reviewer": "d", "notes": "n" * 5001}, "notes"),
])
def test_bad_verdicts_name_the_field(client, writer_headers, body, field):
    assessment = client.post("/v1/assessments", json=CLAIM).json["id"]
    response = client.post(f"/v1/assessments/{assessment}/verdict", json=body,
                           headers=writer_headers)
    assert field in assert_problem(response, 422)["errors"]


def test_a_batch_item_of_every_bad_kind_gets_its_own_error(client):
    items = [CLAIM, [], "x", 3, {"claim": "x"}, with_("context.corroborations", -1),
             with_("source.id", "no-such-id"), CLAIM]
    response = client.post("/v1/assessments/batch", json={"items": items})
    assert response.status_code == 200
    statuses = [item["status"] for item in response.json["items"]]
    assert statuses == [201, 422, 422, 422, 422, 422, 422, 201]
    assert "context.corroborations" in response.json["items"][5]["error"]["errors"]
    assert "source.id" in response.json["items"][6]["error"]["errors"]
    # A null item is not an assessment request at all: the batch is refused, naming it.
    response = client.post("/v1/assessments/batch", json={"items": [CLAIM, None]})
    assert "items.1" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("body, status, field", [
    ({"items": []}, 422, "items"), ({"items": "x"}, 422, "items"), ({}, 422, "items"),
    ({"items": [CLAIM] * 101}, 422, "items"),
])
def test_bad_batches(client, body, status, field):
    assert field in assert_problem(client.post("/v1/assessments/batch", json=body),
                                   status)["errors"]


@pytest.mark.parametrize("path", ["/v1/assessments", "/v1/assessments/batch", "/v1/sources"])
@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deeply_nested_bodies_are_400_not_a_crash(client, writer_headers, path, depth):
    for data in ("[" * depth + "]" * depth, '{"claim": ' + "[" * depth + "]" * depth + "}"):
        response = client.post(path, data=data, content_type="application/json",
                               headers=writer_headers)
        assert "body" in assert_problem(response, 400)["errors"]
    assert_healthy(client)


def test_an_integer_of_thousands_of_digits_is_400(client):
    data = json.dumps(CLAIM).replace('"corroborations": 0', '"corroborations": ' + "9" * 5000)
    response = client.post("/v1/assessments", data=data, content_type="application/json")
    assert_problem(response, 400)
    assert_healthy(client)


def test_nested_but_parseable_bodies_are_422(client):
    nested = [[[[[[[[["deep"]]]]]]]]]
    response = client.post("/v1/assessments", json=with_("context.evidence", [nested] * 50))
    assert "context.evidence.0" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff"])
def test_text_no_database_can_store_is_422_naming_the_field(client, writer_headers, text):
    response = client.post("/v1/assessments", json=with_("source.name", text))
    assert "source.name" in assert_problem(response, 422)["errors"]
    response = client.post("/v1/sources", json={"name": "x", "aliases": ["ok", text]},
                           headers=writer_headers)
    assert "aliases.1" in assert_problem(response, 422)["errors"]
    assert_problem(client.get("/v1/sources/a%00b"), 404)
    assert "q" in assert_problem(client.get("/v1/sources?q=a%00b"), 422)["errors"]


@pytest.mark.parametrize("escape", ["\\u0000", "\\uD800", "\\udBfF", "\\uDC00"])
def test_every_spelling_of_an_unstorable_escape_is_422(client, escape):
    """The raw body is read for these escapes before the parsed body is walked."""
    data = json.dumps(with_("source.name", "NAME")).replace("NAME", f"a{escape}b")
    response = client.post("/v1/assessments", data=data, content_type="application/json")
    assert "source.name" in assert_problem(response, 422)["errors"]
    items = [CLAIM, with_("claim", "CLAIM")]
    data = json.dumps({"items": items}).replace("CLAIM", f"x{escape}")
    response = client.post("/v1/assessments/batch", data=data, content_type="application/json")
    assert "items.1.claim" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("text, escaped", [("a\\u0000b", "a\\\\u0000b"),
                                           ("\U0001F600", "\\ud83d\\ude00")])
def test_escapes_that_make_storable_text_are_accepted(client, text, escaped):
    """An escaped backslash before "u0000", and a surrogate pair, are ordinary text."""
    data = json.dumps(with_("source.name", "NAME")).replace("NAME", escaped)
    response = client.post("/v1/assessments", data=data, content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["source"]["name"] == text


def test_huge_strings_in_every_field_of_a_source(client, writer_headers):
    body = {key: HUGE for key in ("name", "type", "role", "affiliation", "country", "notes")}
    body["aliases"] = [HUGE]
    problem = assert_problem(client.post("/v1/sources", json=body, headers=writer_headers), 422)
    assert {"name", "type", "role", "affiliation", "country", "notes"} <= set(problem["errors"])


def test_an_oversized_body_is_413_and_the_service_stays_up(client):
    data = json.dumps(with_("claim", "x" * (2 * 1024 * 1024)))
    assert_problem(client.post("/v1/assessments", data=data, content_type="application/json"),
                   413)
    assert_healthy(client)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded",
                                          "application/octet-stream"])
@pytest.mark.parametrize("path", ["/v1/assessments", "/v1/sources"])
def test_a_body_that_is_not_json_is_415(client, writer_headers, content_type, path):
    response = client.post(path, data=json.dumps(CLAIM), content_type=content_type,
                           headers=writer_headers)
    assert_problem(response, 415)


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/v1/assessments"), ("PUT", "/v1/assessments"), ("BREW", "/v1/assessments"),
    ("TRACE", "/v1/sources"), ("DELETE", "/v1/sources/x"), ("PATCH", "/v1/taxonomy"),
    ("POST", "/healthz"), ("GET", "/v1/model/reload"),
])
def test_unknown_methods_are_405(client, method, path):
    assert_problem(client.open(path, method=method), 405)


@pytest.mark.parametrize("path", [
    "/v2/assessments", "/v1/assessment", "/v1/sources/x/y", "/../../etc/passwd",
    "/v1/sources/..%2F..%2Fetc%2Fpasswd", "/v1/assessments/..%2F..%2Fetc%2Fpasswd",
    "/v1/sources/1;%20DROP%20TABLE%20sources;--", "/v1/assessments/'%20OR%20'1'='1",
    "/v1/assessments/%25", "/static/../service/config.py", "/docs/static/../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
])
def test_unknown_paths_and_traversal_are_404(client, path):
    assert_problem(client.get(path), 404)
    assert_healthy(client)


def test_sql_looking_names_are_stored_and_returned_literally(client, writer_headers):
    names = [SQLISH, "Robert'); DROP TABLE sources;--", "' OR '1'='1", "%_\\", "x\" OR 1=1"]
    ids = []
    for name in names:
        response = client.post("/v1/sources", json={"name": name, "notes": name},
                               headers=writer_headers)
        assert response.status_code in (201, 409), response.json
        if response.status_code == 201:
            assert response.json["name"] == name and response.json["notes"] == name
            ids.append(response.json["id"])
    for source_id, name in zip(ids, names):
        assert client.get(f"/v1/sources/{source_id}").json["name"] == name
    listed = client.get("/v1/sources", query_string={"q": "DROP TABLE"}).json
    assert {item["name"] for item in listed["items"]} >= {SQLISH}
    scored = client.post("/v1/assessments", json=with_("source", {"name": SQLISH}))
    assert scored.status_code == 201 and scored.json["source"]["name"] == SQLISH
    assert client.get("/v1/sources").json["total"] == len(ids)
    assert_healthy(client)
