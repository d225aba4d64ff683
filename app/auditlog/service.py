"""Reading the audit trail: the filtered records, the people who acted, the Excel file. Read-only."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from .. import audit
from ..clock import from_local, naive_local
from ..exports import safe_row
from ..extensions import db
from ..models import AuditRecord

#: The most rows one Excel file holds (the newest ones); the file says so when there were more.
EXPORT_MAX = 20_000


@dataclass(frozen=True)
class Filters:
    actor: str = ""          # "" everybody, "system", or a person's id
    action: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""


def records_query(filters: Filters) -> Select:
    """The records that match ``filters``, newest first."""
    query = select(AuditRecord)
    if filters.actor == "system":
        query = query.where(AuditRecord.actor_id.is_(None))
    elif filters.actor.isdigit():
        query = query.where(AuditRecord.actor_id == int(filters.actor))
    if filters.action:
        query = query.where(AuditRecord.action == filters.action)
    if filters.kind:
        query = query.where(AuditRecord.target_kind == filters.kind)
    if filters.since:
        query = query.where(AuditRecord.at >= from_local(datetime.combine(filters.since, time.min)))
    if filters.until:
        query = query.where(AuditRecord.at < from_local(datetime.combine(filters.until + timedelta(days=1), time.min)))
    if filters.q:
        query = query.where(AuditRecord.target_label.contains(filters.q, autoescape=True))
    return query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())


def actors() -> list[tuple[str, str]]:
    """(id, name as last recorded) of everybody who has a record, by name."""
    latest = (select(AuditRecord.actor_id, func.max(AuditRecord.id).label("last"))
              .where(AuditRecord.actor_id.is_not(None)).group_by(AuditRecord.actor_id).subquery())
    rows = db.session.execute(select(AuditRecord.actor_id, AuditRecord.actor_name)
                              .join(latest, AuditRecord.id == latest.c.last)).all()
    return sorted(((str(actor_id), name) for actor_id, name in rows), key=lambda pair: pair[1])


def actor_text(row: AuditRecord) -> str:
    return row.actor_name if row.actor_id is not None else _("System")


def _side(pairs: list[tuple[str, str, str]], index: int) -> str:
    return "\n".join(f"{pair[0]}：{pair[index]}" for pair in pairs)


def workbook(filters: Filters) -> bytes:
    """The filtered records as an Excel file (every typed value inert; times in Beijing time)."""
    from openpyxl import Workbook  # imported here: loading openpyxl is slow and only Excel files need it

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit trail"))
    sheet.append(safe_row([_("Time (Beijing time, UTC+8)"), _("Who"), _("What was done"), _("Changed item"),
                           _("Item"), _("Before"), _("After")]))
    rows = db.session.scalars(records_query(filters).limit(EXPORT_MAX + 1)).all()
    for row in rows[:EXPORT_MAX]:
        pairs = audit.changes(row)
        sheet.append(safe_row([naive_local(row.at), actor_text(row), audit.action_text(row.action),
                               audit.target_kind_text(row.target_kind), row.target_label,
                               _side(pairs, 1), _side(pairs, 2)]))
    if len(rows) > EXPORT_MAX:
        sheet.append(safe_row([_("Only the newest %(n)d records are in this file: narrow the filter to get the "
                                 "others.", n=EXPORT_MAX)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
