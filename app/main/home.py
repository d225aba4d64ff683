"""What the home page shows, per role held: a learner's next lesson, hours and open competitions; a
manager's head count, how their learners stand and the last content sync."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.service import people_count
from .. import clock
from ..clock import utcnow
from ..extensions import db
from ..learn.progress import area_summary, course_progress, hour_requirements, next_lesson, required_courses
from ..models import Competition, CompetitionRound, ContentSync, Entry, User
from ..notifications import pending, text as notification_text
from ..quiz.service import book_entries
from ..train.service import home_classes


def home_context(user: User, config) -> dict:
    """The home page's data for ``user`` (what the template shows for each role they hold)."""
    context = {"pending": pending(user.id), "notification_text": notification_text, "overdue": []}
    if user.has_role("worker", "mentor") or not user.is_manager:
        required = required_courses(user)
        progress = course_progress(user)
        today = clock.local_today()
        context["overdue"] = [(course, assignment) for course, assignment in required
                              if assignment.due_date and assignment.due_date < today
                              and not (progress.get(course.id) and progress[course.id].complete)]
        context.update(
            requirements=hour_requirements(user, config),
            required=[(course, assignment, progress.get(course.id)) for course, assignment in required],
            next_lesson=next_lesson(user, [c for c, _a in required]),
            book_count=len(book_entries(user)),
            competitions=open_competitions(user),
            classes=home_classes(user, clock.local_today()),
        )
    if user.is_manager:
        context.update(people_count=people_count(user), summary=area_summary(user), last_sync=last_sync())
    return context


def open_competitions(user: User) -> list[Competition]:
    """Competitions the person is enrolled in that still have a round open or to come."""
    return db.session.scalars(
        select(Competition).join(Entry, Entry.competition_id == Competition.id)
        .where(Entry.user_id == user.id, select(CompetitionRound.id).where(
            CompetitionRound.competition_id == Competition.id, CompetitionRound.closes_at > utcnow()).exists())
        .order_by(Competition.created_at.desc())).all()


def last_sync() -> ContentSync | None:
    """The latest content sync (when the courses, questions and drills were last loaded)."""
    return db.session.scalar(select(ContentSync).order_by(ContentSync.id.desc()).limit(1))
