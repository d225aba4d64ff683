"""Assigning required courses: to a role at an area node at or below the organizer's (people added
later included), to the people hired in one year, or to a list of people (worker numbers, login names
or names). Every way has a due date and a preview of who gets what before anything is saved; a person
for whom the course is already required is left as they are. Assignments made above the organizer's
node (the city's onboarding courses) are shown as inherited requirements, read-only."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audit
from ..clock import local_today
from ..extensions import db
from ..models import ROLES, Area, Course, CourseAssignment, User, UserRole
from ..refusal import FieldRefusal, Refusal
from ..scope import areas_above, can_manage_area, can_manage_user, scope_areas, scope_users
from .progress import learners_query, required_map

#: The ways to choose whom a course is required of (the form's ``target``).
TARGETS = ("area", "hired", "list")
#: Most names a pasted list may hold.
MAX_LISTED = 500


def assign_course(actor: User, course: Course, *, role: str | None = None, area: Area | None = None,
                  users: list[User] | None = None, due_date: date | None = None) -> list[CourseAssignment]:
    """Require ``course`` of everyone holding ``role`` at or below ``area`` (by default the actor's
    area), or of ``users``.

    Existing identical assignments are kept, not duplicated (a new due date replaces theirs). Raises Refusal.
    """
    if not course.active:
        raise Refusal(_("The course %(title)s is no longer offered.", title=course.title))
    if (role is None) == (not users):
        raise Refusal(_("Choose either a role or at least one person."))
    created = []
    if role is not None:
        if role not in ROLES:
            raise Refusal(_("Unknown role: %(role)s", role=role))
        area = area or actor.area
        if area is None:
            raise Refusal(_("Your account has no area."))
        if not can_manage_area(actor, area):
            raise Refusal(_("Outside your area: %(names)s", names=area.name))
        targets = [dict(role=role, area_id=area.id)]
    else:
        outside = [u.name for u in users if not can_manage_user(actor, u)]
        if outside:
            raise Refusal(_("Outside your area: %(names)s", names="、".join(outside)))
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
        "course": course.title, "role": role, **({"area": area.name} if role is not None else {}),
        "people": [u.name for u in users or []], "due": due_date},
        **({"area": area} if role is not None else {}))
    return created


@dataclass
class Plan:
    """Who an assignment would reach, before it is saved: ``new`` get the course, ``already`` have it
    required (left as they are). A role assignment (``role`` at ``area``) also reaches people added later."""

    course: Course
    target: str
    due_date: date
    role: str | None = None
    area: Area | None = None
    hired: int | None = None
    new: list[User] = field(default_factory=list)
    already: list[User] = field(default_factory=list)

    @property
    def people(self) -> list[User]:
        return self.new + self.already


def _area_in_scope(actor: User, area_id: int | None) -> Area | None:
    """The chosen node (None: the actor's own area); refused when it is outside ``actor``'s area."""
    if not area_id:
        return actor.area
    area = db.session.scalar(scope_areas(actor).where(Area.id == area_id))
    if area is None:
        raise FieldRefusal(_("Choose an area within yours."), "area")
    return area


def split_required(people_list: list[User], course: Course) -> tuple[list[User], list[User]]:
    """(for whom ``course`` would be new, for whom it is already required)."""
    required = required_map(people_list)
    new = [u for u in people_list if course.id not in required.get(u.id, set())]
    return new, [u for u in people_list if course.id in required.get(u.id, set())]


def listed_people(actor: User, text: str) -> list[User]:
    """The people a pasted list names, in its order: one per line or separated by commas or 、, each by
    worker number, login name or name, among the active people in ``actor``'s area. Raises FieldRefusal
    naming the entries not found (or found twice by name)."""
    wanted = list(dict.fromkeys(w.strip() for w in re.split(r"[\n\r,，、;；]+", text or "") if w.strip()))
    if not wanted:
        raise FieldRefusal(_("List at least one person."), "people_list")
    if len(wanted) > MAX_LISTED:
        raise FieldRefusal(_("List at most %(n)d people at a time.", n=MAX_LISTED), "people_list")
    found = db.session.scalars(scope_users(actor).where(User.active, (User.worker_number.in_(wanted))
                                                        | User.username.in_(wanted) | User.name.in_(wanted))).all()
    people, missing, twice = [], [], []
    for word in wanted:
        exact = [u for u in found if word in (u.worker_number, u.username)]
        named = [u for u in found if u.name == word]
        match = exact or named
        if not match:
            missing.append(word)
        elif len(match) > 1:
            twice.append(word)
        elif match[0] not in people:
            people.append(match[0])
    if missing:
        raise FieldRefusal(_("Not found in your area: %(names)s", names="、".join(missing)), "people_list")
    if twice:
        raise FieldRefusal(_("Several people are called %(names)s: give their worker numbers.",
                                            names="、".join(twice)), "people_list")
    return people


def plan_assignment(actor: User, course: Course | None, *, target: str, due_date: date | None,
                    role: str | None = None, area_id: int | None = None, hired: int | None = None,
                    people_list: str = "") -> Plan:
    """Who ``course`` would be required of, as the assignment form chose: ``target`` "area" (``role`` at
    the node ``area_id``), "hired" (the learners hired in ``hired``, within ``area_id`` if given) or
    "list" (``people_list``). Saves nothing. Raises Refusal or FieldRefusal naming the field."""
    if course is None or not course.active:
        raise FieldRefusal(_("Choose a course."), "course")
    if due_date is None:
        raise FieldRefusal(_("Give a due date."), "due_date")
    if due_date < local_today():
        raise FieldRefusal(_("The due date has passed: choose today or a later day."), "due_date")
    if target not in TARGETS:
        raise FieldRefusal(_("Choose whom the course is required of."), "target")
    plan = Plan(course=course, target=target, due_date=due_date)
    if target == "area":
        if role not in ROLES:
            raise FieldRefusal(_("Choose a role."), "role")
        plan.role, plan.area = role, _area_in_scope(actor, area_id)
        if plan.area is None:
            raise Refusal(_("Your account has no area."))
        holders = (scope_users(actor).where(User.active, Area.path.startswith(plan.area.path, autoescape=True),
                                            select(UserRole.user_id).where(UserRole.user_id == User.id,
                                                                           UserRole.role == role).exists())
                   .order_by(User.name_key, User.name))
        plan.new, plan.already = split_required(db.session.scalars(holders).all(), course)
        return plan
    if target == "hired":
        if not hired or not 1950 <= hired <= 2100:
            raise FieldRefusal(_("Give the hire year (for example 2024)."), "hired")
        plan.hired, plan.area = hired, _area_in_scope(actor, area_id) if area_id else None
        people = db.session.scalars(learners_query(actor, within=plan.area, hired=hired)
                                    .order_by(User.name_key, User.name)).all()
    else:
        people = listed_people(actor, people_list)
    if not people:
        raise Refusal(_("Nobody matches: no course was assigned."))
    plan.new, plan.already = split_required(people, course)
    return plan


def carry_out(actor: User, plan: Plan) -> list[CourseAssignment]:
    """Save what ``plan`` previewed: the role assignment at its node, or personal assignments for the
    people the course is new for (those who already have it required are left as they are)."""
    if plan.target == "area":
        return assign_course(actor, plan.course, role=plan.role, area=plan.area, due_date=plan.due_date)
    if not plan.new:
        raise Refusal(_("The course is already required of everyone chosen: nothing to assign."))
    return assign_course(actor, plan.course, users=plan.new, due_date=plan.due_date)


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


@dataclass
class Inherited:
    """A role assignment made above the organizer's node that applies to ``count`` of their people."""

    assignment: CourseAssignment
    count: int


def inherited_assignments(actor: User) -> list[Inherited]:
    """Role assignments of active courses made at a node above ``actor``'s (the city's requirements),
    with how many active people in ``actor``'s area hold the role. Read-only for ``actor``."""
    above = [a for a in areas_above(actor) if actor.area is None or a != actor.area_id]
    if not above:
        return []
    rows = db.session.scalars(
        select(CourseAssignment).join(Course)
        .where(Course.active, CourseAssignment.role.is_not(None), CourseAssignment.area_id.in_(above))
        .order_by(Course.tier, Course.slug)).all()
    counts: dict[str, int] = {}
    for role in {a.role for a in rows}:
        counts[role] = db.session.scalar(scope_users(actor, select(func.count(User.id))).where(
            User.active, select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == role).exists()))
    return [Inherited(a, counts[a.role]) for a in rows]


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
