"""The v1 resources, one blueprint each, and the blueprint class they share."""
from __future__ import annotations

import functools
import http
import re

from flask import current_app
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from webargs.flaskparser import abort as webargs_abort

from .. import keys
from ..problems import problem


UNSTORABLE = "Text may not contain NUL characters or unpaired surrogates."


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# In a body with no NUL byte (so UTF-8: UTF-16 and UTF-32 put NULs beside ASCII), the
# decoder can only make a NUL or a surrogate from one of these escapes.
_UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def unstorable(text: str) -> bool:
    """PostgreSQL refuses NUL in text, and no database encodes a lone surrogate."""
    return _UNSTORABLE.search(text) is not None


def _unstorable_paths(value, path: str = ""):
    if isinstance(value, str):
        if unstorable(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if unstorable(str(key)):
                yield child
            yield from _unstorable_paths(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_paths(item, f"{path}.{index}" if path else str(index))


class BodyParser(FlaskParser):
    """webargs' parser; JSON that Python's decoder cannot take in is bad JSON too."""

    def _raw_load_json(self, req):
        try:
            body = super()._raw_load_json(req)
        # 10,000 nested lists, or an integer of over 4,300 digits: a 400, not a 500.
        except (RecursionError, ValueError) as error:
            self._handle_invalid_json_error(error, req)
        raw = req.get_data(cache=True)
        if b"\x00" not in raw and not _UNSTORABLE_ESCAPE.search(raw):
            return body    # nothing to look for: skip walking a batch's every string
        paths = list(_unstorable_paths(body))
        if paths:
            webargs_abort(422, messages={"json": {path: [UNSTORABLE] for path in paths}})
        return body


def json_response(body, status: int = 200):
    """A JSON answer encoded as is, for views whose dict already has the documented shape
    (assessments, built by ``assessing.answer``): the response schema then only documents
    it; the contract tests check the two agree."""
    response = current_app.json.response(body)
    response.status_code = status
    return response


class ServiceBlueprint(Blueprint):
    ARGUMENTS_PARSER = BodyParser()

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's, with one schema instance per view: given a class, webargs would
        build a new instance (and deep-copy every field) on every request."""
        return super().arguments(schema() if isinstance(schema, type) else schema,
                                 *args, **kwargs)

    def problems(self, *codes: int):
        """Document the problem responses a view can give besides the default one."""
        def decorate(view):
            for code in codes:
                view = self.alt_response(code, response=http.HTTPStatus(code).name)(view)
            return view
        return decorate

    def needs_key(self, admin: bool = False, unless_setting_off: str | None = None):
        """The view needs X-API-Key (401 without, 403 wrong); optional while a setting is off."""
        def decorate(view):
            @functools.wraps(view)
            def guarded(*args, **kwargs):
                if unless_setting_off is None or current_app.config[unless_setting_off]:
                    refusal = keys.check(admin)
                    if refusal is not None:
                        return problem(*refusal)
                return view(*args, **kwargs)
            security = [{"ApiKey": []}] if unless_setting_off is None else [{}, {"ApiKey": []}]
            return self.doc(security=security)(self.problems(401, 403)(guarded))
        return decorate


def register(api) -> None:
    from . import articles, assessments, health, model_card, sources, taxonomy

    for module in (assessments, articles, sources, taxonomy, model_card, health):
        api.register_blueprint(module.blp)
