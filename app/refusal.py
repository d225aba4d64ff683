"""The one error type for refused actions: what the person tried cannot be done, and why.

``str(exc)`` is the message shown to the person (services pass it through ``gettext``); views
flash it and roll back, so nothing half-done is saved (``app.web.perform``). The pure rule cores
(mentoring, competitions) raise ``RuleBroken``, a Refusal that also carries a message key and
parameters so a service can translate it; its ``str`` is an English sentence for logs and tests.
Standard library only: pure cores import it.
"""
from __future__ import annotations

from typing import Any


class Refusal(ValueError):
    """An action was refused; the message says why in the reader's language and nothing changed."""


class RuleBroken(Refusal):
    """A rule of a pure core is broken; ``key`` names the rule, ``params`` fill its message."""

    def __init__(self, key: str, message: str, **params: Any):
        super().__init__(message)
        self.key = key
        self.params = params


class FieldRefusal(Refusal):
    """A refusal about one form field: ``field`` names it, so the form shows the message beside it
    (``app.web.perform_on``) rather than at the top."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field
