"""Rules of a mentorship (导师制): term, capacity, monthly visits, attention items, time to independence.

Pure: no Flask, no database. Bounds come in as arguments (the app passes its settings); the
defaults are the seed's: a term of 3 to 6 months, 1 or 2 mentees per mentor, at least 2 joint
household visits (入户走访) a month. A broken rule raises ``RuleBroken`` (``app.refusal``) with a
message key and parameters for the service to translate, and an English message for logs and tests.

- Terms count calendar months: 15 January + 3 months is 15 April; a day missing from the target
  month falls back to its last day (31 August + 6 months is 29 February in a leap year). A planned
  end exactly 3 or exactly 6 months after the start is allowed.
- Visits: a finished month below the minimum is *short*; the month in progress is *at risk* while
  below it, and only becomes short once it has ended. Months after today are not judged.
- Attention items, most severe first: visits behind in the current month (high with 7 days or
  fewer left, medium with 14 or fewer; "days left" counts today), each failed drill attempt not
  yet commented (medium), each unfinished course without progress for ``stalled_after_days``
  (low; medium at twice that), a planned end within 14 days without sign-off (high within 7) and a
  planned end already passed without sign-off (high).
- Sign-off: the mentor signs off independence no earlier than ``min_months`` calendar months after
  the start (exactly then is allowed, the day before is not). The organizer confirms a sign-off; before
  that date the organizer alone may confirm independence, as an override with a reason (the mentor's
  sign-off is then not needed), and never before the start.
- Records (joint visits, observations) are dated within the mentorship: from its start to the
  earlier of its last day (the planned end) and today. Only an active mentorship takes new records;
  an ended or independent one takes none.
- Time to independence: days from the start to the organizer's confirmation of the sign-off.
  Its distribution gives count, min, quartiles (inclusive method: linear interpolation between
  order statistics, as Excel's QUARTILE.INC), median and max.
"""
from __future__ import annotations

import calendar
import statistics
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from typing import Any, NamedTuple

from ..refusal import RuleBroken

MIN_MONTHS, MAX_MONTHS = 3, 6
CAPACITIES = (1, 2)
VISIT_MINIMUM = 2
END_WARNING_DAYS = 14
STALLED_AFTER_DAYS = 14


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- term ------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months; a missing day becomes the month's last (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_bounds(start: date, min_months: int = MIN_MONTHS, max_months: int = MAX_MONTHS) -> tuple[date, date]:
    """The earliest and latest allowed planned end for a term starting on ``start``."""
    if not 1 <= min_months <= max_months:
        raise RuleBroken("term.bad_settings", f"term bounds must satisfy 1 <= min ({min_months}) <= max ({max_months})",
                         min_months=min_months, max_months=max_months)
    start = _as_date(start)
    return add_months(start, min_months), add_months(start, max_months)


def check_term(start: date, planned_end: date, min_months: int = MIN_MONTHS, max_months: int = MAX_MONTHS) -> None:
    """Raise ``RuleBroken`` unless ``planned_end`` lies between ``min_months`` and ``max_months`` after ``start``."""
    start, planned_end = _as_date(start), _as_date(planned_end)
    earliest, latest = term_bounds(start, min_months, max_months)
    if planned_end < earliest:
        raise RuleBroken("term.too_short", f"a term lasts at least {min_months} months: end on {earliest} or later",
                         months=min_months, earliest=earliest)
    if planned_end > latest:
        raise RuleBroken("term.too_long", f"a term lasts at most {max_months} months: end on {latest} or earlier",
                         months=max_months, latest=latest)


def check_reason(reason: str, action: str) -> None:
    """Changing a term (extending it, ending it early) needs a reason."""
    if not reason or not reason.strip():
        raise RuleBroken("term.reason_required", f"give a reason for {action}")


def check_extension(start: date, current_end: date, new_end: date, reason: str,
                    max_months: int = MAX_MONTHS, min_months: int = MIN_MONTHS) -> None:
    """An extension gives a reason and moves the planned end later, still a term (``check_term``) from the start."""
    current_end, new_end = _as_date(current_end), _as_date(new_end)
    check_reason(reason, "extending the term")
    if new_end <= current_end:
        raise RuleBroken("term.not_later", f"the new end must be after the current end {current_end}",
                         current_end=current_end)
    check_term(start, new_end, min_months, max_months)


def check_early_end(reason: str) -> None:
    """Ending a mentorship before its planned end needs a reason. It may end on any day, even before a
    start still to come (a pairing that is called off)."""
    check_reason(reason, "ending the mentorship")


# --- sign-off --------------------------------------------------------------------------------

def earliest_signoff(start: date, min_months: int = MIN_MONTHS) -> date:
    """The first day the mentor may sign off independence: ``min_months`` calendar months after the start."""
    return add_months(_as_date(start), min_months)


