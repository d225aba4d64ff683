"""Opaque form values for the choices of a question (pure: standard library only).

A page never names an option by its id (``a``, ``b`` … give the file order away, and the file order
tells the key when authors put it first). Each choice is sent as a token instead: the first 10
characters of the URL-safe base64 of HMAC-SHA256(secret, "<scope>:<choice id>"). The scope names
one showing of the question, e.g. "<attempt id>:<answer row id>" for a quiz attempt, so a token
means nothing outside it; only the server, holding the secret, maps tokens back::

    tokens = choice_tokens(secret, "17:301", ("a", "b", "c"))   # {"a": "Xq3…", "b": …}
    choice_of(tokens, "Xq3…")                                   # "a"; None for an unknown token

Tokens carry no order: sorting them says nothing about the file order or the key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

#: Characters of a token (60 bits: a collision inside one question is out of reach).
TOKEN_LENGTH = 10


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def choice_token(secret: str | bytes, scope: str, choice_id: str) -> str:
    """The token of one choice in one showing of a question."""
    digest = hmac.new(_key(secret), f"{scope}:{choice_id}".encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:TOKEN_LENGTH]


def choice_tokens(secret: str | bytes, scope: str, choice_ids: Iterable[str]) -> dict[str, str]:
    """Choice id → token for every choice of a question in one showing."""
    return {choice: choice_token(secret, scope, choice) for choice in choice_ids}


def choice_of(tokens: Mapping[str, str], token: object) -> str | None:
    """The choice id a token stands for (``tokens`` as ``choice_tokens`` gives them); None if unknown."""
    if not isinstance(token, str) or not token.isascii():
        return None
    return next((choice for choice, known in tokens.items() if hmac.compare_digest(known, token)), None)
