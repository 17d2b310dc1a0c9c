"""The generated OpenAPI document: every route is in it, every error is documented."""
import re

import pytest

UNDOCUMENTED = {"static", "docs_static", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


@pytest.fixture
def spec(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method.upper() in METHODS:
                yield path, method, operation


def resolve(spec, response):
    if "$ref" in response:
        return spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def test_every_route_is_documented(app, spec):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in spec["paths"], path
        for method in rule.methods & METHODS:
            assert method.lower() in spec["paths"][path], (method, path)


def test_every_operation_has_a_summary_and_a_problem_default(spec):
    for path, method, operation in operations(spec):
        assert operation.get("summary"), (method, path)
        assert "default" in operation["responses"], (method, path)


def test_every_error_response_is_a_problem(spec):
    for path, method, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status != "default" and int(status) < 400:
                continue
            content = resolve(spec, response)["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_writes_need_the_api_key_and_say_so(spec):
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key"}
    writes = [("/v1/sources", "post"), ("/v1/sources/{source_id}", "patch"),
              ("/v1/assessments/{assessment_id}/verdict", "post"), ("/v1/model/reload", "post")]
    for path, method in writes:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"ApiKey": []}]
        assert {"401", "403"} <= set(operation["responses"])


# One real request per failure the service gives; its status must be documented there.
FAILURES = [
    ("post", "/v1/sources", {"json": {"name": "x"}}, 401),
    ("post", "/v1/sources", {"json": {"name": "x"}, "headers": {"X-API-Key": "wrong"}}, 403),
    ("post", "/v1/sources", {"json": {}, "key": True}, 422),
    ("post", "/v1/sources", {"data": "x", "content_type": "text/plain", "key": True}, 415),
    ("get", "/v1/sources/missing", {}, 404),
    ("patch", "/v1/sources/missing", {"json": {"notes": "n"}, "key": True}, 404),
    ("get", "/v1/sources", {"query_string": {"limit": 0}}, 422),
    ("get", "/v1/assessments/missing", {}, 404),
    ("post", "/v1/assessments", {"json": {"claim": ""}}, 422),
    ("post", "/v1/assessments", {"json": {"claim": "c", "source": {"type": "other"}}}, 503),
    ("post", "/v1/assessments/batch", {"json": {"items": []}}, 422),
    ("post", "/v1/assessments/missing/verdict",
     {"json": {"verdict": "false", "reviewer": "r"}, "key": True}, 404),
    ("post", "/v1/assessments/missing/verdict", {"json": {}, "key": True}, 422),
    ("post", "/v1/model/reload", {"key": True}, 403),
    ("post", "/v1/model/reload", {"admin": True}, 409),
    ("get", "/v1/model", {}, 503),
    ("get", "/readyz", {}, 503),
]


@pytest.mark.parametrize("method, path, options, status", FAILURES)
def test_each_failure_is_documented_where_it_happens(client, spec, writer_headers,
                                                     admin_headers, method, path, options,
                                                     status):
    options = dict(options)
    if options.pop("key", False):
        options["headers"] = writer_headers
    if options.pop("admin", False):
        options["headers"] = admin_headers
    response = getattr(client, method)(path, **options)
    assert response.status_code == status, response.json
    template = re.sub(r"/v1/(sources|assessments)/missing", r"/v1/\1/{id}", path)
    template = template.replace("/v1/sources/{id}", "/v1/sources/{source_id}")
    template = template.replace("/v1/assessments/{id}", "/v1/assessments/{assessment_id}")
    assert str(status) in spec["paths"][template][method]["responses"]


def test_docs_page_and_its_files_are_served_locally(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "http://" not in html and "https://" not in html
    assets = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/docs/static/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200


def test_the_document_is_valid_openapi_3(spec):
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_source_types_are_the_taxonomy_enum(app, spec):
    """Anything outside the taxonomy is a 422, so the document lists the taxonomy."""
    types = sorted(app.extensions["policy"].source_types)
    schemas = spec["components"]["schemas"]
    for name in ("SourceInput", "SourceCreate", "SourcePatch"):
        assert schemas[name]["properties"]["type"]["enum"] == types, name


def evidence_url_schema(spec):
    return spec["components"]["schemas"]["Verdict"]["properties"]["evidence_url"]


@pytest.mark.parametrize("url, valid", [
    ("", False), ("javascript:alert(1)", False), ("ftp://example.org/a", False),
    ("https://", False), ("https://example.org/a b", False),
    ("https://example.org/checks/1", True), ("HTTP://EXAMPLE.ORG", True)])
def test_the_document_and_the_service_agree_on_evidence_urls(scoring_app, spec, writer_headers,
                                                             url, valid):
    import jsonschema

    schema = evidence_url_schema(spec)
    documented = jsonschema.Draft4Validator(schema).is_valid(url)
    client = scoring_app.test_client()
    assessment = client.post("/v1/assessments", json={
        "claim": "Six tanks were lost.", "source": {"type": "state_agency"}}).json["id"]
    answer = client.post(f"/v1/assessments/{assessment}/verdict", headers=writer_headers,
                         json={"verdict": "false", "reviewer": "d", "evidence_url": url})
    assert (documented, answer.status_code == 200) == (valid, valid), answer.json
    item = spec["components"]["schemas"]["Context"]["properties"]["evidence"]["items"]
    for variant in item["oneOf"]:
        documented_item = variant if variant["type"] == "string" else variant["properties"]["url"]
        assert jsonschema.Draft4Validator(documented_item).is_valid(url) is valid
    in_context = client.post("/v1/assessments", json={
        "claim": "Six tanks were lost.", "source": {"type": "state_agency"},
        "context": {"evidence": [url, {"url": url, "verified": True}]}})
    assert in_context.status_code == (201 if valid else 422), in_context.json


@pytest.mark.parametrize("path, methods", [
    ("/v1/assessments/batch", {"POST", "OPTIONS"}),
    ("/v1/assessments", {"POST", "OPTIONS"}),
    ("/v1/assessments/some-id", {"GET", "HEAD", "OPTIONS"}),
    ("/v1/sources", {"GET", "HEAD", "POST", "OPTIONS"}),
    ("/v1/sources/some-id", {"GET", "HEAD", "PATCH", "OPTIONS"})])
def test_options_allows_only_what_the_route_serves(client, spec, path, methods):
    response = client.options(path)
    assert response.status_code == 200
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == methods
    documented = re.sub(r"/some-id$", "/{%s}" % ("assessment_id" if "assess" in path
                                                 else "source_id"), path)
    assert {m.upper() for m in spec["paths"][documented]} - {"PARAMETERS"} == (
        methods - {"HEAD", "OPTIONS"})


def test_the_document_refuses_the_dates_the_service_refuses(scoring_app, spec):
    """published_at: no later than tomorrow (UTC); the document's pattern keeps to this year."""
    import datetime

    import jsonschema

    schema = spec["components"]["schemas"]["Context"]["properties"]["published_at"]
    checker = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    today = datetime.datetime.now(datetime.timezone.utc).date()
    client = scoring_app.test_client()
    for date, valid in ((today.isoformat(), True), ("1999-12-31", True),
                        ("2099-01-01", False), (f"{today.year + 1}-01-02", False),
                        ("9999-12-31", False)):
        answer = client.post("/v1/assessments", json={
            "claim": "Six tanks were lost.", "source": {"type": "state_agency"},
            "context": {"published_at": date}})
        assert (checker.is_valid(date), answer.status_code == 201) == (valid, valid), date


def test_the_configured_limits_are_in_the_document(settings):
    from service import create_app

    app = create_app({**settings, "MAX_CLAIM_CHARS": 321, "MAX_BATCH_ITEMS": 7})
    try:
        schemas = app.test_client().get("/openapi.json").json["components"]["schemas"]
    finally:
        app.extensions["db"]["engine"].dispose()
    assert schemas["AssessmentRequest"]["properties"]["claim"]["maxLength"] == 321
    assert schemas["BatchRequest"]["properties"]["items"]["maxItems"] == 7


def test_a_patch_without_a_body_is_documented_and_changes_nothing(client, spec, writer_headers):
    assert spec["paths"]["/v1/sources/{source_id}"]["patch"]["requestBody"]["required"] is False
    source = client.post("/v1/sources", json={"name": "TASS"}, headers=writer_headers).json
    unchanged = client.patch(f"/v1/sources/{source['id']}", headers=writer_headers)
    assert unchanged.status_code == 200 and unchanged.json == source
