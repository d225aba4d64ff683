"""The error the pure rule modules raise (mentoring, competitions): a message key and parameters
for the view to translate, and an English message for logs and tests."""
from __future__ import annotations

from typing import Any


class RuleBroken(ValueError):
    """A rule is broken; ``key`` names the rule, ``params`` fill its message."""

    def __init__(self, key: str, message: str, **params: Any):
        super().__init__(message)
        self.key = key
        self.params = params
