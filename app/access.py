"""Who may see whose records: one place for the rules every feature applies.

- A person sees their own records.
- A mentor sees the records of their mentees, current and past.
- Organizers and admins see everyone at or below their area (``app.scope``).
Anything else is "not found" (404), so nobody learns that a record exists.
"""
from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select

from .extensions import db
from .models import Mentorship, User
from .refusal import Refusal
from .scope import can_manage_user


def is_mentor_of(actor: User, mentee: User) -> bool:
    """Is (or was) ``actor`` the mentor of ``mentee``?"""
    return db.session.scalar(select(Mentorship.id).where(Mentorship.mentor_id == actor.id,
                                                         Mentorship.mentee_id == mentee.id).limit(1)) is not None


def can_view_person(actor: User, person: User) -> bool:
    """Own records, a mentee's (current or past), or anyone below a manager's area."""
    return actor.id == person.id or is_mentor_of(actor, person) or can_manage_user(actor, person)


def can_view_mentorship(actor: User, mentorship: Mentorship) -> bool:
    return actor.id in (mentorship.mentor_id, mentorship.mentee_id) or can_manage_user(actor, mentorship.mentee)


def result_access(actor: User, owner: User, finished: bool) -> str | None:
    """Who may open the results of an attempt (a quiz review, a drill debrief): "show" for the owner,
    their mentor and their organizers once it is finished; "resume" sends the owner back to an
    unfinished attempt; None means not found (nobody else learns that it exists)."""
    if not can_view_person(actor, owner):
        return None
    if finished:
        return "show"
    return "resume" if actor.id == owner.id else None


def person_or_404(actor: User, user_id: int) -> User:
    """The person whose records ``actor`` may see, or 404."""
    person = db.session.get(User, user_id)
    if person is None or not can_view_person(actor, person):
        abort(404)
    return person


def own_or_404(actor: User, row, owner_attr: str = "user_id"):
    """``row`` if it belongs to ``actor`` (else 404: another person's row is never revealed)."""
    if row is None or getattr(row, owner_attr) != actor.id:
        abort(404)
    return row


def check_own(actor: User, row, owner_attr: str = "user_id"):
    """``row`` if it belongs to ``actor``; else a Refusal (services check the person they are given,
    whatever the view already checked). Like ``own_or_404``, it says only "not found"."""
    if row is None or getattr(row, owner_attr) != actor.id:
        raise Refusal(_("Not found"))
    return row