def check_signoff(start: date, today: date, min_months: int = MIN_MONTHS) -> None:
    """The mentor signs off on or after ``earliest_signoff``; earlier only the organizer can (with a reason)."""
    start, today = _as_date(start), _as_date(today)
    earliest = earliest_signoff(start, min_months)
    if today < earliest:
        raise RuleBroken("signoff.too_early",
                         f"independence can be signed off from {earliest} ({min_months} months after the start "
                         f"{start}), not on {today}", earliest=earliest, months=min_months, start=start, today=today)


def check_confirmation(start: date, today: date, *, signed_off: bool, reason: str = "",
                       min_months: int = MIN_MONTHS) -> bool:
    """The organizer confirms independence. From ``earliest_signoff`` on, the mentor must have signed off;
    before it, only as an override with a reason (whether or not the mentor signed off); never before
    the start. Returns True when the confirmation is such an override."""
    start, today = _as_date(start), _as_date(today)
    if today < start:
        raise RuleBroken("signoff.not_started", f"the mentorship starts on {start}, after {today}",
                         start=start, today=today)
    earliest = earliest_signoff(start, min_months)
    if today < earliest:
        if not reason or not reason.strip():
            raise RuleBroken("signoff.override_reason",
                             f"before {earliest} ({min_months} months after the start) independence is confirmed "
                             "only with a reason for overriding the minimum term",
                             earliest=earliest, months=min_months)
        return True
    if not signed_off:
        raise RuleBroken("signoff.missing", "the mentor has not signed off")
    return False


# --- records: visits and observations --------------------------------------------------------

def record_window(start: date, last_day: date, today: date) -> tuple[date, date]:
    """The first and last date a visit or observation may carry: from the start to the earlier of the
    mentorship's last day and today (empty, first > last, while the mentorship has not started)."""
    return _as_date(start), min(_as_date(last_day), _as_date(today))


def check_record_date(day: date, *, start: date, last_day: date, today: date, active: bool = True) -> None:
    """A visit or observation of an active mentorship, dated within ``record_window``.

    ``last_day`` is the planned end (or the day it ended). An ended or independent mentorship
    (``active=False``) takes no new record: a former mentor no longer writes evidence."""
    day, start, today = _as_date(day), _as_date(start), _as_date(today)
    if not active:
        raise RuleBroken("record.closed", "this mentorship has ended: it takes no new visits or observations")
    first, last = record_window(start, last_day, today)
    if today < start:
        raise RuleBroken("record.not_started", f"the mentorship starts on {start}: nothing can be recorded before",
                         start=start, day=day)
    for broken, key in ((day < first, "record.before_start"), (day > today, "record.future"),
                        (day > last, "record.after_end")):
        if broken:
            raise RuleBroken(key, f"{day} lies outside the mentorship: choose a date from {first} to {last}",
                             day=day, first=first, last=last)


# --- capacity --------------------------------------------------------------------------------

def check_capacity(capacity: int) -> None:
    """A mentor takes 1 or 2 mentees at a time (一对一 or 一对二)."""
    if isinstance(capacity, bool) or capacity not in CAPACITIES:
        raise RuleBroken("capacity.invalid", f"a mentor's capacity is 1 or 2, not {capacity!r}", capacity=capacity)


def check_can_take(capacity: int, current_mentees: int, adding: int = 1) -> None:
    """Raise ``RuleBroken`` if ``adding`` more mentees would exceed the mentor's capacity."""
    check_capacity(capacity)
    if adding < 1 or current_mentees < 0:
        raise RuleBroken("capacity.invalid", "mentee counts must be positive")
    if current_mentees + adding > capacity:
        raise RuleBroken("capacity.full",
                         f"this mentor has {current_mentees} of {capacity} mentees and cannot take {adding} more",
                         current=current_mentees, capacity=capacity, adding=adding)


# --- visits ----------------------------------------------------------------------------------

class Month(NamedTuple):
    """A calendar month; ``(year, month)`` tuples and ``"YYYY-MM"`` strings are accepted wherever a Month is."""

    year: int
    month: int

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, value: str | tuple[int, int]) -> Month:
        """A Month from ``(year, month)`` or ``"YYYY-MM"``."""
        if isinstance(value, str):
            year, _, month = value.partition("-")
            value = (int(year), int(month))
        month = cls(*value)
        if not 1 <= month.month <= 12:
            raise RuleBroken("visits.bad_month", f"not a month: {value!r}", month=value)
        return month

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month.of(add_months(self.first_day, 1))


def term_months(start: date, end: date) -> list[Month]:
    """Every calendar month a term touches, from the start's month to the end's, inclusive."""
    month, last = Month.of(_as_date(start)), Month.of(_as_date(end))
    months = []
    while month <= last:
        months.append(month)
        month = month.next()
    return months


def days_left_in_month(today: date) -> int:
    """Days left in ``today``'s month, today included (1 on the last day)."""
    return (Month.of(today).last_day - today).days + 1


