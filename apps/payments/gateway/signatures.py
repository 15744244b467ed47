"""HMAC-SHA256 signatures of gateway webhooks: ``X-VelocityPay-Signature: t=<unix time>,v1=<hex digest>``,
the digest over ``"<t>." + body`` with the shared webhook secret. A signature older than the tolerance is
refused too, so a captured webhook cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-VelocityPay-Signature"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        received = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)
