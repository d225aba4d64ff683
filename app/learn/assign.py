"""Assigning required courses to a role (below the organizer's area) or to named people."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ROLES, Course, CourseAssignment, User
from ..scope import can_manage_area, can_manage_user


class AssignmentError(ValueError):
    """The assignment was refused; the message says why."""


def assign_course(actor: User, course: Course, *, role: str | None = None,
                  users: list[User] | None = None, due_date: date | None = None) -> list[CourseAssignment]:
    """Require ``course`` of everyone holding ``role`` below the actor's area, or of ``users``.

    Existing identical assignments are kept, not duplicated. Raises AssignmentError.
    """
    if not course.active:
        raise AssignmentError(_("The course %(title)s is no longer offered.", title=course.title))
    if (role is None) == (not users):
        raise AssignmentError(_("Choose either a role or at least one person."))
    created = []
    if role is not None:
        if role not in ROLES:
            raise AssignmentError(_("Unknown role: %(role)s", role=role))
        if actor.area is None:
            raise AssignmentError(_("Your account has no area."))
        targets = [dict(role=role, area_id=actor.area_id)]
    else:
        outside = [u.name for u in users if not can_manage_user(actor, u)]
        if outside:
            raise AssignmentError(_("Outside your area: %(names)s", names=", ".join(outside)))
        targets = [dict(user_id=u.id) for u in users]
    for target in targets:
        query = select(CourseAssignment).where(CourseAssignment.course_id == course.id)
        for key, value in target.items():
            query = query.where(getattr(CourseAssignment, key) == value)
        existing = db.session.scalar(query.limit(1))
        if existing is not None:
            existing.due_date = due_date or existing.due_date
            continue
        assignment = CourseAssignment(course_id=course.id, due_date=due_date, assigned_by_id=actor.id, **target)
        db.session.add(assignment)
        created.append(assignment)
    db.session.flush()
    return created


def visible_assignments(actor: User) -> list[CourseAssignment]:
    """Assignments an organizer may see: role assignments at or below their node, personal ones in scope."""
    rows = db.session.scalars(
        select(CourseAssignment).join(Course).where(Course.active)
        .order_by(CourseAssignment.created_at.desc())).all()
    result = []
    for a in rows:
        if a.role is not None and a.area is not None and can_manage_area(actor, a.area):
            result.append(a)
        elif a.user is not None and can_manage_user(actor, a.user):
            result.append(a)
    return result


def remove_assignment(actor: User, assignment: CourseAssignment) -> None:
    if assignment not in visible_assignments(actor):
        raise AssignmentError(_("You may not remove this assignment."))
    db.session.delete(assignment)
    db.session.flush()
