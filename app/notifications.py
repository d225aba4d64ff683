"""In-app notifications: any feature sends one (``notify``); a feature registers the text of each
kind it sends (``register_kind``), so the list and the unread badge need no list of features.

A notification that asks for an action (confirm a visit, answer a question, review a case) carries a
``subject`` such as ``visit:12``; when the action is done, the feature calls ``handled(subject)`` and
every copy of it (several organizers may have been asked) shows as handled. Until then it is one of
the person's pending actions on the home page (``pending``)."""
from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user
from sqlalchemy import func, select, update

from .clock import utcnow
from .extensions import db
from .models import Notification

_texts: dict[str, Callable[[dict], str]] = {}


def register_kind(kind: str, text: Callable[[dict], str]) -> None:
    """``text(params)`` renders a notification of ``kind`` in the reader's language."""
    _texts[kind] = text


def notify(user_id: int, kind: str, link: str = "", subject: str | None = None, **params) -> None:
    """Queue a notification for ``user_id`` (callers commit); ``subject`` marks one that asks for an
    action, until ``handled(subject)``."""
    db.session.add(Notification(user_id=user_id, kind=kind, params=params, link=link, subject=subject))


def handled(subject: str, now=None) -> None:
    """The action ``subject`` asked for is done: every notification about it shows as handled."""
    db.session.execute(update(Notification).where(Notification.subject == subject, Notification.handled_at.is_(None))
                       .values(handled_at=now or utcnow()).execution_options(synchronize_session=False))


def pending(user_id: int, limit: int = 20) -> list[Notification]:
    """Notifications asking ``user_id`` for an action not yet done, newest first."""
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.subject.is_not(None), Notification.handled_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)).all()


def text(note: Notification) -> str:
    render = _texts.get(note.kind)
    return render(dict(note.params)) if render else note.kind


def unread_count() -> int:
    """Unread notifications of the logged-in person (one small query per page)."""
    if not current_user or not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None))) or 0


def recent(user_id: int, limit: int = 50) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.created_at.desc()).limit(limit)).all()


def mark_read(rows: list[Notification], now=None) -> None:
    for row in rows:
        if row.read_at is None:
            row.read_at = now or utcnow()
