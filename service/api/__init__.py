"""The v1 resources, one blueprint each, and the blueprint class they share."""
from __future__ import annotations

import functools
import http

from flask import current_app
from flask_smorest import Blueprint

from .. import keys
from ..problems import problem


class ServiceBlueprint(Blueprint):
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
    from . import assessments, health, model_card, sources, taxonomy

    for module in (assessments, sources, taxonomy, model_card, health):
        api.register_blueprint(module.blp)
