"""Roster imports: the uploaded rows, the report per row, and the one-time passwords until printed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .area import Area
from .base import UTCDateTime, utcnow
from .job import Job
from .user import User


class RosterImport(db.Model):
    """One uploaded roster file, imported by a background job (``app.accounts.roster``)."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: The importer's area when uploading: who may see the import (managers at or above it).
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: The file's rows as read and checked at upload ([line, {field: text}], ...); emptied once imported.
    rows: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The password slips (密码条) were downloaded then, by that person; the passwords are erased.
    slips_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    slips_downloaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    job: Mapped[Job] = relationship()
    area: Mapped[Area] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    slips_downloaded_by: Mapped[User | None] = relationship(foreign_keys=[slips_downloaded_by_id])


class RosterImportRow(db.Model):
    """The outcome of one line of an import: an account created, or why not."""

    __tablename__ = "roster_import_row"
    __table_args__ = (UniqueConstraint("import_id", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"), index=True)
    #: The line (CSV) or row (Excel) number in the file.
    line: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    #: As given in the file (shortened for display when too long).
    name: Mapped[str] = mapped_column(String(100), default="")
    worker_number: Mapped[str] = mapped_column(String(100), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    area_label: Mapped[str] = mapped_column(Text, default="")
    created_areas: Mapped[list] = mapped_column(JSON, default=list)
    #: Why the row was not imported, each naming the field, in the importer's language.
    messages: Mapped[list] = mapped_column(JSON, default=list)
    #: The one-time password, encrypted with a key derived from SECRET_KEY (app/accounts/secrets.py);
    #: erased once the password slips are downloaded.
    secret: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User | None] = relationship()
