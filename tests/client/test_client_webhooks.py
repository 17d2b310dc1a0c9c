"""client.verify_signature: what the service signs verifies; anything else does not."""
import hashlib
import hmac
import time

from client import verify_signature
from service.webhooks.signing import signature

SECRET = "whsec_test-secret"
BODY = b'{"id":"e1","type":"verdict.recorded","created_at":"2026-11-29T00:00:00Z","data":{}}'


def signed(body=BODY, secret=SECRET, at=None):
    return {"X-Credibility-Signature": signature(secret, body, at)}


def test_the_services_signature_verifies():
    assert verify_signature(SECRET, signed(), BODY)
    assert verify_signature(SECRET, signed(), BODY.decode())          # text body too
    assert verify_signature(SECRET, {"x-credibility-signature": signed()[
        "X-Credibility-Signature"]}, BODY)                              # any header case


def test_a_changed_body_secret_or_header_does_not_verify():
    assert not verify_signature(SECRET, signed(), BODY.replace(b"e1", b"e2"))
    assert not verify_signature(SECRET + "x", signed(), BODY)
    assert not verify_signature(SECRET, {}, BODY)
    assert not verify_signature("", signed(), BODY)
    header = signed()["X-Credibility-Signature"]
    stamp = header.split(",")[0]
    assert not verify_signature(SECRET, {"X-Credibility-Signature": stamp}, BODY)
    assert not verify_signature(SECRET, {"X-Credibility-Signature": "garbage"}, BODY)
    later = f"t={int(time.time()) + 1},{header.split(',')[1]}"   # moved timestamp
    assert not verify_signature(SECRET, {"X-Credibility-Signature": later}, BODY)


def test_a_stale_or_future_timestamp_does_not_verify():
    now = time.time()
    old = signed(at=now - 301)
    assert not verify_signature(SECRET, old, BODY)
    assert verify_signature(SECRET, old, BODY, tolerance=400)
    assert not verify_signature(SECRET, signed(at=now + 301), BODY)
    assert verify_signature(SECRET, signed(at=now - 100), BODY, now=now)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    header = signature(SECRET, BODY, 1_700_000_000)
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_any_of_several_v1_signatures_may_match():
    good = signed()["X-Credibility-Signature"]
    stamp, v1 = good.split(",")
    assert verify_signature(SECRET, {"X-Credibility-Signature": f"{stamp},v1=00ff,{v1}"}, BODY)
