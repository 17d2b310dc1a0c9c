"""Security: keys hashed and never logged, no unsafe deserialiser in the code, nosniff on
every answer and a strict policy on the page, CORS only for the configured origins.

(401 without a key and 403 with a wrong one are tested per resource in test_sources,
test_verdicts and test_keys; the gunicorn access log is checked in test_gunicorn.)
"""
import ast
import logging
from pathlib import Path

import pytest

from service import create_app
from service.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
# Loaders that can run code from the file they read.
UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "joblib", "cloudpickle", "dill", "shelve",
                  "marshal", "torch"}
UNSAFE_CALLS = {"read_pickle", "to_pickle", "load_pickle"}
CLAIM = {"claim": "Six tanks were lost.", "source": {"name": "TASS", "type": "state_media"}}


def unsafe_uses(source: str) -> list[str]:
    """Code (not comments or docstrings) that imports or calls an unsafe loader."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module.split(".")[0]]
        elif isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.Attribute):
            names = [node.attr] if node.attr in UNSAFE_CALLS else []
        elif isinstance(node, ast.Call):
            # np.load(..., allow_pickle=True), skops.io.load(..., trusted=True)
            names = [f"{kw.arg}=True" for kw in node.keywords
                     if kw.arg in ("allow_pickle", "trusted")
                     and isinstance(kw.value, ast.Constant) and kw.value.value is True]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # importlib.import_module("pickle") and the like
            names = [node.value] if node.value in UNSAFE_MODULES else []
        found += [f"line {node.lineno}: {name}" for name in names
                  if name in UNSAFE_MODULES | UNSAFE_CALLS or name.endswith("=True")]
    return found


@pytest.mark.parametrize("code", [
    "import pickle", "from joblib import load", "import cloudpickle as cp", "import dill",
    "import torch\ntorch.load(f)", "from pickle import loads", "import pandas\npandas.read_pickle(p)",
    "importlib.import_module('pickle')", "numpy.load(p, allow_pickle=True)",
    "skops.io.load(p, trusted=True)",
])
def test_the_scan_finds_unsafe_loaders(code):
    assert unsafe_uses(code)


def test_the_scan_allows_the_words_in_comments_and_docstrings():
    code = '"""Saved with skops, never pickle or joblib: they run code."""\n# no pickle here\nx = 1\n'
    assert unsafe_uses(code) == []


def test_no_unsafe_loader_in_the_service_or_the_model():
    files = sorted((ROOT / "service").rglob("*.py")) + sorted((ROOT / "model").rglob("*.py"))
    assert len(files) > 20
    found = {str(path.relative_to(ROOT)): uses for path in files
             if (uses := unsafe_uses(path.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.fixture
def all_logs(caplog):
    """Every log record at every level, as the JSON lines the service writes."""
    caplog.set_level(logging.DEBUG)
    return lambda: "\n".join(JsonFormatter().format(record) for record in caplog.records)


def test_keys_are_never_logged_or_stored(scoring_app, runner, writer_headers, admin_headers,
                                         all_logs, caplog):
    # runner is `app`'s, and scoring_app is that same app with the model loaded.
    client = scoring_app.test_client()
    made = runner.invoke(args=["keys", "create", "desk-9"]).output.strip()
    caplog.clear()  # the CLI prints the key once, on purpose
    keys = [writer_headers["X-API-Key"], admin_headers["X-API-Key"], made,
            "csk_wrong_key_that_someone_tried"]
    for key in keys:
        headers = {"X-API-Key": key, "X-Request-ID": "rid-1"}
        scored = client.post("/v1/assessments", json=CLAIM, headers=headers)
        client.post("/v1/sources", json={"name": f"Desk {key[-4:]}"}, headers=headers)
        client.post(f"/v1/assessments/{scored.json['id']}/verdict",
                    json={"verdict": "false", "reviewer": "desk-3"}, headers=headers)
        client.post("/v1/model/reload", headers=headers)
        client.post("/v1/sources", data="{bad json", content_type="application/json",
                    headers=headers)
    text = all_logs()  # in-process the service logs failures only; see the next test
    database = Path(scoring_app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    for key in keys:
        assert key not in text
        assert key.encode() not in stored


def test_a_database_failure_does_not_log_the_key_or_the_url_password(settings, scorer,
                                                                      all_logs):
    secret_url = "postgresql+psycopg://desk:hunter2-secret@127.0.0.1:1/none"
    app = create_app({**settings, "DATABASE_URL": secret_url})
    try:
        response = app.test_client().post("/v1/sources", json={"name": "x"},
                                          headers={"X-API-Key": "csk_not_configured"})
        ready = app.test_client().get("/readyz")
    finally:
        app.extensions["db"]["engine"].dispose()
    assert response.status_code == 503 and ready.status_code == 503
    assert "database unavailable" in all_logs()  # the capture works: something was logged
    for text in (all_logs(), response.get_data(as_text=True), ready.get_data(as_text=True)):
        assert "hunter2-secret" not in text and "csk_not_configured" not in text


@pytest.mark.parametrize("method, path, kwargs", [
    ("get", "/", {}), ("get", "/static/page.js", {}), ("get", "/docs", {}),
    ("get", "/openapi.json", {}), ("get", "/healthz", {}), ("get", "/readyz", {}),
    ("get", "/metrics", {}), ("get", "/v1/taxonomy", {}), ("get", "/v1/sources", {}),
    ("get", "/v1/model", {}), ("post", "/v1/assessments", {"json": CLAIM}),
    ("post", "/v1/assessments", {"json": {}}), ("post", "/v1/sources", {"json": {}}),
    ("get", "/no/such/page", {}), ("delete", "/v1/taxonomy", {}),
    ("post", "/v1/sources", {"data": "x", "content_type": "text/plain"}),
])
def test_every_answer_says_nosniff(scoring_app, method, path, kwargs):
    with getattr(scoring_app.test_client(), method)(path, **kwargs) as response:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.status


def test_the_page_policy_allows_nothing_from_elsewhere(scoring_app):
    policy = scoring_app.test_client().get("/").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "*" not in policy and "unsafe" not in policy and "http" not in policy


@pytest.mark.parametrize("origins", ["", "https://desk.example",
                                     "https://desk.example, https://other.example"])
def test_cors_answers_only_configured_origins(app, settings, origins):
    configured = create_app({**settings, "CORS_ORIGINS": origins})
    allowed = [origin.strip() for origin in origins.split(",") if origin.strip()]
    try:
        client = configured.test_client()
        for origin in ("https://desk.example", "https://evil.example", "null",
                       "https://desk.example.evil.example"):
            for response in (
                    client.get("/v1/taxonomy", headers={"Origin": origin}),
                    client.options("/v1/assessments", headers={
                        "Origin": origin, "Access-Control-Request-Method": "POST",
                        "Access-Control-Request-Headers": "Content-Type, X-API-Key"})):
                granted = response.headers.get("Access-Control-Allow-Origin")
                assert granted == (origin if origin in allowed else None), (origin, granted)
                assert response.headers.get("Access-Control-Allow-Credentials") is None
            # Only the API is shared, never the page.
            page = client.get("/", headers={"Origin": origin})
            assert "Access-Control-Allow-Origin" not in page.headers
    finally:
        configured.extensions["db"]["engine"].dispose()
