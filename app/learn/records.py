"""What learning records: course completions as evidence, lesson completions as xAPI statements
(with the reading time as duration and the lesson check as score, when the hours were earned so)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import signals
from ..evidence import Item, Source, StatementContext, register_source
from ..extensions import db
from ..models import Course, Lesson, LessonProgress
from ..profile import xapi

#: A finished course is light evidence (学习记录) on the indicators the course trains.
COMPLETION_WEIGHT = 1.0


def completion_evidence(user, course: Course, **_kwargs) -> list[Item]:
    """Full marks on each indicator the course trains, once per person and course."""
    return [Item(user_id=user.id, indicator=indicator, score=100.0, weight=COMPLETION_WEIGHT, source_id=course.id,
                 source_ref=f"course:{course.slug}", content_version=course.content_hash)
            for indicator in course.indicators or []]


def completion_links(records) -> dict[int, str]:
    return {r.id: "/courses/" + r.source_ref.split(":", 1)[1] for r in records if ":" in r.source_ref}


def completion_descriptions(records) -> dict[int, str]:
    slugs = {r.source_ref.split(":", 1)[1] for r in records if ":" in r.source_ref}
    titles = dict(db.session.execute(select(Course.slug, Course.title).where(Course.slug.in_(slugs))).all())
    return {r.id: _("course “%(title)s”", title=titles[slug])
            for r in records if ":" in r.source_ref and (slug := r.source_ref.split(":", 1)[1]) in titles}


def lesson_statements(context: StatementContext) -> list[dict]:
    config, out = context.config, []
    for progress, lesson, course in db.session.execute(
            select(LessonProgress, Lesson, Course).join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .join(Course, Course.id == Lesson.course_id).where(LessonProgress.user_id.in_(context.user_ids))):
        parent = xapi.activity(config.activity_id("course", course.slug), course.title, "course")
        obj = xapi.activity(config.activity_id("course", course.slug, "lesson", lesson.slug), lesson.title, "lesson")
        out.append(xapi.build_statement(
            config, actor=context.actors[progress.user_id], verb_key="completed", obj=obj,
            timestamp=progress.completed_at, source_ref=f"lesson_progress:{progress.id}", parent=parent,
            content_version=progress.content_hash,
            result=xapi.result(raw=progress.check_right, maximum=progress.check_asked, success=True, completion=True,
                               duration=progress.reading_seconds)
            if progress.check_asked else xapi.result(completion=True)))
    return out


def register() -> None:
    register_source(Source("course_completion", _l("course completion"), verb="completed", activity_type="course",
                           links=completion_links, describe=completion_descriptions, statements=lesson_statements,
                           on_repeat="skip"),
                    signal=signals.course_completed, collect=completion_evidence)
