"""Assigning required courses to a role (below the organizer's area) or to named people."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import ROLES, Course, CourseAssignment, User
from ..refusal import Refusal
from ..scope import can_manage_area, can_manage_user, scope_users


def assign_course(actor: User, course: Course, *, role: str | None = None,
                  users: list[User] | None = None, due_date: date | None = None) -> list[CourseAssignment]:
    """Require ``course`` of everyone holding ``role`` below the actor's area, or of ``users``.

    Existing identical assignments are kept, not duplicated. Raises Refusal.
    """
    if not course.active:
        raise Refusal(_("The course %(title)s is no longer offered.", title=course.title))
    if (role is None) == (not users):
        raise Refusal(_("Choose either a role or at least one person."))
    created = []
    if role is not None:
        if role not in ROLES:
            raise Refusal(_("Unknown role: %(role)s", role=role))
        if actor.area is None:
            raise Refusal(_("Your account has no area."))
        targets = [dict(role=role, area_id=actor.area_id)]
    else:
        outside = [u.name for u in users if not can_manage_user(actor, u)]
        if outside:
            raise Refusal(_("Outside your area: %(names)s", names=", ".join(outside)))
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
    audit.record(actor, "assignment.create", audit.Target("assignment", course.id, course.title), after={
        "course": course.title, "role": role, "people": [u.name for u in users or []], "due": due_date})
    return created


def assignable_people(actor: User) -> list[User]:
    """The active accounts ``actor`` may require a course of, by name."""
    return db.session.scalars(scope_users(actor).where(User.active).order_by(User.name_key, User.name)).all()


def assign_chosen(actor: User, course: Course, *, target: str, role: str | None, chosen: set[int],
                  offered: list[User], due_date: date | None = None) -> list[CourseAssignment]:
    """What the assignment form asks: ``course`` for a role (``target`` "role") or for the ``chosen``
    ids among the people ``offered`` (``assignable_people``). Raises Refusal."""
    people = [u for u in offered if u.id in chosen]
    if chosen - {u.id for u in offered}:
        raise Refusal(_("Some chosen people are outside your area."))
    if target == "role":
        if not role:
            raise Refusal(_("Choose a role."))
        return assign_course(actor, course, role=role, due_date=due_date)
    if not people:
        raise Refusal(_("Choose at least one person."))
    return assign_course(actor, course, users=people, due_date=due_date)


def _in_scope(actor: User, assignment: CourseAssignment) -> bool:
    """A role assignment at or below ``actor``'s node, or a personal one for someone in their scope."""
    if assignment.role is not None and assignment.area is not None and can_manage_area(actor, assignment.area):
        return True
    return assignment.user is not None and can_manage_user(actor, assignment.user)


def visible_assignments(actor: User) -> list[CourseAssignment]:
    """Assignments an organizer may see: role assignments at or below their node, personal ones in scope."""
    rows = db.session.scalars(
        select(CourseAssignment).join(Course).where(Course.active)
        .order_by(CourseAssignment.created_at.desc())).all()
    return [a for a in rows if _in_scope(actor, a)]


def may_remove(actor: User, assignment: CourseAssignment) -> bool:
    """Only an assignment the organizer sees (of an active course, in their scope) may be removed."""
    return assignment.course.active and _in_scope(actor, assignment)


def remove_assignment(actor: User, assignment: CourseAssignment) -> None:
    if not may_remove(actor, assignment):
        raise Refusal(_("You may not remove this assignment."))
    audit.record(actor, "assignment.delete", audit.Target("assignment", assignment.course_id, assignment.course.title),
                 before={"course": assignment.course.title, "role": assignment.role, "due": assignment.due_date,
                         "people": [assignment.user.name] if assignment.user else []},
                 area=assignment.area or (assignment.user.area if assignment.user else None))
    db.session.delete(assignment)
    db.session.flush()
