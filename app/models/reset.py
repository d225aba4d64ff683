"""Self-service password resets (忘记密码): a worker asks, an organizer of their area confirms who they
are and hands over a one-time code, the worker sets a new password with it (issue 13 item 1)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

#: pending: waiting for an organizer; confirmed: a code was handed over (valid until ``code_expires_at``);
#: refused: an organizer turned it down; done: the new password was set; expired: the code lapsed unused.
RESET_STATUSES = ("pending", "confirmed", "refused", "done", "expired")


class PasswordResetRequest(db.Model):
    """One request to reset a forgotten password, from asking to the new password (or refusal).

    ``open_user_id`` is the person's id while the request is open (pending or confirmed) and NULL once
    closed: its unique index lets each person have at most one open request, even under parallel posts.
    The code is stored only as a hash (shown once, to the organizer who confirmed).
    """

    __tablename__ = "password_reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    open_user_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: Whether the phone number the person typed matches the one on record (None: none typed).
    phone_matches: Mapped[bool | None] = mapped_column(Boolean)
    #: The client address the request came from (for the organizer and for throttling).
    address: Mapped[str] = mapped_column(String(64), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_hash: Mapped[str | None] = mapped_column(String(255))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
