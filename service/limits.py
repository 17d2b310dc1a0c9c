"""Rate limits per API key or, without one, per address; shared through Redis when configured."""
from __future__ import annotations

from flask import request
from flask_limiter import Limiter

from . import keys


def rate_key() -> str:
    holder = keys.caller()
    # A wrong key counts against the address, so inventing keys buys no extra requests.
    return f"key:{holder.name}" if holder else f"addr:{request.remote_addr}"


def init_app(app) -> Limiter:
    limiter = Limiter(
        key_func=rate_key,
        default_limits_exempt_when=lambda: not request.path.startswith("/v1/"),
    )
    limiter.init_app(app)
    return limiter
