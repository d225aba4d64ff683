"""Who may see whose records: one place for the rules every feature applies.

- A person sees their own records.
- A mentor sees the records of their current mentees (an active pairing); when the pairing ends
  (ended or independent) that access ends. The pairing page itself, with the visits, observations
  and comments the mentor wrote, stays visible to both of them (``can_view_mentorship``).
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
    """Is ``actor`` now the mentor of ``mentee`` (an active pairing)? This is what opens the mentee's
    records; an ended pairing gives no access."""
    return db.session.scalar(select(Mentorship.id).where(Mentorship.mentor_id == actor.id,
                                                         Mentorship.mentee_id == mentee.id,
                                                         Mentorship.status == "active").limit(1)) is not None


def was_mentor_of(actor: User, mentee: User) -> bool:
    """Was ``actor`` ever the mentor of ``mentee`` (any pairing, active or ended)? Only for the record
    of the mentorship itself (the pairing page, what the mentor wrote), never for the mentee's records."""
    return db.session.scalar(select(Mentorship.id).where(Mentorship.mentor_id == actor.id,
                                                         Mentorship.mentee_id == mentee.id).limit(1)) is not None


def current_mentees(actor: User):
    """A subquery of the ids of ``actor``'s current mentees (active pairings)."""
    return select(Mentorship.mentee_id).where(Mentorship.mentor_id == actor.id, Mentorship.status == "active")


def can_view_person(actor: User, person: User) -> bool:
    """Own records, a current mentee's, or anyone below a manager's area."""
    return actor.id == person.id or is_mentor_of(actor, person) or can_manage_user(actor, person)


def can_view_mentorship(actor: User, mentorship: Mentorship) -> bool:
    """Both sides of a pairing keep seeing its page (active or ended), and so do its organizers."""
    return actor.id in (mentorship.mentor_id, mentorship.mentee_id) or can_manage_user(actor, mentorship.mentee)


def result_access(actor: User, owner: User, finished: bool) -> str | None:
    """Who may open the results of an attempt (a quiz review, a drill debrief): "show" for the owner,
    their current mentor and their organizers once it is finished; "resume" sends the owner back to an
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