@dataclass(frozen=True)
class VisitCheck:
    short: tuple[Month, ...]       # ended months below the minimum
    at_risk: tuple[Month, ...]     # the month in progress, if below the minimum so far
    counts: dict[Month, int]       # visits per judged month (missing months count 0)


def visits_short(visits_by_month: Mapping[tuple[int, int] | str, int], months: Iterable[tuple[int, int] | str], *,
                 today: date, minimum: int = VISIT_MINIMUM) -> VisitCheck:
    """Judge ``months`` (e.g. ``term_months(start, end)``) against the monthly visit minimum.

    ``visits_by_month`` maps a month (``Month``, ``(year, month)`` or ``"YYYY-MM"``) to its visit count.
    """
    if minimum < 0:
        raise RuleBroken("visits.bad_minimum", "the monthly visit minimum cannot be negative", minimum=minimum)
    today = _as_date(today)
    counts: dict[Month, int] = {}
    for key, count in visits_by_month.items():
        counts[Month.parse(key)] = counts.get(Month.parse(key), 0) + count
    current = Month.of(today)
    short, at_risk, judged = [], [], {}
    for month in sorted({Month.parse(m) for m in months}):
        if month > current:
            continue
        count = judged[month] = counts.get(month, 0)
        if count < minimum:
            (at_risk if month == current else short).append(month)
    return VisitCheck(tuple(short), tuple(at_risk), judged)


# --- attention -------------------------------------------------------------------------------

class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class AttentionItem:
    key: str
    severity: Severity
    params: Mapping[str, Any] = field(default_factory=dict)


def attention_items(*, today: date, visits_this_month: int, visit_minimum: int = VISIT_MINIMUM,
                    failed_drills_uncommented: Iterable[Hashable] = (),
                    course_last_progress: Mapping[Hashable, date] | None = None,
                    stalled_after_days: int = STALLED_AFTER_DAYS,
                    planned_end: date | None = None, signed_off: bool = False,
                    end_warning_days: int = END_WARNING_DAYS) -> list[AttentionItem]:
    """What needs the mentor's attention for one mentee, most severe first (stable within a severity).

    ``failed_drills_uncommented``: ids of failed drill attempts without a mentor comment.
    ``course_last_progress``: unfinished course id → date of the last progress (or of the
    assignment, when nothing was done yet). ``signed_off``: the mentor has signed off independence.
    """
    today = _as_date(today)
    items: list[AttentionItem] = []
    if visits_this_month < visit_minimum:
        left = days_left_in_month(today)
        if left <= 14:
            items.append(AttentionItem("visits_behind", Severity.HIGH if left <= 7 else Severity.MEDIUM,
                                       {"visits": visits_this_month, "minimum": visit_minimum, "days_left": left}))
    for attempt in failed_drills_uncommented:
        items.append(AttentionItem("drill_failed_uncommented", Severity.MEDIUM, {"attempt": attempt}))
    for course, last in (course_last_progress or {}).items():
        idle = (today - _as_date(last)).days
        if idle >= stalled_after_days:
            severity = Severity.MEDIUM if idle >= 2 * stalled_after_days else Severity.LOW
            items.append(AttentionItem("course_stalled", severity, {"course": course, "days": idle}))
    if planned_end is not None and not signed_off:
        to_end = (_as_date(planned_end) - today).days
        if to_end < 0:
            items.append(AttentionItem("term_overdue", Severity.HIGH, {"days": -to_end, "planned_end": planned_end}))
        elif to_end <= end_warning_days:
            severity = Severity.HIGH if to_end <= 7 else Severity.MEDIUM
            items.append(AttentionItem("term_ending_soon", severity, {"days": to_end, "planned_end": planned_end}))
    return sorted(items, key=lambda item: -item.severity)


# --- time to independence --------------------------------------------------------------------

def time_to_independence(start: date, confirmed: date | None) -> int | None:
    """Days from the start to the confirmed sign-off; None while not confirmed."""
    if confirmed is None:
        return None
    start, confirmed = _as_date(start), _as_date(confirmed)
    if confirmed < start:
        raise RuleBroken("signoff.before_start", "a sign-off cannot be confirmed before the mentorship starts",
                         start=start)
    return (confirmed - start).days


@dataclass(frozen=True)
class Distribution:
    count: int
    min: float | None
    q1: float | None
    median: float | None
    q3: float | None
    max: float | None


def distribution(days_list: Iterable[int | None]) -> Distribution:
    """Summary of times to independence; None entries (not yet confirmed) are left out."""
    values = sorted(v for v in days_list if v is not None)
    if not values:
        return Distribution(0, None, None, None, None, None)
    if len(values) == 1:
        q1 = q3 = float(values[0])
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Distribution(len(values), values[0], q1, float(statistics.median(values)), q3, values[-1])
