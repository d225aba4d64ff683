"""Mentorship rules: calendar-month terms, capacity, monthly visits, attention items, sign-off not before
the minimum term (or an organizer's override with a reason), dates of visits and observations,
independence."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.mentor.rules import (
    Month, Severity, add_months, attention_items, check_can_take, check_capacity, check_confirmation,
    check_early_end, check_extension, check_record_date, check_signoff, check_term, days_left_in_month, distribution,
    earliest_signoff, record_window, term_bounds, term_months, time_to_independence, visits_short,
)
from app.refusal import RuleBroken


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2024, 1, 15), 3, date(2024, 4, 15)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),     # leap year: clamps to the 29th
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2024, 2, 29), 6, date(2024, 8, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 10, 31), 6, date(2025, 4, 30)),    # across the year end
    (date(2024, 12, 1), 1, date(2025, 1, 1)),
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
])
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_term_exactly_three_and_six_months():
    start = date(2024, 1, 15)
    assert term_bounds(start) == (date(2024, 4, 15), date(2024, 7, 15))
    check_term(start, date(2024, 4, 15))            # exactly 3 months
    check_term(start, date(2024, 7, 15))            # exactly 6 months
    with pytest.raises(RuleBroken) as short:
        check_term(start, date(2024, 4, 14))
    assert short.value.key == "term.too_short" and short.value.params["earliest"] == date(2024, 4, 15)
    with pytest.raises(RuleBroken) as long:
        check_term(start, date(2024, 7, 16))
    assert long.value.key == "term.too_long" and long.value.params["latest"] == date(2024, 7, 15)
    with pytest.raises(RuleBroken, match="at least 3 months"):
        check_term(start, date(2023, 12, 1))        # before the start
    check_term(start, date(2024, 2, 15), 1, 12)    # bounds from the settings


def test_term_leap_years_and_month_ends():
    check_term(date(2023, 11, 30), date(2024, 2, 29))       # 3 months, clamped to the leap day
    with pytest.raises(RuleBroken, match="too_short|at least"):
        check_term(date(2023, 11, 30), date(2024, 2, 28))
    check_term(date(2022, 11, 30), date(2023, 2, 28))       # not a leap year: the 28th is 3 months
    check_term(date(2023, 8, 31), date(2024, 2, 29))        # 6 months to the leap day
    with pytest.raises(RuleBroken) as err:
        check_term(date(2023, 8, 31), date(2024, 3, 1))
    assert err.value.key == "term.too_long"
    check_term(date(2024, 2, 29), date(2024, 8, 29))
    with pytest.raises(RuleBroken):
        check_term(date(2024, 2, 29), date(2024, 8, 30))
    # datetimes are taken by their date
    check_term(datetime(2024, 1, 15, 9, tzinfo=timezone.utc), datetime(2024, 4, 15, 8, tzinfo=timezone.utc))


def test_term_bounds_from_settings():
    check_term(date(2024, 1, 1), date(2024, 2, 1), min_months=1, max_months=12)
    check_term(date(2024, 1, 1), date(2025, 1, 1), min_months=1, max_months=12)
    for bad in ((0, 6), (4, 3)):
        with pytest.raises(RuleBroken) as err:
            term_bounds(date(2024, 1, 1), *bad)
        assert err.value.key == "term.bad_settings"


def test_extension_and_early_end():
    start = date(2024, 1, 15)
    check_extension(start, date(2024, 4, 15), date(2024, 7, 15), "还需练习应急处置")
    cases = [
        ((date(2024, 4, 15), date(2024, 7, 15), " "), "term.reason_required"),
        ((date(2024, 4, 15), date(2024, 4, 15), "理由"), "term.not_later"),
        ((date(2024, 4, 15), date(2024, 7, 16), "理由"), "term.too_long"),
        ((date(2024, 2, 15), date(2024, 3, 15), "理由"), "term.too_short"),  # later, but still under 3 months
    ]
    for (current, new, reason), key in cases:
        with pytest.raises(RuleBroken) as err:
            check_extension(start, current, new, reason)
        assert err.value.key == key
    check_early_end("导师调岗")
    for reason in ("", "  "):
        with pytest.raises(RuleBroken) as err:
            check_early_end(reason)
        assert err.value.key == "term.reason_required"


def test_capacity():
    check_capacity(1)
    check_capacity(2)
    for bad in (0, 3, True, 1.5, None):
        with pytest.raises(RuleBroken) as err:
            check_capacity(bad)
        assert err.value.key == "capacity.invalid"
    check_can_take(2, 1)
    check_can_take(2, 0, adding=2)
    with pytest.raises(RuleBroken) as err:
        check_can_take(1, 1)
    assert err.value.key == "capacity.full" and err.value.params == {"current": 1, "capacity": 1, "adding": 1}
    with pytest.raises(RuleBroken, match="has 1 of 2 mentees and cannot take 2 more"):
        check_can_take(2, 1, adding=2)


def test_months_and_days_left():
    assert term_months(date(2024, 11, 20), date(2025, 2, 3)) == [(2024, 11), (2024, 12), (2025, 1), (2025, 2)]
    assert Month(2024, 2).last_day == date(2024, 2, 29) and Month(2023, 2).last_day == date(2023, 2, 28)
    assert Month(2024, 12).next() == Month(2025, 1)
    assert days_left_in_month(date(2024, 2, 29)) == 1
    assert days_left_in_month(date(2024, 2, 1)) == 29
    assert days_left_in_month(date(2023, 2, 1)) == 28
    assert days_left_in_month(date(2024, 12, 31)) == 1


def test_visits_short_and_month_in_progress():
    visits = {(2024, 1): 2, (2024, 2): 1, Month(2024, 4): 5}
    months = term_months(date(2024, 1, 10), date(2024, 4, 10))
    # 29 February 2024 is the last day of February: February is still in progress.
    check = visits_short(visits, months, today=date(2024, 2, 29))
    assert check.short == () and check.at_risk == (Month(2024, 2),)
    assert check.counts == {Month(2024, 1): 2, Month(2024, 2): 1}
    # The next day February has ended and is short; March (0 so far) is at risk; April is future.
    check = visits_short(visits, months, today=date(2024, 3, 1))
    assert check.short == (Month(2024, 2),) and check.at_risk == (Month(2024, 3),)
    check = visits_short(visits, months, today=date(2024, 4, 1))
    assert check.short == (Month(2024, 2), Month(2024, 3)) and check.at_risk == ()   # April has 5
    assert visits_short(visits, months, today=date(2024, 4, 1), minimum=1).short == (Month(2024, 3),)
    assert visits_short({}, [], today=date(2024, 4, 1)).short == ()
    # "YYYY-MM" keys (as a service may count them) work the same.
    by_text = visits_short({"2024-01": 2, "2024-02": 1}, ["2024-01", "2024-02", "2024-03"], today=date(2024, 3, 1))
    assert by_text.short == (Month(2024, 2),) and by_text.at_risk == (Month(2024, 3),)
    with pytest.raises(RuleBroken):
        visits_short({"2024-13": 1}, [], today=date(2024, 4, 1))
    with pytest.raises(RuleBroken):
        visits_short(visits, months, today=date(2024, 4, 1), minimum=-1)


def keys(items):
    return [(i.key, i.severity) for i in items]


def test_attention_visits():
    # 1 of 2 visits; 15 days left (16 June) → not yet; 14 left → medium; 7 left → high.
    assert attention_items(today=date(2024, 6, 16), visits_this_month=1) == []
    assert keys(attention_items(today=date(2024, 6, 17), visits_this_month=1)) == [("visits_behind", Severity.MEDIUM)]
    item, = attention_items(today=date(2024, 6, 24), visits_this_month=0)
    assert item.severity == Severity.HIGH and item.severity.label == "high"
    assert item.params == {"visits": 0, "minimum": 2, "days_left": 7}
    assert attention_items(today=date(2024, 6, 30), visits_this_month=2) == []
    # February in a leap year: 29 February has 1 day left.
    item, = attention_items(today=date(2024, 2, 29), visits_this_month=0, visit_minimum=3)
    assert item.params["days_left"] == 1 and item.severity == Severity.HIGH


def test_attention_drills_courses_and_term():
    today = date(2024, 6, 10)
    items = attention_items(
        today=today, visits_this_month=2,
        failed_drills_uncommented=[41, 42],
        course_last_progress={"c-new": date(2024, 5, 28), "c-idle": date(2024, 5, 27), "c-dead": date(2024, 5, 13)},
        planned_end=date(2024, 6, 20),
    )
    # c-new idle 13 days (not yet), c-idle 14 (low), c-dead 28 (medium); end in 10 days (medium)
    assert keys(items) == [
        ("drill_failed_uncommented", Severity.MEDIUM), ("drill_failed_uncommented", Severity.MEDIUM),
        ("course_stalled", Severity.MEDIUM), ("term_ending_soon", Severity.MEDIUM), ("course_stalled", Severity.LOW),
    ]
    assert items[2].params == {"course": "c-dead", "days": 28} and items[0].params == {"attempt": 41}


@pytest.mark.parametrize(("end", "signed_off", "expected"), [
    (date(2024, 6, 25), False, []),                                   # 15 days away
    (date(2024, 6, 24), False, [("term_ending_soon", Severity.MEDIUM)]),
    (date(2024, 6, 17), False, [("term_ending_soon", Severity.HIGH)]),
    (date(2024, 6, 10), False, [("term_ending_soon", Severity.HIGH)]),  # ends today
    (date(2024, 6, 9), False, [("term_overdue", Severity.HIGH)]),
    (date(2024, 6, 9), True, []),
])
def test_attention_term_end(end, signed_off, expected):
    assert keys(attention_items(today=date(2024, 6, 10), visits_this_month=2, planned_end=end,
                                signed_off=signed_off)) == expected


def test_time_to_independence_and_distribution():
    assert time_to_independence(date(2024, 1, 1), date(2024, 3, 1)) == 60        # 31 + 29 (leap February)
    assert time_to_independence(date(2023, 1, 1), date(2023, 3, 1)) == 59
    assert time_to_independence(date(2024, 1, 1), date(2024, 1, 1)) == 0
    assert time_to_independence(date(2024, 1, 1), None) is None
    with pytest.raises(RuleBroken) as err:
        time_to_independence(date(2024, 1, 2), date(2024, 1, 1))
    assert err.value.key == "signoff.before_start"

    assert distribution([]) == distribution([None]) and distribution([]).count == 0 and distribution([]).median is None
    one = distribution([90])
    assert (one.count, one.min, one.q1, one.median, one.q3, one.max) == (1, 90, 90, 90, 90, 90)
    # 10, 20, 30, 40, 50 (inclusive): positions 1 + (n − 1) × p → q1 at 2 → 20, q3 at 4 → 40
    odd = distribution([50, 10, None, 40, 20, 30])
    assert (odd.count, odd.min, odd.q1, odd.median, odd.q3, odd.max) == (5, 10, 20, 30, 40, 50)
    # 60, 90, 120, 150: q1 at position 1.75 → 60 + 0.75 × 30 = 82.5; median 105; q3 at 3.25 → 127.5
    even = distribution([150, 60, 120, 90])
    assert (even.q1, even.median, even.q3) == pytest.approx((82.5, 105, 127.5))


def broken_key(rule, *args, **kwargs):
    with pytest.raises(RuleBroken) as err:
        rule(*args, **kwargs)
    return err.value.key


def test_signoff_not_before_the_minimum_term():
    start = date(2024, 1, 15)
    assert earliest_signoff(start) == date(2024, 4, 15)
    assert earliest_signoff(date(2023, 11, 30)) == date(2024, 2, 29)      # calendar months, clamped
    assert earliest_signoff(start, min_months=4) == date(2024, 5, 15)
    check_signoff(start, date(2024, 4, 15))                                 # exactly 3 months
    check_signoff(start, date(2024, 6, 1))
    with pytest.raises(RuleBroken) as err:
        check_signoff(start, date(2024, 4, 14))                             # the day before
    assert err.value.key == "signoff.too_early"
    assert err.value.params["earliest"] == date(2024, 4, 15) and err.value.params["months"] == 3
    assert broken_key(check_signoff, start, start + timedelta(days=20)) == "signoff.too_early"   # day 20
    assert broken_key(check_signoff, start, date(2024, 5, 14), min_months=4) == "signoff.too_early"
    check_signoff(datetime(2024, 1, 15, 23, tzinfo=timezone.utc), datetime(2024, 4, 15, 1, tzinfo=timezone.utc))


def test_confirmation_after_the_minimum_term_needs_the_mentors_signoff():
    start = date(2024, 1, 15)
    assert check_confirmation(start, date(2024, 4, 15), signed_off=True) is False     # exactly 3 months
    assert check_confirmation(start, date(2024, 4, 15), signed_off=True, reason="不需要") is False
    assert broken_key(check_confirmation, start, date(2024, 4, 15), signed_off=False) == "signoff.missing"
    assert broken_key(check_confirmation, start, date(2024, 5, 1), signed_off=False, reason="想提前") == \
        "signoff.missing"                                  # after the term an override is not the way


def test_confirmation_before_the_minimum_term_is_an_override_with_a_reason():
    start = date(2024, 1, 15)
    day_before = date(2024, 4, 14)
    for signed_off in (False, True):  # an early sign-off (recorded before this rule) needs the override too
        with pytest.raises(RuleBroken) as err:
            check_confirmation(start, day_before, signed_off=signed_off)
        assert err.value.key == "signoff.override_reason" and err.value.params["earliest"] == date(2024, 4, 15)
        assert broken_key(check_confirmation, start, day_before, signed_off=signed_off, reason="  ") == \
            "signoff.override_reason"
    assert check_confirmation(start, day_before, signed_off=False, reason="原有网格员，已有五年经验") is True
    assert check_confirmation(start, start, signed_off=False, reason="调岗前已独立工作") is True   # the start day
    assert broken_key(check_confirmation, start, start - timedelta(days=1), signed_off=False, reason="理由") == \
        "signoff.not_started"


def test_record_window():
    start, end = date(2024, 1, 15), date(2024, 5, 15)
    assert record_window(start, end, date(2024, 3, 1)) == (start, date(2024, 3, 1))      # up to today
    assert record_window(start, end, date(2024, 6, 1)) == (start, end)                   # up to the end
    first, last = record_window(start, end, date(2024, 1, 1))
    assert first > last                                                                  # not started: empty


def test_record_dates_lie_within_the_mentorship_and_not_in_the_future():
    start, end, today = date(2024, 1, 15), date(2024, 5, 15), date(2024, 3, 1)
    window = {"start": start, "last_day": end, "today": today}
    check_record_date(start, **window)                                        # the start day
    check_record_date(today, **window)                                        # today
    with pytest.raises(RuleBroken) as err:
        check_record_date(start - timedelta(days=1), **window)                # the day before the start
    assert err.value.key == "record.before_start"
    assert err.value.params == {"day": date(2024, 1, 14), "first": start, "last": today}
    assert "2024-01-14" in str(err.value) and "from 2024-01-15 to 2024-03-01" in str(err.value)
    assert broken_key(check_record_date, today + timedelta(days=1), **window) == "record.future"   # tomorrow
    assert broken_key(check_record_date, date(2027, 3, 1), **window) == "record.future"
    assert broken_key(check_record_date, date(2020, 3, 1), **window) == "record.before_start"
    # past the planned end (today after it): the end is allowed, the day after is not
    late = {"start": start, "last_day": end, "today": date(2024, 6, 10)}
    check_record_date(end, **late)
    assert broken_key(check_record_date, end + timedelta(days=1), **late) == "record.after_end"


def test_an_ended_or_future_mentorship_takes_no_records():
    start, end, today = date(2024, 1, 15), date(2024, 5, 15), date(2024, 3, 1)
    assert broken_key(check_record_date, today, start=start, last_day=end, today=today, active=False) == \
        "record.closed"                                   # a former mentor writes no evidence
    assert broken_key(check_record_date, start, start=start, last_day=end, today=start - timedelta(days=1)) == \
        "record.not_started"
