"""Reading time and the lesson check's answer tokens (pure: standard library and the question types).

A lesson's hours are earned by reading it for a minimum time and passing its check
(``app.learn.check`` holds the server side). This module holds the rules:

- ``han_count(text)``: the Han characters (汉字) of a text: CJK unified ideographs, their extensions
  and the compatibility ideographs. Latin letters, digits, punctuation and Markdown do not count.
- ``minimum_seconds(text, chars_per_minute, floor_seconds)``: the reading time a lesson needs:
  its Han characters at ``chars_per_minute`` (default 300 a minute), rounded up to a whole second,
  and never less than ``floor_seconds`` (default 60), so even a short lesson asks for a minute.
- ``check_options(question, secret, context, truth_labels)``: what a page shows for a check question's
  answers: ``(token, text)`` pairs. Each token is an HMAC of the secret key, the context (person,
  lesson, draw) and the option's key, so a token means nothing outside that page and the form
  values tell nothing about which option is right. The options are shown in token order: shuffled
  per person and draw, stable on reload. Fill-in questions have no options (a text box).
- ``check_answer(question, raw, tokens)``: a submitted answer (tokens, or text for fill-in) graded:
  ``None`` when unanswered, else whether it earns full marks. An unknown token is a wrong answer.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Sequence
from typing import Any

from ..quiz.questions import AnswerError, Question

#: Han characters: CJK unified ideographs (extension A, the basic block, extensions B-H) and the
#: compatibility ideographs.
HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003347f]")

DEFAULT_CHARS_PER_MINUTE = 300
DEFAULT_FLOOR_SECONDS = 60
TOKEN_LENGTH = 16  # hex digits of the HMAC kept in a token


def han_count(text: str) -> int:
    return len(HAN_RE.findall(text or ""))


def minimum_seconds(text: str, chars_per_minute: float = DEFAULT_CHARS_PER_MINUTE,
                    floor_seconds: int = DEFAULT_FLOOR_SECONDS) -> int:
    """Seconds a lesson must stay open before its hours can be credited (see the module docstring)."""
    if chars_per_minute <= 0:
        raise ValueError("chars_per_minute must be positive")
    return max(int(floor_seconds), math.ceil(han_count(text) * 60 / chars_per_minute))


def token(secret: str | bytes, context: str, key: str) -> str:
    """The opaque form value of answer ``key`` in ``context`` (e.g. ``"7:12:1:345"``)."""
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"lesson-check|{context}|{key}".encode(), hashlib.sha256)
    return digest.hexdigest()[:TOKEN_LENGTH]


def tokens_of(question: Question, secret: str | bytes, context: str) -> dict[str, str]:
    """token → the answer key it stands for (option id, or "true"/"false"); empty for fill-in."""
    return {token(secret, context, key): key for key in question.option_texts()}


def check_options(question: Question, secret: str | bytes, context: str,
                  truth_labels: tuple[str, str] = ("True", "False")) -> list[tuple[str, str]]:
    """``(token, text)`` for each answer a page offers, in the learner's order (empty for fill-in)."""
    texts = question.option_texts(truth_labels)
    return sorted(((token(secret, context, key), text) for key, text in texts.items()), key=lambda pair: pair[0])


def check_answer(question: Question, raw: Any, tokens: dict[str, str]) -> bool | None:
    """Grade a submitted check answer: None when unanswered, True only for full marks.

    ``raw`` is what ``question.from_form`` read: a token, a list of tokens (multiple choice) or text
    (fill-in). A token that is not one of ``tokens`` (another page's, made up) makes the answer wrong.
    """
    if raw is None or raw == "" or (isinstance(raw, Sequence) and not isinstance(raw, str) and not raw):
        return None
    if tokens:
        picked = [raw] if isinstance(raw, str) else list(raw)
        if any(value not in tokens for value in picked):
            return False
        keys = [tokens[value] for value in picked]
        raw = keys[0] if isinstance(raw, str) else keys
    try:
        if question.normalise(raw) is None:
            return None
        return question.grade(raw) >= 1.0 - 1e-9
    except AnswerError:
        return False
