"""Area scope: organizers and admins see and manage only people at or below their area node.

This is the one place that turns "who is asking" into a query filter; every view that lists or opens
people (accounts, assignments, completion, and later mentoring, cohorts and competitions) goes
through it. A manager without an area sees nobody; a city-level manager sees everyone in the city.
"""
from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from .models import Area, QuestionBank, User


def area_filter(actor: User, area_column=Area.path):
    """A SQL condition true for rows whose area path lies at or below ``actor``'s area."""
    if actor.area is None:
        return false()
    return area_column.startswith(actor.area.path, autoescape=True)


def scope_users(actor: User, query: Select | None = None) -> Select:
    """Limit a ``select(User ...)`` to the people ``actor`` may manage (joins ``Area``)."""
    query = select(User) if query is None else query
    return query.join(Area, User.area_id == Area.id).where(area_filter(actor))


def scope_areas(actor: User, query: Select | None = None) -> Select:
    """Limit a ``select(Area ...)`` to nodes at or below ``actor``'s area."""
    query = select(Area) if query is None else query
    return query.where(area_filter(actor))


def can_manage_user(actor: User, user: User) -> bool:
    """May ``actor`` (an organizer or admin) see and manage ``user``?"""
    if not actor.is_manager or actor.area is None or user.area is None:
        return False
    return user.area.is_within(actor.area)


def can_manage_area(actor: User, area: Area) -> bool:
    return actor.is_manager and actor.area is not None and area.is_within(actor.area)


def areas_above(actor: User) -> list[int]:
    """The ids of ``actor``'s area node and every node above it (from its materialised path)."""
    if actor.area is None:
        return []
    return [int(part) for part in actor.area.path.strip("/").split("/") if part]


def bank_filter(actor: User):
    """A SQL condition true for the question banks ``actor`` may use (quizzes, competition papers):
    global banks (no area) and banks imported at ``actor``'s area node or above it."""
    return or_(QuestionBank.area_id.is_(None), QuestionBank.area_id.in_(areas_above(actor)))


def can_edit_bank(actor: User, bank: QuestionBank) -> bool:
    """May ``actor`` add to or retitle ``bank``? Only an imported bank, and only by a manager of exactly
    its area node (not a sibling's, not one above or below); global banks are read-only here."""
    return (bank.origin == "import" and bank.area_id is not None and actor.is_manager
            and actor.area_id == bank.area_id)
