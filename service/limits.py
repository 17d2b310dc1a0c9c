"""Rate limits per API key or, without one, per address; shared through Redis when configured."""
from __future__ import annotations

from flask import g, request
from flask_limiter import Limiter

from . import keys


def rate_key() -> str:
    holder = keys.caller()
    # A wrong key counts against the address, so inventing keys buys no extra requests.
    return f"key:{holder.name}" if holder else f"addr:{request.remote_addr}"


def init_app(app) -> Limiter:
    # Registered before the limiter's own hook, so it runs after it (Flask runs them last
    # first): Flask-Limiter puts Retry-After on every answer; only a 429 should carry it,
    # or an answer that asked for its own (a 503 while the database is away).
    @app.after_request
    def _retry_after_only_on_429(response):
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
            if "retry_after" in g:
                response.headers["Retry-After"] = str(g.retry_after)
        return response

    # RATELIMIT_APPLICATION is one allowance shared by every /v1/ route, not one per route.
    limiter = Limiter(
        key_func=rate_key,
        application_limits_exempt_when=lambda: not request.path.startswith("/v1/"),
    )
    limiter.init_app(app)
    return limiter
