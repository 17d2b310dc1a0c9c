"""The web page for journalists at `/`: HTML, CSS and JavaScript from this service only."""
from __future__ import annotations

from flask import current_app, render_template, request

from . import ServiceBlueprint

# Everything the page loads comes from this service; no inline script or style.
CONTENT_SECURITY_POLICY = ("default-src 'self'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'; object-src 'none'")
PAGE_ENDPOINTS = ("page.index", "static")

blp = ServiceBlueprint("page", __name__, description="The web page for journalists.")


@blp.route("/", methods=["GET"])
@blp.response(200, {"type": "string"}, content_type="text/html",
              description="The page: a form to score a claim, the answer, a verdict form")
def index():
    """The web page: score a claim, read why, record a verdict"""
    return current_app.response_class(render_template("index.html"), mimetype="text/html")


def init_app(app, api) -> None:
    """Register the page on `api` (so /openapi.json lists it) and its security headers."""
    api.register_blueprint(blp)
    app.after_request(_page_headers)


def _page_headers(response):
    if request.endpoint in PAGE_ENDPOINTS:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
