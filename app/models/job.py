"""Background jobs: one row per piece of work that must not run inside a web request (app/jobs)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

#: queued → running → done or failed. A running job whose worker stopped (its claim went stale) is
#: claimed again by the next worker and resumes.
JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """A unit of background work of a registered kind, claimed by one worker at a time."""

    __tablename__ = "job"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A kind registered with ``app.jobs.register_kind`` (e.g. ``roster_import``).
    kind: Mapped[str] = mapped_column(String(40))
    #: What the handler needs (ids, options): JSON, never secrets.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    #: Progress: units done out of ``total`` (None until the handler knows).
    done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    #: What the handler returned (JSON), once done.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Why it failed (one line for people; the traceback goes to the log).
    error: Mapped[str | None] = mapped_column(Text)
    #: How many times a worker claimed it (a job claimed too often is given up).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The worker holding the job (host:pid:random) and when it last showed progress (its heartbeat).
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status} {self.done}/{self.total}>"
