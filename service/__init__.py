"""The credibility service: `create_app(config)` builds a configured Flask app."""
from __future__ import annotations

from flask import Flask, current_app, request, send_from_directory

from .config import FIXED, from_environment, split_list
from .jsonio import JSONProvider
from .problems import ServiceApi, problem

BODY_METHODS = ("POST", "PUT", "PATCH")


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then the environment, then `config` (tests' overrides)."""
    app = Flask(__name__)
    app.config.from_mapping(FIXED)
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    app.json = JSONProvider(app)

    from model.policy import load_policy

    from . import api, db, desks, keys, limits, logs, metrics, outlets, serving, webhooks
    from .api import page

    logs.init_app(app)
    metrics.init_app(app)
    db.init_app(app)
    keys.init_app(app)
    desks.init_app(app)
    limits.init_app(app)
    serving.init_app(app)
    outlets.init_app(app)
    webhooks.init_app(app)
    app.extensions["policy"] = load_policy()
    app.before_request(_refuse_non_json_bodies)
    app.before_request(_refuse_unstorable_text)
    app.after_request(_no_sniffing)
    app.after_request(_allow_what_the_route_serves)
    _init_cors(app)

    service_api = ServiceApi(app)
    service_api.spec.components.security_scheme(
        "ApiKey", {"type": "apiKey", "in": "header", "name": keys.HEADER})
    slot = app.extensions["model"]
    api.register(service_api, (slot.scorer.policy if slot.scorer is not None
                               else app.extensions["policy"]).source_types, app.config)
    page.init_app(app, service_api)
    app.add_url_rule("/docs/static/<path:filename>", "docs_static", _docs_static)
    return app


def _refuse_non_json_bodies():
    if request.method in BODY_METHODS and request.content_length and not request.is_json:
        return problem(415, "Send the body as application/json.")
    return None


def _refuse_unstorable_text():
    from .api import UNSTORABLE, unstorable

    # No id holds a NUL; a database would refuse the lookup itself (PostgreSQL) instead.
    if unstorable(request.path):
        return problem(404, "Nothing has this id.")
    bad = {name: [UNSTORABLE] for name, value in request.args.items(multi=True)
           if unstorable(name) or unstorable(value)}
    if bad:
        return problem(422, "The request did not pass validation; see errors.", bad)
    return None


def _no_sniffing(response):
    # Every answer, errors included: a browser must not read JSON or text as HTML or script.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _allow_what_the_route_serves(response):
    # Flask's OPTIONS lists every rule the path matches: /v1/assessments/batch also matches
    # /v1/assessments/<id>, whose GET the batch does not serve.
    rule = request.url_rule
    if request.method == "OPTIONS" and rule is not None and "Allow" in response.headers:
        served = set().union(*(other.methods for other in current_app.url_map.iter_rules()
                               if other.rule == rule.rule))
        response.headers["Allow"] = ", ".join(sorted(served))
    return response


def _init_cors(app) -> None:
    origins = split_list(app.config["CORS_ORIGINS"])
    if origins:
        from flask_cors import CORS

        CORS(app, resources={r"/v1/*": {"origins": origins}},
             allow_headers=["Content-Type", "X-API-Key", "X-Request-ID"],
             expose_headers=["X-Request-ID", "Retry-After", "X-RateLimit-Limit",
                             "X-RateLimit-Remaining", "X-RateLimit-Reset"])


def _docs_static(filename):
    """Swagger UI's files, from the swagger-ui-bundle package: /docs needs no CDN."""
    import swagger_ui_bundle

    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
