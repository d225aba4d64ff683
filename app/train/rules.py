"""The rules of training classes (pure: standard library only): when sign-in is open, lateness and
early leaving against the timetable, the hours a session credits, and completing a class.

Hours: a session credits its hours in proportion to the minutes attended. Minutes late (signed in
after the start) and minutes early (signed out before the end, for a session that requires signing
out) are deducted beyond ``GRACE_MINUTES`` each; so someone 3 minutes late gets the full hours and
someone 15 minutes late of 180 loses 15 minutes' worth. Hours are rounded down to 0.1 h, so nobody
is credited more than they sat through. A session that requires signing out credits nothing until
the person signs out (or an organizer marks them present).

Completion: attended credit hours reach ``min_share`` of the timetable's hours, and the class's final
quiz (if it has one) is passed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..refusal import RuleBroken

#: Minutes after the start (or before the end) that are not counted as late (or early).
GRACE_MINUTES = 5
#: Sign-in opens this long before a session starts.
OPENS_BEFORE = timedelta(minutes=30)
#: Sign-out stays open this long after a session ends.
CLOSES_AFTER = timedelta(minutes=30)


def _minutes(delta: timedelta) -> int:
    return max(0, math.floor(delta.total_seconds() / 60))


def late_minutes(starts_at: datetime, signed_in_at: datetime) -> int:
    """Whole minutes after the start that someone signed in (0 when on time or early)."""
    return _minutes(signed_in_at - starts_at)


def early_minutes(ends_at: datetime, signed_out_at: datetime) -> int:
    """Whole minutes before the end that someone signed out (0 when they stayed)."""
    return _minutes(ends_at - signed_out_at)


def is_late(minutes: int) -> bool:
    return minutes > GRACE_MINUTES


def check_sign_in(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Raises RuleBroken("not_open") before sign-in opens, ("ended") once the session is over."""
    if now < starts_at - OPENS_BEFORE:
        raise RuleBroken("not_open", "sign-in has not opened yet", opens=starts_at - OPENS_BEFORE)
    if now >= ends_at:
        raise RuleBroken("ended", "the session is over")


def check_sign_out(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """Raises RuleBroken("not_started") before the start, ("closed") after the sign-out window."""
    if now < starts_at:
        raise RuleBroken("not_started", "the session has not started")
    if now > ends_at + CLOSES_AFTER:
        raise RuleBroken("closed", "sign-out has closed")


@dataclass(frozen=True)
class Credit:
    """What one attendance credits: hours, and how they were worked out."""

    hours: float
    late: int          # minutes late
    early: int         # minutes early
    attended: int      # minutes counted
    scheduled: int     # minutes on the timetable
    pending: bool      # waiting for the sign-out

    @property
    def basis(self) -> str:
        """The working, in numbers: "3.0 h × 165/180 min"."""
        return f"{self.hours_full:.1f} h × {self.attended}/{self.scheduled} min"

    hours_full: float = 0.0


def credit(hours: float, starts_at: datetime, ends_at: datetime, signed_in_at: datetime | None,
           signed_out_at: datetime | None = None, requires_sign_out: bool = False) -> Credit:
    """The hours a QR attendance credits (see the module docstring)."""
    scheduled = max(1, _minutes(ends_at - starts_at))
    late = late_minutes(starts_at, signed_in_at) if signed_in_at else 0
    early = early_minutes(ends_at, signed_out_at) if signed_out_at else 0
    pending = requires_sign_out and signed_out_at is None
    lost = (late if is_late(late) else 0) + (early if early > GRACE_MINUTES else 0)
    attended = max(0, scheduled - lost)
    earned = 0.0 if pending else math.floor(hours * attended / scheduled * 10 + 1e-9) / 10
    return Credit(hours=earned, late=late, early=early, attended=attended, scheduled=scheduled,
                  pending=pending, hours_full=hours)


@dataclass(frozen=True)
class Completion:
    """Whether a person completes a class, and what is missing if not."""

    attended_hours: float
    planned_hours: float
    min_share: float
    quiz_required: bool
    quiz_passed: bool
    missing: list[str] = field(default_factory=list)   # "attendance", "quiz"

    @property
    def share(self) -> float:
        return self.attended_hours / self.planned_hours if self.planned_hours else 0.0

    @property
    def complete(self) -> bool:
        return not self.missing


def completion(attended_hours: float, planned_hours: float, min_share: float, *, quiz_required: bool,
               quiz_passed: bool) -> Completion:
    """Attendance ≥ ``min_share`` of the planned hours (a class without hours cannot be completed)
    and, if the class has a final quiz, the quiz passed."""
    missing = []
    if planned_hours <= 0 or attended_hours + 1e-9 < min_share * planned_hours:
        missing.append("attendance")
    if quiz_required and not quiz_passed:
        missing.append("quiz")
    return Completion(attended_hours, planned_hours, min_share, quiz_required, quiz_passed, missing)


def attendance_rate(attended: int, required: int) -> float | None:
    """参训率: attended / required (None when nobody was required)."""
    return attended / required if required else None
