"""Login throttling rule (pure): how long to wait after failed logins.

Data in, data out; the database side is ``app.auth.service``. A limit counts the failures within its
window; from ``failures`` on, the next attempt waits ``first_wait`` after the newest failure, doubled
for each further failure, at most ``longest_wait``. Attempts refused while waiting are not counted,
so the wait grows only with passwords actually tried.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta
    first_wait: timedelta
    longest_wait: timedelta


#: Per account: 5 failures within an hour → 1 min, then 2, 4, 8, 16, 30 min.
ACCOUNT = Limit(5, timedelta(hours=1), timedelta(minutes=1), timedelta(minutes=30))
#: Per client address (many accounts tried from one place): 20 failures within an hour.
ADDRESS = Limit(20, timedelta(hours=1), timedelta(minutes=1), timedelta(minutes=30))


def wait_seconds(failures: Iterable[datetime], now: datetime, limit: Limit) -> int:
    """Whole seconds still to wait before the next attempt, 0 when it may go ahead."""
    recent = sorted(t for t in failures if now - t < limit.window)
    if len(recent) < limit.failures:
        return 0
    extra = min(len(recent) - limit.failures, 32)
    wait = min(limit.first_wait * (2 ** extra), limit.longest_wait)
    remaining = (recent[-1] + wait - now).total_seconds()
    return math.ceil(remaining) if remaining > 0 else 0


def wait_minutes(seconds: int) -> int:
    """A wait as whole minutes for people (rounded up, at least 1)."""
    return max(1, math.ceil(seconds / 60))


#: Password reset requests (忘记密码) per account: 3 within an hour → 10 min, then 20, at most 30 min.
RESET_ACCOUNT = Limit(3, timedelta(hours=1), timedelta(minutes=10), timedelta(minutes=30))
#: Password reset requests per client address: 10 within an hour (any names).
RESET_ADDRESS = Limit(10, timedelta(hours=1), timedelta(minutes=1), timedelta(minutes=30))
#: Wrong reset codes are wrong passwords: the login limits apply (per account, per address).
CODE_ACCOUNT, CODE_ADDRESS = ACCOUNT, ADDRESS
