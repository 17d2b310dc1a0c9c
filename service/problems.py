"""One error shape for every failure: RFC 9457 problem details, documented once."""
from __future__ import annotations

import http
import json

import marshmallow as ma
from flask import current_app
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem; "
                                                     "`about:blank` when the status says it all"})
    title = ma.fields.String(metadata={"description": "The status's short name"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong with this request"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation failures: field path -> messages"})


def flatten_messages(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow/webargs nested messages as `{"source.id": [...], "items.2.claim": [...]}`."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            key = str(key)
            if not prefix and key in ("json", "query", "view_args"):
                child = ""  # the request location is not a field name
            elif key == "_schema":
                child = prefix
            else:
                child = f"{prefix}.{key}" if prefix else key
            for path, texts in flatten_messages(value, child).items():
                flat.setdefault(path, []).extend(texts)
        return flat
    texts = messages if isinstance(messages, list) else [messages]
    return {prefix or "body": [str(text) for text in texts]}


def problem_body(status: int, detail: str | None = None, errors=None) -> dict:
    """The problem document for one failure."""
    phrase = http.HTTPStatus(status).phrase
    body = {"type": "about:blank", "title": phrase, "status": status, "detail": detail or phrase}
    if errors:
        body["errors"] = errors
    return body


def problem(status: int, detail: str | None = None, errors=None, headers=None):
    """The response for one failure."""
    body = current_app.json.dumps(problem_body(status, detail, errors))
    return current_app.response_class(body, status=status, headers=headers,
                                      mimetype=PROBLEM_JSON)


def write_wire_problem(sock, status: int, reason: str, message: str) -> None:
    """gunicorn's util.write_error, as a problem: what gunicorn refuses before the app sees
    it (a request line over limit_request_line: 414, headers it cannot parse: 400, too
    many: 431) gets the one error shape too, not gunicorn's HTML page."""
    from gunicorn.util import write_nonblock

    body = json.dumps(problem_body(status, message or reason)).encode("ascii")
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
            f"Content-Type: {PROBLEM_JSON}\r\nX-Content-Type-Options: nosniff\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    write_nonblock(sock, head.encode("latin-1") + body)


class ServiceApi(Api):
    """flask-smorest's Api with problem+json errors, in the responses and in the document."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        for status in http.HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other failure", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        if errors is not None:
            errors = flatten_messages(errors)
        detail = data.get("message")
        if detail is None:
            # Flask's generic text for a 500; werkzeug's descriptions say nothing private.
            detail = error.description if error.code != 500 else "The server failed to answer."
            if errors:
                detail = "The request did not pass validation; see errors."
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        headers += list((data.get("headers") or {}).items())
        return problem(error.code or 500, detail, errors, headers)

