"""One config object: defaults, then environment variables, then the caller's overrides."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every setting a deployment may change, with its default; README's table lists them.
DEFAULTS = {
    "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'service.db'}",
    "SQLITE_SYNCHRONOUS": "NORMAL",
    "MODEL_REGISTRY": str(ROOT / "model" / "registry"),
    "MODEL_POLL_SECONDS": 2.0,
    "API_KEYS": "",
    "ADMIN_API_KEYS": "",
    "SCORING_REQUIRES_KEY": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_APPLICATION": "300 per minute",
    "RATELIMIT_ENABLED": True,
    "MAX_BATCH_ITEMS": 100,
    "MAX_CLAIM_CHARS": 2000,
    "MAX_ARTICLE_CHARS": 50_000,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "CORS_ORIGINS": "",
    "CLAIMREVIEW_AUTHOR": "Credibility desk",
    "DEFAULT_DESK": "default",
    "DESK_CACHE_SECONDS": 1.0,
    # Where MBFC, Baly et al., Idiap and EUvsDisinfo lie (laid out as ../shared/datasets);
    # empty: the shipped outlet table only (names and Lin et al. 2023).
    "OUTLET_DATA": str(ROOT.parent / "shared" / "datasets"),
    # Webhooks (service/webhooks/): signing secrets are derived from this key; unset, no
    # webhook can be made.
    "WEBHOOKS_SECRET_KEY": "",
    "WEBHOOKS_ALLOW_HTTP": False,
    "WEBHOOKS_ALLOW_PRIVATE": False,
    "WEBHOOKS_DELIVER": True,
    "WEBHOOKS_POLL_SECONDS": 1.0,
    "WEBHOOKS_TIMEOUT_SECONDS": 5.0,
    "WEBHOOKS_LEASE_SECONDS": 60.0,
    "WEBHOOKS_RETRY_BASE_SECONDS": 30.0,
    "WEBHOOKS_GIVE_UP_SECONDS": 86400.0,
}

# Fixed settings of the extensions; not meant to vary between deployments.
FIXED = {
    "API_TITLE": "Source credibility",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/static/",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "credibility",
}


def _parse(raw: str, default):
    if isinstance(default, bool):
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"not a boolean: {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def from_environment(environ=None) -> dict:
    """The defaults with each one the environment sets replaced, parsed to the default's type."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        if name in environ:
            try:
                config[name] = _parse(environ[name], default)
            except ValueError as error:
                raise ValueError(f"environment variable {name}: {error}") from None
    return config


def database_url(environ=None) -> str:
    """DATABASE_URL as the service reads it (training's CLIs default to the same database)."""
    environ = os.environ if environ is None else environ
    return environ.get("DATABASE_URL", DEFAULTS["DATABASE_URL"])


def split_list(value) -> list[str]:
    """A comma-separated setting (API_KEYS, CORS_ORIGINS) as a list without blanks."""
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]
