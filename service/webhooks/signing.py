"""Signing secrets and signatures.

A subscription's secret is never stored: it is HMAC-SHA256 under WEBHOOKS_SECRET_KEY of
the subscription's id and a random salt that is stored. A copy of the database alone
cannot sign; the key alone cannot either (it needs the salt). `key_id`, a fingerprint of
the key, is stored beside the salt so that a changed key is noticed instead of signing
with secrets the receivers do not have.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Credibility-Signature"
EVENT_HEADER = "X-Credibility-Event"
DELIVERY_HEADER = "X-Credibility-Delivery"
MIN_KEY_CHARS = 32


class NoKey(Exception):
    """WEBHOOKS_SECRET_KEY is unset: no secret can be made or used."""


class KeyChanged(Exception):
    """The subscription's secret came from another WEBHOOKS_SECRET_KEY than the one set."""


def check_key(key: str) -> None:
    if key and len(key) < MIN_KEY_CHARS:
        raise ValueError(f"WEBHOOKS_SECRET_KEY must be at least {MIN_KEY_CHARS} characters "
                         "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")


def _mac(key: str, *parts: str) -> bytes:
    if not key:
        raise NoKey("WEBHOOKS_SECRET_KEY is not set")
    return hmac.new(key.encode(), "\x00".join(parts).encode(), hashlib.sha256).digest()


def key_id(key: str) -> str:
    """A fingerprint of the key (it does not reveal the key)."""
    return _mac(key, "credibility webhook key id").hex()[:16]


def new_salt() -> str:
    return secrets.token_hex(32)


def secret(key: str, webhook_id: str, salt: str, stored_key_id: str | None = None) -> str:
    """The subscription's signing secret; KeyChanged if it was made under another key."""
    if stored_key_id is not None and not hmac.compare_digest(key_id(key), stored_key_id):
        raise KeyChanged("the subscription's secret was made under another "
                         "WEBHOOKS_SECRET_KEY")
    mac = _mac(key, "credibility webhook secret", webhook_id, salt)
    return "whsec_" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def signature(secret_text: str, body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    mac = hmac.new(secret_text.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return f"t={stamp},v1={mac.hexdigest()}"
