"""Sign-in codes for the projector (pure: standard library only).

The organizer's projector shows a QR code whose link carries a token that changes every ``WINDOW``
seconds. A token is bound to one session, one purpose ("in" to sign in, "out" to sign out) and one
time window: ``<window>.<signature>``, where ``window`` is ``floor(unix time / WINDOW)`` and the
signature is the first 16 characters of the URL-safe base64 of
HMAC-SHA256(secret, "train:<purpose>:<session id>:<window>"). Only the server holds the secret::

    token = make_token(secret, 42, "in", now)          # what the projector shows now
    check_token(secret, 42, "in", token, now)          # the window it was issued for, or TokenRefused

A token is accepted in its own window and the next one (``GRACE`` windows), so a code scanned just
before it changed still works, and a photo of it sent to someone at home is useless a minute later.
A token of another session or purpose, a forged signature, a token from the future or an unreadable
one is refused with a reason (``TokenRefused.reason``) the server turns into a message.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

#: Seconds a code is shown before the next one.
WINDOW = 30
#: Windows after its own in which a token is still accepted.
GRACE = 1
SIGNATURE_LENGTH = 16
PURPOSES = ("in", "out")


class TokenRefused(ValueError):
    """A token that does not sign in (or out) now; ``reason`` is malformed, signature, expired or future."""

    def __init__(self, reason: str):
        super().__init__(f"sign-in token refused: {reason}")
        self.reason = reason


def window_of(now: float, window: int = WINDOW) -> int:
    """The window a moment (unix seconds) falls in."""
    return int(now // window)


def seconds_left(now: float, window: int = WINDOW) -> float:
    """Seconds until the code shown at ``now`` changes."""
    return window - (now % window)


def _signature(secret: str | bytes, session_id: int, purpose: str, window_index: int) -> str:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    message = f"train:{purpose}:{session_id}:{window_index}".encode("ascii")
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:SIGNATURE_LENGTH]


def make_token(secret: str | bytes, session_id: int, purpose: str, now: float, window: int = WINDOW) -> str:
    """The token the projector shows at ``now`` for ``purpose`` ("in" or "out") of one session."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    index = window_of(now, window)
    return f"{index}.{_signature(secret, session_id, purpose, index)}"


def check_token(secret: str | bytes, session_id: int, purpose: str, token: object, now: float,
                window: int = WINDOW, grace: int = GRACE) -> int:
    """The window ``token`` was issued in, if it signs ``purpose`` of ``session_id`` at ``now``.

    Raises ``TokenRefused``: "malformed" (not a token), "signature" (forged, or of another session or
    purpose), "expired" (its window and grace are over) or "future" (a window not yet begun)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, not {purpose!r}")
    if not isinstance(token, str) or not token.isascii() or len(token) > 40:
        raise TokenRefused("malformed")
    index_text, dot, signature = token.partition(".")
    if not dot or not index_text.isdigit() or len(signature) != SIGNATURE_LENGTH:
        raise TokenRefused("malformed")
    index = int(index_text)
    if not hmac.compare_digest(_signature(secret, session_id, purpose, index), signature):
        raise TokenRefused("signature")
    current = window_of(now, window)
    if index > current:
        raise TokenRefused("future")
    if current - index > grace:
        raise TokenRefused("expired")
    return index
