"""Time for people: the server's UTC clock, the configured local zone, deadlines and local days.

Every stored timestamp is timezone-aware UTC (``utcnow``). People see and type local times in the
zone ``BABEL_DEFAULT_TIMEZONE`` (Asia/Shanghai by default); "today" for spacing rules and daily
quizzes is the local calendar day. This is the one place that converts between the two.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    """The current time as a timezone-aware UTC datetime."""
    return datetime.now(timezone.utc)


def zone_name() -> str:
    """The configured local time zone's name (needs an app context)."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def zone(tz: str | None = None) -> ZoneInfo:
    return ZoneInfo(tz or zone_name())


def seconds_left(deadline: datetime | None, now: datetime | None = None) -> float | None:
    """Seconds until ``deadline`` (never negative), or None when there is no deadline."""
    if deadline is None:
        return None
    return max(0.0, (deadline - (now or utcnow())).total_seconds())


def local(moment: datetime, tz: str | None = None) -> datetime:
    """A UTC moment in local time."""
    return moment.astimezone(zone(tz))


def local_day(moment: datetime, tz: str | None = None) -> str:
    """The local calendar day of a moment, as ``YYYY-MM-DD``."""
    return local(moment, tz).date().isoformat()


def local_today(tz: str | None = None, now: datetime | None = None) -> date:
    return local(now or utcnow(), tz).date()


def local_text(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M", tz: str | None = None) -> str:
    """A moment as local text for pages and files ('' for None)."""
    return "" if value is None else local(value, tz).strftime(fmt)


def date_text(value: date | datetime | None, tz: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_text(value, "%Y-%m-%d", tz)
    return value.strftime("%Y-%m-%d")


def naive_local(value: datetime | None, tz: str | None = None) -> datetime | None:
    """Local wall time without a zone (what Excel cells hold)."""
    return None if value is None else local(value, tz).replace(tzinfo=None)


def from_local(value: datetime, tz: str | None = None) -> datetime:
    """A wall time typed by a person (naive, local) → aware; an aware value is kept."""
    return value.replace(tzinfo=zone(tz)) if value.tzinfo is None else value


def year_start(tz: str | None = None, now: datetime | None = None) -> datetime:
    """1 January 00:00 of the current local year, as a UTC datetime."""
    here = local(now or utcnow(), tz)
    return here.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
