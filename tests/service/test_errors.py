"""Every failure is application/problem+json with type, title, status and detail."""
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


@pytest.mark.parametrize("method, path, status", [
    ("get", "/no/such/page", 404),
    ("get", "/v1/sources/no-such-id", 404),
    ("get", "/v1/assessments/no-such-id", 404),
    ("delete", "/v1/taxonomy", 405),
    ("put", "/v1/sources", 405),
])
def test_framework_errors_are_problems(client, method, path, status):
    assert_problem(getattr(client, method)(path), status)


def test_405_keeps_the_allow_header(client):
    response = client.delete("/v1/taxonomy")
    assert "GET" in response.headers["Allow"]


def test_a_body_that_is_not_json_is_415(client, writer_headers):
    response = client.post("/v1/sources", data="name=x", headers=writer_headers,
                           content_type="application/x-www-form-urlencoded")
    assert_problem(response, 415)


def test_malformed_json_is_400_naming_the_body(client, writer_headers):
    response = client.post("/v1/sources", data="{not json", headers=writer_headers,
                           content_type="application/json")
    body = assert_problem(response, 400)
    assert "body" in body["errors"]


def test_validation_errors_are_422_with_field_paths(client, writer_headers):
    response = client.post("/v1/sources", json={"aliases": "FSB", "type": "spaceship"},
                           headers=writer_headers)
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"name", "aliases", "type"}
    assert all(isinstance(texts, list) and texts for texts in body["errors"].values())


def test_nested_validation_errors_use_dotted_paths(client):
    response = client.post("/v1/assessments", json={"claim": "x", "source": {},
                                                    "context": {"corroborations": -1}})
    body = assert_problem(response, 422)
    assert "source" in body["errors"]
    assert "context.corroborations" in body["errors"]


def test_a_body_over_max_content_length_is_413(settings, tmp_path):
    from service import create_app

    app = create_app({**settings, "MAX_CONTENT_LENGTH": 200})
    try:
        response = app.test_client().post(
            "/v1/assessments", json={"claim": "x" * 500, "source": {"type": "other"}})
    finally:
        app.extensions["db"]["engine"].dispose()
    assert_problem(response, 413)


def test_a_crash_is_a_500_problem_without_a_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crash():
        raise RuntimeError("secret internals /etc/passwd")

    app.add_url_rule("/crash", "crash", crash)
    response = client.get("/crash")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"] == "The server failed to answer."


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                               max_size=4),
    max_leaves=20)
near_valid = st.fixed_dictionaries({
    "claim": st.one_of(st.text(max_size=50), json_values),
    "source": st.one_of(json_values, st.fixed_dictionaries({}, optional={
        "id": json_values, "name": st.one_of(st.text(max_size=20), json_values),
        "type": st.sampled_from(["state_agency", "armed_group", "nope", ""])})),
}, optional={"context": st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "corroborations": json_values, "evidence": json_values, "relayed_by": json_values,
    "published_at": json_values}))})


@given(body=st.one_of(json_values, near_valid))
@hypothesis_settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_body_makes_a_500(client, writer_headers, body):
    for path in ("/v1/assessments", "/v1/assessments/batch", "/v1/sources"):
        response = client.post(path, json=body, headers=writer_headers)
        assert response.status_code < 500 or response.status_code == 503, response.json
        assert response.status_code in (201, 200, 409, 422, 400, 503)
