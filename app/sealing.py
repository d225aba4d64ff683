"""Sealed results: while an attempt belongs to something still running (a competition round that is
open), its feedback, debrief and key stay hidden so nobody can pass them on. The feature that runs
such a thing registers a check at start-up; pages that show results ask ``sealed``."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

_checks: dict[str, Callable[[object, datetime | None], bool]] = {}


def register(name: str, check: Callable[[object, datetime | None], bool]) -> None:
    """``check(attempt, now)`` is True while ``attempt`` (a DrillAttempt or QuizAttempt) is sealed."""
    _checks[name] = check


def sealed(attempt, now: datetime | None = None) -> bool:
    return any(check(attempt, now) for check in _checks.values())
