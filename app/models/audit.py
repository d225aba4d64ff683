"""The audit trail (工作留痕): one row per change an organizer, an admin or the system made."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class AuditRecord(db.Model):
    """Who changed what, when, from what to what. Written by ``app.audit.record`` only; never changed.

    No foreign keys on purpose: a record outlives the person, area or round it names (names are
    copied in as they were), and a deleted row elsewhere never rewrites history here.
    ``area_path`` is the materialised path of the area the change belongs to (``/1/4/``), so a
    manager's view is one ``LIKE`` like every other scope check.
    """

    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: The person who acted; None for the system (content sync, CLI imports).
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: The actor's name and login at the time, e.g. ``王芳 (organizer)``; empty for the system.
    actor_name: Mapped[str] = mapped_column(String(140), default="")
    #: One of ``app.audit.ACTIONS``.
    action: Mapped[str] = mapped_column(String(48), index=True)
    #: One of ``app.audit.TARGET_KINDS``.
    target_kind: Mapped[str] = mapped_column(String(32), index=True)
    target_id: Mapped[str] = mapped_column(String(64), default="")
    #: What a person reads for the target, as it was: a name, a round's title, a bank's title.
    target_label: Mapped[str] = mapped_column(String(255), default="")
    area_path: Mapped[str] = mapped_column(String(255), default="", index=True)
    #: The changed fields only, before and after; values as a person reads them (names, not ids).
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)


class AuditRecordImmutable(RuntimeError):
    """Raised on any attempt to change or delete an audit record."""


@event.listens_for(AuditRecord, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditRecordImmutable("audit records cannot be changed")


@event.listens_for(AuditRecord, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditRecordImmutable("audit records cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    """Bulk ``update()``/``delete()`` statements bypass the mapper events: refuse them too."""
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if mapper.class_ is AuditRecord:
            raise AuditRecordImmutable("audit records cannot be changed or deleted")
