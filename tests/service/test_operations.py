"""Request ids, CORS and JSON logs."""
import json
import logging

from service.logs import JsonFormatter


def test_a_request_id_is_made_and_echoed(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != made


def test_a_good_request_id_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123"
    for bad in ("has spaces and <tags>", "x" * 500, ""):
        replaced = client.get("/nowhere", headers={"X-Request-ID": bad})
        assert replaced.status_code == 404
        assert len(replaced.headers["X-Request-ID"]) == 32 != len(bad)


def test_cors_only_for_configured_origins(settings):
    from service import create_app
    from service.db import upgrade

    upgrade(settings["DATABASE_URL"])
    for origins, allowed in (("", None), ("https://desk.example", "https://desk.example")):
        app = create_app({**settings, "CORS_ORIGINS": origins})
        try:
            response = app.test_client().get("/v1/taxonomy",
                                             headers={"Origin": "https://desk.example"})
        finally:
            app.extensions["db"]["engine"].dispose()
        assert response.headers.get("Access-Control-Allow-Origin") == allowed


def test_log_lines_are_json_with_the_request_id(app, client):
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(JsonFormatter().format(record))

    @app.route("/say")
    def say():
        app.logger.warning("hello %s", "desk")
        return "ok"

    handler = Keep()
    app.logger.addHandler(handler)
    try:
        client.get("/say", headers={"X-Request-ID": "rid-7"})
    finally:
        app.logger.removeHandler(handler)
    line = json.loads(lines[-1])
    assert line["message"] == "hello desk" and line["request_id"] == "rid-7"
    assert line["level"] == "warning"
