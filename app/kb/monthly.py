"""The monthly 案例汇编: which cases go into an organizer's book for a month, and the PDF.

A field case belongs to the month in which it was approved (local time, ``app.clock``) and to the
organizer's book when its author works at or below the organizer's area (``app.scope``), so an
organizer of a street gets the cases of its communities and grids, never a neighbouring street's. The
shipped cases of ``knowledge/`` can be added after them (they carry no month). The cover names the
street: the organizer's own area when it is a street or above, else the street it lies in.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..clock import from_local, local, local_today, utcnow
from ..extensions import db
from ..labels import KB_CATEGORY_NAMES
from ..models import Area, CaseSubmission, KbEntry, User
from ..refusal import FieldRefusal, Refusal
from ..scope import scope_users
from .casebook import BookCase, render_casebook
from .checker import CASE_PARTS

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def parse_month(text: str | None) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); empty: the current local month. Refuses anything else, naming the field."""
    if not (text or "").strip():
        today = local_today()
        return today.year, today.month
    found = _MONTH.match(text)
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise FieldRefusal(_("Month: choose a month such as 2026-11."), "month")
    return int(found.group(1)), int(found.group(2))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The month's first local midnight and the next month's, as aware datetimes."""
    start = from_local(datetime(year, month, 1))
    following = from_local(datetime(year + (month == 12), month % 12 + 1, 1))
    return start, following


def street_name(area: Area | None) -> str:
    """The street (街道) an area lies in, or the area's own name at or above street level."""
    node = area
    while node is not None:
        if node.level == "street":
            return node.name
        node = node.parent
    return area.name if area is not None else ""


def field_cases(actor: User, year: int, month: int) -> list[CaseSubmission]:
    """Cases approved in the month whose authors ``actor`` manages, in the order they were approved."""
    start, end = month_bounds(year, month)
    query = scope_users(actor, select(CaseSubmission).join(User, CaseSubmission.author_id == User.id))
    return list(db.session.scalars(query.where(CaseSubmission.status == "approved",
                                               CaseSubmission.reviewed_at >= start, CaseSubmission.reviewed_at < end)
                                   .order_by(CaseSubmission.reviewed_at, CaseSubmission.id)))


def shipped_cases() -> list[KbEntry]:
    return list(db.session.scalars(select(KbEntry).where(KbEntry.kind == "case", KbEntry.origin == "file",
                                                         KbEntry.active).order_by(KbEntry.category, KbEntry.slug)))


def book_cases(actor: User, year: int, month: int, shipped: bool = False) -> list[BookCase]:
    out = []
    for case in field_cases(actor, year, month):
        out.append(BookCase(title=case.title, author=case.author.name,
                            area=case.author.area.name if case.author.area else "",
                            approved=local(case.reviewed_at).strftime("%Y-%m-%d"),
                            category=str(KB_CATEGORY_NAMES.get(case.category, "")), tags=tuple(case.tags or ()),
                            parts={part: getattr(case, part) or "" for part in CASE_PARTS}))
    if shipped:
        for entry in shipped_cases():
            out.append(BookCase(title=entry.title, author=_("GridAcademy case library"),
                                category=str(KB_CATEGORY_NAMES.get(entry.category, "")),
                                tags=tuple(entry.tags or ()), parts=dict(entry.parts or {})))
    return out


def casebook(actor: User, month_text: str | None, shipped: bool = False) -> tuple[str, bytes]:
    """(file name, PDF) of ``actor``'s book for the month; refused when it would hold no case."""
    year, month = parse_month(month_text)
    cases = book_cases(actor, year, month, shipped)
    if not cases:
        raise Refusal(_("No case was approved in %(year)d-%(month)02d in your area.", year=year, month=month))
    street = street_name(actor.area)
    created = min(utcnow(), month_bounds(year, month)[1] - timedelta(seconds=1))
    pdf = render_casebook(street, year, month, cases, created=created, issuer=street)
    return f"casebook-{year}-{month:02d}.pdf", pdf
