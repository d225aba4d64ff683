"""Sealed results: the one place other features ask whether something must stay hidden because it
belongs to something still running (a competition, from its first round's opening until its organizer
publishes the results), so that nobody can pass feedback, keys or debriefs on.

The feature that runs such a thing registers its checks at start-up (``register``); pages and
services ask:

- ``sealed(attempt, viewer=None, now=None)``: are this attempt's results (per-question marks, keys,
  explanations, a drill's feedback, debrief and good path) hidden from ``viewer``? ``viewer=None``
  asks for anyone who does not run the competition. A sealed attempt's owner may still see that it
  was submitted (and a score the attempt's settings show); anybody else sees "submitted" only.
- ``practice_blocked(user, kind, ref, now=None)``: may ``user`` not practise this material now?
  ``kind`` is ``"drill"`` (``ref`` a drill id) or ``"quiz bank"`` (``ref`` a bank slug).
- ``book_deferred(attempt, now=None)``: should a graded quiz attempt's answers stay out of the
  wrong-answer book for now (they enter it when the results are published)?
- ``evidence_deferred(attempt, now=None)``: should a quiz or drill attempt's evidence (per-answer and
  per-decision scores on the profile, in Excel and xAPI) wait? The feature sends
  ``signals.attempt_published`` for each such attempt when its results are published, and the
  evidence is recorded then.

Standard library only: nothing here knows about competitions; with no check registered nothing is
sealed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

KINDS = ("drill", "quiz bank")


@dataclass(frozen=True)
class Checks:
    sealed: Callable[[object, object | None, datetime | None], bool] | None = None
    practice_blocked: Callable[[object, str, str, datetime | None], bool] | None = None
    book_deferred: Callable[[object, datetime | None], bool] | None = None
    evidence_deferred: Callable[[object, datetime | None], bool] | None = None
    #: ``sealed`` for many attempts at once (a list page): the ``(class name, id)`` of those sealed.
    sealed_many: Callable[[list, object | None, datetime | None], set] | None = None


_checks: dict[str, Checks] = {}


def register(name: str, *, sealed: Callable | None = None, practice_blocked: Callable | None = None,
             book_deferred: Callable | None = None, evidence_deferred: Callable | None = None,
             sealed_many: Callable | None = None) -> None:
    """Register (or replace) a feature's checks: ``sealed(attempt, viewer, now)``,
    ``practice_blocked(user, kind, ref, now)``, ``book_deferred(attempt, now)`` and
    ``evidence_deferred(attempt, now)``, each True when the thing must stay hidden, blocked or deferred;
    optionally ``sealed_many(attempts, viewer, now)``, the same answer as ``sealed`` for a list of
    attempts at once, as a set of ``(class name, id)``."""
    _checks[name] = Checks(sealed, practice_blocked, book_deferred, evidence_deferred, sealed_many)


def sealed(attempt, viewer=None, now: datetime | None = None) -> bool:
    """True while ``attempt``'s results (a QuizAttempt's or DrillAttempt's) are hidden from ``viewer``."""
    return any(c.sealed(attempt, viewer, now) for c in _checks.values() if c.sealed is not None)


def sealed_among(attempts, viewer=None, now: datetime | None = None) -> set:
    """``(class name, id)`` of the attempts whose results are hidden from ``viewer``: what ``sealed``
    says of each, asked at once of the checks that can (a list page's query count does not grow)."""
    attempts = list(attempts)
    hidden: set = set()
    for check in _checks.values():
        if check.sealed_many is not None:
            hidden |= check.sealed_many(attempts, viewer, now)
        elif check.sealed is not None:
            hidden |= {(type(a).__name__, a.id) for a in attempts if check.sealed(a, viewer, now)}
    return hidden


def practice_blocked(user, kind: str, ref: str, now: datetime | None = None) -> bool:
    """True while ``user`` may not practise the drill or question bank ``ref``."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
    return any(c.practice_blocked(user, kind, ref, now) for c in _checks.values() if c.practice_blocked is not None)


def book_deferred(attempt, now: datetime | None = None) -> bool:
    """True while a graded quiz attempt's answers must wait before entering the wrong-answer book."""
    return any(c.book_deferred(attempt, now) for c in _checks.values() if c.book_deferred is not None)


def evidence_deferred(attempt, now: datetime | None = None) -> bool:
    """True while a quiz or drill attempt's evidence must wait for its results to be published."""
    return any(c.evidence_deferred(attempt, now) for c in _checks.values() if c.evidence_deferred is not None)
