"""The order and the opaque form values of a drill's choices in one attempt (pure: standard library only).

A drill file lists the best choice first more often than not, and choice ids (``withdraw-call``) say
what they do, so a play page must show neither the file order nor the ids. For one attempt, the
choices of each node are shown in an order fixed by HMAC-SHA256(secret, "<attempt id>:<node id>:<choice
id>") (random to anyone without the secret, the same on every reload, device and resume) and each is
sent as a token meaningful only at that node of that attempt (``app.quiz.tokens``, scope
"drill:<attempt id>:<node id>"); only the server, holding the secret, maps a token back::

    shown = ordered(secret, 17, "arrive", ["withdraw-call", "knock-ventilate", "bell-and-light"])
    tokens = node_tokens(secret, 17, "arrive", shown)     # {"withdraw-call": "Xq3…", …}
    choice_of(tokens, "Xq3…")                              # "withdraw-call"; None for an unknown token

The order and the tokens come from different keys, so sorting the tokens says nothing about the order.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from ..quiz.tokens import choice_of, choice_tokens

__all__ = ["choice_of", "node_tokens", "ordered"]


def _order_key(secret: str | bytes, attempt_id: int, node_id: str, choice_id: str) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"drill-order:{attempt_id}:{node_id}:{choice_id}".encode(),
                    hashlib.sha256).digest()


def ordered(secret: str | bytes, attempt_id: int, node_id: str, choice_ids: Iterable[str]) -> list[str]:
    """``choice_ids`` in the order attempt ``attempt_id`` shows them at node ``node_id``."""
    return sorted(choice_ids, key=lambda choice: _order_key(secret, attempt_id, node_id, choice))


def node_tokens(secret: str | bytes, attempt_id: int, node_id: str, choice_ids: Iterable[str]) -> dict[str, str]:
    """Choice id → the token a page sends for it at node ``node_id`` of attempt ``attempt_id``."""
    return choice_tokens(secret, f"drill:{attempt_id}:{node_id}", choice_ids)
