"""What is offered: the active courses by tier, a course or lesson by its slug, a course's quizzes.

Lookups by slug return a select for ``db.first_or_404``, so a removed (inactive) course or lesson is
"not found" like one that never existed.
"""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..models import TIERS, Course, Lesson, Quiz


def courses_by_tier() -> dict[str, list[Course]]:
    """tier → its active courses in catalogue order (every tier, even an empty one)."""
    courses = db.session.scalars(select(Course).where(Course.active).order_by(Course.sort_order, Course.title)).all()
    return {tier: [c for c in courses if c.tier == tier] for tier in TIERS}


def assignable_courses() -> list[Course]:
    """The active courses, by tier, for choosing one to require."""
    return db.session.scalars(select(Course).where(Course.active).order_by(Course.tier, Course.sort_order)).all()


def course_named(slug: str) -> Select:
    """The active course ``slug``."""
    return select(Course).where(Course.slug == slug, Course.active)


def lesson_named(slug: str, lesson_slug: str) -> Select:
    """The active lesson ``lesson_slug`` of the active course ``slug``, with its course, in one query."""
    return (select(Lesson).join(Lesson.course).options(contains_eager(Lesson.course))
            .where(Course.slug == slug, Course.active, Lesson.slug == lesson_slug, Lesson.active))


def course_quizzes(course: Course) -> list[Quiz]:
    """The active quizzes that test ``course``."""
    return db.session.scalars(select(Quiz).where(Quiz.course_slug == course.slug, Quiz.active)).all()
