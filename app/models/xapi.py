"""The outbox of xAPI statements for an external Learning Record Store: nothing is dropped silently."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class XapiOutbox(db.Model):
    """One statement waiting for, sent to, or refused by the LRS (see app/profile/lrs.py)."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (CheckConstraint("status IN ('pending', 'sent', 'failed', 'refused')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    #: pending (to send, or to retry at next_try_at after an outage), sent, failed (the LRS was down
    #: for every try: tried again when it accepts statements again), refused (the LRS answered 4xx
    #: for this statement, or for the request: tried again only when an admin queues it again).
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    #: How many times it was tried again by itself after failing (bounded by XAPI_LRS_MAX_REVIVALS).
    revivals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: The LRS's whole answer (or the network error) at the last try that did not send it.
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The HTTP status of that answer (None: no answer).
    last_status: Mapped[int | None] = mapped_column(Integer)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
