"""Logging in with throttling: failed attempts per account and per client address live in the
database (``login_failure``), so every worker process and host counts the same attempts.

Unlike other services this one commits: an attempt is recorded and committed *before* the password is
checked, so parallel requests see each other and at most the limit's number of passwords is tried.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from ..accounts.service import authenticate, find_account
from ..clock import utcnow
from ..extensions import db
from ..models import LoginFailure, User
from . import throttle


@dataclass
class LoginOutcome:
    user: User | None
    #: Seconds the person must wait before trying again (0: none).
    wait: int = 0


def _account_key(login: str) -> str:
    user = find_account(login)
    return f"user:{user.id}" if user is not None else "name:" + login.strip().lower()[:70]


def _wait(row: LoginFailure, include_self: bool) -> int:
    """The wait the failures recorded before ``row`` (or up to and including it) impose."""
    since = row.at - max(throttle.ACCOUNT.window, throttle.ADDRESS.window)
    upto = LoginFailure.id <= row.id if include_self else LoginFailure.id < row.id
    by_account = db.session.scalars(select(LoginFailure.at).where(
        LoginFailure.account == row.account, upto, LoginFailure.at > since))
    by_address = db.session.scalars(select(LoginFailure.at).where(
        LoginFailure.address == row.address, upto, LoginFailure.at > since))
    return max(throttle.wait_seconds(by_account, row.at, throttle.ACCOUNT),
               throttle.wait_seconds(by_address, row.at, throttle.ADDRESS))


def log_in(login: str, password: str, address: str | None) -> LoginOutcome:
    """The account ``login``/``password`` opens, unless its account or ``address`` must wait.

    The right password is refused while waiting; a success clears the account's failures. Commits.
    """
    now = utcnow()
    window = max(throttle.ACCOUNT.window, throttle.ADDRESS.window)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - window))
    row = LoginFailure(account=_account_key(login), address=(address or "unknown")[:64], at=now)
    db.session.add(row)
    db.session.commit()
    wait = _wait(row, include_self=False)
    if wait:
        db.session.delete(row)  # refused untried: not counted
        db.session.commit()
        return LoginOutcome(None, wait)
    user = authenticate(login, password)
    if user is None:
        return LoginOutcome(None, _wait(row, include_self=True))
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == row.account))
    db.session.commit()
    return LoginOutcome(user)
