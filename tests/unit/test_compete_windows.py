"""Competition rounds on the server clock: window states at the exact boundaries, who may start, deadlines."""
from datetime import datetime, timedelta, timezone

import pytest

from app.compete.rules import (
    CLOSED, OPEN, UPCOMING, attempt_deadline, can_see_other_judges, check_can_judge, check_can_start, check_window,
    round_state,
)
from app.refusal import RuleBroken

CST = timezone(timedelta(hours=8))
OPENS = datetime(2024, 5, 10, 9, 0, tzinfo=CST)
CLOSES = datetime(2024, 5, 10, 10, 0, tzinfo=CST)
TICK = timedelta(microseconds=1)


@pytest.mark.parametrize(("now", "expected"), [
    (OPENS - timedelta(days=1), UPCOMING),
    (OPENS - TICK, UPCOMING),
    (OPENS, OPEN),                                  # opens at the exact instant
    (OPENS + TICK, OPEN),
    (CLOSES - TICK, OPEN),
    (CLOSES, CLOSED),                               # already closed at the exact closing instant
    (CLOSES + timedelta(days=1), CLOSED),
    (datetime(2024, 5, 10, 1, 0, tzinfo=timezone.utc), OPEN),      # 09:00 in Beijing, given in UTC
    (datetime(2024, 5, 10, 2, 0, tzinfo=timezone.utc), CLOSED),    # 10:00 in Beijing
])
def test_round_state_boundaries(now, expected):
    assert round_state(OPENS, CLOSES, now) == expected


def test_window_must_close_after_it_opens():
    check_window(OPENS, CLOSES)
    for closes in (OPENS, OPENS - TICK):
        with pytest.raises(RuleBroken) as error:
            round_state(OPENS, closes, OPENS)
        assert error.value.key == "window.bad_order"


@pytest.mark.parametrize("which", ["opens_at", "closes_at", "now"])
def test_naive_times_are_refused(which):
    times = {"opens_at": OPENS, "closes_at": CLOSES, "now": OPENS}
    times[which] = times[which].replace(tzinfo=None)
    with pytest.raises(RuleBroken) as error:
        round_state(times["opens_at"], times["closes_at"], times["now"])
    assert error.value.key == "time.naive" and error.value.params == {"name": which}


def start(now, enrolled=True, attempted=False):
    check_can_start(opens_at=OPENS, closes_at=CLOSES, now=now, enrolled=enrolled, attempted=attempted)


def test_can_start_inside_the_window_once():
    start(OPENS)
    start(CLOSES - TICK)


@pytest.mark.parametrize(("now", "enrolled", "attempted", "key"), [
    (OPENS - TICK, True, False, "start.not_open_yet"),
    (CLOSES, True, False, "start.closed"),
    (OPENS, True, True, "start.already_attempted"),
    (OPENS, False, False, "start.not_enrolled"),
    # order: enrolment first, then the window, then the attempt
    (OPENS - TICK, False, True, "start.not_enrolled"),
    (CLOSES, False, False, "start.not_enrolled"),
    (CLOSES, True, True, "start.closed"),
    (OPENS - TICK, True, True, "start.not_open_yet"),
])
def test_start_refusals(now, enrolled, attempted, key):
    with pytest.raises(RuleBroken) as error:
        start(now, enrolled, attempted)
    assert error.value.key == key


def test_start_refusals_carry_the_times():
    with pytest.raises(RuleBroken, match="opens at") as early:
        start(OPENS - TICK)
    assert early.value.params == {"opens_at": OPENS}
    with pytest.raises(RuleBroken, match="closed at") as late:
        start(CLOSES)
    assert late.value.params == {"closes_at": CLOSES}
    with pytest.raises(RuleBroken, match="one attempt per round"):
        start(OPENS, attempted=True)


def test_attempt_deadline_is_the_earlier_of_limit_and_close():
    started = datetime(2024, 5, 10, 9, 50, tzinfo=CST)
    assert attempt_deadline(started, CLOSES, 5 * 60) == datetime(2024, 5, 10, 9, 55, tzinfo=CST)
    assert attempt_deadline(started, CLOSES, 20 * 60) == CLOSES          # the round closes first
    assert attempt_deadline(started, CLOSES, 10 * 60) == CLOSES          # exactly at the close
    assert attempt_deadline(started, CLOSES) == CLOSES                   # no time limit
    with pytest.raises(RuleBroken) as error:
        attempt_deadline(started, CLOSES, 0)
    assert error.value.key == "attempt.bad_limit"


def test_judge_may_score_only_contestants_of_their_round():
    check_can_judge(assigned=True, enrolled=True)
    with pytest.raises(RuleBroken) as not_judge:
        check_can_judge(assigned=False, enrolled=True)
    assert not_judge.value.key == "judge.not_assigned"
    with pytest.raises(RuleBroken) as outsider:
        check_can_judge(assigned=True, enrolled=False)
    assert outsider.value.key == "judge.not_in_round"


def test_judge_sees_other_scores_only_after_submitting():
    assert can_see_other_judges(submitted=False) is False
    assert can_see_other_judges(submitted=True) is True
    assert can_see_other_judges(submitted=False, organizer=True) is True


# --- round numbers (issue 13 item 6) ------------------------------------------------------------

import math as _math

import pytest as _pytest

from app.compete import rules as _rules
from app.refusal import RuleBroken as _RuleBroken


@_pytest.mark.parametrize("weight", [_math.inf, -_math.inf, _math.nan, 0, -1, 100.01, None, True, "inf", "nan"])
def test_round_weight_must_be_finite_and_in_range(weight):
    with _pytest.raises(_RuleBroken) as caught:
        _rules.check_round_numbers(weight=weight)
    assert caught.value.key == "round.bad_weight"


@_pytest.mark.parametrize("minutes", [0, 601, 99999999999, 1.5, _math.inf])
def test_round_time_limit_is_1_to_600_minutes(minutes):
    with _pytest.raises(_RuleBroken) as caught:
        _rules.check_round_numbers(weight=1, time_limit_min=minutes)
    assert caught.value.key == "round.bad_time_limit"


def test_sane_round_numbers_pass():
    _rules.check_round_numbers(weight=100, time_limit_min=600, count=500)
    _rules.check_round_numbers(weight=0.5)


def test_a_huge_time_limit_ends_at_the_close():
    from datetime import datetime, timedelta, timezone

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert _rules.attempt_deadline(start, start + timedelta(hours=1), 10 ** 15) == start + timedelta(hours=1)
