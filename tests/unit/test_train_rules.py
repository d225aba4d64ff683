"""Training-class rules (app/train/rules.py): sign-in times, lateness, hours credited, completion."""
from datetime import datetime, timedelta, timezone

import pytest

from app.refusal import RuleBroken
from app.train import rules

START = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)   # 09:00 in Shanghai
END = START + timedelta(hours=3)


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_sign_in_opens_half_an_hour_before_and_closes_at_the_end():
    rules.check_sign_in(START, END, at(-30))
    rules.check_sign_in(START, END, at(179))
    with pytest.raises(RuleBroken) as early:
        rules.check_sign_in(START, END, at(-31))
    assert early.value.key == "not_open"
    with pytest.raises(RuleBroken) as over:
        rules.check_sign_in(START, END, END)
    assert over.value.key == "ended"


def test_sign_out_from_the_start_to_half_an_hour_after_the_end():
    rules.check_sign_out(START, END, at(0))
    rules.check_sign_out(START, END, END + timedelta(minutes=30))
    with pytest.raises(RuleBroken):
        rules.check_sign_out(START, END, at(-1))
    with pytest.raises(RuleBroken):
        rules.check_sign_out(START, END, END + timedelta(minutes=31))


def test_on_time_and_within_grace_get_the_full_hours():
    assert rules.credit(3, START, END, at(-20)).hours == 3.0
    within = rules.credit(3, START, END, at(rules.GRACE_MINUTES + 0.9))
    assert within.hours == 3.0 and within.late == rules.GRACE_MINUTES and not rules.is_late(within.late)


def test_late_minutes_are_deducted_and_rounded_down():
    late = rules.credit(3, START, END, at(15))
    assert (late.late, late.attended, late.scheduled, late.hours) == (15, 165, 180, 2.7)
    assert late.basis == "3.0 h × 165/180 min" and rules.is_late(late.late)


def test_a_session_that_needs_signing_out_credits_at_the_sign_out():
    pending = rules.credit(3, START, END, at(0), None, requires_sign_out=True)
    assert pending.pending and pending.hours == 0
    stayed = rules.credit(3, START, END, at(0), END + timedelta(minutes=10), requires_sign_out=True)
    assert stayed.hours == 3.0 and stayed.early == 0
    left = rules.credit(3, START, END, at(10), at(120), requires_sign_out=True)
    assert (left.late, left.early, left.attended, left.hours) == (10, 60, 110, 1.8)


def test_nobody_is_credited_more_than_the_session_or_less_than_nothing():
    assert rules.credit(2.5, START, END, END - timedelta(minutes=1)).hours == 0.0
    assert rules.credit(2.5, START, END, at(-30), END + timedelta(hours=1), True).hours == 2.5


def test_completion_needs_the_share_of_hours_and_the_quiz_if_any():
    done = rules.completion(24, 30, 0.8, quiz_required=False, quiz_passed=False)
    assert done.complete and done.share == 0.8
    short = rules.completion(23.9, 30, 0.8, quiz_required=False, quiz_passed=False)
    assert not short.complete and short.missing == ["attendance"]
    no_quiz = rules.completion(30, 30, 0.8, quiz_required=True, quiz_passed=False)
    assert no_quiz.missing == ["quiz"]
    assert rules.completion(30, 30, 0.8, quiz_required=True, quiz_passed=True).complete
    assert rules.completion(0, 0, 0.8, quiz_required=False, quiz_passed=False).missing == ["attendance"]


def test_attendance_rate():
    assert rules.attendance_rate(49, 50) == 0.98
    assert rules.attendance_rate(0, 0) is None
