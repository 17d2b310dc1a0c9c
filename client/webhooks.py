"""Checking that a webhook came from the service: `verify_signature`.

    from client import verify_signature

    if not verify_signature(SECRET, request.headers, request.get_data()):
        abort(400)
    event = request.get_json()      # drop it if event["id"] was seen already

The service signs each delivery with `X-Credibility-Signature: t=<unix seconds>,v1=<hex
HMAC-SHA256(secret, "<t>.<raw body>")>`. Check the raw bytes as received, before any
JSON parsing.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Mapping

SIGNATURE_HEADER = "X-Credibility-Signature"


def _header(headers, name: str) -> str | None:
    value = headers.get(name) if hasattr(headers, "get") else None
    if value is None and isinstance(headers, Mapping):     # a plain dict: any case
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def verify_signature(secret: str, headers, body: bytes | str, tolerance: float = 300,
                     now: float | None = None) -> bool:
    """True when `body` carries a valid signature under `secret`, made within `tolerance`
    seconds of `now` (so that a captured delivery cannot be replayed later)."""
    header = _header(headers, SIGNATURE_HEADER)
    if not header or not secret:
        return False
    if isinstance(body, str):
        body = body.encode("utf-8")
    stamp, signatures = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            stamp = value
        elif name == "v1":
            signatures.append(value)
    if stamp is None or not stamp.isdigit() or not signatures:
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(stamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode("utf-8"), stamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    # Every listed v1 is compared in constant time; any one may match (a rotated secret).
    return any([hmac.compare_digest(expected, given) for given in signatures])
