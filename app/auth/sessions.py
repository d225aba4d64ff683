"""Sessions that end: a per-user session version, a lifetime and an idle timeout (issue 13 item 2).

At login the session gets the user's ``session_version``, the login time and the time of the last
request. On every request the user loader gives back the user only while

- the session's version equals ``user.session_version`` (logout, a password change, an organizer's
  reset and deactivation raise it, so every copy of every session of that person ends),
- the account is active,
- the login is younger than ``PERMANENT_SESSION_LIFETIME`` and
- the last request is less than ``SESSION_IDLE_MINUTES`` ago;

otherwise the session's login keys are dropped and the visitor is anonymous (sent to the login page).
"""
from __future__ import annotations

import time

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..models import User

VERSION, LOGIN_AT, SEEN_AT = "_sv", "_login_at", "_seen_at"
#: The last-request time is rewritten at most this often (seconds), so most responses keep their cookie.
SEEN_RESOLUTION = 30


def start_session(user: User) -> None:
    """Log ``user`` in on a fresh session bound to their current session version."""
    session.clear()
    login_user(user)
    # A browser-session cookie (gone when the browser closes, as on a shared office computer), written
    # only when the session changes; the lifetime and idle limits below hold whatever the browser keeps.
    now = int(time.time())
    session[VERSION] = user.session_version or 0
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def renew_session(user: User) -> None:
    """Keep this session after ``user`` ended all their sessions (their own password change)."""
    session[VERSION] = user.session_version or 0


def _end(message: bool = True) -> None:
    for key in ("_user_id", "_fresh", "_id", VERSION, LOGIN_AT, SEEN_AT):
        session.pop(key, None)
    if message:
        flash(_("Your session has ended. Please log in again."), "info")


#: The session's user by id, built once: a statement object reused keeps its cache key (``session.get``
#: builds its query and that key again on every request).
_USER_BY_ID = select(User).where(User.id == bindparam("user_id")).options(lazyload(User.role_rows))


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user of this session while the session is still valid."""
    try:
        # Roles only when a page asks (the menu, an access check): an autosave or a drill step never does.
        user = db.session.scalar(_USER_BY_ID, {"user_id": int(user_id)})
    except (TypeError, ValueError, OverflowError):
        user = None
    if user is None or not user.active:
        _end(message=False)
        return None
    now = int(time.time())
    config = current_app.config
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if (session.get(VERSION) != (user.session_version or 0) or not isinstance(login_at, int)
            or not isinstance(seen_at, int)
            or now - login_at > config["PERMANENT_SESSION_LIFETIME"].total_seconds()
            or now - seen_at > config["SESSION_IDLE_MINUTES"] * 60):
        _end()
        return None
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return user
