"""Where a person stands with each recommended item, so that each recommendation gives its own reason."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..learn.progress import course_progress
from ..models import Course, DrillAttempt, DrillVersion, Quiz, QuizAttempt, User


def recommendation_status(person: User, recommendations) -> dict[tuple[str, str], str]:
    """(kind, id) → where ``person`` stands with each recommended item, so each reason is their own:
    lessons done of a course, or how often a quiz or drill was finished. The same queries run whatever
    was recommended, so the page's query count does not depend on it."""
    wanted = {kind: [r.item.id for r in recommendations if r.item.kind == kind]
              for kind in ("course", "quiz", "drill")}
    status: dict[tuple[str, str], str] = {}
    progress = course_progress(person)
    for course_id, slug in db.session.execute(select(Course.id, Course.slug).where(Course.slug.in_(wanted["course"]))):
        done = progress.get(course_id)
        status[("course", slug)] = (_("%(done)d of %(total)d lessons done", done=done.done, total=done.total)
                                    if done and done.done else _("not started yet"))
    quizzes = select(Quiz.slug, func.count(QuizAttempt.id)).join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id).where(
        Quiz.slug.in_(wanted["quiz"]), QuizAttempt.user_id == person.id, QuizAttempt.submitted_at.is_not(None))
    drills = select(DrillVersion.drill_id, func.count(DrillAttempt.id)).join(
        DrillAttempt, DrillAttempt.drill_version_id == DrillVersion.id).where(
        DrillVersion.drill_id.in_(wanted["drill"]), DrillAttempt.user_id == person.id,
        DrillAttempt.finished_at.is_not(None))
    counts = {("quiz", slug): n for slug, n in db.session.execute(quizzes.group_by(Quiz.slug))}
    counts.update({("drill", drill_id): n
                   for drill_id, n in db.session.execute(drills.group_by(DrillVersion.drill_id))})
    for kind in ("quiz", "drill"):
        for item_id in wanted[kind]:
            n = counts.get((kind, item_id), 0)
            status[(kind, item_id)] = _("done %(n)d times", n=n) if n else _("not tried yet")
    return status
