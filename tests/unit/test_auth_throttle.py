"""The pure login-throttling rule."""
from datetime import datetime, timedelta, timezone

from app.auth.throttle import ACCOUNT, wait_minutes, wait_seconds

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


def times(*seconds_ago):
    return [NOW - timedelta(seconds=s) for s in seconds_ago]


def test_under_the_limit_no_wait():
    assert wait_seconds(times(1, 2, 3, 4), NOW, ACCOUNT) == 0


def test_at_the_limit_one_minute_from_the_newest_failure():
    assert wait_seconds(times(10, 20, 30, 40, 50), NOW, ACCOUNT) == 50


def test_the_wait_doubles_and_is_capped():
    assert wait_seconds(times(0, 1, 2, 3, 4, 5), NOW, ACCOUNT) == 120
    assert wait_seconds(times(*range(40)), NOW, ACCOUNT) == 30 * 60


def test_failures_outside_the_window_do_not_count():
    assert wait_seconds(times(3700, 3800, 3900, 4000, 4100), NOW, ACCOUNT) == 0


def test_minutes_round_up():
    assert (wait_minutes(1), wait_minutes(60), wait_minutes(61)) == (1, 1, 2)
