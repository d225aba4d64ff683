"""Turning people in an organizer's area into the pure pairing inputs (mentors and new workers)."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ..clock import local_today
from ..extensions import db
from ..models import Mentorship, User, UserRole
from ..profile.service import levels_for
from ..scope import scope_users
from .pairing import MentorCandidate, Mentee
from .rules import add_months


def _path(user: User) -> tuple[int, ...]:
    return tuple(int(part) for part in user.area.path.strip("/").split("/") if part) if user.area else ()


def _has_role(role: str):
    return select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == role).exists()


def new_workers(actor: User) -> list[User]:
    """Workers in the area, hired within NEW_WORKER_MONTHS (or with no hire date), not mentors
    themselves, with no active or completed mentorship."""
    cutoff = add_months(local_today(), -current_app.config["NEW_WORKER_MONTHS"])
    paired = select(Mentorship.mentee_id).where(Mentorship.status.in_(("active", "independent")))
    return db.session.scalars(
        scope_users(actor).where(User.active, _has_role("worker"), ~_has_role("mentor"), User.id.not_in(paired),
                                 (User.hire_date.is_(None)) | (User.hire_date >= cutoff))
        .order_by(User.hire_date.desc(), User.name_key, User.name)).all()


def mentors_in_area(actor: User) -> list[User]:
    return db.session.scalars(scope_users(actor).where(User.active, _has_role("mentor"))
                              .order_by(User.name_key, User.name)).all()


def cohort_inputs(actor: User, with_levels: bool = False) -> tuple[dict[int, MentorCandidate], dict[int, Mentee]]:
    """(mentor id → MentorCandidate, mentee id → Mentee) for the actor's area."""
    mentors, mentees = mentors_in_area(actor), new_workers(actor)
    load = dict(db.session.execute(select(Mentorship.mentor_id, func.count(Mentorship.id))
                                   .where(Mentorship.status == "active").group_by(Mentorship.mentor_id)).all())
    levels = levels_for([u.id for u in mentors + mentees]) if with_levels else {}
    today = local_today()
    candidates = {
        m.id: MentorCandidate(id=m.id, name=m.name, area_path=_path(m),
                              years_experience=round((today - m.hire_date).days / 365.25, 1) if m.hire_date else 0.0,
                              current_mentees=load.get(m.id, 0), capacity=m.mentor_capacity,
                              levels=levels.get(m.id, {}))
        for m in mentors}
    people = {w.id: Mentee(id=w.id, name=w.name, area_path=_path(w), levels=levels.get(w.id, {})) for w in mentees}
    return candidates, people
