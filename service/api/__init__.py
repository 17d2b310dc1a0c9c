"""The v1 resources, one blueprint each, and the blueprint class they share."""
from __future__ import annotations

import datetime
import functools
import http
import re

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import fields as ma_fields
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
    """webargs' parser; JSON that Python's decoder cannot take in is bad JSON too, and a
    query parameter of one value given twice is refused (webargs would take the first)."""

    def load_querystring(self, req, schema):
        query = super().load_querystring(req, schema)   # a MultiDictProxy
        repeated = {name: ["Give this parameter once."] for name in req.args
                    if name not in query.multiple_keys and len(req.args.getlist(name)) > 1}
        if repeated:
            webargs_abort(422, messages={"query": repeated})
        return query

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


def register(api, source_types, config) -> None:
    """The blueprints, documented with `source_types` (the taxonomy) as the enum of types
    and with the limits `config` sets (a field's metadata names its setting)."""
    from ..schemas import PastDate, SourceType, years_up_to
    from . import (articles, assessments, desks, health, model_card, outlets, sources,
                   taxonomy, webhooks)

    this_year = datetime.datetime.now(datetime.timezone.utc).year

    def taxonomy_enum(_converter, field, **_):
        return {"enum": sorted(source_types)} if isinstance(field, SourceType) else {}

    def past_years(_converter, field, **_):
        if not isinstance(field, PastDate):
            return {}
        return {"pattern": f"^{years_up_to(this_year)}-[0-9]{{2}}-[0-9]{{2}}$"}

    def configured_limit(_converter, field, **_):
        setting = field.metadata.get("limit_setting")
        if setting is None:
            return {}
        return {"maxItems" if isinstance(field, ma_fields.List) else "maxLength": config[setting]}

    for describe in (taxonomy_enum, past_years, configured_limit):
        api.ma_plugin.converter.add_attribute_function(describe)
    for module in (assessments, articles, sources, desks, outlets, taxonomy, model_card,
                   webhooks, health):
        api.register_blueprint(module.blp)
