"""Failed logins, kept in the database so every worker process and host sees the same count."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class LoginFailure(db.Model):
    """One login attempt that failed (or is being checked): which account, from where, when.

    ``account`` is ``user:<id>`` for a known account, else ``name:<login as typed, lower case>``, so
    unknown names are throttled the same way. A success deletes the account's rows.
    """

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
